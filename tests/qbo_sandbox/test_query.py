"""The emulator's QBO query language: what parses, what faults, and what each query returns.

Pure Python: no database, no server. The last section drives python-quickbooks 0.9.12's own
query helpers (`.all()`, `.filter()`, `.where()`, `.choose()`, `.count()`) against the emulator's
parser and executor, so the exact strings the client library writes are the ones tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from quickbooks.objects.customer import Customer as QBCustomer
from quickbooks.objects.employee import Employee as QBEmployee
from quickbooks.objects.item import Item as QBItem

from qbo_sandbox.faults import QBOFault
from qbo_sandbox.query import NAME_LIST_ENTITIES
from qbo_sandbox.query import Condition
from qbo_sandbox.query import Query
from qbo_sandbox.query import execute_query
from qbo_sandbox.query import parse_query

# --- records ---------------------------------------------------------------------------------


def customer(
    id_: str,
    name: str,
    *,
    active: bool = True,
    parent: str | None = None,
    balance: float = 0.0,
    created: str = "2025-01-01T09:00:00-08:00",
    **extra: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "Id": id_,
        "SyncToken": "0",
        "DisplayName": name,
        "Active": active,
        "Job": parent is not None,
        "Balance": balance,
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": created, "LastUpdatedTime": created},
        **extra,
    }
    if parent is not None:
        record["ParentRef"] = {"value": parent}
    return record


CUSTOMERS = [
    customer("1", "Acme", balance=120.5, CompanyName="Acme Inc"),
    customer("2", "O'Brien Ltd", balance=50, created="2025-01-01T23:30:00-08:00"),
    customer("9", "beta stores", balance=0.0, created="2025-01-03T00:00:00Z"),
    customer("10", "Acme:Plant", parent="1", balance=75.25, created="2025-02-01T12:00:00+00:00"),
    customer("11", "Zeta", active=False, balance=999),
    customer("12", "Acme:Plant:Line 1", parent="10", CompanyName="Line One_Co"),
]


def ids(response: dict[str, Any], entity: str = "Customer") -> list[str]:
    return [record["Id"] for record in response.get(entity, [])]


def run(text: str, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return execute_query(parse_query(text), CUSTOMERS if records is None else records)


def fault_of(text: str) -> QBOFault:
    with pytest.raises(QBOFault) as caught:
        parse_query(text)
    return caught.value


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * FROM Customer", Query("Customer", False)),
        ("SELECT * FROM Customer ", Query("Customer", False)),
        ("  select * from Customer\n", Query("Customer", False)),
        ("SELECT COUNT(*) FROM Customer ", Query("Customer", True)),
        ("select count( * ) from Employee", Query("Employee", True)),
        ("SELECT *, Sku FROM Item", Query("Item", False)),
        (
            "SELECT * FROM Customer WHERE DisplayName = 'Acme' AND Balance >= 10.5 AND Id < '7'",
            Query(
                "Customer",
                False,
                (
                    Condition("DisplayName", "=", "Acme"),
                    Condition("Balance", ">=", 10.5),
                    Condition("Id", "<", "7"),
                ),
            ),
        ),
        (
            "SELECT * FROM Customer WHERE Balance > -3 AND Balance <= 4 AND Level > 0",
            Query(
                "Customer",
                False,
                (
                    Condition("Balance", ">", -3),
                    Condition("Balance", "<=", 4),
                    Condition("Level", ">", 0),
                ),
            ),
        ),
        (
            "SELECT * FROM Customer WHERE Id IN ('1', 2, '3')",
            Query("Customer", False, (Condition("Id", "IN", ("1", 2, "3")),)),
        ),
        (
            "SELECT * FROM Customer WHERE DisplayName LIKE 'Ac%'",
            Query("Customer", False, (Condition("DisplayName", "LIKE", "Ac%"),)),
        ),
        (
            "SELECT * FROM Customer WHERE Active IN (true, FALSE) AND Job = True",
            Query(
                "Customer",
                False,
                (Condition("Active", "IN", (True, False)), Condition("Job", "=", True)),
            ),
        ),
        (
            "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2025-01-01T00:00:00Z'",
            Query(
                "Customer",
                False,
                (Condition("MetaData.LastUpdatedTime", ">", "2025-01-01T00:00:00Z"),),
            ),
        ),
        (
            "SELECT * FROM Customer ORDER BY Id",
            Query("Customer", False, order_by=(("Id", False),)),
        ),
        (
            "SELECT * FROM Customer ORDERBY DisplayName DESC, Id asc",
            Query("Customer", False, order_by=(("DisplayName", True), ("Id", False))),
        ),
        (
            "SELECT * FROM Customer order  by MetaData.CreateTime desc",
            Query("Customer", False, order_by=(("MetaData.CreateTime", True),)),
        ),
        (
            "SELECT * FROM Customer STARTPOSITION 11 MAXRESULTS 10",
            Query("Customer", False, start_position=11, max_results=10),
        ),
        (
            "SELECT * FROM Customer MAXRESULTS 1000 STARTPOSITION 3",
            Query("Customer", False, start_position=3, max_results=1000),
        ),
        (
            "SELECT * FROM Customer startposition 1 maxresults 1",
            Query("Customer", False, start_position=1, max_results=1),
        ),
    ],
)
def test_parses_every_part_of_the_grammar(text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_defaults_are_position_1_and_100_results() -> None:
    query = parse_query("SELECT * FROM Customer")
    assert (query.start_position, query.max_results) == (1, 100)
    assert query.conditions == () and query.order_by == ()


def test_entity_name_is_kept_as_written_for_the_caller_to_check() -> None:
    # Entity names are case-sensitive in QBO; the caller decides that "customer" does not exist.
    assert parse_query("SELECT * FROM customer").entity == "customer"


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (r"'O\'Brien'", "O'Brien"),
        (r"'\'quoted\''", "'quoted'"),
        (r"'back\\slash'", "back\\slash"),
        ("'plain words, with AND and WHERE'", "plain words, with AND and WHERE"),
        ("''", ""),
        ("'50%'", "50%"),
    ],
)
def test_string_literals_unescape_backslashes(literal: str, expected: str) -> None:
    query = parse_query(f"SELECT * FROM Customer WHERE DisplayName = {literal}")
    assert query.conditions == (Condition("DisplayName", "=", expected),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "SELECT",
        "SELECT * FROM",
        "SELECT * Customer",
        "FROM Customer",
        "DELETE FROM Customer",
        "UPDATE Customer SET Active = false",
        "SELECT DisplayName FROM Customer",
        "SELECT Id, DisplayName FROM Customer",
        "SELECT COUNT(Id) FROM Customer",
        "SELECT * FROM Customer, Employee",
        "SELECT * FROM Customer JOIN Employee ON Customer.Id = Employee.Id",
        "SELECT * FROM Customer c",
        "SELECT * FROM Customer WHERE",
        "SELECT * FROM Customer WHERE DisplayName",
        "SELECT * FROM Customer WHERE DisplayName =",
        "SELECT * FROM Customer WHERE DisplayName = 'Acme' OR DisplayName = 'Zeta'",
        "SELECT * FROM Customer WHERE NOT Active = true",
        "SELECT * FROM Customer WHERE Id NOT IN ('1')",
        "SELECT * FROM Customer WHERE DisplayName != 'Acme'",
        "SELECT * FROM Customer WHERE DisplayName <> 'Acme'",
        "SELECT * FROM Customer WHERE DisplayName = 'Acme' AND",
        "SELECT * FROM Customer WHERE (DisplayName = 'Acme')",
        "SELECT * FROM Customer WHERE DisplayName = Acme",
        'SELECT * FROM Customer WHERE DisplayName = "Acme"',
        "SELECT * FROM Customer WHERE DisplayName = 'Acme",
        r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien",
        "SELECT * FROM Customer WHERE Active = None",
        "SELECT * FROM Customer WHERE Id IN ()",
        "SELECT * FROM Customer WHERE Id IN '1'",
        "SELECT * FROM Customer WHERE DisplayName LIKE 5",
        "SELECT * FROM Customer WHERE DisplayName IS NULL",
        "SELECT * FROM Customer WHERE DisplayName BETWEEN 'A' AND 'B'",
        "SELECT * FROM Customer GROUP BY DisplayName",
        "SELECT * FROM Customer ORDER BY",
        "SELECT * FROM Customer ORDER DisplayName",
        "SELECT * FROM Customer ORDER BY DisplayName DOWN",
        "SELECT * FROM Customer WHERE Active = true WHERE Job = true",
        "SELECT * FROM Customer MAXRESULTS",
        "SELECT * FROM Customer MAXRESULTS ten",
        "SELECT * FROM Customer MAXRESULTS 1001",
        "SELECT * FROM Customer MAXRESULTS 0",
        "SELECT * FROM Customer MAXRESULTS -5",
        "SELECT * FROM Customer MAXRESULTS 10.5",
        "SELECT * FROM Customer STARTPOSITION 0",
        "SELECT * FROM Customer STARTPOSITION -1",
        "SELECT * FROM Customer STARTPOSITION 1 STARTPOSITION 2",
        "SELECT * FROM Customer MAXRESULTS 5 ORDER BY Id",
        "SELECT * FROM Customer LIMIT 5",
        "SELECT * FROM Customer;",
        "SELECT * FROM Customer WHERE DisplayName = 'Acme' trailing",
    ],
)
def test_malformed_queries_answer_qbo_parse_fault_4000(text: str) -> None:
    fault = fault_of(text)
    assert fault.code == "4000"
    assert fault.http_status == 400
    assert fault.fault_type == "ValidationFault"
    assert fault.message == "Error parsing query"
    assert fault.detail.startswith("QueryParserError: ")
    assert fault.fault() == {
        "Error": [
            {"Message": fault.message, "Detail": fault.detail, "code": "4000", "element": ""}
        ],
        "type": "ValidationFault",
    }


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "SELECT * FROM Customer WHERE DisplayName = 'A' OR Id = '1'",
            'QueryParserError: Encountered "OR" at line 1, column 48.',
        ),
        ("SELECT * FROM", 'QueryParserError: Encountered "<EOF>" at line 1, column 14.'),
        (
            "SELECT * FROM Customer WHERE DisplayName = 'Acme",
            "QueryParserError: Invalid content. Lexical error at line 1, column 44.",
        ),
        (
            "SELECT * FROM Customer MAXRESULTS 1001",
            "QueryParserError: MAXRESULTS must be between 1 and 1000, not 1001.",
        ),
        (
            "SELECT * FROM Customer STARTPOSITION 0",
            "QueryParserError: STARTPOSITION must be 1 or more, not 0.",
        ),
    ],
)
def test_parse_fault_detail_points_at_the_problem(text: str, detail: str) -> None:
    assert fault_of(text).detail == detail


# --- filtering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected_ids"),
    [
        # = on strings is case-insensitive; a missing field never matches.
        ("DisplayName = 'Acme'", ["1"]),
        ("DisplayName = 'ACME'", ["1"]),
        ("DisplayName = 'Acm'", []),
        (r"DisplayName = 'O\'Brien Ltd'", ["2"]),
        ("CompanyName = 'Acme Inc'", ["1"]),
        ("Notes = 'anything'", []),
        # Comparisons on numbers.
        ("Balance > 50", ["1", "10"]),
        ("Balance >= 50", ["1", "2", "10"]),
        ("Balance < 50", ["9", "12"]),
        ("Balance <= 50", ["2", "9", "12"]),
        ("Balance = 75.25", ["10"]),
        ("Balance > '50.0'", ["1", "10"]),
        ("Balance = 'abc'", []),
        ("Balance < 'abc'", []),
        # Strings order case-insensitively.
        ("DisplayName < 'B'", ["1", "10", "12"]),
        ("DisplayName >= 'b'", ["2", "9"]),
        # Ids are numeric strings and compare as numbers.
        ("Id > '5'", ["9", "10", "12"]),
        ("Id > 5", ["9", "10", "12"]),
        ("Id <= '9'", ["1", "2", "9"]),
        ("Id = '10'", ["10"]),
        ("Id = 10", ["10"]),
        # Booleans, in any case, quoted or not.
        ("Job = true", ["10", "12"]),
        ("Job = FALSE", ["1", "2", "9"]),
        ("Job = 'true'", ["10", "12"]),
        # IN lists.
        ("Id IN ('1', '9', '42')", ["1", "9"]),
        ("Id in (2, 10)", ["2", "10"]),
        ("DisplayName IN ('zeta', 'BETA STORES')", ["9"]),
        ("Job IN (true)", ["10", "12"]),
        # LIKE with % at the start, middle and end; _ is an ordinary character.
        ("DisplayName LIKE 'Acme%'", ["1", "10", "12"]),
        ("DisplayName LIKE '%Plant'", ["10"]),
        ("DisplayName LIKE '%plant%'", ["10", "12"]),
        ("DisplayName LIKE 'A%1'", ["12"]),
        ("DisplayName LIKE 'acme'", ["1"]),
        ("DisplayName LIKE '%'", ["1", "2", "9", "10", "12"]),
        ("DisplayName LIKE '%.%'", []),
        ("CompanyName LIKE '%_Co'", ["12"]),
        ("CompanyName LIKE 'Line_One%'", []),
        ("CompanyName LIKE '%'", ["1", "12"]),
        # Nested fields and references.
        ("MetaData.CreateTime > '2025-01-03T00:00:00Z'", ["10"]),
        ("MetaData.CreateTime >= '2025-01-03T00:00:00Z'", ["9", "10"]),
        ("ParentRef = '1'", ["10"]),
        ("ParentRef IN ('1', '10')", ["10", "12"]),
        ("ParentRef > '5'", ["12"]),
        # Conditions combine with AND.
        ("DisplayName LIKE 'Acme%' AND Balance > 0", ["1", "10"]),
        ("Job = true AND ParentRef = '10' AND Id = '12'", ["12"]),
        ("Job = true AND Id = '1'", []),
    ],
)
def test_where_filters_active_customers(where: str, expected_ids: list[str]) -> None:
    assert ids(run(f"SELECT * FROM Customer WHERE {where} ORDER BY Id")) == expected_ids


@pytest.mark.parametrize(
    "where",
    [
        "displayname = 'Acme'",
        "DISPLAYNAME = 'Acme'",
        "dIsPlAyNaMe LIKE 'acme'",
        "metadata.createtime < '2025-01-01T18:00:00Z' AND displayname = 'Acme'",
        "ID = '1'",
    ],
)
def test_field_names_are_case_insensitive(where: str) -> None:
    assert ids(run(f"SELECT * FROM Customer WHERE {where}")) == ["1"]


@pytest.mark.parametrize(
    ("where", "expected_ids"),
    [
        # 2025-01-01T23:30:00-08:00 is 2025-01-02T07:30Z: compared by instant, not as text.
        ("MetaData.CreateTime > '2025-01-02T07:00:00Z'", ["2", "9", "10"]),
        ("MetaData.CreateTime < '2025-01-02T07:00:00+00:00'", ["1", "12"]),
        ("MetaData.CreateTime = '2025-01-02T07:30:00Z'", ["2"]),
        ("MetaData.CreateTime >= '2025-01-01T23:30:00-08:00'", ["2", "9", "10"]),
        # A date against a datetime: that day's midnight UTC.
        ("MetaData.CreateTime >= '2025-01-03'", ["9", "10"]),
        ("MetaData.CreateTime < '2025-01-02'", ["1", "12"]),
        # A naive datetime literal is taken as UTC.
        ("MetaData.LastUpdatedTime > '2025-02-01T11:59:59'", ["10"]),
    ],
)
def test_datetimes_compare_by_instant(where: str, expected_ids: list[str]) -> None:
    assert ids(run(f"SELECT * FROM Customer WHERE {where} ORDER BY Id")) == expected_ids


def test_objects_and_lists_are_reached_through_their_fields_only() -> None:
    records = [
        customer("1", "Mail", PrimaryEmailAddr={"Address": "a@example.com"}, Lines=[{"x": 1}]),
        customer("2", "Other", PrimaryEmailAddr={"Address": "b@example.com"}),
    ]
    assert ids(
        run("SELECT * FROM Customer WHERE PrimaryEmailAddr.Address = 'A@example.com'", records)
    ) == ["1"]
    assert run("SELECT * FROM Customer WHERE PrimaryEmailAddr LIKE '%'", records) == {}
    assert run("SELECT * FROM Customer WHERE Lines LIKE '%'", records) == {}


TIME_ACTIVITIES = [
    {
        "Id": str(n),
        "TxnDate": txn_date,
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee, "name": f"Employee {employee}"},
        "Hours": hours,
    }
    for n, txn_date, employee, hours in [
        (1, "2025-03-01", "55", 8),
        (2, "2025-03-02", "55", 2),
        (3, "2025-03-10", "56", 0),
        (4, "2025-02-28", "56", 5),
    ]
]


@pytest.mark.parametrize(
    ("where", "expected_ids"),
    [
        ("TxnDate >= '2025-03-01'", ["1", "2", "3"]),
        ("TxnDate > '2025-03-01' AND TxnDate <= '2025-03-09'", ["2"]),
        ("TxnDate = '2025-02-28'", ["4"]),
        ("TxnDate < '2025-03-01T00:00:00Z'", ["4"]),
        ("EmployeeRef = '56'", ["3", "4"]),
        ("EmployeeRef.name = 'employee 55'", ["1", "2"]),
        ("Hours >= 5", ["1", "4"]),
        ("Hours = 0", ["3"]),
    ],
)
def test_time_activities_by_date_ref_and_number(where: str, expected_ids: list[str]) -> None:
    response = run(f"SELECT * FROM TimeActivity WHERE {where} ORDERBY Id", TIME_ACTIVITIES)
    assert ids(response, "TimeActivity") == expected_ids


# --- the active-only default of name-list entities -------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected_ids"),
    [
        ("", ["1", "2", "9", "10", "12"]),
        ("WHERE Balance > 100", ["1"]),
        ("WHERE Active = true", ["1", "2", "9", "10", "12"]),
        ("WHERE Active = false", ["11"]),
        ("WHERE active = FALSE", ["11"]),
        ("WHERE Active IN (true, false)", ["1", "2", "9", "10", "11", "12"]),
        ("WHERE Active IN (false)", ["11"]),
        ("WHERE Active IN (true,false) AND Balance > 100", ["1", "11"]),
    ],
)
def test_name_lists_return_active_records_unless_asked(where: str, expected_ids: list[str]) -> None:
    assert ids(run(f"SELECT * FROM Customer {where} ORDER BY Id")) == expected_ids


def test_active_only_default_applies_to_every_name_list_but_not_transactions() -> None:
    records: list[dict[str, Any]] = [
        {"Id": "1", "DisplayName": "On", "Active": True},
        {"Id": "2", "DisplayName": "Off", "Active": False},
        {"Id": "3", "DisplayName": "Unset"},
    ]
    for entity in ("Customer", "Employee", "Vendor", "Item", "Account", "Class", "Department"):
        assert entity in NAME_LIST_ENTITIES
        assert ids(run(f"SELECT * FROM {entity}", records), entity) == ["1", "3"]
    assert "TimeActivity" not in NAME_LIST_ENTITIES
    assert ids(run("SELECT * FROM TimeActivity", records), "TimeActivity") == ["1", "2", "3"]


# --- ordering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_by", "expected_ids"),
    [
        ("ORDER BY Id", ["1", "2", "9", "10", "12"]),
        ("ORDER BY Id DESC", ["12", "10", "9", "2", "1"]),
        ("ORDERBY id desc", ["12", "10", "9", "2", "1"]),
        ("", ["1", "2", "9", "10", "12"]),
        ("ORDER BY DisplayName", ["1", "10", "12", "9", "2"]),
        ("ORDER BY DisplayName DESC", ["2", "9", "12", "10", "1"]),
        ("ORDER BY Balance", ["9", "12", "2", "10", "1"]),
        ("ORDER BY Balance DESC", ["1", "10", "2", "9", "12"]),
        # Equal balances (0.0) keep the next key's order.
        ("ORDER BY Balance, Id DESC", ["12", "9", "2", "10", "1"]),
        ("ORDER BY Job DESC, DisplayName", ["10", "12", "1", "9", "2"]),
        # By instant: 23:30-08:00 on Jan 1 comes after 09:00-08:00 on Jan 1 and before Jan 3.
        ("ORDER BY MetaData.CreateTime, Id", ["1", "12", "2", "9", "10"]),
        # Records without the field come first ascending, last descending.
        ("ORDER BY CompanyName, Id", ["2", "9", "10", "1", "12"]),
        ("ORDER BY CompanyName DESC, Id", ["12", "1", "2", "9", "10"]),
        ("ORDER BY ParentRef, Id", ["1", "2", "9", "10", "12"]),
    ],
)
def test_order_by(order_by: str, expected_ids: list[str]) -> None:
    assert ids(run(f"SELECT * FROM Customer {order_by}")) == expected_ids


def test_without_order_by_records_come_in_numeric_id_order_whatever_the_input_order() -> None:
    shuffled = [CUSTOMERS[i] for i in (4, 2, 5, 0, 3, 1)]
    assert ids(run("SELECT * FROM Customer", shuffled)) == ["1", "2", "9", "10", "12"]


# --- paging and the response shape -----------------------------------------------------------

MANY = [customer(str(n), f"Customer {n:04d}") for n in range(1, 251)]


@pytest.mark.parametrize(
    ("paging", "expected_first", "expected_count", "expected_position"),
    [
        ("", "1", 100, 1),
        ("MAXRESULTS 3", "1", 3, 1),
        ("STARTPOSITION 2 MAXRESULTS 3", "2", 3, 2),
        ("STARTPOSITION 101", "101", 100, 101),
        ("STARTPOSITION 201", "201", 50, 201),
        ("STARTPOSITION 249 MAXRESULTS 10", "249", 2, 249),
        ("STARTPOSITION 250", "250", 1, 250),
        ("MAXRESULTS 1000", "1", 250, 1),
    ],
)
def test_paging(
    paging: str, expected_first: str, expected_count: int, expected_position: int
) -> None:
    response = run(f"SELECT * FROM Customer ORDER BY Id {paging}", MANY)
    assert set(response) == {"Customer", "startPosition", "maxResults"}
    assert response["Customer"][0]["Id"] == expected_first
    assert len(response["Customer"]) == expected_count
    # QBO reports the position used and the number of records actually returned.
    assert response["startPosition"] == expected_position
    assert response["maxResults"] == expected_count


def test_pages_follow_each_other_without_gaps_or_repeats() -> None:
    seen: list[str] = []
    position = 1
    while page := run(f"SELECT * FROM Customer STARTPOSITION {position} MAXRESULTS 40", MANY):
        seen += ids(page)
        position += page["maxResults"]
    assert seen == [str(n) for n in range(1, 251)]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM Customer STARTPOSITION 251",
        "SELECT * FROM Customer STARTPOSITION 1000 MAXRESULTS 5",
        "SELECT * FROM Customer WHERE DisplayName = 'Nobody'",
    ],
)
def test_empty_result_is_an_empty_query_response(text: str) -> None:
    assert run(text, MANY) == {}


def test_records_are_returned_whole_with_the_entity_key_as_written() -> None:
    response = run("SELECT * FROM Customer WHERE Id = '10'")
    assert response == {"Customer": [CUSTOMERS[3]], "startPosition": 1, "maxResults": 1}


# --- COUNT(*) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("SELECT COUNT(*) FROM Customer", 5),
        ("SELECT COUNT(*) FROM Customer ", 5),
        ("select count(*) from Customer WHERE Active IN (true, false)", 6),
        ("SELECT COUNT(*) FROM Customer WHERE Active = false", 1),
        ("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE 'Acme%'", 3),
        ("SELECT COUNT(*) FROM Customer WHERE DisplayName = 'Nobody'", 0),
        # Paging and ordering do not change a count.
        ("SELECT COUNT(*) FROM Customer ORDER BY Id STARTPOSITION 3 MAXRESULTS 1", 5),
    ],
)
def test_count(text: str, total: int) -> None:
    assert run(text) == {"totalCount": total}


def test_count_over_more_records_than_one_page() -> None:
    assert run("SELECT COUNT(*) FROM Customer", MANY) == {"totalCount": 250}


# --- the strings python-quickbooks 0.9.12 writes ---------------------------------------------


class EmulatorBackedQuickBooks:
    """Stands in for `quickbooks.QuickBooks`: its `query(select)` is the only method the
    library's ListMixin helpers call; here it runs the emulator's parser and executor."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        self.tables = tables
        self.sent: list[str] = []

    def query(self, select: str) -> dict[str, Any]:
        self.sent.append(select)
        query = parse_query(select)
        return {"QueryResponse": execute_query(query, self.tables[query.entity])}


@pytest.fixture
def qb() -> EmulatorBackedQuickBooks:
    employees = [
        {"Id": "55", "DisplayName": "O'Brien", "GivenName": "Pat", "Active": True},
        {"Id": "56", "DisplayName": "O'Brien", "GivenName": "Old", "Active": False},
        {"Id": "57", "DisplayName": "Mia Member", "Active": True},
    ]
    items = [
        {"Id": "1", "Name": "Hours", "Type": "Service", "Active": True},
        {"Id": "2", "Name": "Retired", "Type": "Service", "Active": False},
    ]
    return EmulatorBackedQuickBooks({"Customer": CUSTOMERS, "Employee": employees, "Item": items})


def test_library_all_pages_with_order_by(qb: EmulatorBackedQuickBooks) -> None:
    customers = QBCustomer.all(order_by="Id", start_position=2, max_results=3, qb=qb)
    assert qb.sent == ["SELECT * FROM Customer ORDER BY Id STARTPOSITION 2 MAXRESULTS 3"]
    assert [c.Id for c in customers] == ["2", "9", "10"]
    assert customers[2].ParentRef.value == "1"


def test_library_all_of_items_asks_for_sku_too(qb: EmulatorBackedQuickBooks) -> None:
    items = QBItem.all(qb=qb)
    assert qb.sent == ["SELECT *, Sku FROM Item MAXRESULTS 100"]
    assert [item.Name for item in items] == ["Hours"]


def test_library_filter_escapes_quotes_and_writes_booleans(qb: EmulatorBackedQuickBooks) -> None:
    employees = QBEmployee.filter(DisplayName="O'Brien", Active=True, order_by="Id", qb=qb)
    assert qb.sent == [
        r"SELECT * FROM Employee WHERE DisplayName = 'O\'Brien' AND Active = True ORDERBY Id"
    ]
    assert [(e.Id, e.GivenName) for e in employees] == [("55", "Pat")]


def test_library_filter_on_inactive_records(qb: EmulatorBackedQuickBooks) -> None:
    employees = QBEmployee.filter(Active=False, qb=qb)
    assert qb.sent == ["SELECT * FROM Employee WHERE Active = False"]
    assert [e.Id for e in employees] == ["56"]


def test_library_where_with_paging(qb: EmulatorBackedQuickBooks) -> None:
    customers = QBCustomer.where(
        "Balance > '10' AND Job = false", order_by="Balance DESC", start_position=1, qb=qb
    )
    assert qb.sent == [
        "SELECT * FROM Customer WHERE Balance > '10' AND Job = false"
        " ORDERBY Balance DESC STARTPOSITION 1"
    ]
    assert [c.Id for c in customers] == ["1", "2"]


def test_library_where_without_clause_leaves_double_and_trailing_spaces(
    qb: EmulatorBackedQuickBooks,
) -> None:
    assert [c.Id for c in QBCustomer.where(order_by="DisplayName", qb=qb)] == [
        "1",
        "10",
        "12",
        "9",
        "2",
    ]
    assert len(QBCustomer.where(qb=qb)) == 5
    assert qb.sent == ["SELECT * FROM Customer  ORDERBY DisplayName", "SELECT * FROM Customer "]


def test_library_choose_with_strings_and_numbers(qb: EmulatorBackedQuickBooks) -> None:
    customers = QBCustomer.choose(["10", "12", "11"], qb=qb)
    assert qb.sent == ["SELECT * FROM Customer WHERE Id in ('10', '12', '11')"]
    # 11 is inactive: the active-only default still applies.
    assert sorted(c.Id for c in customers) == ["10", "12"]
    assert [c.Id for c in QBCustomer.choose([1, 9], qb=qb)] == ["1", "9"]
    assert qb.sent[1] == "SELECT * FROM Customer WHERE Id in (1, 9)"


def test_library_count(qb: EmulatorBackedQuickBooks) -> None:
    assert QBCustomer.count(qb=qb) == 5
    assert QBCustomer.count("Active IN (true, false)", qb=qb) == 6
    assert QBEmployee.count("DisplayName = 'Nobody'", qb=qb) == 0
    assert qb.sent == [
        "SELECT COUNT(*) FROM Customer ",
        "SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)",
        "SELECT COUNT(*) FROM Employee WHERE DisplayName = 'Nobody'",
    ]


def test_library_query_with_handwritten_sql(qb: EmulatorBackedQuickBooks) -> None:
    customers = QBCustomer.query(
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2025-01-03' ORDERBY Id",
        qb=qb,
    )
    assert [c.Id for c in customers] == ["9", "10"]


def test_library_sees_a_parse_fault(qb: EmulatorBackedQuickBooks) -> None:
    with pytest.raises(QBOFault) as caught:
        QBCustomer.where("DisplayName = 'A' OR DisplayName = 'B'", qb=qb)
    assert caught.value.code == "4000"

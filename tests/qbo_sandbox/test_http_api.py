"""The Accounting API over real HTTP with the unmodified python-quickbooks client."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import Ref
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.timeactivity import TimeActivity

from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def company_url(qb: QuickBooks, path: str) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/{path}"


def new_customer(qb: QuickBooks, name: str, parent: Customer | None = None) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    if parent is not None:
        customer.ParentRef = parent.to_ref()
        customer.Job = True
    return customer.save(qb=qb)


def new_employee(qb: QuickBooks, given: str, family: str) -> Employee:
    employee = Employee()
    employee.GivenName = given
    employee.FamilyName = family
    employee.DisplayName = f"{given} {family}"
    return employee.save(qb=qb)


def time_activity(
    employee: Employee, customer: Customer | None = None, **fields: Any
) -> TimeActivity:
    activity = TimeActivity()
    activity.NameOf = "Employee"
    activity.EmployeeRef = employee.to_ref()
    activity.TxnDate = "2026-11-02"
    activity.Hours = 2
    activity.Minutes = 30
    activity.Description = "Design review"
    if customer is not None:
        activity.CustomerRef = customer.to_ref()
    for name, value in fields.items():
        setattr(activity, name, value)
    return activity


def error_code(excinfo: pytest.ExceptionInfo[QuickbooksException]) -> int:
    return int(excinfo.value.error_code)


def name_values(qb: QuickBooks) -> dict[str, str]:
    info = qb.get(company_url(qb, f"companyinfo/{qb.company_id}"))["CompanyInfo"]
    return {pair["Name"]: pair["Value"] for pair in info["NameValue"]}


# -- company information -----------------------------------------------------------------------


def test_company_info_reflects_plan_payroll_and_subscription(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    assert name_values(qb)["OfferingSku"] == "QuickBooks Online Plus"
    assert name_values(qb)["PayrollFeature"] == "false"
    sandbox.control(
        "PATCH",
        f"/companies/{realm}",
        {"sku": "Essentials", "payroll": True, "subscription_status": "TRIAL"},
    )
    values = name_values(qb)
    assert values["OfferingSku"] == "QuickBooks Online Essentials"
    assert values["PayrollFeature"] == "true"
    assert values["SubscriptionStatus"] == "TRIAL"
    assert CompanyInfo.get(realm, qb=qb).CompanyName.startswith("Test Co")


def test_preferences_carry_the_closing_date_and_time_tracking(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2025-12-31"})
    prefs = qb.get(company_url(qb, "preferences"))["Preferences"]
    assert prefs["AccountingInfoPrefs"]["BookCloseDate"] == "2025-12-31"
    assert "WorkWeekStartDate" in prefs["TimeTrackingPrefs"]
    assert Preferences.get(qb=qb).AccountingInfoPrefs.BookCloseDate == "2025-12-31"


def test_control_api_refuses_bad_company_fields(sandbox: SandboxProcess, realm: str) -> None:
    sandbox.control("PATCH", f"/companies/{realm}", {"sku": "Gold"}, expect=400)
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "31/12/2025"}, expect=400)
    sandbox.control("POST", "/companies", {"sku": "Plus"}, expect=400)
    sandbox.control("PATCH", "/companies/123", {"sku": "Plus"}, expect=404)
    assert sandbox.control("GET", f"/companies/{realm}")["sku"] == "Plus"


# -- entities, queries -------------------------------------------------------------------------


def test_create_read_and_the_customer_tree(qb: QuickBooks) -> None:
    parent = new_customer(qb, "Harbor Logistics")
    child = new_customer(qb, "Website", parent)
    grandchild = new_customer(qb, "Checkout", child)
    assert parent.Level == 0 and child.Level == 1 and grandchild.Level == 2
    read = Customer.get(grandchild.Id, qb=qb)
    assert read.FullyQualifiedName == "Harbor Logistics:Website:Checkout"
    assert read.Job is True
    assert read.ParentRef.value == child.Id
    assert read.SyncToken == "0"


def test_all_filter_count_choose_and_paging(qb: QuickBooks) -> None:
    names = ["Alpha", "Bravo", "Charlie", "Delta", "O'Brien"]
    created = [new_customer(qb, name) for name in names]

    assert [c.DisplayName for c in Customer.all(qb=qb)] == names
    page = Customer.all(qb=qb, start_position=2, max_results=2)
    assert [c.DisplayName for c in page] == ["Bravo", "Charlie"]
    assert Customer.count(qb=qb) == 5
    assert [c.Id for c in Customer.filter(DisplayName="O'Brien", qb=qb)] == [created[4].Id]
    chosen = Customer.choose([created[0].Id, created[2].Id], qb=qb)
    assert sorted(c.DisplayName for c in chosen) == ["Alpha", "Charlie"]
    raw = qb.query("SELECT * FROM Customer ORDERBY DisplayName DESC MAXRESULTS 2")
    assert raw["QueryResponse"]["maxResults"] == 2
    assert [c["DisplayName"] for c in raw["QueryResponse"]["Customer"]] == ["O'Brien", "Delta"]


def test_query_by_get_and_an_empty_result(qb: QuickBooks) -> None:
    new_customer(qb, "Only One")
    response = qb.get(company_url(qb, "query"), params={"query": "select count(*) from Customer"})
    assert response["QueryResponse"] == {"totalCount": 1}
    empty = qb.query("SELECT * FROM Customer WHERE DisplayName = 'Nobody'")
    assert empty["QueryResponse"] == {}


def test_a_malformed_query_is_a_4000_fault(qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException) as excinfo:
        qb.query("SELECT * FROM Customer WHERE DisplayName = 'x' OR Id = '1'")
    assert error_code(excinfo) == 4000


def test_deactivated_customers_disappear_from_queries_unless_asked_for(qb: QuickBooks) -> None:
    keep = new_customer(qb, "Keep")
    gone = new_customer(qb, "Gone")
    gone.Active = False
    gone.save(qb=qb)
    assert [c.Id for c in Customer.all(qb=qb)] == [keep.Id]
    assert Customer.count("Active IN (true, false)", qb=qb) == 2
    assert [c.Id for c in Customer.filter(Active=False, qb=qb)] == [gone.Id]


def test_sparse_update_and_stale_sync_token(qb: QuickBooks) -> None:
    customer = new_customer(qb, "Sparse Co")
    body = {"Id": customer.Id, "SyncToken": customer.SyncToken, "sparse": True, "CompanyName": "SC"}
    updated = qb.post(company_url(qb, "customer"), json.dumps(body))["Customer"]
    assert updated["CompanyName"] == "SC" and updated["DisplayName"] == "Sparse Co"
    assert updated["SyncToken"] == "1"
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(company_url(qb, "customer"), json.dumps({**body, "CompanyName": "Again"}))
    assert error_code(excinfo) == 5010


def test_time_activity_create_read_and_delete(qb: QuickBooks) -> None:
    employee = new_employee(qb, "Mia", "Member")
    customer = new_customer(qb, "Billable Client")
    activity = time_activity(employee, customer, BillableStatus="Billable", HourlyRate=120).save(
        qb=qb
    )
    read = TimeActivity.get(activity.Id, qb=qb)
    assert (read.Hours, read.Minutes, read.BillableStatus) == (2, 30, "Billable")
    assert read.EmployeeRef.value == employee.Id and read.CustomerRef.value == customer.Id
    deleted = qb.post(
        company_url(qb, "timeactivity"),
        json.dumps({"Id": activity.Id, "SyncToken": read.SyncToken}),
        params={"operation": "delete"},
    )
    assert deleted["TimeActivity"]["status"] == "Deleted"
    with pytest.raises(QuickbooksException) as excinfo:
        TimeActivity.get(activity.Id, qb=qb)
    assert error_code(excinfo) == 610


# -- business rules reach the client with QBO's codes -------------------------------------------


def test_display_names_are_unique_across_customers_and_employees(qb: QuickBooks) -> None:
    new_employee(qb, "Grace", "Hopper")
    with pytest.raises(QuickbooksException) as excinfo:
        new_customer(qb, "Grace Hopper")
    assert error_code(excinfo) == 6240


def test_names_with_a_colon_are_refused_and_nothing_is_saved(qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException) as excinfo:
        new_customer(qb, "Bad:Name")
    assert 2000 <= error_code(excinfo) < 7000
    assert Customer.count(qb=qb) == 0


def test_time_activity_rules(sandbox: SandboxProcess, realm: str, qb: QuickBooks) -> None:
    employee = new_employee(qb, "Rule", "Tester")
    customer = new_customer(qb, "Rule Client")

    missing_name_of = time_activity(employee, customer)
    missing_name_of.NameOf = ""
    with pytest.raises(QuickbooksException) as excinfo:
        missing_name_of.save(qb=qb)
    assert error_code(excinfo) == 2020

    unknown_employee = time_activity(employee, customer)
    unknown_employee.EmployeeRef = Ref()
    unknown_employee.EmployeeRef.value = "999"
    with pytest.raises(QuickbooksException) as excinfo:
        unknown_employee.save(qb=qb)
    assert error_code(excinfo) in (610, 2500)

    with pytest.raises(QuickbooksException) as excinfo:
        time_activity(employee, None, BillableStatus="Billable", HourlyRate=100).save(qb=qb)
    assert error_code(excinfo) in (2020, 6000)

    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-11-15"})
    with pytest.raises(QuickbooksException) as excinfo:
        time_activity(employee, customer, TxnDate="2026-11-15").save(qb=qb)
    assert error_code(excinfo) == 6210
    assert TimeActivity.count(qb=qb) == 0
    assert time_activity(employee, customer, TxnDate="2026-11-16").save(qb=qb).Id


def test_unsupported_paths_are_a_fault_not_a_crash(qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException) as excinfo:
        qb.get(company_url(qb, "customer/1/pdf/extra"))
    assert error_code(excinfo) == 500


def test_an_old_minorversion_is_served_as_75(qb: QuickBooks) -> None:
    qb.minorversion = 40
    new_customer(qb, "Old Client")
    assert Customer.count(qb=qb) == 1


# -- batch -------------------------------------------------------------------------------------


def batch_item(bid: str, name: str) -> dict[str, Any]:
    return {"bId": bid, "operation": "create", "Customer": {"DisplayName": name}}


def test_a_batch_of_mixed_successes_and_faults(qb: QuickBooks) -> None:
    existing = new_customer(qb, "Taken")
    body = {
        "BatchItemRequest": [
            batch_item("1", "Fresh One"),
            batch_item("2", "Taken"),
            {"bId": "3", "Query": "SELECT COUNT(*) FROM Customer"},
            {
                "bId": "4",
                "operation": "update",
                "Customer": {"Id": existing.Id, "SyncToken": "7", "DisplayName": "Renamed"},
            },
        ]
    }
    result = qb.post(company_url(qb, "batch"), json.dumps(body))
    by_bid = {item["bId"]: item for item in result["BatchItemResponse"]}
    assert by_bid["1"]["Customer"]["DisplayName"] == "Fresh One"
    assert by_bid["2"]["Fault"]["Error"][0]["code"] == "6240"
    assert "totalCount" in by_bid["3"]["QueryResponse"]
    assert by_bid["4"]["Fault"]["Error"][0]["code"] == "5010"
    assert Customer.count(qb=qb) == 2


def test_batch_create_helper_and_31_items_refused(qb: QuickBooks) -> None:
    customers = []
    for i in range(3):
        customer = Customer()
        customer.DisplayName = f"Batch {i}"
        customers.append(customer)
    result = batch_create(customers, qb=qb)
    assert len(result.successes) == 3 and not result.faults

    body = {"BatchItemRequest": [batch_item(str(i), f"Too many {i}") for i in range(31)]}
    with pytest.raises(QuickbooksException):
        qb.post(company_url(qb, "batch"), json.dumps(body))
    assert Customer.count(qb=qb) == 3


# -- requestid ---------------------------------------------------------------------------------


def test_a_repeated_requestid_replays_the_answer_and_executes_once(qb: QuickBooks) -> None:
    request_id = str(uuid.uuid4())
    first = Customer()
    first.DisplayName = "Once"
    first.save(qb=qb, request_id=request_id)
    again = Customer()
    again.DisplayName = "Something else entirely"
    again.save(qb=qb, request_id=request_id)
    assert again.Id == first.Id
    assert [c.DisplayName for c in Customer.all(qb=qb)] == ["Once"]
    assert Customer.count(qb=qb) == 1


def test_a_replayed_fault_stays_a_fault(qb: QuickBooks) -> None:
    new_customer(qb, "Dup")
    request_id = str(uuid.uuid4())
    for _ in range(2):
        with pytest.raises(QuickbooksException) as excinfo:
            qb.post(
                company_url(qb, "customer"),
                json.dumps({"DisplayName": "Dup"}),
                request_id=request_id,
            )
        assert error_code(excinfo) == 6240


def test_batch_requestid_replays_and_checks_lengths(qb: QuickBooks) -> None:
    body = json.dumps({"BatchItemRequest": [batch_item("a1", "Batch Once")]})
    request_id = uuid.uuid4().hex[:30]
    first = qb.post(company_url(qb, "batch"), body, request_id=request_id)
    second = qb.post(company_url(qb, "batch"), body, request_id=request_id)
    assert first["BatchItemResponse"] == second["BatchItemResponse"]
    assert Customer.count(qb=qb) == 1

    long_bid = json.dumps({"BatchItemRequest": [batch_item("b" * 11, "Long bId")]})
    with pytest.raises(QuickbooksException):
        qb.post(company_url(qb, "batch"), long_bid, request_id=uuid.uuid4().hex[:20])
    qb.post(company_url(qb, "batch"), long_bid)  # without a requestid the bId may be long
    with pytest.raises(QuickbooksException):
        qb.post(company_url(qb, "batch"), body, request_id="x" * 37)
    with pytest.raises(QuickbooksException):
        qb.post(company_url(qb, "customer"), json.dumps({"DisplayName": "L"}), request_id="x" * 51)
    assert Customer.count(qb=qb) == 2


def test_requestids_are_per_company(sandbox: SandboxProcess, qb: QuickBooks) -> None:
    from tests.qbo_sandbox.conftest import connect
    from tests.qbo_sandbox.conftest import quickbooks

    other_realm = sandbox.create_company(name="Other Co")
    other = quickbooks(sandbox, connect(sandbox, other_realm), other_realm)
    request_id = str(uuid.uuid4())
    for client, name in ((qb, "Mine"), (other, "Theirs")):
        customer = Customer()
        customer.DisplayName = name
        customer.save(qb=client, request_id=request_id)
    assert [c.DisplayName for c in Customer.all(qb=other)] == ["Theirs"]


def test_the_request_log_records_calls(sandbox: SandboxProcess, realm: str, qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException):
        new_customer(qb, "Bad:Name")
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=5")["requests"]
    assert log[0]["method"] == "POST" and "/customer" in log[0]["path"]
    assert log[0]["status"] == 400 and log[0]["fault_code"]
    assert log[0]["duration_ms"] >= 0
    assert (
        requests.get(sandbox.base_url + "/_sandbox/requests?limit=0", timeout=5).status_code == 400
    )


def test_concurrent_duplicates_of_a_requestid_execute_once(qb: QuickBooks) -> None:
    request_id = str(uuid.uuid4())
    barrier = threading.Barrier(6)
    ids: list[str] = []

    def send() -> None:
        barrier.wait()
        result = qb.post(
            company_url(qb, "customer"), json.dumps({"DisplayName": "Raced"}), request_id=request_id
        )
        ids.append(result["Customer"]["Id"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 6 and len(set(ids)) == 1
    assert Customer.count(qb=qb) == 1


# -- the query grammar over HTTP ---------------------------------------------------------------


def names_of(qb: QuickBooks, text: str) -> list[str]:
    response = qb.query(text)["QueryResponse"]
    return [c["DisplayName"] for c in response.get("Customer", [])]


def test_the_query_grammar_over_http(qb: QuickBooks) -> None:
    alpha = new_customer(qb, "Alpha")
    new_customer(qb, "Alpine", alpha)
    bravo = new_customer(qb, "Bravo")
    new_customer(qb, "Charlie")
    bravo.Active = False
    bravo.save(qb=qb)

    assert names_of(qb, "SELECT * FROM Customer WHERE DisplayName LIKE 'Alp%'") == [
        "Alpha",
        "Alpine",
    ]
    assert names_of(qb, "select * from Customer where displayname like '%PIN%'") == ["Alpine"]
    assert names_of(qb, f"SELECT * FROM Customer WHERE ParentRef = '{alpha.Id}'") == ["Alpine"]
    assert names_of(qb, "SELECT * FROM Customer WHERE Job = true") == ["Alpine"]
    assert names_of(qb, "SELECT * FROM Customer WHERE Level > 0") == ["Alpine"]
    assert names_of(qb, "SELECT * FROM Customer WHERE DisplayName < 'B' ORDER BY Id") == [
        "Alpha",
        "Alpine",
    ]
    assert names_of(
        qb, "SELECT * FROM Customer WHERE MetaData.CreateTime >= '2020-01-01' ORDERBY Id DESC"
    ) == ["Charlie", "Alpine", "Alpha"]
    assert names_of(qb, "SELECT * FROM Customer WHERE DisplayName IN ('Alpha', 'Bravo')") == [
        "Alpha"
    ]
    assert names_of(qb, "SELECT * FROM Customer WHERE Active = false") == ["Bravo"]
    assert names_of(
        qb, "SELECT * FROM Customer WHERE Active IN (true, false) AND DisplayName >= 'B'"
    ) == ["Bravo", "Charlie"]
    counted = qb.query("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE 'A%'")
    assert counted["QueryResponse"] == {"totalCount": 2}

    for bad in (
        "SELECT * FROM customer",  # entity names are case-sensitive
        "SELECT * FROM Customer MAXRESULTS 1001",
        "SELECT * FROM Customer STARTPOSITION 0",
        "SELECT DisplayName FROM Customer",
        "SELECT * FROM Customer WHERE DisplayName != 'Alpha'",
        "SELECT * FROM Customer GROUP BY DisplayName",
    ):
        with pytest.raises(QuickbooksException) as excinfo:
            qb.query(bad)
        assert error_code(excinfo) == 4000, bad


def test_paging_defaults_to_100_and_stops_at_1000(qb: QuickBooks) -> None:
    for start in range(0, 120, 30):
        items = [batch_item(str(i), f"Paged {i:03d}") for i in range(start, start + 30)]
        qb.post(company_url(qb, "batch"), json.dumps({"BatchItemRequest": items}))
    first = qb.query("SELECT * FROM Customer")["QueryResponse"]
    assert (first["startPosition"], first["maxResults"], len(first["Customer"])) == (1, 100, 100)
    rest = qb.query("SELECT * FROM Customer STARTPOSITION 101 MAXRESULTS 1000")["QueryResponse"]
    assert (rest["startPosition"], rest["maxResults"]) == (101, 20)
    assert rest["Customer"][-1]["DisplayName"] == "Paged 119"
    assert qb.query("SELECT * FROM Customer STARTPOSITION 121")["QueryResponse"] == {}

"""What changed in QuickBooks: the comparison of a ChangeDataCapture answer with the links, the
reading of QBO's CDC answer, and the reading of both webhook formats (pure, no database)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from quickbooks_sync.qbo.session import _changed
from quickbooks_sync.qbo.types import ChangedEntity
from quickbooks_sync.qbo.types import ChangeSet
from quickbooks_sync.selectors.changes import LinkedName
from quickbooks_sync.selectors.changes import WorkspaceLinks
from quickbooks_sync.services.changes import NotificationUnreadable
from quickbooks_sync.services.changes import changes_compare
from quickbooks_sync.services.changes import changes_counts
from quickbooks_sync.services.changes import notification_realms

SINCE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BEFORE = SINCE - timedelta(days=3)
AFTER = SINCE + timedelta(hours=2)


def _links() -> WorkspaceLinks:
    return WorkspaceLinks(
        employees={
            "1": LinkedName("member", "Ann Lee", "Ann Lee"),
            "2": LinkedName("member", "Bo Chen", "Bo Chen"),
            "3": LinkedName("member", "Cy Diaz", "Cy Diaz"),
        },
        # Vendors' Ids are looked up apart: "1" here is not employee "1" (QBO shares one
        # sequence, but the comparison must not rely on it).
        vendors={
            "1": LinkedName("contractor", "Vera Vance", "Vera Vance"),
            "20": LinkedName("contractor", "Will Webb", "Will Webb"),
        },
        customers={
            "10": [
                LinkedName("client", "Acme", "Acme"),
                LinkedName("project", "Acme", "Acme"),
            ],
            "11": [LinkedName("project", "Web", "Acme:Web")],
        },
        unlinked_members={"Dee Evans"},
        unlinked_contractors={"Carl Contractor"},
        unlinked_clients={"Globex"},
        unlinked_projects={"Mobile"},
    )


def _employee(id: str, name: str, *, deleted: bool = False, created: Any = BEFORE) -> Any:
    return ChangedEntity("Employee", id, name, deleted, name, created)


def _vendor(id: str, name: str, *, deleted: bool = False, created: Any = BEFORE) -> Any:
    return ChangedEntity("Vendor", id, name, deleted, name, created)


def _customer(id: str, name: str, fqn: str = "", **kw: Any) -> Any:
    return ChangedEntity(
        "Customer", id, name, kw.get("deleted", False), fqn or name, kw.get("created", BEFORE)
    )


def _compare(*records: ChangedEntity) -> list[dict[str, Any]]:
    return changes_compare(changes=ChangeSet(tuple(records)), links=_links(), since=SINCE)


def test_renamed_deactivated_new_and_unlinked_employees() -> None:
    found = _compare(
        _employee("1", "Ann Lee-Smith"),  # linked, renamed
        _employee("2", "", deleted=True),  # linked, QBO's Deleted mark (no name)
        _employee("3", "Cy Diaz"),  # linked, changed something else: nothing to report
        _employee("4", "Dee Evans", created=AFTER),  # new; a member has the name
        _employee("5", "Old Hand"),  # older, unlinked, changed
        _employee("6", "Gone Too", deleted=True),  # unlinked and inactive: concerns nobody
    )
    assert found == [
        {
            "kind": "new",
            "entity": "Employee",
            "qboId": "4",
            "name": "Dee Evans",
            "matches": "member “Dee Evans”",
        },
        {
            "kind": "renamed",
            "entity": "Employee",
            "qboId": "1",
            "name": "Ann Lee-Smith",
            "oldName": "Ann Lee",
            "linkedTo": ["member “Ann Lee”"],
        },
        {
            "kind": "deactivated",
            "entity": "Employee",
            "qboId": "2",
            "name": "Bo Chen",
            "linkedTo": ["member “Bo Chen”"],
        },
        {"kind": "unlinked", "entity": "Employee", "qboId": "5", "name": "Old Hand"},
    ]
    assert changes_counts(found) == {"new": 1, "renamed": 1, "deactivated": 1, "unlinked": 1}


def test_vendors_compare_like_employees_against_contractors() -> None:
    found = _compare(
        _vendor("1", "Vera Vance-Ray"),  # linked to a contractor, renamed
        _vendor("20", "", deleted=True),  # linked, made inactive (QBO's Deleted mark)
        _vendor("21", "Carl Contractor", created=AFTER),  # new; an unlinked contractor's name
        _vendor("22", "Carl Contractor"),  # older, changed, same name (another company's Id)
        _vendor("23", "Dee Evans", created=AFTER),  # a member's name, but not a contractor
        _employee("7", "Carl Contractor", created=AFTER),  # employees never match contractors
        _vendor("24", "Paper Supply"),  # a supplier that changed: concerns nobody here
        _vendor("25", "Gone Supply", deleted=True),  # unlinked and inactive: left out
    )
    assert found == [
        {"kind": "new", "entity": "Employee", "qboId": "7", "name": "Carl Contractor"},
        {
            "kind": "new",
            "entity": "Vendor",
            "qboId": "21",
            "name": "Carl Contractor",
            "matches": "contractor “Carl Contractor”",
        },
        # New, matching no contractor, while one has no vendor: shown to link by hand.
        {"kind": "new", "entity": "Vendor", "qboId": "23", "name": "Dee Evans"},
        {
            "kind": "renamed",
            "entity": "Vendor",
            "qboId": "1",
            "name": "Vera Vance-Ray",
            "oldName": "Vera Vance",
            "linkedTo": ["contractor “Vera Vance”"],
        },
        {
            "kind": "deactivated",
            "entity": "Vendor",
            "qboId": "20",
            "name": "Will Webb",
            "linkedTo": ["contractor “Will Webb”"],
        },
        {
            "kind": "unlinked",
            "entity": "Vendor",
            "qboId": "22",
            "name": "Carl Contractor",
            "matches": "contractor “Carl Contractor”",
        },
    ]
    # Employee "1" is Ann's, untouched by vendor "1"'s rename.
    assert next(r for r in found if r["qboId"] == "1")["entity"] == "Vendor"
    assert changes_counts(found) == {"new": 3, "renamed": 1, "deactivated": 1, "unlinked": 1}


def test_a_new_vendor_matching_no_contractor_is_left_out_when_every_contractor_has_one() -> None:
    links = _links()
    links.unlinked_contractors = set()
    found = changes_compare(
        changes=ChangeSet((_vendor("30", "Office Depot", created=AFTER),)),
        links=links,
        since=SINCE,
    )
    assert found == []


def test_customers_compare_by_full_name_and_name_both_links() -> None:
    found = _compare(
        _customer("10", "Acme Corp", "Acme Corp"),  # a client and a project: one row
        _customer("11", "Web", "Acme Corp:Web"),  # its parent was renamed
        _customer("12", "Mobile", "Acme Corp:Mobile", created=AFTER),
        _customer("13", "Globex", created=AFTER),
    )
    by_id = {row["qboId"]: row for row in found}
    assert by_id["10"]["kind"] == "renamed" and by_id["10"]["oldName"] == "Acme"
    assert by_id["10"]["linkedTo"] == ["client “Acme”", "project “Acme”"]
    assert (by_id["11"]["kind"], by_id["11"]["oldName"], by_id["11"]["name"]) == (
        "renamed",
        "Acme:Web",
        "Acme Corp:Web",
    )
    assert by_id["12"]["matches"] == "project “Mobile”"
    assert by_id["13"]["matches"] == "client “Globex”"
    assert [r["kind"] for r in found] == ["new", "new", "renamed", "renamed"]


def test_nothing_to_report() -> None:
    assert _compare() == []
    assert _compare(_employee("1", "Ann Lee"), _customer("10", "Acme")) == []


def test_a_cdc_record_and_qbos_deleted_mark_are_read_alike() -> None:
    full = _changed(
        "Customer",
        {
            "Id": "7",
            "DisplayName": "Web",
            "FullyQualifiedName": "Acme:Web",
            "Active": False,
            "MetaData": {"CreateTime": "2026-12-01T04:00:00-08:00"},
        },
    )
    assert (full.deleted, full.fully_qualified_name) == (True, "Acme:Web")
    assert full.created_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    mark = _changed("Employee", {"domain": "QBO", "status": "Deleted", "Id": "9"})
    assert (mark.id, mark.deleted, mark.display_name) == ("9", True, "")


def test_both_webhook_formats_name_their_companies() -> None:
    cloud = [
        {"type": "qbo.employee.updated.v1", "intuitaccountid": "111", "intuitentityid": "4"},
        {"type": "qbo.customer.deleted.v1", "intuitaccountid": "222"},
        {"type": "qbo.invoice.created.v1", "intuitaccountid": "333"},  # not ours
        {"type": "qbo.vendor.updated.v1", "intuitaccountid": "666", "intuitentityid": "8"},
    ]
    assert notification_realms(cloud) == {"111", "222", "666"}
    legacy = {
        "eventNotifications": [
            {
                "realmId": "444",
                "dataChangeEvent": {"entities": [{"name": "Customer", "id": "1"}]},
            },
            {"realmId": "555", "dataChangeEvent": {"entities": [{"name": "Bill", "id": "1"}]}},
            {"realmId": "777", "dataChangeEvent": {"entities": [{"name": "Vendor", "id": "8"}]}},
        ]
    }
    assert notification_realms(legacy) == {"444", "777"}
    assert notification_realms([]) == set()


@pytest.mark.parametrize(
    "payload",
    [
        {"hello": 1},
        [1, 2],
        {"eventNotifications": ["x"]},
        "text",
        {"eventNotifications": [{"realmId": "1", "dataChangeEvent": []}]},
        {"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": 5}}]},
    ],
)
def test_other_bodies_are_unreadable(payload: Any) -> None:
    with pytest.raises(NotificationUnreadable):
        notification_realms(payload)


def _session_answering(body: dict[str, Any]) -> Any:
    from quickbooks_sync.qbo.session import QBOSession
    from quickbooks_sync.qbo.types import QBOConfig

    config = QBOConfig("id", "secret", "http://127.0.0.1/cb", "sandbox", "http://127.0.0.1:1")
    session = QBOSession(config, realm_id="1", access_token="t", limiter=object())  # type: ignore[arg-type]
    asked: list[tuple[Any, ...]] = []

    def call(operation: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        asked.append((method, *args))
        return body

    session._call = call  # type: ignore[method-assign]
    session.asked = asked  # type: ignore[attr-defined]
    return session


def test_changes_since_reads_the_three_lists_and_says_when_qbo_cut_its_answer() -> None:
    body = {
        "CDCResponse": [
            {
                "QueryResponse": [
                    {"Customer": [{"Id": "5", "DisplayName": "Acme"}], "maxResults": 1},
                    {"Vendor": [{"Id": "6", "DisplayName": "Vera"}], "maxResults": 1},
                    {
                        "Employee": [{"Id": "1", "DisplayName": "Ann"}],
                        "maxResults": 1,
                        "totalCount": 4,
                    },
                ]
            }
        ]
    }
    session = _session_answering(body)
    changes = session.changes_since(SINCE)
    assert [(c.entity, c.id) for c in changes.entities] == [
        ("Customer", "5"),
        ("Vendor", "6"),
        ("Employee", "1"),
    ]
    assert changes.complete is False
    assert session.asked == [
        ("change_data_capture", "Employee,Vendor,Customer", "2026-12-01T12:00:00+00:00")
    ]
    body["CDCResponse"][0]["QueryResponse"][2].pop("totalCount")
    assert _session_answering(body).changes_since(SINCE).complete is True
    empty = {"CDCResponse": [{"QueryResponse": [{}, {}, {}]}]}
    assert _session_answering(empty).changes_since(SINCE).entities == ()
    with pytest.raises(ValueError):
        session.changes_since(datetime(2026, 12, 1))  # naive: refused

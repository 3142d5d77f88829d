"""QBO's ChangeDataCapture operation: `GET /v3/company/<realm>/cdc?entities=A,B&changedSince=T`.

Intuit ("Change data capture operation", Accounting API "ChangeDataCapture"): the full payload of
every entity of the listed kinds changed since `changedSince`, which must lie within the last 30
days; at most 1,000 objects in a response; every API entity except JournalCode, TaxAgency,
TimeActivity, TaxCode and TaxRate; deleted entities come with `"status": "Deleted"`. The answer:

    {"CDCResponse": [{"QueryResponse": [
        {"Customer": [{...}, ...], "startPosition": 1, "maxResults": 2},
        {"Employee": [...], "startPosition": 1, "maxResults": 1}]}],
     "time": "..."}

Where Intuit is silent the emulator chooses (README, "Change data capture"): an entity without
changes answers an empty `{}` in its place; the 1,000 objects are the oldest changes first,
filled in the order the entities were listed, and a cut list says `totalCount` (as Intuit's
example does); a name-list entity made inactive answers as deleted (`cdc_inactive=deleted`,
a stub with Id, status and MetaData) or with its full payload and `Active: false`
(`cdc_inactive=full`).
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from typing import Any

from qbo_sandbox import rules
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import COMPANY_TZ
from qbo_sandbox.store import Store

# Intuit: "You can use the CDC operation for all API entities except the following".
CDC_UNSUPPORTED = frozenset({"JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate"})
NAME_LISTS = frozenset({"Customer", "Employee", "Vendor", "Item", "Class"})
CDC_INACTIVE_CHOICES = ("deleted", "full")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def lookback_too_old(changed_since: str) -> QBOFault:
    # The message is the one QBO answers (quoted in public reports); the code and status are
    # the emulator's choice (Intuit's "Unsupported Operation" family, whose detail reads
    # "Operation XXX is not supported").
    return QBOFault(
        "500",
        "Unsupported Operation",
        f"Operation cdc with changedSince date {changed_since} which is older than fixed days "
        "is not supported.",
    )


def parse_changed_since(text: str) -> datetime:
    """`YYYY-MM-DD` (midnight) or an ISO date-time; without an offset, the company's zone."""
    value = text.strip()
    try:
        if _DATE_ONLY.match(value):
            parsed = datetime.fromisoformat(value)
        else:
            # Python < 3.11 and Intuit's examples: "Z" and "-0700" offsets both occur.
            value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.replace("Z", "+00:00"))
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise rules.invalid_property("changedSince", text) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMPANY_TZ)
    return parsed


def _entity_names(text: str) -> list[str]:
    names: list[str] = []
    for raw in text.split(","):
        raw = raw.strip()
        if not raw:
            continue
        name = rules.ENTITIES.get(raw.lower())
        if name is None:
            raise rules.unsupported_operation(f"Operation cdc is not supported for entity {raw}.")
        if name in CDC_UNSUPPORTED:
            raise rules.unsupported_operation(f"Operation cdc is not supported for {name}.")
        if name not in names:
            names.append(name)
    if not names:
        raise rules.required_missing("entities")
    return names


def _updated(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(record["MetaData"]["LastUpdatedTime"]))


def _answer(record: dict[str, Any], entity: str, inactive: str) -> dict[str, Any]:
    if inactive == "deleted" and entity in NAME_LISTS and record.get("Active", True) is False:
        return {
            "domain": "QBO",
            "status": "Deleted",
            "Id": record["Id"],
            "MetaData": {"LastUpdatedTime": record["MetaData"]["LastUpdatedTime"]},
        }
    return record


def change_data_capture(
    store: Store,
    realm_id: str,
    *,
    entities: str | None,
    changed_since: str | None,
    lookback_days: int,
    max_objects: int,
    inactive: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The `CDCResponse` of the listed entities changed at or after `changed_since`."""
    rules.require_company(store, realm_id)
    if not entities or not entities.strip():
        raise rules.required_missing("entities")
    if not changed_since or not changed_since.strip():
        raise rules.required_missing("changedSince")
    names = _entity_names(entities)
    since = parse_changed_since(changed_since)
    now = now or datetime.now(COMPANY_TZ)
    if since < now - timedelta(days=lookback_days):
        raise lookback_too_old(changed_since)
    left = max_objects
    responses: list[dict[str, Any]] = []
    for name in names:
        changed = sorted(
            (r for r in store.entity_all(realm_id, name) if _updated(r) >= since),
            key=lambda r: (_updated(r), int(r["Id"])),
        )
        if not changed:
            responses.append({})
            continue
        shown = changed[: max(left, 0)]
        left -= len(shown)
        response: dict[str, Any] = {
            name: [_answer(r, name, inactive) for r in shown],
            "startPosition": 1,
            "maxResults": len(shown),
        }
        if len(shown) < len(changed):
            response["totalCount"] = len(changed)
        responses.append(response)
    return {"CDCResponse": [{"QueryResponse": responses}]}

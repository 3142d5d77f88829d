"""QBO's business rules for the entities the emulator keeps, with Intuit's codes and messages.

Sources for the wording: Intuit's "Fix common QuickBooks Online Accounting API errors" page
(610, 2020, 2170, 2500, 5010, 6210, 6240), answers quoting real responses (2040 for a colon in a
name, 6150 for Job/ParentRef, "A project cannot contain subcustomers"). Where Intuit's exact
answer is not public the message says plainly what is wrong and the code is the closest one
Intuit documents (marked "unverified" below).

Every write runs inside one `Store.transaction()`, so the checks (unique names, SyncToken,
references) and the write are atomic even with the threaded server and a CLI writing at once.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import COMPANY_TZ
from qbo_sandbox.store import Store
from qbo_sandbox.store import qbo_now

ENTITIES = {
    "employee": "Employee",
    "customer": "Customer",
    "vendor": "Vendor",
    "item": "Item",
    "class": "Class",
    "timeactivity": "TimeActivity",
}
# Which of these are name lists (deactivated, never deleted; active-only by default in queries)
# is decided in one place: `qbo_sandbox.query.NAME_LIST_ENTITIES`.
PEOPLE = ("Customer", "Employee", "Vendor")  # share one DisplayName namespace
MAX_CUSTOMER_LEVEL = 4  # five levels including the top one
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 4000
MAX_HOURS = 8760
MAX_NUMBER_DIGITS = 15  # digits before the decimal point of any amount or count
BILLABLE_STATUSES = ("Billable", "NotBillable", "HasBeenBilled")
ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Group", "Category")
SUPPORTED_ITEM_TYPES = ("Service", "NonInventory")
NAME_OF = ("Employee", "Vendor")
FORBIDDEN_NAME_CHARS = (":", "\t", "\n", "\r")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The top-level properties of each entity's schema (Intuit's com.intuit.schema.finance.v3
# classes, which QBO's JSON reader fills and which refuse any other name with 2010 "Unrecognized
# field"). From Intuit's XSDs as its SDKs carry them (QuickBooks-V3-Java-SDK
# ipp-v3-java-data/src/main/xsd/IntuitNamesTypes.xsd for NameBase, Customer, Vendor, Employee;
# QuickBooks-V3-PHP-SDK src/Data/IPPIntuitEntity.php, IPPItem.php, IPPClass.php,
# IPPTimeActivity.php, generated from Finance.xsd), plus the few the Accounting API reference
# lists that those files predate, plus every attribute python-quickbooks 0.9.12 gives these
# objects (its to_json sends them; real QBO takes what that library sends). Names are
# case-sensitive, as Jackson's are: `customerref` is not `CustomerRef`.
_INTUIT_ENTITY = frozenset(
    {"Id", "SyncToken", "MetaData", "CustomField", "AttachableRef", "domain", "status", "sparse"}
)
_NAME_BASE = _INTUIT_ENTITY | {
    "IntuitId",
    "Organization",
    "Title",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "Suffix",
    "FullyQualifiedName",
    "CompanyName",
    "DisplayName",
    "PrintOnCheckName",
    "UserId",
    "Active",
    "PrimaryPhone",
    "AlternatePhone",
    "Mobile",
    "Fax",
    "PrimaryEmailAddr",
    "WebAddr",
    "OtherContactInfo",
    "DefaultTaxCodeRef",
}
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "Customer": _NAME_BASE
    | {
        "Taxable",
        "BillAddr",
        "ShipAddr",
        "OtherAddr",
        "ContactName",
        "AltContactName",
        "Notes",
        "Job",
        "BillWithParent",
        "RootCustomerRef",
        "ParentRef",
        "Level",
        "CustomerTypeRef",
        "SalesTermRef",
        "SalesRepRef",
        "TaxGroupCodeRef",
        "TaxRateRef",
        "PaymentMethodRef",
        "CCDetail",
        "PriceLevelRef",
        "Balance",
        "OpenBalanceDate",
        "BalanceWithJobs",
        "CreditLimit",
        "AcctNum",
        "CurrencyRef",
        "OverDueBalance",
        "TotalRevenue",
        "TotalExpense",
        "PreferredDeliveryMethod",
        "ResaleNum",
        "JobInfo",
        "TDSEnabled",
        "CustomerEx",
        "SecondaryTaxIdentifier",
        "ARAccountRef",
        "PrimaryTaxIdentifier",
        "TaxExemptionReasonId",
        "IsProject",
        # Accounting API reference (all-entities/customer), newer than the XSD above:
        "BusinessNumber",
        "GSTIN",
        "GSTRegistrationType",
        "Source",
    },
    "Vendor": _NAME_BASE
    | {
        "ContactName",
        "AltContactName",
        "Notes",
        "BillAddr",
        "ShipAddr",
        "OtherAddr",
        "TaxCountry",
        "TaxIdentifier",
        "TaxIdEffectiveDate",
        "BusinessNumber",
        "ParentRef",
        "VendorTypeRef",
        "TermRef",
        "PrefillAccountRef",
        "Balance",
        "BillRate",
        "OpenBalanceDate",
        "CreditLimit",
        "AcctNum",
        "Vendor1099",
        "T4AEligible",
        "T5018Eligible",
        "CurrencyRef",
        "TDSEnabled",
        "TDSEntityTypeId",
        "TDSSectionTypeId",
        "TDSOverrideThreshold",
        "TaxReportingBasis",
        "APAccountRef",
        "VendorEx",
        # Accounting API reference (all-entities/vendor), newer than the XSD above:
        "CostRate",
        "GSTIN",
        "GSTRegistrationType",
        "HasTPAR",
        "Source",
        "VendorPaymentBankDetail",
    },
    "Employee": _NAME_BASE
    | {
        "EmployeeType",
        "EmployeeNumber",
        "SSN",
        "PrimaryAddr",
        "OtherAddr",
        "BillableTime",
        "BillRate",
        "BirthDate",
        "Gender",
        "HiredDate",
        "ReleasedDate",
        "UseTimeEntry",
        "EmployeeEx",
        # Accounting API reference (all-entities/employee): the hourly cost rate.
        "CostRate",
        # python-quickbooks' Employee has it (sent only when set).
        "EmailAddress",
    },
    "Item": _INTUIT_ENTITY
    | {
        "Name",
        "Sku",
        "Description",
        "Active",
        "SubItem",
        "ParentRef",
        "Level",
        "FullyQualifiedName",
        "Taxable",
        "SalesTaxIncluded",
        "PercentBased",
        "UnitPrice",
        "RatePercent",
        "Type",
        "PaymentMethodRef",
        "UOMSetRef",
        "IncomeAccountRef",
        "PurchaseDesc",
        "PurchaseTaxIncluded",
        "PurchaseCost",
        "ExpenseAccountRef",
        "COGSAccountRef",
        "AssetAccountRef",
        "PrefVendorRef",
        "AvgCost",
        "TrackQtyOnHand",
        "QtyOnHand",
        "QtyOnPurchaseOrder",
        "QtyOnSalesOrder",
        "ReorderPoint",
        "ManPartNum",
        "DepositToAccountRef",
        "SalesTaxCodeRef",
        "PurchaseTaxCodeRef",
        "InvStartDate",
        "BuildPoint",
        "PrintGroupedItems",
        "SpecialItem",
        "SpecialItemType",
        "ItemGroupDetail",
        "ItemAssemblyDetail",
        "AbatementRate",
        "ReverseChargeRate",
        "ServiceType",
        "ItemCategoryType",
        "ItemEx",
        "TaxClassificationRef",
        "UQCDisplayText",
        "UQCId",
        # Accounting API reference (all-entities/item): the item's class.
        "ClassRef",
    },
    "Class": _INTUIT_ENTITY
    | {"Name", "SubClass", "ParentRef", "FullyQualifiedName", "Active", "ClassEx"},
    "TimeActivity": _INTUIT_ENTITY
    | {
        "TimeZone",
        "TxnDate",
        "NameOf",
        "EmployeeRef",
        "VendorRef",
        "OtherNameRef",
        "CustomerRef",
        "DepartmentRef",
        "ItemRef",
        "ClassRef",
        "PayrollItemRef",
        "ProjectRef",
        "TimeChargeId",
        "BillableStatus",
        "Taxable",
        "HourlyRate",
        "CostRate",
        "Hours",
        "Minutes",
        "Seconds",
        "BreakHours",
        "BreakMinutes",
        "BreakSeconds",
        "StartTime",
        "EndTime",
        "Description",
        "TimeActivityEx",
        "HoursInEmployeeTimeZone",
    },
}
# Dotted query paths below a top-level property that the emulator answers (besides the property
# itself; a reference compares by its value).
QUERYABLE_PATHS = frozenset({"MetaData.CreateTime", "MetaData.LastUpdatedTime"})

# Fields the server computes; whatever a client sends for them is ignored.
_SERVER_OWNED = {"Id", "SyncToken", "domain", "sparse", "MetaData", "time", "status"}
_SERVER_OWNED_BY_ENTITY = {
    "Customer": {"Level", "FullyQualifiedName", "IsProject", "Balance", "BalanceWithJobs"},
    "Vendor": {"Balance"},
    "Item": {"FullyQualifiedName"},
    "Class": {"FullyQualifiedName"},
}

# -- faults ----------------------------------------------------------------------------------


def required_missing(field: str) -> QBOFault:
    return QBOFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {field} is missing in the request",
        element=field,
    )


def object_not_found(entity: str) -> QBOFault:
    if entity == "TimeActivity":
        detail = "Object Not Found : Another user has deleted this transaction."
    else:
        detail = (
            "Object Not Found : Something you're trying to use has been made inactive. "
            "Check the fields with accounts, customers, items, vendors or employees."
        )
    return QBOFault("610", "Object Not Found", detail)


def inactive_reference(field: str) -> QBOFault:
    fault = object_not_found("")
    fault.element = field
    return fault


def invalid_reference(field: str, entity: str, entity_id: str) -> QBOFault:
    kind = "Names" if entity in PEOPLE else entity
    return QBOFault(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {kind} element id {entity_id} not found",
        element=field,
    )


def stale_object() -> QBOFault:
    return QBOFault(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and Sandbox Admin were working on this at the same time. "
        "Sandbox Admin finished before you did, so your work was not saved.",
    )


def duplicate_name(entity: str) -> QBOFault:
    who = {"Item": "product or service", "Class": "class"}.get(
        entity, "customer, vendor or employee"
    )
    return QBOFault(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another {who} is already using this name. "
        "Please use a different name.",
    )


def business_validation(detail: str, element: str = "") -> QBOFault:
    return QBOFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element=element,
    )


def invalid_enumeration(field: str, value: Any) -> QBOFault:
    return QBOFault("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", element=field)


def string_too_long(field: str, maximum: int, length: int) -> QBOFault:
    return QBOFault(
        "2050",
        "String length specified does not match the supported length",
        f"Min:0, Max:{maximum} supported. Supplied length:{length}",
        element=field,
    )


def invalid_characters(field: str, value: str) -> QBOFault:
    return QBOFault(
        "2040",
        "Invalid String. The String may contain unsupported or illegal chars",
        f"Element contains invalid characters. {value}",
        element=field,
    )


def invalid_property(field: str, value: Any) -> QBOFault:
    return QBOFault(
        "2010",
        "Request has invalid or unsupported property",
        f"Property Name:{field} specified is unsupported or invalid. Supplied value:{value}",
        element=field,
    )


def unrecognized_field(entity: str, field: str) -> QBOFault:
    """A property the entity's schema does not have: QBO's JSON reader (Jackson) refuses the
    whole request. Wording as QBO answers it (python-quickbooks issues 38 and 80)."""
    return QBOFault(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{field}" (class com.intuit.schema.finance.v3.'
        f"{entity}), not marked as ignorable specified is unsupported or invalid",
        element=field,
    )


def check_known_fields(entity: str, payload: dict[str, Any]) -> None:
    """Refuse (2010) a write naming a top-level property `entity` does not have."""
    known = KNOWN_FIELDS[entity]
    for field in payload:
        if field not in known:
            raise unrecognized_field(entity, str(field))


def parent_ref_required() -> QBOFault:
    return QBOFault(
        "6150",
        "ParentRef Required Error",
        "ParentRef is either required or not if Job is true or false.",
        element="Job",
    )


def period_closed() -> QBOFault:
    return QBOFault(
        "6210",
        "Account Period Closed",
        "The account period has closed and the account books cannot be updated through "
        "the QBO Services API. Please use the QBO website to make these changes.",
    )


def unsupported_operation(detail: str) -> QBOFault:
    return QBOFault("500", "Unsupported Operation", detail)


# Intuit: with a subscription CANCELLED, EXPIRED, SUSPENDED or RESTRICTED "your app is limited
# to read-only operations"; reads (entities, queries, CompanyInfo, Preferences) still work.
READ_ONLY_SUBSCRIPTIONS = ("SUSPENDED", "CANCELLED", "EXPIRED", "RESTRICTED")


def subscription_read_only(status: str) -> QBOFault:
    # Code, status and fault type as QBO refuses an unauthorised call (403, 3100); the message
    # text for this case is unverified.
    return QBOFault(
        "3100",
        "message=AuthorizationFailed; errorCode=003100; statusCode=403",
        f"The company's QuickBooks subscription is {status}: only read operations are allowed.",
        http_status=403,
        fault_type="AuthorizationFault",
    )


def require_writable(company: dict[str, Any]) -> None:
    """Refuse a write to a company whose subscription leaves apps read-only."""
    status = str(company.get("subscription_status") or "")
    if status in READ_ONLY_SUBSCRIPTIONS:
        raise subscription_read_only(status)


def company_not_found(realm_id: str) -> QBOFault:
    # What Intuit answers for a realm the token has no access to.
    return QBOFault(
        "3100",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        f"Company {realm_id} is not a company of this sandbox",
        http_status=403,
        fault_type="AuthorizationFault",
    )


# -- helpers ---------------------------------------------------------------------------------


def canonical_entity(entity: str) -> str:
    """`timeactivity` (as in a URL) -> `TimeActivity`; an unknown entity is QBO's fault."""
    name = ENTITIES.get(str(entity).lower())
    if name is None:
        raise unsupported_operation(
            f"Operation Could not find resource for relative : /{entity} is not supported."
        )
    return name


def require_company(store: Store, realm_id: str) -> dict[str, Any]:
    company = store.company_get(realm_id)
    if company is None:
        raise company_not_found(realm_id)
    return company


def _clean(value: Any) -> Any:
    """Drop what python-quickbooks sends for unset fields: None, "" and empty objects."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", {}, [])}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _user_fields(entity: str, data: dict[str, Any], *, seeding: bool) -> dict[str, Any]:
    owned = _SERVER_OWNED | _SERVER_OWNED_BY_ENTITY.get(entity, set())
    if seeding:
        owned = owned - {"IsProject"}
    return {k: v for k, v in data.items() if k not in owned}


def _bool(data: dict[str, Any], field: str, default: bool) -> bool:
    value = data.get(field, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_property(field, value)


def _number(data: dict[str, Any], field: str) -> Decimal | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid_property(field, value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid_property(field, value) from None
    if not number.is_finite() or number < 0 or number.adjusted() >= MAX_NUMBER_DIGITS:
        # Past 15 digits a double (what QBO stores) loses the value; 1e999999 would also cost
        # the server a million-digit integer.
        raise invalid_property(field, value)
    return number


def _int(data: dict[str, Any], field: str) -> int | None:
    number = _number(data, field)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise invalid_property(field, data[field])
    return int(number)


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _date(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    text = str(value)[:10]
    if not _DATE.fullmatch(text):
        raise invalid_property(field, value)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise invalid_property(field, value) from None
    return text


def _datetime(data: dict[str, Any], field: str) -> datetime | None:
    value = data.get(field)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid_property(field, value) from None
    if parsed.tzinfo is None:
        raise invalid_property(field, value)
    return parsed


def _check_length(field: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise string_too_long(field, maximum, len(value))


def _name_key(entity: str, name: str) -> str:
    prefix = {"Item": "item", "Class": "class"}.get(entity, "person")
    return f"{prefix}:{' '.join(name.split()).casefold()}"


def _check_name(
    store: Store, realm_id: str, entity: str, field: str, name: str, own_id: str | None
) -> str:
    _check_length(field, name, MAX_NAME_LENGTH)
    for char in FORBIDDEN_NAME_CHARS:
        if char in name:
            raise invalid_characters(field, name)
    key = _name_key(entity, name)
    for other_entity, other_id in store.entity_by_name_key(realm_id, key):
        if (other_entity, other_id) != (entity, own_id):
            raise duplicate_name(entity)
    return key


def _reference(
    store: Store,
    realm_id: str,
    data: dict[str, Any],
    field: str,
    entity: str,
    *,
    required: bool = False,
) -> dict[str, Any] | None:
    """Resolve `data[field]` ({"value": id}) to an active entity: 2020, 2500 or 610 otherwise."""
    ref = data.get(field)
    if ref is None:
        if required:
            raise required_missing(field)
        return None
    if not isinstance(ref, dict) or not str(ref.get("value") or "").strip():
        raise required_missing(f"{field}.value")
    ref_id = str(ref["value"]).strip()
    target = store.entity_get(realm_id, entity, ref_id)
    if target is None:
        raise invalid_reference(field, entity, ref_id)
    if target.get("Active") is False:
        raise inactive_reference(field)
    return target


def _ref(target: dict[str, Any], name_field: str) -> dict[str, str]:
    return {"value": target["Id"], "name": target.get(name_field) or target.get("DisplayName", "")}


# -- per entity ------------------------------------------------------------------------------


def _build_person(
    store: Store,
    realm_id: str,
    entity: str,
    data: dict[str, Any],
    own_id: str | None,
) -> tuple[dict[str, Any], str]:
    record = dict(data)
    for field in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "CompanyName"):
        if field in record:
            record[field] = str(record[field]).strip()
            _check_length(field, record[field], MAX_NAME_LENGTH)
    name = str(record.get("DisplayName") or "").strip()
    if not name:
        # QBO builds the DisplayName from the name parts when none is given.
        parts = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
        name = " ".join(str(record[p]) for p in parts if record.get(p))
    if not name:
        raise required_missing("DisplayName")
    record["DisplayName"] = name
    key = _check_name(store, realm_id, entity, "DisplayName", name, own_id)
    record["Active"] = _bool(record, "Active", True)
    record.setdefault("PrintOnCheckName", name)
    if entity == "Employee":
        for field in ("HiredDate", "ReleasedDate", "BirthDate"):
            if field in record:
                record[field] = _date(record, field)
        for field in ("BillableTime", "Organization"):
            if field in record:
                record[field] = _bool(record, field, False)
        for field in ("BillRate", "CostRate"):
            number = _number(record, field)
            if number is not None:
                record[field] = _json_number(number)
    if entity == "Vendor":
        if "BillRate" in record:
            number = _number(record, "BillRate")
            assert number is not None
            record["BillRate"] = _json_number(number)
        # Intuit's Vendor: Vendor1099 (is the vendor a 1099 contractor) defaults to false;
        # Balance (what is owed to it) is read-only, and the sandbox keeps no bills: 0.
        record["Vendor1099"] = _bool(record, "Vendor1099", False)
        record["Balance"] = 0
    return record, key


def _customer_children(customers: list[dict[str, Any]], parent_id: str) -> list[dict[str, Any]]:
    return [c for c in customers if (c.get("ParentRef") or {}).get("value") == parent_id]


def _subtree_height(customers: list[dict[str, Any]], customer_id: str) -> int:
    """How many levels of sub-customers hang below this customer (0 for a leaf)."""
    children = _customer_children(customers, customer_id)
    return max((1 + _subtree_height(customers, c["Id"]) for c in children), default=0)


def _build_customer(
    store: Store,
    realm_id: str,
    data: dict[str, Any],
    existing: dict[str, Any] | None,
    *,
    seeding: bool,
) -> tuple[dict[str, Any], str]:
    own_id = existing["Id"] if existing else None
    record, key = _build_person(store, realm_id, "Customer", data, own_id)
    has_parent = record.get("ParentRef") is not None
    if seeding and "Job" not in record and has_parent:
        record["Job"] = True  # the control interface may leave Job out under a ParentRef
    job = _bool(record, "Job", False)
    if job != has_parent:
        raise parent_ref_required()
    if seeding and "IsProject" in record:
        is_project = _bool(record, "IsProject", False)
    else:  # read-only through v3: projects come from Intuit's Projects API (seeded here)
        is_project = bool(existing.get("IsProject")) if existing else False
    record["IsProject"] = is_project
    if is_project and not has_parent:
        raise required_missing("ParentRef")
    record["Job"] = job
    record["BillWithParent"] = _bool(record, "BillWithParent", False) and job
    if has_parent:
        ref = record["ParentRef"]
        if not isinstance(ref, dict) or not str(ref.get("value") or "").strip():
            raise required_missing("ParentRef.value")
        parent_id = str(ref["value"]).strip()
        parent = store.entity_get(realm_id, "Customer", parent_id)
        if parent is None:
            raise invalid_reference("ParentRef", "Customer", parent_id)
        if parent.get("Active") is False and record["Active"]:
            raise inactive_reference("ParentRef")
        if parent.get("IsProject"):
            raise business_validation("A project cannot contain subcustomers", "ParentRef")
        if is_project and int(parent["Level"]) != 0:
            # Intuit's Projects belong to a top-level customer, not to a sub-customer.
            raise business_validation("A project must belong to a top-level customer", "ParentRef")
        height = 0
        if own_id is not None:
            # Refuse a cycle: the new parent may not be the customer or one of its descendants.
            ancestor: dict[str, Any] | None = parent
            while ancestor is not None:
                if ancestor["Id"] == own_id:
                    raise business_validation(
                        "A customer cannot be its own parent or a sub-customer of itself",
                        "ParentRef",
                    )
                up = (ancestor.get("ParentRef") or {}).get("value")
                ancestor = store.entity_get(realm_id, "Customer", up) if up else None
            height = _subtree_height(store.entity_all(realm_id, "Customer"), own_id)
        level = int(parent["Level"]) + 1
        if level + height > MAX_CUSTOMER_LEVEL:
            raise business_validation(
                "Sub-customers can be nested at most "
                f"{MAX_CUSTOMER_LEVEL} levels below a top-level customer",
                "ParentRef",
            )
        record["ParentRef"] = {"value": parent["Id"], "name": parent["FullyQualifiedName"]}
        record["Level"] = level
        record["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{record['DisplayName']}"
    else:
        record["Level"] = 0
        record["FullyQualifiedName"] = record["DisplayName"]
    for field in ("Taxable",):
        if field in record:
            record[field] = _bool(record, field, True)
    record["Balance"] = 0
    record["BalanceWithJobs"] = 0
    return record, key


def _named(
    store: Store, realm_id: str, entity: str, record: dict[str, Any], own_id: str | None
) -> tuple[str, str]:
    """An item's or class's Name, required, stripped (in the record) and unique among its kind:
    the name and its name key."""
    name = str(record.get("Name") or "").strip()
    if not name:
        raise required_missing("Name")
    record["Name"] = name
    return name, _check_name(store, realm_id, entity, "Name", name, own_id)


def _build_item(
    store: Store, realm_id: str, data: dict[str, Any], own_id: str | None
) -> tuple[dict[str, Any], str]:
    record = dict(data)
    name, key = _named(store, realm_id, "Item", record, own_id)
    item_type = record.get("Type")
    if not item_type:
        raise required_missing("Type")
    if item_type not in ITEM_TYPES:
        raise invalid_enumeration("Type", item_type)
    if item_type not in SUPPORTED_ITEM_TYPES:  # unverified: the sandbox keeps no accounts
        raise business_validation(
            f"The sandbox supports {' and '.join(SUPPORTED_ITEM_TYPES)} items only", "Type"
        )
    record["FullyQualifiedName"] = name
    record["Active"] = _bool(record, "Active", True)
    record["Taxable"] = _bool(record, "Taxable", False)
    for field in ("SubItem", "TrackQtyOnHand"):
        if field in record:
            record[field] = _bool(record, field, False)
    if record.get("SubItem"):
        raise business_validation("The sandbox does not keep sub-items", "SubItem")
    if "Description" in record:
        _check_length("Description", str(record["Description"]), MAX_DESCRIPTION_LENGTH)
    for field in ("UnitPrice", "PurchaseCost"):
        number = _number(record, field)
        if number is not None:
            record[field] = _json_number(number)
    return record, key


def _build_class(
    store: Store, realm_id: str, data: dict[str, Any], own_id: str | None
) -> tuple[dict[str, Any], str]:
    """A class: a Name unique among classes. Sub-classes (SubClass, ParentRef) are not kept
    (the product picks top-level classes only)."""
    record = dict(data)
    name, key = _named(store, realm_id, "Class", record, own_id)
    if _bool(record, "SubClass", False) or record.get("ParentRef"):
        raise business_validation("The sandbox does not keep sub-classes", "SubClass")
    record["SubClass"] = False
    record.pop("ParentRef", None)
    record["FullyQualifiedName"] = name
    record["Active"] = _bool(record, "Active", True)
    return record, key


def _check_books_open(company: dict[str, Any], txn_date: str) -> None:
    close = company.get("book_close_date")
    if close and txn_date <= close:
        raise period_closed()


def _build_time_activity(
    store: Store, realm_id: str, company: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    record = dict(data)
    txn_date = _date(record, "TxnDate") or datetime.now(COMPANY_TZ).date().isoformat()
    record["TxnDate"] = txn_date

    name_of = record.get("NameOf")
    if not name_of:
        raise required_missing("NameOf")
    if name_of not in NAME_OF:
        raise invalid_enumeration("NameOf", name_of)
    person_field = f"{name_of}Ref"
    other_field = "VendorRef" if name_of == "Employee" else "EmployeeRef"
    if record.get(other_field) is not None:
        raise business_validation(
            f"NameOf is {name_of}, so {person_field} is expected, not {other_field}",
            other_field,
        )
    person = _reference(store, realm_id, record, person_field, name_of, required=True)
    assert person is not None
    record[person_field] = _ref(person, "DisplayName")

    customer = _reference(store, realm_id, record, "CustomerRef", "Customer")
    if customer is not None:
        record["CustomerRef"] = _ref(customer, "FullyQualifiedName")
    item = _reference(store, realm_id, record, "ItemRef", "Item")
    if item is not None:
        if item.get("Type") != "Service":
            raise business_validation("ItemRef must refer to a service item", "ItemRef")
        record["ItemRef"] = _ref(item, "Name")
    klass = _reference(store, realm_id, record, "ClassRef", "Class")
    if klass is not None:
        # Intuit does not document what a ClassRef does while Track classes is off; the
        # sandbox refuses it (the integration only sends one when Preferences say it is on).
        if not company.get("class_tracking"):
            raise business_validation("Class tracking is turned off for this company", "ClassRef")
        record["ClassRef"] = _ref(klass, "Name")

    status = record.get("BillableStatus") or "NotBillable"
    if status not in BILLABLE_STATUSES:
        raise invalid_enumeration("BillableStatus", status)
    record["BillableStatus"] = status
    rate = _number(record, "HourlyRate")
    if rate is not None:
        record["HourlyRate"] = _json_number(rate)
    if status == "Billable":
        if customer is None:
            raise required_missing("CustomerRef")
        if rate is None:
            raise required_missing("HourlyRate")
    record["Taxable"] = _bool(record, "Taxable", False)

    has_duration = record.get("Hours") is not None or record.get("Minutes") is not None
    has_range = record.get("StartTime") is not None or record.get("EndTime") is not None
    if has_duration and has_range:
        raise business_validation(
            "Enter either Hours and Minutes or StartTime and EndTime, not both", "Hours"
        )
    if not has_duration and not has_range:
        raise required_missing("Hours")
    if has_duration:
        hours = _int(record, "Hours") or 0
        minutes = _int(record, "Minutes") or 0
        if minutes > 59:
            raise business_validation("Minutes must be between 0 and 59", "Minutes")
        if hours > MAX_HOURS:
            raise business_validation(f"Hours must be at most {MAX_HOURS}", "Hours")
        record["Hours"] = hours
        record["Minutes"] = minutes
    else:
        start = _datetime(record, "StartTime")
        end = _datetime(record, "EndTime")
        if start is None:
            raise required_missing("StartTime")
        if end is None:
            raise required_missing("EndTime")
        if end <= start:
            raise business_validation("EndTime must be later than StartTime", "EndTime")
        for field in ("BreakHours", "BreakMinutes"):
            value = _int(record, field)
            if value is not None:
                record[field] = value
    if "Description" in record:
        record["Description"] = str(record["Description"])
        _check_length("Description", record["Description"], MAX_DESCRIPTION_LENGTH)
    _check_books_open(company, txn_date)
    return record


def _build(
    store: Store,
    realm_id: str,
    company: dict[str, Any],
    entity: str,
    data: dict[str, Any],
    existing: dict[str, Any] | None,
    *,
    seeding: bool,
) -> tuple[dict[str, Any], str | None]:
    own_id = existing["Id"] if existing else None
    if entity == "Customer":
        return _build_customer(store, realm_id, data, existing, seeding=seeding)
    if entity in ("Employee", "Vendor"):
        return _build_person(store, realm_id, entity, data, own_id)
    if entity == "Item":
        return _build_item(store, realm_id, data, own_id)
    if entity == "Class":
        return _build_class(store, realm_id, data, own_id)
    return _build_time_activity(store, realm_id, company, data), None


def _envelope(
    record: dict[str, Any], entity_id: str, sync_token: int, create_time: str, now: str
) -> dict[str, Any]:
    return {
        "Id": entity_id,
        "SyncToken": str(sync_token),
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": create_time, "LastUpdatedTime": now},
        **{k: v for k, v in record.items() if k not in _SERVER_OWNED},
    }


# -- operations ------------------------------------------------------------------------------


def entity_create(
    store: Store,
    realm_id: str,
    entity: str,
    payload: dict[str, Any],
    *,
    seeding: bool = False,
) -> dict[str, Any]:
    """Validate and create an entity; the stored entity is returned."""
    name = canonical_entity(entity)
    if not isinstance(payload, dict):
        raise required_missing(name)
    check_known_fields(name, payload)
    with store.transaction():
        company = require_company(store, realm_id)
        data = _user_fields(name, _clean(payload), seeding=seeding)
        record, key = _build(store, realm_id, company, name, data, None, seeding=seeding)
        now = qbo_now()
        # Customers, employees and vendors share one id sequence (QBO's "Names" list).
        counter = "Names" if name in PEOPLE else name
        stored = _envelope(record, store.entity_next_id(realm_id, counter), 0, now, now)
        store.entity_put(realm_id, name, stored, key)
        return stored


def _existing_at_token(
    store: Store, realm_id: str, entity: str, entity_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """The stored entity an update or delete names, if the payload holds its SyncToken: 610
    when there is none, 2020 without a SyncToken, 5010 when the SyncToken is stale."""
    existing = store.entity_get(realm_id, entity, entity_id)
    if existing is None:
        raise object_not_found(entity)
    token = payload.get("SyncToken")
    if token is None or str(token).strip() == "":
        raise required_missing("SyncToken")
    if str(token).strip() != existing["SyncToken"]:
        raise stale_object()
    return existing


def entity_update(
    store: Store,
    realm_id: str,
    entity: str,
    payload: dict[str, Any],
    *,
    seeding: bool = False,
) -> dict[str, Any]:
    """A full update, or a sparse one (`"sparse": true`), checked against the SyncToken."""
    name = canonical_entity(entity)
    if not isinstance(payload, dict):
        raise required_missing(name)
    check_known_fields(name, payload)
    entity_id = str(payload.get("Id") or "").strip()
    if not entity_id:
        raise required_missing("Id")
    with store.transaction():
        company = require_company(store, realm_id)
        existing = _existing_at_token(store, realm_id, name, entity_id, payload)
        if name == "TimeActivity":
            _check_books_open(company, existing["TxnDate"])
        data = _user_fields(name, _clean(payload), seeding=seeding)
        if payload.get("sparse") is True:
            merged = _user_fields(name, copy.deepcopy(existing), seeding=False)
            if name == "Customer" and "ParentRef" in data and "Job" not in data:
                data["Job"] = True
            merged.update(data)
            data = merged
        record, key = _build(store, realm_id, company, name, data, existing, seeding=seeding)
        stored = _envelope(
            record,
            entity_id,
            int(existing["SyncToken"]) + 1,
            existing["MetaData"]["CreateTime"],
            qbo_now(),
        )
        store.entity_put(realm_id, name, stored, key)
        if name == "Customer":
            _after_customer_update(store, realm_id, existing, stored)
        return stored


def _after_customer_update(
    store: Store, realm_id: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Keep the tree consistent: children follow a rename or move, and a deactivation."""
    renamed = before["FullyQualifiedName"] != after["FullyQualifiedName"]
    deactivated = before.get("Active", True) and after.get("Active") is False
    if not renamed and not deactivated:
        return
    now = qbo_now()
    customers = store.entity_all(realm_id, "Customer")

    def visit(parent: dict[str, Any]) -> None:
        for child in _customer_children(customers, parent["Id"]):
            changed = dict(child)
            changed["ParentRef"] = {"value": parent["Id"], "name": parent["FullyQualifiedName"]}
            changed["Level"] = int(parent["Level"]) + 1
            changed["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{child['DisplayName']}"
            if deactivated:
                # QBO makes a customer's sub-customers inactive along with it.
                changed["Active"] = False
            if changed != child:
                changed["SyncToken"] = str(int(child["SyncToken"]) + 1)
                changed["MetaData"] = {**child["MetaData"], "LastUpdatedTime": now}
                store.entity_put(
                    realm_id, "Customer", changed, _name_key("Customer", changed["DisplayName"])
                )
            visit(changed)

    visit(after)


def entity_delete(
    store: Store, realm_id: str, entity: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Delete a TimeActivity; name-list entities are deactivated instead, as in QBO."""
    name = canonical_entity(entity)
    if name != "TimeActivity":
        raise unsupported_operation("Operation Delete is not supported.")
    if not isinstance(payload, dict):
        raise required_missing("Id")
    check_known_fields(name, payload)
    entity_id = str(payload.get("Id") or "").strip()
    if not entity_id:
        raise required_missing("Id")
    with store.transaction():
        company = require_company(store, realm_id)
        existing = _existing_at_token(store, realm_id, name, entity_id, payload)
        _check_books_open(company, existing["TxnDate"])
        store.entity_remove(realm_id, name, entity_id)
        return {"status": "Deleted", "Id": entity_id, "domain": "QBO"}


# -- the control interface --------------------------------------------------------------------


def entity_seed(
    store: Store, realm_id: str, entity: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Create an entity through the same rules as the API, allowing QBO projects."""
    return entity_create(store, realm_id, entity, payload, seeding=True)


def entity_change(
    store: Store, realm_id: str, entity: str, entity_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change an entity as a person in QuickBooks' own web pages would: a sparse update with
    whatever SyncToken it has now (so the SyncToken an app holds goes stale: 5010), through the
    same rules as the API (a TimeActivity in a closed period is refused with 6210). It counts for
    CDC and webhooks like an API change (renaming an employee, making a customer inactive)."""
    name = canonical_entity(entity)
    if not isinstance(fields, dict) or not fields:
        raise required_missing(name)
    with store.transaction():
        existing = store.entity_get(realm_id, name, str(entity_id).strip())
        if existing is None:
            raise object_not_found(name)
        payload = {
            **{k: v for k, v in fields.items() if k not in _SERVER_OWNED},
            "Id": existing["Id"],
            "SyncToken": existing["SyncToken"],
            "sparse": True,
        }
        return entity_update(store, realm_id, name, payload)


def entity_list(store: Store, realm_id: str, entity: str) -> list[dict[str, Any]]:
    """Every entity of a kind, active and inactive (for the web page and control API)."""
    name = canonical_entity(entity)
    if store.company_get(realm_id) is None:
        raise QBOFault("610", "Object Not Found", f"Company {realm_id} not found", http_status=404)
    return store.entity_all(realm_id, name)

"""The Reports API's request bodies in Clockify's dialect: the Detailed, Summary and Weekly
reports' filters, validated by DRF serializers before `reports.filters.detailed_filters_from_body`
turns them into the pages' `DetailedFilters`.

Public: the QuickBooks send API (`quickbooks_sync.apis.send`) takes the Detailed report's body
(`DetailedReportIn`) to choose what to send, as Clockify's Detailed report chooses it. What each
field means where Clockify's documentation is silent: `reports/apis.py`'s docstring.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from typing import NamedTuple

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.filters import APPROVAL_STATES
from reports.selectors import SortKey
from reports.summary import GroupBy
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import IgnoredField
from workspaces.rest.fields import OptionalTextField
from workspaces.rest.fields import StrictBooleanField
from workspaces.rest.fields import StrictCharField
from workspaces.rest.fields import StrictIntegerField

MAX_PAGE_SIZE = 1000  # Clockify's limit for the Detailed report; above it Clockify answers 400
DEFAULT_PAGE_SIZE = 50
# Clockify's detailedFilter.sortColumn values, and this API's PROJECT and AMOUNT. ZONED_DATE
# and NATURAL order by the start, as DATE; USER_DATE by user then start, as USER.
SORT_COLUMNS = {
    "DATE": SortKey.DATE,
    "ZONED_DATE": SortKey.DATE,
    "NATURAL": SortKey.DATE,
    "DURATION": SortKey.DURATION,
    "USER": SortKey.MEMBER,
    "USER_DATE": SortKey.MEMBER,
    "ID": SortKey.ID,
    "DESCRIPTION": SortKey.DESCRIPTION,
    "PROJECT": SortKey.PROJECT,
    "AMOUNT": SortKey.AMOUNT,
}
_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?")


class ReportTime(NamedTuple):
    """A dateRangeStart or dateRangeEnd: the calendar date written, whether it is written as
    exactly midnight, and the date-time (aware when written with an offset or Z; naive without
    one, a wall-clock time the caller's time zone places), or None for a bare date."""

    day: dt.date
    midnight: bool
    instant: dt.datetime | None


@extend_schema_field({"type": "string", "example": "2026-11-01T00:00:00Z"})
class ReportTimeField(serializers.Field):
    """An ISO 8601 date-time (with an offset or Z, an instant; without, the caller's local
    time) or a bare date."""

    default_error_messages = {
        "invalid": "Give a date or date-time in ISO 8601, such as 2026-11-01T00:00:00Z.",
    }

    def to_representation(self, value: Any) -> Any:
        return value

    def to_internal_value(self, data: Any) -> ReportTime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        text = data.strip()
        match = _DATE_RE.match(text)
        if match is None:
            self.fail("invalid")
        assert match is not None
        offset = re.fullmatch(r"Z|([+-])(\d{2}):?(\d{2})", text[match.end() :])
        if text[match.end() :] and offset is None:
            self.fail("invalid")
        try:
            day = dt.date.fromisoformat(match.group(1))
            hour, minute, second = (int(match.group(i) or 0) for i in (2, 3, 4))
            fraction = int(((match.group(5) or "") + "000000")[:6])
            time = dt.time(hour, minute, second, fraction)
            zone: dt.tzinfo | None = None if offset is None else dt.UTC
            if offset is not None and offset.group(1):
                sign = -1 if offset.group(1) == "-" else 1
                hours, minutes = int(offset.group(2)), int(offset.group(3))
                zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        except ValueError:
            self.fail("invalid")
        if match.group(2) is None:
            return ReportTime(day=day, midnight=False, instant=None)
        # A time written as midnight is an exclusive end where days are read (QuickBooks send).
        midnight = time == dt.time(0)
        return ReportTime(
            day=day, midnight=midnight, instant=dt.datetime.combine(day, time, tzinfo=zone)
        )


USER_STATUSES = ["ALL", "ACTIVE", "INACTIVE", "PENDING", "ACTIVE_WITH_PENDING"]
ARCHIVED_STATUSES = ["ALL", "ACTIVE", "ARCHIVED"]
TASK_STATUSES = ["ALL", "ACTIVE", "DONE", "ARCHIVED"]


class EntityFilterIn(BodySerializer):
    """`{ids, contains, status}` of projects, clients or tags (users and tasks below). `status`
    takes Clockify's values; any but ALL is accepted without effect (see
    `validate_status`) and named in X-Ignored-Fields."""

    ids = serializers.ListField(child=StrictCharField(max_length=24), required=False)
    contains = serializers.ChoiceField(
        choices=["CONTAINS", "DOES_NOT_CONTAIN"], required=False, default="CONTAINS"
    )
    status = serializers.ChoiceField(choices=ARCHIVED_STATUSES, required=False, default="ALL")
    numberOfDeleted = IgnoredField()
    containedInTimeentry = IgnoredField()

    def validate_status(self, value: str) -> str:
        # In Clockify's web app the status picks which users, projects, ... its filter lists;
        # whether it also narrows the report's entries is not documented, and its scripts send
        # ACTIVE (or ACTIVE_WITH_PENDING) beside the ids they chose. So it is accepted, has no
        # effect (archived projects' and inactive members' time stays in), and is named.
        if value != "ALL":
            self._note_ignored(["status"])
        return value


class UserFilterIn(EntityFilterIn):
    status = serializers.ChoiceField(choices=USER_STATUSES, required=False, default="ALL")


class TaskFilterIn(EntityFilterIn):
    status = serializers.ChoiceField(choices=TASK_STATUSES, required=False, default="ALL")


class DetailedOptionsIn(BodySerializer):
    totals = serializers.ChoiceField(
        choices=["CALCULATE", "EXCLUDE"], required=False, default="CALCULATE"
    )


class DetailedFilterIn(BodySerializer):
    page = StrictIntegerField(min_value=1, max_value=1_000_000, required=False, default=1)
    pageSize = StrictIntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        required=False,
        default=DEFAULT_PAGE_SIZE,
        error_messages={
            "max_value": f"pageSize is at most {MAX_PAGE_SIZE} (as in Clockify): ask for the "
            "next page for more."
        },
    )
    sortColumn = serializers.ChoiceField(choices=list(SORT_COLUMNS), required=False, default="DATE")
    options = DetailedOptionsIn(required=False)
    auditFilter = IgnoredField(help_text="Ignored: there is no audit filter.")
    quickbooksSelectType = IgnoredField()


class ReportFiltersIn(BodySerializer):
    """The filter fields the Detailed and Summary requests share."""

    dateRangeStart = ReportTimeField()
    dateRangeEnd = ReportTimeField()
    users = UserFilterIn(required=False)
    projects = EntityFilterIn(required=False)
    clients = EntityFilterIn(required=False)
    tasks = TaskFilterIn(required=False)
    tags = EntityFilterIn(required=False)
    billable = StrictBooleanField(required=False, allow_null=True, default=None)
    description = OptionalTextField(required=False, default="")
    approvalState = serializers.ChoiceField(
        choices=["ALL", *APPROVAL_STATES], required=False, allow_null=True, default=None
    )
    rounding = StrictBooleanField(required=False, default=False)
    exportType = serializers.ChoiceField(
        choices=["JSON", "CSV", "XLSX", "PDF"], required=False, default="JSON"
    )
    # Documented by Clockify, no effect here (named in X-Ignored-Fields): dates are read in
    # the caller's time zone and week start, amounts are always earned amounts in the
    # workspace's currency, and there are no user groups, custom fields, kiosks or invoicing.
    dateRangeType = IgnoredField()
    dateFormat = IgnoredField()
    timeFormat = IgnoredField()
    timeZone = IgnoredField()
    userLocale = IgnoredField()
    weekStart = IgnoredField()
    amountShown = IgnoredField()
    amounts = IgnoredField()
    currency = IgnoredField()
    zoomLevel = IgnoredField()
    withoutDescription = IgnoredField()
    customFields = IgnoredField()
    userCustomFields = IgnoredField()
    userGroups = IgnoredField()
    invoicingState = IgnoredField()
    archived = IgnoredField()
    kioskIds = IgnoredField()


class DetailedReportIn(ReportFiltersIn):
    detailedFilter = DetailedFilterIn(required=False)
    sortOrder = serializers.ChoiceField(
        choices=["ASCENDING", "DESCENDING"], required=False, default="DESCENDING"
    )


SUMMARY_GROUPS = {
    "PROJECT": GroupBy.PROJECT,
    "CLIENT": GroupBy.CLIENT,
    "USER": GroupBy.MEMBER,
    "TASK": GroupBy.TASK,
    "TAG": GroupBy.TAG,
    "DATE": GroupBy.DATE,
    "TIMEENTRY": GroupBy.DESCRIPTION,
}
MAX_SUMMARY_LEVELS = 3
SUMMARY_SORT_COLUMNS = ("GROUP", "DURATION", "AMOUNT")


class SummaryFilterIn(BodySerializer):
    groups = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SUMMARY_GROUPS)),
        min_length=1,
        max_length=MAX_SUMMARY_LEVELS,
        required=False,
        default=lambda: ["PROJECT"],
        error_messages={
            "min_length": 'Give one to three groupings, such as ["PROJECT", "USER"].',
            "max_length": 'Group by at most three levels, such as ["PROJECT", "USER", '
            '"TIMEENTRY"].',
        },
    )
    sortColumn = serializers.ChoiceField(
        choices=SUMMARY_SORT_COLUMNS, required=False, default="GROUP"
    )
    summaryChartType = IgnoredField()

    def validate_groups(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Give different groupings at each level.")
        return value


class SummaryReportIn(ReportFiltersIn):
    summaryFilter = SummaryFilterIn(required=False)
    sortOrder = serializers.ChoiceField(
        choices=["ASCENDING", "DESCENDING"], required=False, allow_null=True, default=None
    )


WEEKLY_GROUPS = {"USER": GroupBy.MEMBER, "PROJECT": GroupBy.PROJECT}


class WeeklyFilterIn(BodySerializer):
    group = serializers.ChoiceField(choices=list(WEEKLY_GROUPS), required=False, default="USER")
    subgroup = serializers.ChoiceField(choices=["TIME", "EARNED"], required=False, default="TIME")


class WeeklyReportIn(ReportFiltersIn):
    weeklyFilter = WeeklyFilterIn(required=False)

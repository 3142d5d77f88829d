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

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
SORT_COLUMNS = {
    "DATE": SortKey.DATE,
    "DURATION": SortKey.DURATION,
    "USER": SortKey.MEMBER,
    "PROJECT": SortKey.PROJECT,
    "AMOUNT": SortKey.AMOUNT,
}
_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?")


@extend_schema_field({"type": "string", "example": "2026-11-01T00:00:00Z"})
class ReportDayField(serializers.Field):
    """The calendar day an ISO 8601 date or date-time names, and whether it is exactly midnight."""

    default_error_messages = {
        "invalid": "Give a date or date-time in ISO 8601, such as 2026-11-01T00:00:00Z.",
    }

    def to_representation(self, value: Any) -> Any:
        return value

    def to_internal_value(self, data: Any) -> tuple[dt.date, bool]:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        match = _DATE_RE.match(data.strip())
        if match is None:
            self.fail("invalid")
        assert match is not None
        rest = data.strip()[match.end() :]
        if rest and not re.fullmatch(r"Z|[+-]\d{2}:?\d{2}", rest):
            self.fail("invalid")
        try:
            day = dt.date.fromisoformat(match.group(1))
            hour, minute, second = (int(match.group(i) or 0) for i in (2, 3, 4))
            dt.time(hour, minute, second)
        except ValueError:
            self.fail("invalid")
        # Only a time written as midnight is an exclusive end; a bare date is a whole day.
        midnight = (
            match.group(2) is not None
            and (hour, minute, second) == (0, 0, 0)
            and not (match.group(5) or "").strip("0")
        )
        return day, midnight


class EntityFilterIn(BodySerializer):
    ids = serializers.ListField(child=StrictCharField(max_length=24), required=False)
    contains = serializers.ChoiceField(
        choices=["CONTAINS", "DOES_NOT_CONTAIN"], required=False, default="CONTAINS"
    )
    status = serializers.ChoiceField(choices=["ALL"], required=False, default="ALL")
    numberOfDeleted = IgnoredField()
    containedInTimeentry = IgnoredField()


class DetailedOptionsIn(BodySerializer):
    totals = serializers.ChoiceField(
        choices=["CALCULATE", "EXCLUDE"], required=False, default="CALCULATE"
    )


class DetailedFilterIn(BodySerializer):
    page = StrictIntegerField(min_value=1, max_value=1_000_000, required=False, default=1)
    pageSize = StrictIntegerField(min_value=1, required=False, default=DEFAULT_PAGE_SIZE)
    sortColumn = serializers.ChoiceField(choices=list(SORT_COLUMNS), required=False, default="DATE")
    options = DetailedOptionsIn(required=False)
    auditFilter = IgnoredField(help_text="Ignored: there is no audit filter.")
    quickbooksSelectType = IgnoredField()


class ReportFiltersIn(BodySerializer):
    """The filter fields the Detailed and Summary requests share."""

    dateRangeStart = ReportDayField()
    dateRangeEnd = ReportDayField()
    users = EntityFilterIn(required=False)
    projects = EntityFilterIn(required=False)
    clients = EntityFilterIn(required=False)
    tasks = EntityFilterIn(required=False)
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
}
SUMMARY_SORT_COLUMNS = ("GROUP", "DURATION", "AMOUNT")


class SummaryFilterIn(BodySerializer):
    groups = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SUMMARY_GROUPS)),
        min_length=1,
        max_length=2,
        required=False,
        default=lambda: ["PROJECT"],
        error_messages={
            "min_length": 'Give one or two groupings, such as ["PROJECT", "USER"].',
            "max_length": 'Group by at most two levels, such as ["PROJECT", "USER"].',
        },
    )
    sortColumn = serializers.ChoiceField(
        choices=SUMMARY_SORT_COLUMNS, required=False, default="GROUP"
    )
    summaryChartType = IgnoredField()

    def validate_groups(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Give two different groupings.")
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

"""The Detailed report's in-place edit: the fields a report row lets you change. Times stay on
the tracker's full edit page; the rules (roles, locking, rates) are tracking's services'."""

from __future__ import annotations

from django import forms

from tracking.models import MAX_DESCRIPTION_LENGTH


class ReportEntryForm(forms.Form):
    description = forms.CharField(required=False, strip=True, max_length=MAX_DESCRIPTION_LENGTH)
    # "" (no project), "<project id>" or "<project id>:<task id>", as the tracker's picker.
    project_task = forms.CharField(required=False, max_length=60)
    billable = forms.BooleanField(required=False)
    # The report's filters (a query string), to refresh its totals after the change.
    q = forms.CharField(required=False, max_length=20_000)

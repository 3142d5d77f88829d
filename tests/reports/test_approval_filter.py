"""The Detailed report's approval-state filter: parsed from and written to the URL, and the three
states (approved, pending, not submitted) split the entries with no overlap and no gap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from reports.filters import ApprovalState
from reports.filters import FilterError
from reports.filters import parse_detailed_filters
from reports.selectors import detailed_entries
from reports.selectors import detailed_totals
from tests.factories import membership_of
from tests.tracking.factories import entry_on
from tracking.services import approvals as services
from tracking.services.entries import time_entry_create

pytestmark = pytest.mark.django_db

WEEK1 = dt.date(2026, 11, 2)  # Mondays in the past
WEEK2 = dt.date(2026, 11, 9)
WEEK3 = dt.date(2026, 11, 16)


def parse(query: str, user):
    return parse_detailed_filters(dict(QueryDict(query).lists()), user=user)


def test_parse_and_round_trip(member):
    f = parse("range=custom&start=2026-11-01&end=2026-11-30&approval=Not_Submitted", member)
    assert f.approval == ApprovalState.NOT_SUBMITTED
    assert ("approval", "not_submitted") in f.to_query()
    again = parse("&".join(f"{k}={v}" for k, v in f.to_query()), member)
    assert again == f
    assert parse("", member).approval is None


@pytest.mark.parametrize("query", ["approval=maybe", "approval=approved&approval=pending"])
def test_bad_approval_values_are_refused(member, query):
    with pytest.raises(FilterError) as caught:
        parse(query, member)
    assert caught.value.field == "approval"


@pytest.fixture
def weeks(workspace, owner, admin, member):
    """Member: week 1 approved, week 2 pending, week 3 not submitted; the admin's week 1 was
    withdrawn (not submitted) and week 2 rejected (not submitted)."""
    e = {
        "m1": entry_on(member, workspace, WEEK1, 2),
        "m2": entry_on(member, workspace, WEEK2, 3),
        "m3": entry_on(member, workspace, WEEK3, 4),
        "a1": entry_on(admin, workspace, WEEK1, 5),
        "a2": entry_on(admin, workspace, WEEK2, 6),
    }
    owner_ms = membership_of(workspace, owner)
    m1 = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK1)
    services.week_approve(membership=owner_ms, approval_id=m1.pk)
    services.week_submit(membership=membership_of(workspace, member), week_start=WEEK2)
    a1 = services.week_submit(membership=membership_of(workspace, admin), week_start=WEEK1)
    services.week_withdraw(membership=membership_of(workspace, admin), approval_id=a1.pk)
    a2 = services.week_submit(membership=membership_of(workspace, admin), week_start=WEEK2)
    services.week_reject(membership=owner_ms, approval_id=a2.pk, note="redo")
    return e


RANGE = "range=custom&start=2026-11-01&end=2026-11-30"


@pytest.mark.parametrize(
    ("state", "expected", "hours"),
    [
        ("approved", {"m1"}, 2),
        ("pending", {"m2"}, 3),
        ("not_submitted", {"m3", "a1", "a2"}, 15),
        ("unapproved", {"m2", "m3", "a1", "a2"}, 18),
    ],
)
def test_each_state_shows_its_entries_and_totals(workspace, owner, weeks, state, expected, hours):
    owner_ms = membership_of(workspace, owner)
    f = parse(f"{RANGE}&approval={state}", owner)
    rows = {e.pk for e in detailed_entries(membership=owner_ms, filters=f)}
    assert rows == {weeks[k].pk for k in expected}
    assert detailed_totals(membership=owner_ms, filters=f).total_seconds == hours * 3600


def test_entry_added_to_an_approved_week_afterwards_is_not_approved(
    workspace, owner, member, weeks
):
    # The member can't add to an approved week any more; an admin can, for them.
    late = time_entry_create(
        membership=membership_of(workspace, owner),
        user=member,
        start=dt.datetime.combine(WEEK1, dt.time(14), tzinfo=dt.UTC),
        duration_seconds=600,
    )
    owner_ms = membership_of(workspace, owner)
    approved = detailed_entries(
        membership=owner_ms, filters=parse(f"{RANGE}&approval=approved", owner)
    )
    not_submitted = detailed_entries(
        membership=owner_ms, filters=parse(f"{RANGE}&approval=not_submitted", owner)
    )
    assert late.pk not in {e.pk for e in approved}
    assert late.pk in {e.pk for e in not_submitted}


def test_a_member_filtering_sees_only_their_own(workspace, member, weeks):
    f = parse(f"{RANGE}&approval=not_submitted", member)
    rows = {e.pk for e in detailed_entries(membership=membership_of(workspace, member), filters=f)}
    assert rows == {weeks["m3"].pk}


def test_the_report_page_filters_by_approval(workspace, owner_client, weeks):
    page = owner_client.get(f"/w/{workspace.pk}/reports/detailed/?{RANGE}&approval=pending")
    assert page.status_code == 200
    html = page.content.decode()
    assert weeks["m2"].description in html
    assert weeks["m1"].description not in html and weeks["m3"].description not in html
    # The form offers the filter and shows the chosen state, so the next submit keeps it.
    assert '<option value="pending" selected>Pending</option>' in html
    refused = owner_client.get(f"/w/{workspace.pk}/reports/detailed/?approval=soon")
    assert "Approval must be" in refused.content.decode()

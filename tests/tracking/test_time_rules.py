"""One rule for valid time (tracking/time_rules.py), run as one table of cases through every path
time comes in: the entries service, the tracker's manual entry and inline edit, the Detailed
report's edit, timesheet cells, and the REST API's create and update (which accept what Clockify
accepts and flag it). Then the timer, the settings, and pages that take a date or a week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_client_for
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking import time_rules
from tracking.models import TimeEntry
from tracking.services import entries as svc
from workspaces.errors import ApplicationError
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TODAY = timezone.now().date()
DAY = TODAY - dt.timedelta(days=10)  # a day well in the past (members are in UTC)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    name: str
    start: dt.datetime | None  # None: the date alone is given (year 1 and 9999)
    end: dt.datetime | None
    message: str  # "" when the pages accept it
    api: str  # "ok", "flag:<code>" or "refuse"
    date: str = ""  # for the impossible dates
    setup_day_full: bool = False  # a 20-hour entry already fills DAY


CASES = [
    Case("two hours", at(DAY, 9), at(DAY, 11), "", "ok"),
    Case("past midnight", at(DAY, 22), at(DAY + dt.timedelta(days=1), 2), "", "ok"),
    Case("no length", at(DAY, 10), at(DAY, 10), "The end must be after the start", "refuse"),
    Case(
        "25 hours",
        at(DAY, 8),
        at(DAY + dt.timedelta(days=1), 9),
        "24:00 at most",
        "flag:too_long",
    ),
    Case(
        "tomorrow",
        at(TODAY + dt.timedelta(days=1), 9),
        at(TODAY + dt.timedelta(days=1), 10),
        "in the future",
        "flag:future",
    ),
    Case(
        "overlap past 24 hours",
        at(DAY, 10),
        at(DAY, 16),
        "a day has 24 hours",
        "flag:day_over_24h",
        setup_day_full=True,
    ),
    Case("year 9999", None, None, "1970-01-01 and 2999-12-31", "refuse", date="9999-12-31"),
    Case("year 1", None, None, "1970-01-01 and 2999-12-31", "refuse", date="0001-01-01"),
]

# Where a path cannot express a case, or answers it its own way (and why).
PATH_OUTCOMES = {
    # A cell has a date and hours, not a start and an end: zero hours empties it.
    ("timesheet", "no length"): "n/a",
    ("timesheet", "25 hours"): "won't fit in one cell",
    # A cell's time starts where the member's day has room (after 20:00), never overlapping.
    ("timesheet", "overlap past 24 hours"): "",
}


def _date(case: Case) -> str:
    return case.date or (case.start.date().isoformat() if case.start else "")


def _hm(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def _duration(case: Case) -> str:
    assert case.start is not None and case.end is not None
    seconds = int((case.end - case.start).total_seconds())
    return time_rules.clock_text(seconds)


@pytest.fixture
def base_entry(workspace, member):
    """An entry the edit paths change (three weeks back, out of every case's way)."""
    start = at(DAY - dt.timedelta(days=11), 9)
    return TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=start,
        seconds=3600,
        description="base",
    )


def _fill_day(workspace, member):
    TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=at(DAY, 0),
        end=at(DAY, 20),
        duration_seconds=20 * 3600,
        description="long day",
        project=ProjectFactory.create(workspace=workspace),
    )


# --- the paths: each returns ("", saved) or (error text, saved) -----------------------------


def via_service(case, *, workspace, member, member_client, base_entry):
    membership = Membership.objects.get(workspace=workspace, user=member)
    start = case.start or dt.datetime.fromisoformat(case.date + "T09:00+00:00")
    end = case.end or start + dt.timedelta(hours=1)
    try:
        svc.time_entry_create(membership=membership, start=start, end=end)
    except ApplicationError as exc:
        return exc.message
    return ""


def via_manual_entry(case, *, workspace, member, member_client, base_entry):
    data = {"date": _date(case), "description": "typed"}
    if case.start is None:
        data.update(start_time="09:00", duration="1:00")
    elif case.end.date() == case.start.date() or (
        case.end - case.start < dt.timedelta(days=1) and case.end.time() < case.start.time()
    ):
        data.update(start_time=_hm(case.start), end_time=_hm(case.end))
    else:
        data.update(start_time=_hm(case.start), duration=_duration(case))
    response = member_client.post(
        reverse("tracking:entry_create", kwargs={"ws": workspace.pk}), data
    )
    if response.status_code == 302:
        return ""
    assert response.status_code == 400
    text = response.content.decode()
    assert 'value="typed"' in text  # what was typed stays
    return text


def _edit_data(case):
    if case.start is None:
        return {
            "date": case.date,
            "start_time": "09:00",
            "end_date": case.date,
            "end_time": "10:00",
        }
    return {
        "date": case.start.date().isoformat(),
        "start_time": _hm(case.start),
        "end_date": case.end.date().isoformat(),
        "end_time": _hm(case.end),
    }


def via_inline_edit(case, *, workspace, member, member_client, base_entry):
    data = {"description": "typed", "project_task": "", **_edit_data(case)}
    url = reverse("tracking:entry_edit", kwargs={"ws": workspace.pk, "pk": base_entry.pk})
    response = member_client.post(url, data, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    if 'class="entry--editing' not in text and "entry-form" not in text:
        return ""
    assert 'value="typed"' in text
    return text


def via_report_edit(case, *, workspace, member, member_client, base_entry):
    data = {"description": "typed", "project_task": "", "q": "", **_edit_data(case)}
    url = reverse("reports:entry_edit", kwargs={"ws": workspace.pk, "pk": base_entry.pk})
    response = member_client.post(url, data, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    if 'class="is-editing"' not in text:
        return ""
    assert 'value="typed"' in text
    return text


def via_timesheet(case, *, workspace, member, member_client, base_entry):
    project = ProjectFactory.create(workspace=workspace)
    hours = "1:00" if case.start is None else _duration(case)
    data = {"row": f"{project.pk}:", "date": _date(case), "hours": hours}
    url = reverse("tracking:timesheet_cell", kwargs={"ws": workspace.pk})
    text = member_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    return text if 'role="alert"' in text else ""


PAGE_PATHS = {
    "service": via_service,
    "manual entry": via_manual_entry,
    "inline edit": via_inline_edit,
    "report edit": via_report_edit,
    "timesheet": via_timesheet,
}


def _count(workspace, member):
    return TimeEntry.objects.filter(workspace=workspace, user=member).count()


@pytest.mark.parametrize(
    ("path", "case"),
    [
        pytest.param(path, case, id=f"{case.name}-{path}")
        for path in PAGE_PATHS
        for case in CASES
        if PATH_OUTCOMES.get((path, case.name)) != "n/a"  # cases a path cannot express
    ],
)
def test_every_page_path_applies_the_same_rule(
    path, case, workspace, member, member_client, base_entry
):
    expected = PATH_OUTCOMES.get((path, case.name), case.message)
    if case.setup_day_full:
        _fill_day(workspace, member)
    before = _count(workspace, member)
    base_before = TimeEntry.objects.values_list("start", "end").get(pk=base_entry.pk)
    error = PAGE_PATHS[path](
        case, workspace=workspace, member=member, member_client=member_client, base_entry=base_entry
    )
    base_after = TimeEntry.objects.values_list("start", "end").get(pk=base_entry.pk)
    changed = _count(workspace, member) != before or base_after != base_before
    if expected:
        assert expected.lower() in error.replace("&#x27;", "'").lower(), error[-3000:]
        assert not changed  # nothing half-saved
    else:
        assert error == ""
        assert changed


@pytest.mark.parametrize("how", ["create", "update"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_api_accepts_what_clockify_accepts_and_flags_it(
    how, case, workspace, member, base_entry
):
    if case.setup_day_full:
        _fill_day(workspace, member)
    api = api_client_for(member)
    if case.start is None:
        body = {"start": f"{case.date}T09:00:00Z", "end": f"{case.date}T10:00:00Z"}
    else:
        body = {
            "start": case.start.isoformat().replace("+00:00", "Z"),
            "end": case.end.isoformat().replace("+00:00", "Z"),
        }
    if how == "create":
        url = reverse("api-time-entries", kwargs={"ws": workspace.pk})
        response = api.post(url, body, format="json")
    else:
        url = reverse("api-time-entry", kwargs={"ws": workspace.pk, "entry_id": base_entry.pk})
        response = api.put(url, body, format="json")
    if case.api == "refuse":
        assert response.status_code == 400, response.content
        assert _count(workspace, member) == (2 if case.setup_day_full else 1)
        return
    assert response.status_code in (200, 201), response.content
    entries = list(
        TimeEntry.objects.filter(workspace=workspace, user=member).select_related("user")
    )
    time_rules.attach_rule_flags(entries, workspace=workspace, user=member)
    entry = next(e for e in entries if e.pk == response.json()["id"])
    codes = {flag.code for flag in entry.rule_flags}
    if case.api == "ok":
        assert codes == set()
    else:
        assert case.api.removeprefix("flag:") in codes


def test_the_workspace_settings_widen_the_rule(workspace, member, member_client):
    workspace.max_entry_seconds = 48 * 3600
    workspace.allow_future_entries = True
    workspace.save()
    for case in CASES:
        if case.name in ("25 hours", "tomorrow"):
            assert (
                via_manual_entry(
                    case,
                    workspace=workspace,
                    member=member,
                    member_client=member_client,
                    base_entry=None,
                )
                == ""
            )
    assert TimeEntry.objects.filter(user=member).count() == 2


def test_flagged_entries_show_a_flag_and_a_next_day_marker_on_the_tracker(
    workspace, member, member_client
):
    api = api_client_for(member)
    url = reverse("api-time-entries", kwargs={"ws": workspace.pk})
    start = at(TODAY - dt.timedelta(days=2), 20)
    response = api.post(
        url,
        {"start": start.isoformat(), "end": (start + dt.timedelta(hours=30)).isoformat()},
        format="json",
    )
    assert response.status_code == 201
    text = member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.pk})).content
    text = text.decode()
    assert 'data-flag="too_long"' in text
    assert '<sup class="next-day"' in text and ">+2</sup>" in text


# --- the timer ---------------------------------------------------------------------------------


def test_a_timer_past_the_limit_is_stopped_at_the_time_given(workspace, member, member_client):
    membership = Membership.objects.get(workspace=workspace, user=member)
    entry = svc.timer_start(membership=membership, description="forgot")
    started = ago(hours=30)
    TimeEntry.objects.filter(pk=entry.pk).update(start=started)
    with pytest.raises(ApplicationError, match="has run 30:00"):
        svc.timer_stop(membership=membership)
    with pytest.raises(ApplicationError, match="passed"):
        svc.timer_stop(membership=membership, end=timezone.now() + dt.timedelta(hours=1))
    stopped = svc.timer_stop(membership=membership, end=started + dt.timedelta(hours=8))
    assert stopped.duration_seconds == 8 * 3600


def test_the_api_stops_a_long_timer_and_flags_it(workspace, member):
    membership = Membership.objects.get(workspace=workspace, user=member)
    entry = svc.timer_start(membership=membership)
    TimeEntry.objects.filter(pk=entry.pk).update(start=timezone.now() - dt.timedelta(hours=30))
    api = api_client_for(member)
    url = reverse("api-user-time-entries", kwargs={"ws": workspace.pk, "user_id": member.pk})
    response = api.patch(url, {"end": timezone.now().isoformat()}, format="json")
    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert [f.code for f in time_rules.entry_flags([entry], workspace=workspace)[entry.pk]] == [
        "too_long"
    ]


# --- settings ------------------------------------------------------------------------------------


def test_admins_set_the_rule_and_it_is_audited(workspace, admin_client_, member_client):
    url = reverse("workspaces:settings_time_entries", kwargs={"ws": workspace.pk})
    assert member_client.get(url).status_code in (403, 404)
    bad = admin_client_.post(url, {"max_entry_hours": "0", "long_timer_hours": "10"})
    assert bad.status_code == 400
    response = admin_client_.post(
        url, {"max_entry_hours": "12", "allow_future_entries": "on", "long_timer_hours": "8"}
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (
        workspace.max_entry_seconds,
        workspace.allow_future_entries,
        workspace.long_timer_seconds,
    ) == (12 * 3600, True, 8 * 3600)
    log = AuditLog.objects.get(workspace=workspace, event="workspace.time_rules_changed")
    assert log.details["from"]["max_entry_seconds"] == 24 * 3600


# --- pages that take a date or a week: no 500 ----------------------------------------------------


def test_a_stored_entry_in_year_9999_no_longer_breaks_the_tracker(workspace, member, member_client):
    far = dt.datetime(9999, 12, 31, 20, tzinfo=UTC)
    entry = TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=far,
        seconds=3600,
        description="typo",
    )
    member.time_zone = "Asia/Tokyo"  # where 9999-12-31 20:00 UTC is past the calendar
    member.save()
    response = member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "dates outside 1970" in text and "typo" in text
    delete = reverse("tracking:entry_delete", kwargs={"ws": workspace.pk, "pk": entry.pk})
    assert member_client.post(delete).status_code == 302
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "1970-01-01", "2999-12-31"])
@pytest.mark.parametrize("week_start", [0, 6])
def test_timesheet_weeks_past_the_range_are_a_message(
    workspace, member, member_client, week, week_start
):
    member.week_start = week_start
    member.time_zone = "Pacific/Kiritimati"
    member.save()
    url = reverse("tracking:timesheet", kwargs={"ws": workspace.pk})
    response = member_client.get(url, {"week": week})
    assert response.status_code == 400
    assert "Give a week between 1970-01-01 and 2999-12-31" in response.content.decode()


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_submitting_a_week_past_the_range_is_a_message(workspace, member, member_client, week):
    member.week_start = 6
    member.save()
    url = reverse("tracking:approval_submit", kwargs={"ws": workspace.pk})
    response = member_client.post(url, {"week": week}, follow=True)
    assert response.status_code == 200
    assert "Give a week between" in response.content.decode()


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Tokyo"])
def test_a_date_with_a_duration_only_is_checked_not_a_500(workspace, member, member_client, tz):
    member.time_zone = tz
    member.save()
    url = reverse("tracking:entry_create", kwargs={"ws": workspace.pk})
    for day in ("9999-12-31", "0001-01-01"):
        response = member_client.post(url, {"date": day, "duration": "2:00"})
        assert response.status_code == 400
        assert "1970-01-01 and 2999-12-31" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_minutes_past_59_give_one_message_that_says_what_to_type(workspace, member_client):
    url = reverse("tracking:entry_create", kwargs={"ws": workspace.pk})
    response = member_client.post(url, {"date": DAY.isoformat(), "duration": "30:99"})
    text = response.content.decode()
    assert "Minutes go up to 59: enter 30:99 as 31:39." in text
    assert "Give an end time or a duration" not in text
    assert text.count('class="field-error"') + text.count('class="errorlist') == 1


# --- approval: flags before a decision, a submitted week locked while it waits -----------------


def _week_of(day):
    return day - dt.timedelta(days=day.weekday())


def test_the_approver_sees_what_breaks_the_rule_before_deciding(
    workspace, member, admin_client_, member_client
):
    monday = _week_of(TODAY) - dt.timedelta(days=14)
    api = api_client_for(member)
    url = reverse("api-time-entries", kwargs={"ws": workspace.pk})
    for start, hours in ((at(monday, 8), 11), (at(monday, 18), 2), (at(monday, 0), 14)):
        body = {"start": start.isoformat(), "end": (start + dt.timedelta(hours=hours)).isoformat()}
        assert api.post(url, body, format="json").status_code == 201
    submit = reverse("tracking:approval_submit", kwargs={"ws": workspace.pk})
    member_client.post(submit, {"week": monday.isoformat()})
    from tracking.models import WeekApproval

    approval = WeekApproval.objects.get(user=member)
    detail = reverse("tracking:approval_detail", kwargs={"ws": workspace.pk, "pk": approval.pk})
    text = admin_client_.get(detail).content.decode()
    assert "Look at these first" in text
    assert "11:00 in one entry" in text  # over 10 hours
    assert "overlaps" in text
    assert "27:00 in one day" in text


def test_a_pending_week_is_locked_for_the_member_until_withdrawn(workspace, member, member_client):
    membership = Membership.objects.get(workspace=workspace, user=member)
    monday = _week_of(TODAY) - dt.timedelta(days=7)
    entry = svc.time_entry_create(
        membership=membership, start=at(monday, 9), end=at(monday, 10), description="a"
    )
    from tracking.services import approvals

    approval = approvals.week_submit(membership=membership, week_start=monday)
    for attempt in (
        lambda: svc.time_entry_create(
            membership=membership, start=at(monday, 11), end=at(monday, 12)
        ),
        lambda: svc.time_entry_update(membership=membership, entry=entry, description="b"),
        lambda: svc.time_entry_delete(membership=membership, entry=entry),
        lambda: svc.timesheet_cell_set(membership=membership, day=monday, seconds=7200),
    ):
        with pytest.raises(ApplicationError, match="submitted and waiting for approval"):
            attempt()
    assert TimeEntry.objects.filter(user=member).count() == 1
    approvals.week_withdraw(membership=membership, approval_id=approval.pk)
    svc.time_entry_update(membership=membership, entry=entry, description="b")
    svc.timesheet_cell_set(membership=membership, day=monday, seconds=7200)

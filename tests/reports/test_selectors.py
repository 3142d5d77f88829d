"""The Detailed report's rows and totals, checked against an independent computation in Python
over the same entries: filter combinations, rounding per entry, member isolation, tenancy."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import zoneinfo
from decimal import ROUND_HALF_UP
from decimal import Decimal
from fractions import Fraction

import pytest
from django.http import QueryDict

from reports.filters import FilterError
from reports.filters import detailed_filters_check
from reports.filters import parse_detailed_filters
from reports.selectors import Sort
from reports.selectors import detailed_entries
from reports.selectors import detailed_totals
from tests.factories import membership_of
from tests.factories import rounding_on
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def expected_seconds(seconds: int, mode: str | None, minutes: int) -> int:
    """Rounding written out with fractions, independently of reports/rounding.py."""
    if mode is None:
        return seconds
    units = Fraction(seconds, minutes * 60)
    if mode == "UP":
        whole = math.ceil(units)
    elif mode == "DOWN":
        whole = math.floor(units)
    else:
        whole = math.floor(units + Fraction(1, 2))
    return whole * minutes * 60


def expected_cents(seconds: int, rate: int) -> int:
    value = Decimal(seconds) * Decimal(rate) / Decimal(3600)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def world(workspace, owner, admin, member, other_workspace, outsider):
    """About 90 entries of three people over March 2026 (and either side of it), on projects
    with and without clients, tasks, tags, billable or not, two currencies, and durations that
    sit on rounding boundaries. The viewer (owner) lives in New York."""
    owner.time_zone = "America/New_York"
    owner.save()
    member.time_zone = "America/New_York"
    member.save()
    acme, globex = (ClientFactory(workspace=workspace, name=n) for n in ("Acme", "Globex"))
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    app = ProjectFactory(workspace=workspace, client=globex, name="App")
    internal = ProjectFactory(workspace=workspace, client=None, name="Internal")
    design = TaskFactory(workspace=workspace, project=website, name="Design")
    build = TaskFactory(workspace=workspace, project=app, name="Build")
    urgent, later = (TagFactory(workspace=workspace, name=n) for n in ("urgent", "later"))
    projects = [website, app, internal, None]
    durations = [449, 450, 451, 899, 900, 901, 3599, 3600, 3601, 27 * 60 + 1, 1, 8 * 3600]
    words = ["Fix bug", "Write docs", "fix BUG in checkout", "Meeting", ""]
    records = []
    people = [owner, admin, member]
    for i in range(90):
        person = people[i % 3]
        project = projects[i % 4]
        task = None
        if project is website and i % 2:
            task = design
        elif project is app and i % 2:
            task = build
        # Local times from Feb 27 to Apr 2 in New York, some near midnight.
        local = dt.datetime(2026, 2, 27, 22, 30, tzinfo=NEW_YORK) + dt.timedelta(
            hours=9 * i + (i % 5)
        )
        seconds = durations[i % len(durations)]
        start = local.astimezone(dt.UTC)
        tags = [[urgent], [later], [urgent, later], []][i % 4]
        entry = TimeEntryFactory(
            workspace=workspace,
            user=person,
            project=project,
            task=task,
            description=words[i % len(words)],
            billable=i % 3 != 1,
            start=start,
            seconds=seconds,
            hourly_rate_cents=[5000, 12345, 0, 9999][i % 4],
            currency="EUR" if i % 7 == 0 else "USD",
            tags=tags,
        )
        records.append(
            {
                "id": entry.pk,
                "user": person.pk,
                "project": project.pk if project else None,
                "client": project.client_id if project else None,
                "task": task.pk if task else None,
                "tags": {t.pk for t in tags},
                "billable": entry.billable,
                "description": entry.description,
                "local_date": local.date(),
                "seconds": seconds,
                "rate": entry.hourly_rate_cents,
                "currency": entry.currency,
            }
        )
    # A running timer (not reported) and another workspace's entry in range (never reported).
    TimeEntryFactory(
        workspace=workspace,
        user=member,
        start=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
        end=None,
        duration_seconds=None,
    )
    TimeEntryFactory(
        workspace=other_workspace,
        user=outsider,
        start=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
    )
    return {
        "records": records,
        "acme": acme,
        "globex": globex,
        "website": website,
        "app": app,
        "internal": internal,
        "design": design,
        "build": build,
        "urgent": urgent,
        "later": later,
    }


def python_filter(records, *, user_ids=None, start, end, predicate=lambda r: True):
    return [
        r
        for r in records
        if start <= r["local_date"] <= end
        and (user_ids is None or r["user"] in user_ids)
        and predicate(r)
    ]


def python_totals(rows, mode, minutes):
    total = billable = 0
    amounts: dict[str, int] = {}
    for r in rows:
        seconds = expected_seconds(r["seconds"], mode, minutes)
        total += seconds
        if r["billable"]:
            billable += seconds
            amounts[r["currency"]] = amounts.get(r["currency"], 0) + expected_cents(
                seconds, r["rate"]
            )
    return total, billable, amounts


MARCH = "start=2026-03-01&end=2026-03-31"


def combos(w):
    """(query, python predicate) pairs: each filter alone and several together."""
    return [
        ("", lambda r: True),
        (f"project={w['website'].pk}", lambda r: r["project"] == w["website"].pk),
        ("project=none", lambda r: r["project"] is None),
        (
            f"project={w['app'].pk}&project=none",
            lambda r: r["project"] in (w["app"].pk, None),
        ),
        (f"client={w['acme'].pk}", lambda r: r["client"] == w["acme"].pk),
        ("client=none", lambda r: r["client"] is None),
        (f"task={w['design'].pk}", lambda r: r["task"] == w["design"].pk),
        (f"tag={w['urgent'].pk}", lambda r: w["urgent"].pk in r["tags"]),
        (
            f"tag={w['urgent'].pk}&tag={w['later'].pk}",
            lambda r: bool(r["tags"] & {w["urgent"].pk, w["later"].pk}),
        ),
        (
            f"tag={w['urgent'].pk}&tag_mode=not_contains",
            lambda r: w["urgent"].pk not in r["tags"],
        ),
        ("billable=yes", lambda r: r["billable"]),
        ("billable=no", lambda r: not r["billable"]),
        ("description=fix+bug", lambda r: "fix bug" in r["description"].lower()),
        (
            f"client={w['globex'].pk}&billable=yes&tag={w['later'].pk}&description=fix",
            lambda r: r["client"] == w["globex"].pk
            and r["billable"]
            and w["later"].pk in r["tags"]
            and "fix" in r["description"].lower(),
        ),
        (
            f"project={w['website'].pk}&project={w['internal'].pk}&tag={w['later'].pk}"
            "&tag_mode=not_contains&billable=no",
            lambda r: r["project"] in (w["website"].pk, w["internal"].pk)
            and w["later"].pk not in r["tags"]
            and not r["billable"],
        ),
    ]


ROUNDINGS = [(None, 15), ("NEAREST", 15), ("UP", 60), ("DOWN", 6), ("NEAREST", 1)]


@pytest.mark.parametrize(("mode", "minutes"), ROUNDINGS)
def test_filters_and_totals_match_an_independent_computation(
    world, workspace, owner, member, admin, mode, minutes
):
    workspace.rounding_enabled = mode is not None
    workspace.rounding_mode = mode or "NEAREST"
    workspace.rounding_minutes = minutes
    workspace.save()
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    checked = 0
    for viewer, user_ids in ((owner, None), (member, {member.pk})):
        ms = membership_of(workspace, viewer)
        for (query, predicate), person in itertools.product(combos(world), (None, admin)):
            full = f"{MARCH}&{query}"
            wanted_ids = user_ids
            if person is not None:
                full += f"&member={person.pk}"
                wanted_ids = {person.pk} if user_ids is None else user_ids & {person.pk}
            filters = parse_detailed_filters(dict(QueryDict(full).lists()), user=viewer)
            expected = python_filter(
                world["records"],
                user_ids=wanted_ids,
                start=march[0],
                end=march[1],
                predicate=predicate,
            )
            rows = list(detailed_entries(membership=ms, filters=filters))
            assert sorted(r.pk for r in rows) == sorted(r["id"] for r in expected), full
            by_id = {r["id"]: r for r in expected}
            for row in rows:
                seconds = expected_seconds(by_id[row.pk]["seconds"], mode, minutes)
                assert row.report_seconds == seconds
                assert row.report_amount_cents == (
                    expected_cents(seconds, row.hourly_rate_cents) if row.billable else 0
                )
            totals = detailed_totals(membership=ms, filters=filters)
            total, billable, amounts = python_totals(expected, mode, minutes)
            assert totals.entry_count == len(expected), full
            assert totals.total_seconds == total, full
            assert totals.billable_seconds == billable, full
            assert {a.currency: a.cents for a in totals.amounts} == amounts, full
            checked += len(expected)
    assert checked > 300  # the combinations really select rows


def test_rounding_changes_totals_per_entry_not_on_the_sum(world, workspace, owner):
    """Two 7:30 entries round (nearest 15) to 15 + 15 = 30 min, not round(15:00) = 15."""
    rounding_on(workspace, "NEAREST", 15)
    ms = membership_of(workspace, owner)
    start = dt.datetime(2030, 1, 2, 15, tzinfo=dt.UTC)
    for k in range(2):
        TimeEntryFactory(
            workspace=workspace,
            user=owner,
            start=start + dt.timedelta(hours=k),
            end=start + dt.timedelta(hours=k, seconds=450),
            duration_seconds=450,
            billable=True,
            hourly_rate_cents=6000,
        )
    filters = parse_detailed_filters({"start": ["2030-01-02"], "end": ["2030-01-02"]}, user=owner)
    totals = detailed_totals(membership=ms, filters=filters)
    assert totals.total_seconds == 1800
    assert [(a.currency, a.cents) for a in totals.amounts] == [("USD", 3000)]


def test_member_sees_only_their_own_entries_even_when_naming_others(
    world, workspace, member, owner
):
    ms = membership_of(workspace, member)
    filters = parse_detailed_filters(
        {"start": ["2026-01-01"], "end": ["2026-12-31"], "member": [owner.pk]}, user=member
    )
    assert list(detailed_entries(membership=ms, filters=filters)) == []
    assert detailed_totals(membership=ms, filters=filters).entry_count == 0
    everything = parse_detailed_filters(
        {"range": ["this_year"]}, user=member, today=dt.date(2026, 6, 1)
    )
    users = {e.user_id for e in detailed_entries(membership=ms, filters=everything)}
    assert users == {member.pk}


def test_running_timers_and_other_workspaces_are_not_reported(world, workspace, owner):
    ms = membership_of(workspace, owner)
    filters = parse_detailed_filters({"start": ["2026-01-01"], "end": ["2026-12-31"]}, user=owner)
    rows = list(detailed_entries(membership=ms, filters=filters))
    assert len(rows) == len(world["records"])
    assert all(r.workspace_id == workspace.pk and r.end is not None for r in rows)


def test_ids_of_another_workspace_are_refused(world, workspace, owner, other_workspace):
    ms = membership_of(workspace, owner)
    foreign = ProjectFactory(workspace=other_workspace)
    filters = parse_detailed_filters({"project": [foreign.pk]}, user=owner)
    with pytest.raises(FilterError, match="no project") as caught:
        detailed_filters_check(membership=ms, filters=filters)
    assert caught.value.field == "project"
    ok = parse_detailed_filters(
        {"project": [world["app"].pk], "tag": [world["later"].pk]}, user=owner
    )
    detailed_filters_check(membership=ms, filters=ok)


@pytest.mark.parametrize(
    "raw", ["-date", "date", "duration", "-duration", "member", "project", "-amount"]
)
def test_sorting_orders_the_whole_set(world, workspace, owner, raw):
    ms = membership_of(workspace, owner)
    filters = parse_detailed_filters({"start": ["2026-03-01"], "end": ["2026-03-31"]}, user=owner)
    sort = Sort.parse(raw)
    rows = list(detailed_entries(membership=ms, filters=filters, sort=sort))
    keys = {
        "date": lambda e: (e.start,),
        "duration": lambda e: (e.report_seconds, e.start),
        "member": lambda e: (e.user.full_name, e.start),
        "project": lambda e: (
            e.project is None,
            (e.project.client.name if e.project and e.project.client else "\uffff"),
            e.project.name if e.project else "",
            e.start,
        ),
        "amount": lambda e: (e.report_amount_cents, e.start),
    }
    key = keys[sort.key.value]
    values = [key(e) for e in rows]
    if sort.key.value == "project":
        assert values == sorted(values)  # nulls last either way; ascending here
    else:
        assert values == sorted(values, reverse=sort.descending)


def test_unknown_sort_is_refused():
    with pytest.raises(FilterError, match="Sort by one of"):
        Sort.parse("color")

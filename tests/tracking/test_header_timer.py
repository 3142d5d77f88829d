"""The running timer on every page's header, the long-running-timer warning, and stopping it at
the time the member really stopped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tracking.factories import ago
from tracking.models import TimeEntry
from tracking.services import entries as svc
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def _start(workspace, member, *, hours_ago=0.5, description="Writing"):
    membership = Membership.objects.get(workspace=workspace, user=member)
    entry = svc.timer_start(membership=membership, description=description)
    TimeEntry.objects.filter(pk=entry.pk).update(start=ago(hours=hours_ago))
    return entry


@pytest.mark.parametrize(
    "name", ["tracking:timesheet", "reports:detailed", "tracking:approvals", "tracking:projects"]
)
def test_every_page_shows_the_running_timer_with_a_stop_button(
    workspace, member, member_client, name
):
    _start(workspace, member)
    text = member_client.get(reverse(name, kwargs={"ws": workspace.pk})).content.decode()
    assert 'id="header-timer"' in text and "Writing" in text
    assert 'data-clock-start="' in text and "0:30:" in text
    assert 'id="long-timer"' not in text


def test_no_timer_no_header(workspace, member, member_client):
    text = member_client.get(reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))
    assert 'id="header-timer"' not in text.content.decode()


def test_the_header_stop_returns_to_the_page_it_was_pressed_on(workspace, member, member_client):
    _start(workspace, member)
    page = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    response = member_client.post(
        reverse("tracking:timer_stop", kwargs={"ws": workspace.pk}), {"next": page}
    )
    assert response.status_code == 302 and response["Location"] == page
    assert not TimeEntry.objects.filter(end=None).exists()
    evil = member_client.post(
        reverse("tracking:timer_stop", kwargs={"ws": workspace.pk}),
        {"next": "https://evil.example/"},
    )
    assert evil["Location"].startswith("/w/")


def test_a_long_timer_warns_on_every_page_and_stops_at_the_time_given(
    workspace, member, member_client
):
    member.time_zone = "Europe/Berlin"
    member.save()
    entry = _start(workspace, member, hours_ago=11)
    text = member_client.get(reverse("reports:detailed", kwargs={"ws": workspace.pk}))
    text = text.content.decode()
    assert 'id="long-timer"' in text and "running for over 10 hours" in text
    # The guess offered: the start plus the 10-hour limit, in the member's time zone.
    entry.refresh_from_db()
    import zoneinfo

    guess = (entry.start + dt.timedelta(hours=10)).astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert f'value="{guess:%Y-%m-%dT%H:%M}"' in text
    stop_at = (entry.start + dt.timedelta(hours=8)).astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    response = member_client.post(
        reverse("tracking:timer_stop", kwargs={"ws": workspace.pk}),
        {"stop_at": f"{stop_at:%Y-%m-%dT%H:%M}"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.end is not None
    assert abs(entry.duration_seconds - 8 * 3600) < 60


def test_the_warning_follows_the_workspace_setting(workspace, member, member_client):
    workspace.long_timer_seconds = 2 * 3600
    workspace.save()
    _start(workspace, member, hours_ago=3)
    text = member_client.get(reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))
    assert "running for over 2 hours" in text.content.decode()


def test_a_stop_time_in_the_future_or_bad_is_a_message(workspace, member, member_client):
    _start(workspace, member, hours_ago=2)
    url = reverse("tracking:timer_stop", kwargs={"ws": workspace.pk})
    later = timezone.now() + dt.timedelta(hours=3)
    for value in (f"{later:%Y-%m-%dT%H:%M}", "9999-12-31T10:00", "soon"):
        response = member_client.post(url, {"stop_at": value}, follow=True)
        assert response.status_code == 200
        assert "message--error" in response.content.decode()
    assert TimeEntry.objects.filter(end=None).count() == 1

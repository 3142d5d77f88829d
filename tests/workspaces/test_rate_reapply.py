"""The "also apply to past entries" forms on the General settings tab and the Team page post to
the entries area's re-rate endpoint and bring the admin back to the page they came from."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.urls import reverse

from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def reapply_form(html: str, scope: str, user: str = "") -> dict[str, str]:
    """The hidden fields of the page's re-rate form for `scope` (and `user`), as a browser would
    post them."""
    forms = re.findall(r'<form method="post" action="[^"]*rates/reapply/">(.*?)</form>', html, re.S)
    for body in forms:
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
        if fields.get("scope") == scope and fields.get("user", "") == user:
            return fields
    raise AssertionError(f"no re-rate form for {scope}")


def entry(**kwargs: object) -> TimeEntry:
    return cast(TimeEntry, TimeEntryFactory(**kwargs))


def test_team_page_reapplies_a_members_new_rate_to_their_past_entries(
    admin_client_, workspace, member, owner
):
    mine = entry(workspace=workspace, user=member, hourly_rate_cents=5000)
    theirs = entry(workspace=workspace, user=owner, hourly_rate_cents=5000)
    m = Membership.objects.get(user=member, workspace=workspace)
    team_url = reverse("workspaces:team", kwargs={"ws": workspace.id})
    admin_client_.post(
        reverse("workspaces:member_rate", kwargs={"ws": workspace.id, "pk": m.pk}),
        {"hourly_rate": "80"},
    )
    assert TimeEntry.objects.get(pk=mine.pk).hourly_rate_cents == 5000  # new entries only
    html = admin_client_.get(team_url).content.decode()
    forms = [f for f in re.findall(r'name="user" value="(\w+)"', html)]
    assert member.pk in forms
    data = {"scope": "member", "user": member.pk, "next": team_url}
    response = admin_client_.post(
        reverse("tracking:rates_reapply", kwargs={"ws": workspace.id}), data
    )
    assert response.url == team_url
    assert TimeEntry.objects.get(pk=mine.pk).hourly_rate_cents == 8000
    assert TimeEntry.objects.get(pk=theirs.pk).hourly_rate_cents == 5000


def test_general_tab_reapplies_the_default_rate(admin_client_, workspace, member):
    past = entry(workspace=workspace, user=member, hourly_rate_cents=5000)
    url = reverse("workspaces:settings", kwargs={"ws": workspace.id})
    admin_client_.post(
        url, {"name": workspace.name, "currency": "USD", "time_zone": "UTC", "hourly_rate": "65"}
    )
    fields = reapply_form(admin_client_.get(url).content.decode(), "workspace")
    assert fields["next"] == url
    response = admin_client_.post(
        reverse("tracking:rates_reapply", kwargs={"ws": workspace.id}), fields
    )
    assert response.url == url
    assert TimeEntry.objects.get(pk=past.pk).hourly_rate_cents == 6500

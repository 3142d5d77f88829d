"""Favourite entries: pin one of your entries, start it again with one click, unpin it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import FavoriteEntry
from tracking.models import TimeEntry

pytestmark = pytest.mark.django_db


def _entry(workspace, user, **kwargs):
    start = ago(hours=3)
    return TimeEntryFactory.create(
        workspace=workspace,
        user=user,
        start=start,
        seconds=3600,
        **kwargs,
    )


def _url(name, workspace, pk):
    return reverse(f"tracking:{name}", kwargs={"ws": workspace.pk, "pk": pk})


def test_pin_then_start_with_one_click_then_unpin(workspace, member, member_client):
    project = ProjectFactory.create(workspace=workspace, name="Website")
    ux = TagFactory.create(workspace=workspace, name="ux")
    entry = _entry(workspace, member, description="Standup", project=project, billable=True)
    entry.tags.add(ux, through_defaults={"workspace": workspace})
    assert member_client.post(_url("favorite_pin", workspace, entry.pk)).status_code == 302
    member_client.post(_url("favorite_pin", workspace, entry.pk))  # twice is one favourite
    favorite = FavoriteEntry.objects.get()
    text = member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.pk})).content
    text = text.decode()
    assert 'id="favorites"' in text and "Standup" in text and ">ux</span>" in text
    member_client.post(_url("favorite_start", workspace, favorite.pk))
    running = TimeEntry.objects.get(end=None)
    assert (running.description, running.project_id, running.billable) == (
        "Standup",
        project.pk,
        True,
    )
    assert [t.name for t in running.tags.all()] == ["ux"]
    member_client.post(_url("favorite_unpin", workspace, favorite.pk))
    assert not FavoriteEntry.objects.exists()


def test_another_members_entry_or_favourite_is_not_found(
    workspace, member, admin, member_client, admin_client_
):
    theirs = _entry(workspace, admin, description="Admin's")
    assert member_client.post(_url("favorite_pin", workspace, theirs.pk)).status_code == 404
    mine = _entry(workspace, member, description="Mine")
    member_client.post(_url("favorite_pin", workspace, mine.pk))
    favorite = FavoriteEntry.objects.get()
    # Even an admin can't start or unpin someone else's favourite.
    assert admin_client_.post(_url("favorite_start", workspace, favorite.pk)).status_code == 404
    assert admin_client_.post(_url("favorite_unpin", workspace, favorite.pk)).status_code == 404
    assert FavoriteEntry.objects.count() == 1 and not TimeEntry.objects.filter(end=None).exists()


def test_an_archived_project_refuses_the_start_with_a_message(workspace, member, member_client):
    project = ProjectFactory.create(workspace=workspace, name="Old")
    entry = _entry(workspace, member, description="Legacy", project=project)
    member_client.post(_url("favorite_pin", workspace, entry.pk))
    project.archived = True
    project.save()
    favorite = FavoriteEntry.objects.get()
    response = member_client.post(_url("favorite_start", workspace, favorite.pk), follow=True)
    assert "archived" in response.content.decode()
    assert not TimeEntry.objects.filter(end=None).exists()

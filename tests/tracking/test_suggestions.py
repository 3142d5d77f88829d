"""The tracker's suggestions (recent matching entries in one query, over an index that starts
with the member) and creating a tag or project from a combobox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import Project
from tracking.models import Tag
from tracking.selectors.suggestions import suggestions_for
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def _entry(workspace, user, description, *, hours_ago, **fields):
    """An hour's entry that started `hours_ago`; `fields` (project, task, tags...) as the
    factory takes them."""
    start = ago(hours=hours_ago)
    return TimeEntryFactory.create(
        workspace=workspace, user=user, description=description, start=start, **fields
    )


def _get(client, workspace, q=""):
    url = reverse("tracking:suggestions", kwargs={"ws": workspace.pk})
    return client.get(url, {"q": q}).json()["suggestions"]


def test_recent_matching_entries_newest_first_without_repeats(
    workspace, member, admin, member_client
):
    project = ProjectFactory.create(workspace=workspace, name="Website")
    task = TaskFactory.create(project=project, name="Copy")
    ux, api = (
        TagFactory.create(workspace=workspace, name="ux"),
        TagFactory.create(workspace=workspace, name="api"),
    )
    _entry(workspace, member, "Landing page", hours_ago=50, project=project, task=task, tags=[ux])
    _entry(workspace, member, "Landing page", hours_ago=26, project=project, task=task, tags=[ux])
    _entry(workspace, member, "Landing page", hours_ago=30, project=project, tags=[ux, api])
    _entry(workspace, member, "Invoices", hours_ago=2)
    _entry(workspace, admin, "Landing page (admin's)", hours_ago=1)  # someone else's
    found = _get(member_client, workspace, "landing")
    assert [(s["description"], s["task"], s["tags"]) for s in found] == [
        ("Landing page", "Copy", ["ux"]),
        ("Landing page", "", ["api", "ux"]),
    ]
    assert found[0]["projectTask"] == f"{project.pk}:{task.pk}"
    assert found[0]["tagIds"] == [ux.pk]
    assert [s["description"] for s in _get(member_client, workspace)] == [
        "Invoices",
        "Landing page",
        "Landing page",
    ]


def test_other_workspaces_entries_never_show(workspace, member, member_client, other_workspace):
    from tests.factories import MembershipFactory

    MembershipFactory.create(workspace=other_workspace, user=member)
    _entry(other_workspace, member, "Secret elsewhere", hours_ago=1)
    assert _get(member_client, workspace, "secret") == []


@pytest.mark.parametrize("count", [3, 40])
def test_one_query_however_many_entries(workspace, member, django_assert_num_queries, count):
    tags = [TagFactory.create(workspace=workspace, name=f"t{i}") for i in range(3)]
    for n in range(count):
        _entry(workspace, member, f"Task {n}", hours_ago=n + 1, tags=tags[: n % 3])
    membership = Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=member
    )
    with django_assert_num_queries(1):
        found = suggestions_for(membership=membership, text="task")
    assert len(found) == min(count, 8)


def test_the_query_walks_the_index_that_starts_with_the_member(workspace, member, admin, owner):
    """With the workspace's time spread over its members (and statistics to say so), PostgreSQL
    reads the member's own entries newest first from (workspace, user, -start)."""
    from tracking.models import TimeEntry

    start = ago(days=400)
    TimeEntry.objects.bulk_create(
        TimeEntry(
            workspace=workspace,
            user=(admin, owner, member)[n % 3],
            description=f"entry {n}",
            start=start + dt.timedelta(hours=n),
            end=start + dt.timedelta(hours=n, minutes=30),
            duration_seconds=1800,
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracking_timeentry")
    membership = Membership.objects.get(workspace=workspace, user=member)
    from tracking.selectors.suggestions import _matching

    sql, params = _matching(membership, "x").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql + " LIMIT 60", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "entry_ws_user_start" in plan


def test_admins_create_tags_and_projects_from_a_combobox(workspace, admin_client_, member_client):
    tag_url = reverse("tracking:tag_quick_create", kwargs={"ws": workspace.pk})
    project_url = reverse("tracking:project_quick_create", kwargs={"ws": workspace.pk})
    response = admin_client_.post(tag_url, {"name": "  research "})
    assert response.status_code == 201
    tag = Tag.objects.get(workspace=workspace, name="research")
    assert response.json() == {"value": tag.pk, "text": "research"}
    again = admin_client_.post(tag_url, {"name": "research"})
    assert again.status_code == 400 and "already" in again.json()["error"]
    created = admin_client_.post(project_url, {"name": "Onboarding"})
    assert created.status_code == 201
    assert Project.objects.filter(workspace=workspace, name="Onboarding").exists()
    assert member_client.post(tag_url, {"name": "nope"}).status_code in (403, 404)
    assert not Tag.objects.filter(name="nope").exists()

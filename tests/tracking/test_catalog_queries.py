"""The Projects page runs the same number of queries for 3 projects as for 30, tracked hours
included (they come from one aggregate subquery, not one query per project)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import ProjectMember

pytestmark = pytest.mark.django_db


def make_projects(workspace, users, count, start):
    for i in range(start, start + count):
        client = ClientFactory(workspace=workspace, name=f"Client {i}")
        project = ProjectFactory(
            workspace=workspace, client=client, name=f"Project {i}", is_public=i % 2 == 0
        )
        for user in users:
            ProjectMember.objects.create(workspace=workspace, project=project, user=user)
            TimeEntryFactory(workspace=workspace, user=user, project=project)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["owner", "member"])
def test_project_list_queries_do_not_grow_with_projects(
    request, workspace, owner, member, django_assert_max_num_queries, who
):
    from tests.conftest import client_for

    user = request.getfixturevalue(who)
    colleague = UserFactory(full_name="Cole League")
    MembershipFactory(workspace=workspace, user=colleague)
    web = client_for(user)
    url = reverse("tracking:projects", kwargs={"ws": workspace.pk})

    make_projects(workspace, [member, colleague], 3, start=0)
    with_three, html = count_queries(web, url)
    assert html.count('id="project-') == 3

    make_projects(workspace, [member, colleague], 27, start=3)
    with django_assert_max_num_queries(with_three):
        response = web.get(url)
    assert response.content.decode().count('id="project-') == 30


def test_project_page_queries_do_not_grow_with_tasks_and_members(
    workspace, owner, django_assert_max_num_queries
):
    from tests.conftest import client_for
    from tests.tracking.factories import TaskFactory

    web = client_for(owner)
    project = ProjectFactory(workspace=workspace, is_public=False)
    url = reverse("tracking:project_detail", kwargs={"ws": workspace.pk, "pk": project.pk})

    def grow(n, start):
        for i in range(start, start + n):
            user = UserFactory(full_name=f"Person {i}")
            MembershipFactory(workspace=workspace, user=user)
            ProjectMember.objects.create(workspace=workspace, project=project, user=user)
            task = TaskFactory(project=project, name=f"Task {i}")
            task.assignees.set([user])

    grow(2, 0)
    with_two, html = count_queries(web, url)
    assert html.count('id="task-') >= 2

    grow(10, 2)
    with django_assert_max_num_queries(with_two):
        response = web.get(url)
    html = response.content.decode()
    assert 'id="task-' in html and "Person 11" in html

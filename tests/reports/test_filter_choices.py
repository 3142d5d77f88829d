"""The filter form's choices: what each role is offered, their labels, a fixed number of
queries however large the catalog, and the Tasks select listing only the chosen projects'
tasks and the chosen tasks (on the report pages and from the htmx endpoint that reloads it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.selectors import Choice
from reports.selectors import detailed_filter_choices
from reports.selectors import filter_task_choices
from tests.factories import membership_of
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

HINT = "Choose projects to list their tasks."


@pytest.fixture
def catalog(workspace, owner, member, other_workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    public = ProjectFactory(workspace=workspace, client=acme, name="Website", is_public=True)
    mine = ProjectFactory(workspace=workspace, name="Mine", is_public=False)
    ProjectMemberFactory(workspace=workspace, project=mine, user=member)
    secret = ProjectFactory(workspace=workspace, name="Secret", is_public=False)
    tasks = {
        "build": TaskFactory(workspace=workspace, project=public, name="Build"),
        "test": TaskFactory(workspace=workspace, project=public, name="Test"),
        "mine": TaskFactory(workspace=workspace, project=mine, name="Plan"),
        "secret": TaskFactory(workspace=workspace, project=secret, name="Hide"),
    }
    TagFactory(workspace=workspace, name="urgent")
    ClientFactory(workspace=other_workspace, name="Elsewhere")
    elsewhere = ProjectFactory(workspace=other_workspace, name="Elsewhere")
    TaskFactory(workspace=other_workspace, project=elsewhere, name="Foreign")
    return {
        "public": public,
        "mine": mine,
        "secret": secret,
        "elsewhere": elsewhere,
        "tasks": tasks,
    }


def labels(choices) -> list[str]:
    return [c.label for c in choices]


def test_admins_get_everything_but_tasks_until_projects_are_chosen(
    workspace, owner, member, catalog
):
    choices = detailed_filter_choices(membership=membership_of(workspace, owner))
    assert labels(choices.members) == ["Mia Member", "Olivia Owner"]
    assert labels(choices.clients) == ["Acme"]
    assert Choice(catalog["public"].pk, "Website · Acme") in choices.projects
    assert {c.value for c in choices.projects} == {
        catalog["public"].pk,
        catalog["mine"].pk,
        catalog["secret"].pk,
    }
    assert labels(choices.tags) == ["urgent"]
    assert choices.tasks == () and not choices.projects_chosen

    chosen = detailed_filter_choices(
        membership=membership_of(workspace, owner), projects=[catalog["secret"].pk, "none"]
    )
    assert chosen.projects_chosen
    assert chosen.tasks == (Choice(catalog["tasks"]["secret"].pk, "Hide · Secret"),)


def test_tasks_are_the_chosen_projects_and_the_chosen_tasks(workspace, owner, catalog):
    tasks = catalog["tasks"]
    listed = filter_task_choices(
        membership=membership_of(workspace, owner),
        projects=[catalog["public"].pk],
        tasks=[tasks["mine"].pk],  # from a shared link, of a project not chosen
    )
    assert labels(listed) == ["Plan · Mine", "Build · Website", "Test · Website"]
    # Only the "without project" choice, or ids that are not ids: nothing to list, no query.
    owner_ms = membership_of(workspace, owner)
    with CaptureQueriesContext(connection) as ctx:
        assert filter_task_choices(membership=owner_ms, projects=["none", "x'"]) == ()
    assert ctx.captured_queries == []


def test_members_are_not_offered_private_projects_or_their_tasks(workspace, member, catalog):
    member_ms = membership_of(workspace, member)
    every_project = [catalog[p].pk for p in ("public", "mine", "secret", "elsewhere")]
    choices = detailed_filter_choices(
        membership=member_ms, projects=every_project, tasks=[catalog["tasks"]["secret"].pk]
    )
    assert choices.members == ()
    assert {c.value for c in choices.projects} == {catalog["public"].pk, catalog["mine"].pk}
    assert labels(choices.tasks) == ["Plan · Mine", "Build · Website", "Test · Website"]


def test_an_inactive_member_is_labelled_and_queries_stay_four_or_five(
    workspace, owner, member, catalog
):
    Membership.objects.filter(workspace=workspace, user=member).update(
        status=Membership.Status.INACTIVE
    )
    for n in range(30):
        TaskFactory(workspace=workspace, project=catalog["public"], name=f"Extra {n}")
    owner_ms = membership_of(workspace, owner)
    with CaptureQueriesContext(connection) as ctx:
        choices = detailed_filter_choices(membership=owner_ms)
    assert len(ctx.captured_queries) == 4
    assert "Mia Member (inactive)" in labels(choices.members)
    with CaptureQueriesContext(connection) as ctx:
        choices = detailed_filter_choices(membership=owner_ms, projects=[catalog["public"].pk])
    assert len(ctx.captured_queries) == 5
    assert len(choices.tasks) == 32


# --- the pages and the endpoint -------------------------------------------------------------


def page(client, name, workspace, query=""):
    response = client.get(f"{reverse(name, kwargs={'ws': workspace.pk})}?{query}")
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def task_field(html: str) -> str:
    return html.split('id="f-task-field"')[1].split("</div>")[0]


@pytest.mark.parametrize("name", ["reports:detailed", "reports:summary"])
def test_a_shared_link_keeps_its_task_selected_and_other_tasks_wait_for_projects(
    owner_client, workspace, catalog, name
):
    build = catalog["tasks"]["build"]
    html = task_field(page(owner_client, name, workspace, f"task={build.pk}"))
    assert f'<option value="{build.pk}" selected>Build · Website</option>' in html
    assert "Test · Website" not in html and "Hide" not in html
    assert HINT in html

    html = task_field(page(owner_client, name, workspace, f"project={catalog['public'].pk}"))
    assert "Build · Website" in html and "Test · Website" in html and "Hide" not in html
    assert HINT not in html and "disabled" not in html


def test_no_project_chosen_shows_the_hint_and_a_project_without_tasks_says_so(
    owner_client, workspace, catalog
):
    html = task_field(page(owner_client, "reports:detailed", workspace))
    assert HINT in html and "<option" not in html and " disabled" in html
    empty = ProjectFactory(workspace=workspace, name="Empty")
    html = task_field(page(owner_client, "reports:detailed", workspace, f"project={empty.pk}"))
    assert "The chosen projects have no tasks." in html


def test_a_bad_filter_still_lists_the_tasks_of_the_projects_sent(owner_client, workspace, catalog):
    response = owner_client.get(
        reverse("reports:detailed", kwargs={"ws": workspace.pk})
        + f"?project={catalog['public'].pk}&start=2026-03-05&end=2026-03-01"
    )
    assert response.status_code == 400
    assert "Build · Website" in task_field(response.content.decode())


def endpoint(workspace, query):
    return reverse("reports:filter_tasks", kwargs={"ws": workspace.pk}) + f"?{query}"


def test_the_endpoint_lists_the_chosen_projects_tasks_keeping_chosen_ones(
    owner_client, workspace, catalog
):
    tasks = catalog["tasks"]
    response = owner_client.get(
        endpoint(workspace, f"project={catalog['secret'].pk}&task={tasks['build'].pk}")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<div class="field" id="f-task-field">')
    assert f'<option value="{tasks["build"].pk}" selected>Build · Website</option>' in html
    assert f'<option value="{tasks["secret"].pk}">Hide · Secret</option>' in html
    assert "Test · Website" not in html and HINT not in html
    assert HINT in owner_client.get(endpoint(workspace, "project=none")).content.decode()


def test_the_endpoint_hides_what_the_viewer_may_not_see(
    member_client, outsider_client, owner_client, client, workspace, catalog
):
    html = member_client.get(
        endpoint(workspace, f"project={catalog['secret'].pk}&project={catalog['mine'].pk}")
    ).content.decode()
    assert "Plan · Mine" in html and "Hide" not in html
    foreign = owner_client.get(endpoint(workspace, f"project={catalog['elsewhere'].pk}"))
    assert "Foreign" not in foreign.content.decode()
    assert outsider_client.get(endpoint(workspace, "")).status_code == 404
    assert client.get(endpoint(workspace, "")).status_code == 302  # to log in
    assert owner_client.post(endpoint(workspace, "")).status_code == 405

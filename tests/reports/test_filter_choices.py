"""The filter form's choices: what each role is offered, their labels, and a fixed number of
queries however large the catalog."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.selectors import Choice, detailed_filter_choices
from tests.tracking.factories import (
    ClientFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TagFactory,
    TaskFactory,
)
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(workspace, owner, member, other_workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    public = ProjectFactory(workspace=workspace, client=acme, name="Website", is_public=True)
    mine = ProjectFactory(workspace=workspace, name="Mine", is_public=False)
    ProjectMemberFactory(workspace=workspace, project=mine, user=member)
    secret = ProjectFactory(workspace=workspace, name="Secret", is_public=False)
    tasks = {
        "build": TaskFactory(workspace=workspace, project=public, name="Build"),
        "mine": TaskFactory(workspace=workspace, project=mine, name="Plan"),
        "secret": TaskFactory(workspace=workspace, project=secret, name="Hide"),
    }
    TagFactory(workspace=workspace, name="urgent")
    ClientFactory(workspace=other_workspace, name="Elsewhere")
    return {"public": public, "mine": mine, "secret": secret, "tasks": tasks}


def ms(workspace, user) -> Membership:
    return Membership.objects.select_related("user").get(workspace=workspace, user=user)


def test_admins_get_everything_of_their_workspace_labelled(workspace, owner, member, catalog):
    choices = detailed_filter_choices(membership=ms(workspace, owner))
    assert [c.label for c in choices.members] == ["Mia Member", "Olivia Owner"]
    assert [c.label for c in choices.clients] == ["Acme"]
    assert Choice(catalog["public"].pk, "Website · Acme") in choices.projects
    assert {c.value for c in choices.projects} == {
        catalog["public"].pk,
        catalog["mine"].pk,
        catalog["secret"].pk,
    }
    assert Choice(catalog["tasks"]["secret"].pk, "Hide · Secret") in choices.tasks
    assert len(choices.tasks) == 3
    assert [c.label for c in choices.tags] == ["urgent"]


def test_members_are_not_offered_private_projects_or_their_tasks(workspace, member, catalog):
    choices = detailed_filter_choices(membership=ms(workspace, member))
    assert choices.members == ()
    assert {c.value for c in choices.projects} == {catalog["public"].pk, catalog["mine"].pk}
    assert {c.value for c in choices.tasks} == {
        catalog["tasks"]["build"].pk,
        catalog["tasks"]["mine"].pk,
    }


def test_an_inactive_member_is_labelled_and_queries_stay_five(workspace, owner, member, catalog):
    Membership.objects.filter(workspace=workspace, user=member).update(
        status=Membership.Status.INACTIVE
    )
    for n in range(30):
        TaskFactory(workspace=workspace, project=catalog["public"], name=f"Extra {n}")
    owner_ms = ms(workspace, owner)
    with CaptureQueriesContext(connection) as ctx:
        choices = detailed_filter_choices(membership=owner_ms)
    assert len(ctx.captured_queries) == 5
    assert "Mia Member (inactive)" in [c.label for c in choices.members]
    assert len(choices.tasks) == 33

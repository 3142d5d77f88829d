"""One rule for names and one for hourly rates, whatever is named or rated: a workspace, a
person, a client, a project, a task, a tag or an API key; a workspace's, a member's, a
project's, a project member's or a task's rate."""

from __future__ import annotations

import pytest

from tests.factories import membership_of
from tests.tracking.factories import ProjectFactory
from tracking.services import catalog
from workspaces import services
from workspaces.errors import ApplicationError
from workspaces.services_api_keys import api_key_create

pytestmark = pytest.mark.django_db

TOP = 100_000_000  # 1,000,000.00 an hour


def test_every_name_loses_its_outer_whitespace_and_folds_the_inner(workspace, owner):
    actor = membership_of(workspace, owner)
    typed = "  Website \t redesign\n  2026 "
    folded = "Website redesign 2026"
    assert catalog.client_create(actor=actor, name=typed).name == folded
    assert catalog.project_create(actor=actor, name=typed).name == folded
    project = ProjectFactory(workspace=workspace, name="Site")
    assert catalog.task_create(actor=actor, project=project, name=typed).name == folded
    assert catalog.tag_create(actor=actor, name=typed).name == folded
    updated = services.workspace_update(
        actor=actor, name=typed, currency="USD", time_zone="UTC", hourly_rate_cents=0
    )
    assert updated.name == folded
    assert services.profile_name_change(user=owner, full_name=typed).full_name == folded
    assert api_key_create(user=owner, name=typed).api_key.name == folded


def test_every_name_has_the_same_length_limit_and_message(workspace, owner):
    actor = membership_of(workspace, owner)
    long = "x" * 101
    calls = [
        lambda: catalog.client_create(actor=actor, name=long),
        lambda: catalog.project_create(actor=actor, name=long),
        lambda: catalog.tag_create(actor=actor, name=long),
        lambda: services.workspace_create(user=owner, name=long),
        lambda: services.profile_name_change(user=owner, full_name=long),
        lambda: api_key_create(user=owner, name=long),
    ]
    for call in calls:
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.message == "The name can be at most 100 characters (it has 101)."
    assert catalog.tag_create(actor=actor, name="y" * 100).name == "y" * 100


def test_every_rate_has_the_same_bounds(workspace, owner, member):
    actor = membership_of(workspace, owner)
    project = catalog.project_create(actor=actor, name="Rated", hourly_rate_cents=TOP)
    assert project.hourly_rate_cents == TOP
    task = catalog.task_create(actor=actor, project=project, name="T", hourly_rate_cents=TOP)
    assert task.hourly_rate_cents == TOP
    membership = services.membership_rate_update(
        actor=actor, membership=membership_of(workspace, member), hourly_rate_cents=TOP
    )
    assert membership.hourly_rate_cents == TOP
    too_high = [
        lambda: catalog.project_create(actor=actor, name="Too", hourly_rate_cents=TOP + 1),
        lambda: catalog.task_create(
            actor=actor, project=project, name="Too", hourly_rate_cents=TOP + 1
        ),
        lambda: services.membership_rate_update(
            actor=actor, membership=membership_of(workspace, member), hourly_rate_cents=TOP + 1
        ),
        lambda: services.workspace_update(
            actor=actor, name="Acme", currency="USD", time_zone="UTC", hourly_rate_cents=TOP + 1
        ),
    ]
    for call in too_high:
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.message == "The hourly rate can be at most 1,000,000.00."
        assert caught.value.field == "hourly_rate"
    with pytest.raises(ApplicationError, match="cannot be negative"):
        catalog.project_create(actor=actor, name="Negative", hourly_rate_cents=-1)

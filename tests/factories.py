"""factory_boy factories for the workspaces app (tracking's live in tests/tracking/factories.py)."""

from __future__ import annotations

import factory

from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    plan = Workspace.Plan.STANDARD
    hourly_rate_cents = 5000


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


def membership_of(workspace: Workspace, user: User) -> Membership:
    """`user`'s membership of `workspace`, with both loaded: the actor services take."""
    return Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=user
    )


def rounding_on(workspace: Workspace, mode: str, minutes: int) -> None:
    """Turn on `workspace`'s rounding of each entry's time: `mode` UP, DOWN or NEAREST, to
    `minutes`."""
    workspace.rounding_enabled = True
    workspace.rounding_mode = mode
    workspace.rounding_minutes = minutes
    workspace.save()

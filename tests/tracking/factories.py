"""factory_boy factories for the tracking app."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from tests.factories import UserFactory
from tests.factories import WorkspaceFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag


def ago(**delta: float) -> dt.datetime:
    """Now, to the second, less `delta` (`timedelta`'s keywords): `ago(hours=3)`."""
    return timezone.now().replace(microsecond=0) - dt.timedelta(**delta)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Client {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    workspace = factory.SubFactory(WorkspaceFactory)
    client = None
    name = factory.Sequence(lambda n: f"Project {n}")
    billable = True


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    workspace = factory.SelfAttribute("project.workspace")
    user = factory.SubFactory(UserFactory)
    hourly_rate_cents = None


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    workspace = factory.SelfAttribute("project.workspace")
    name = factory.Sequence(lambda n: f"Task {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class TimeEntryFactory(factory.django.DjangoModelFactory):
    """A finished entry (1 hour by default, `seconds=` for another length, `tags=[...]` to tag
    it). Tests of rules go through the services instead."""

    class Meta:
        model = TimeEntry
        skip_postgeneration_save = True

    class Params:
        seconds = 3600

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    description = factory.Faker("sentence", nb_words=4)
    start = factory.LazyFunction(lambda: ago(hours=2))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(seconds=o.seconds))
    duration_seconds = factory.LazyAttribute(
        lambda o: int((o.end - o.start).total_seconds()) if o.end else None
    )

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create:
            for tag in extracted or ():
                TimeEntryTag.objects.create(workspace_id=obj.workspace_id, time_entry=obj, tag=tag)


def entry_on(user, workspace, day: dt.date, hours: int = 1, **fields) -> TimeEntry:
    """`user`'s entry of `hours` from 9:00 UTC on `day`."""
    start = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    made: TimeEntry = TimeEntryFactory(
        user=user, workspace=workspace, start=start, seconds=hours * 3600, **fields
    )
    return made

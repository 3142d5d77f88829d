"""The REST API fuzzed against its own OpenAPI schema with Schemathesis.

The schema is fetched from /api/schema/ through the WSGI app (what a client would read), every
operation gets generated inputs (valid ones and, in negative mode, broken ones), and each answer
must be no 5xx, have a documented status and content type, and match its documented body.

Path ids are replaced by real ones seeded for the workspace's owner (a random 24-hex id is just
a 404, which the endpoint tests already prove), so the fuzzing reaches the handlers: bodies,
query strings and the services behind them. Bounded by MAX_EXAMPLES to stay near two minutes
on two cores.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.api.conftest import api_key_for
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntryTag

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(db, workspace, owner, admin, member):
    """A workspace with one of everything, and the owner's API key (the owner reaches every
    operation, so no answer is a mere 403)."""
    client = ClientFactory.create(workspace=workspace, name="Northwind")
    project = ProjectFactory.create(workspace=workspace, client=client, name="Website")
    task = TaskFactory.create(project=project, name="Design")
    tag = TagFactory.create(workspace=workspace, name="urgent")
    now = timezone.now().replace(microsecond=0)
    entries = []
    for hours in (30, 20, 10):
        entry = TimeEntryFactory.create(
            workspace=workspace,
            user=owner,
            start=now - dt.timedelta(hours=hours),
            end=now - dt.timedelta(hours=hours - 1),
            project=project,
            task=task,
        )
        TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)
        entries.append(entry)
    TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=now - dt.timedelta(hours=1),
        end=None,
        duration_seconds=None,
    )
    ids = {  # by the path segment naming the collection the id is of
        "workspaces": workspace.pk,
        "user": member.pk,
        "users": member.pk,
        "clients": client.pk,
        "projects": project.pk,
        "tasks": task.pk,
        "tags": tag.pk,
        "time-entries": entries[-1].pk,
    }
    return {"key": api_key_for(owner, name="schemathesis"), "ids": ids}


@pytest.fixture
def wsgi_app():
    """Django's WSGI app, run inside the test's transaction: as Django's test client does, the
    connection is not closed at the end of each request (that would end the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(seeded, wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers={"X-Api-Key": seeded["key"]}
    )


schema = schemathesis.pytest.from_fixture("api_schema")


def _real_id(path: str, name: str, ids: dict[str, str]) -> str | None:
    """The seeded id for the path parameter `name`: `/projects/{id}` is a project's id,
    `/user/{user_id}` a user's, `/workspaces/{ws}` the workspace's."""
    segments = path.strip("/").split("/")
    index = segments.index(f"{{{name}}}")
    return ids.get(segments[index - 1]) if index > 0 else None


# Ids inside valid bodies that name a catalog object: random ones would all be a 400 ("choose a
# project of this workspace"), so valid bodies get real ones and reach the rest of the rules.
BODY_IDS = {"projectId": "projects", "taskId": "tasks", "clientId": "clients"}


def _real_body_ids(body: object, ids: dict[str, str]) -> None:
    if not isinstance(body, dict):
        return
    for key, collection in BODY_IDS.items():
        if isinstance(body.get(key), str):
            body[key] = ids[collection]
    if isinstance(body.get("tagIds"), list):
        body["tagIds"] = [ids["tags"]]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, seeded):
    for name in list(case.path_parameters or {}):
        real = _real_id(case.operation.path, name, seeded["ids"])
        if real is not None:
            case.path_parameters[name] = real
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        _real_body_ids(case.body, seeded["ids"])
    case.call_and_validate(headers={"X-Api-Key": seeded["key"]}, checks=CHECKS)

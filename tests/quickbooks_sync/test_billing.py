"""Classes and service items per project and task (issue 16): the choice of the most specific
(unit), the Classes and items page against the QBO emulator as a real server (the company's
Track classes preference, its classes and Service items), the confirmation's groups, and a send
whose TimeActivities carry them (run in-process here; the browser test runs a real worker)."""

from __future__ import annotations

import datetime as dt
import uuid
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from quickbooks_sync.mapping import Billing
from quickbooks_sync.mapping import billing_for
from quickbooks_sync.models import ProjectBilling
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import TaskBilling
from quickbooks_sync.services.billing import billing_save
from quickbooks_sync.services.send_batches import send_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import membership_of
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TaskFactory
from workspaces.errors import ApplicationError
from workspaces.models import AuditLog

FILTER = "range=custom&start=2026-03-08&end=2026-03-12"
AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)

HOURS, CONSULTING = ("1", "Hours"), ("2", "Consulting")
DESIGN, OPS = ("7", "Design"), ("8", "Ops")


def billing_of(**given: Any) -> Billing:
    """billing_for with nothing chosen anywhere and class tracking on, but for `given`."""
    nothing: dict[str, Any] = dict.fromkeys(
        ("task", "project", "default", "project_class", "default_class")
    )
    return billing_for(**{**nothing, "class_tracking": True, **given})


@pytest.mark.parametrize(
    ("task", "project", "default", "expected_item"),
    [
        (HOURS, CONSULTING, CONSULTING, HOURS),  # the task's wins
        (None, CONSULTING, HOURS, CONSULTING),  # then the project's
        (None, None, HOURS, HOURS),  # then the workspace's
        (None, None, None, None),
    ],
)
def test_the_most_specific_item_is_chosen(task, project, default, expected_item) -> None:
    billing = billing_of(task=task, project=project, default=default)
    assert (billing.item_id, billing.item_name or None) == (
        (expected_item[0], expected_item[1]) if expected_item else (None, None)
    )


def test_the_projects_class_else_the_default_and_none_without_class_tracking() -> None:
    def klass(project_class, tracking):
        return billing_of(project_class=project_class, default_class=OPS, class_tracking=tracking)

    assert klass(DESIGN, True) == Billing(class_id="7", class_name="Design")
    assert klass(None, True) == Billing(class_id="8", class_name="Ops")
    assert klass(DESIGN, False) == Billing()


# -- against the emulator ----------------------------------------------------------------------


@pytest.fixture
def company(sandbox, workspace, owner, member):
    """A company that tracks classes, with two classes and two service items; the member and
    two projects linked (Website with a task)."""
    realm = sandbox.create_company(name=f"Classes {uuid.uuid4().hex[:6]}", class_tracking=True)
    connect_workspace(workspace, sandbox, realm, user=owner)
    link_member(workspace, member, sandbox, realm)
    website, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    support, _ = linked_project(workspace, sandbox, realm, "Support")
    ids = {name: seed(sandbox, realm, "Class", Name=name)["Id"] for name in ("Design", "Ops")} | {
        name: seed(sandbox, realm, "Item", Name=name, Type="Service")["Id"]
        for name in ("Hours", "Consulting")
    }
    return {
        "realm": realm,
        "website": website,
        "support": support,
        "task": TaskFactory(project=website, name="Mockups"),
        **ids,
    }


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_admin_sets_classes_and_items_and_the_send_carries_the_most_specific(
    workspace, admin, member, admin_client_, member_client, company, sandbox
) -> None:
    page_url = reverse("quickbooks:billing", kwargs={"ws": workspace.pk})
    assert member_client.get(page_url).status_code == 403
    page = unescape(admin_client_.get(page_url).content.decode())
    assert 'id="no-class-tracking"' not in page
    assert f'<option value="{company["Design"]}">Design</option>' in page
    assert f'<option value="{company["Consulting"]}">Consulting</option>' in page
    assert QBOConnection.objects.get(workspace=workspace).class_tracking is True

    website, support, task = company["website"], company["support"], company["task"]
    saved = admin_client_.post(
        page_url,
        {
            "default_class": company["Ops"],
            f"class-{website.pk}": company["Design"],
            f"item-{website.pk}": company["Consulting"],
            f"task-{task.pk}": company["Hours"],
        },
    )
    assert saved.status_code == 302
    assert ProjectBilling.objects.get(project=website).class_name == "Design"
    assert TaskBilling.objects.get(task=task).item_name == "Hours"
    assert AuditLog.objects.filter(event="quickbooks.billing_set").count() == 1

    on_task = entry(workspace, member, start=AT, seconds=1800, project=website, description="t")
    on_task.task = task
    on_task.save()
    for hours, seconds, project, text in ((1, 900, website, "p"), (2, 600, support, "s")):
        start = AT + dt.timedelta(hours=hours)
        entry(workspace, member, start=start, seconds=seconds, project=project, description=text)
    confirm = unescape(
        admin_client_.get(
            reverse("quickbooks:send_confirm", kwargs={"ws": workspace.pk}) + "?" + FILTER
        ).content.decode()
    )
    groups = confirm.split('id="send-groups"')[1].split("</table>")[0]
    rows = groups.split("<tr>")[2:]
    assert len(rows) == 3
    assert any("Website" in r and "Hours" in r and "Design" in r for r in rows)
    assert any("Website" in r and "Consulting" in r and "Design" in r for r in rows)
    assert any("Support" in r and "—" in r and "Ops" in r for r in rows)  # no item; default class

    api_preview = api_client_for(admin).post(
        f"/api/v1/workspaces/{workspace.pk}/quickbooks/sends/preview",
        {"dateRangeStart": "2026-03-08T00:00:00Z", "dateRangeEnd": "2026-03-13T00:00:00Z"},
        format="json",
    )
    assert api_preview.status_code == 200, api_preview.content
    assert sorted(
        (g["customer"], g["item"], g["class"], g["entries"]) for g in api_preview.json()["groups"]
    ) == [
        ("Support", "", "Ops", 1),
        ("Website", "Consulting", "Design", 1),
        ("Website", "Hours", "Design", 1),
    ]

    job_id = start_send(workspace, admin)
    assert send_run(job_id=job_id) is True
    assert SendJob.objects.get(pk=job_id).sent_count == 3
    carried = {
        a["Description"]: (a.get("ItemRef", {}).get("name"), a.get("ClassRef", {}).get("name"))
        for a in time_activities(sandbox, company["realm"])
    }
    assert carried == {
        "t": ("Hours", "Design"),
        "p": ("Consulting", "Design"),
        "s": (None, "Ops"),
    }


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_without_class_tracking_no_class_is_offered_saved_or_sent(
    workspace, admin, member, admin_client_, company, sandbox, other_workspace
) -> None:
    sandbox.control("PATCH", f"/companies/{company['realm']}", {"class_tracking": False})
    page_url = reverse("quickbooks:billing", kwargs={"ws": workspace.pk})
    ProjectBilling.objects.create(
        workspace=workspace, project=company["support"], class_id=company["Ops"], class_name="Ops"
    )
    page = unescape(admin_client_.get(page_url).content.decode())
    assert 'id="no-class-tracking"' in page and 'name="default_class"' not in page
    assert QBOConnection.objects.get(workspace=workspace).class_tracking is False

    refused = admin_client_.post(page_url, {"default_class": company["Ops"]}, follow=True)
    assert "does not track classes" in unescape(refused.content.decode())
    unknown = admin_client_.post(page_url, {f"item-{company['support'].pk}": "999"}, follow=True)
    assert "not an active service item" in unescape(unknown.content.decode())
    assert not ProjectBilling.objects.filter(item_id__gt="").exists()
    assert not AuditLog.objects.filter(event="quickbooks.billing_set").exists()

    # A class stored while tracking was on is not sent once it is off (QBO would refuse it).
    entry(workspace, member, start=AT, seconds=600, project=company["support"], description="s")
    job_id = start_send(workspace, admin)
    assert send_run(job_id=job_id) is True
    (activity,) = time_activities(sandbox, company["realm"])
    assert "ClassRef" not in activity

    # Another workspace's project cannot be set from here.
    foreign = ProjectFactory(workspace=other_workspace, name="Theirs")
    with pytest.raises(ApplicationError, match="not in this workspace"):
        billing_save(
            membership=membership_of(workspace, admin),
            default_class_id="",
            projects={foreign.pk: ("", company["Hours"])},
            tasks={},
        )
    assert not ProjectBilling.objects.filter(project=foreign).exists()


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_saving_writes_one_query_per_model_and_overwrites_what_is_there(
    workspace, admin, company
) -> None:
    from django.db import connection as db_connection
    from django.test.utils import CaptureQueriesContext

    website, support, task = company["website"], company["support"], company["task"]
    other_task = TaskFactory(project=support, name="Calls")
    membership = membership_of(workspace, admin)
    billing_save(
        membership=membership,
        default_class_id="",
        projects={website.pk: (company["Design"], company["Hours"])},
        tasks={task.pk: company["Hours"]},
    )
    first = ProjectBilling.objects.get(project=website).pk

    with CaptureQueriesContext(db_connection) as queries:
        billing_save(
            membership=membership,
            default_class_id=company["Ops"],
            projects={
                website.pk: ("", company["Consulting"]),
                support.pk: (company["Ops"], ""),
            },
            tasks={task.pk: "", other_task.pk: company["Consulting"]},
        )
    tables = ('"quickbooks_sync_projectbilling"', '"quickbooks_sync_taskbilling"')
    writes = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in tables)]
    assert len(writes) == 2, writes  # one per model, for two projects and two tasks
    rows = {
        b.project_id: (b.pk, b.class_name, b.item_name)
        for b in ProjectBilling.objects.filter(workspace=workspace)
    }
    assert rows[website.pk] == (first, "", "Consulting")  # the same row, overwritten
    assert rows[support.pk][1:] == ("Ops", "")
    assert dict(TaskBilling.objects.values_list("task_id", "item_name")) == {
        task.pk: "",
        other_task.pk: "Consulting",
    }
    assert AuditLog.objects.filter(event="quickbooks.billing_set").count() == 2

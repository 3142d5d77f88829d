"""Saved reports: save a report's filters and grouping under a name, private or shared with
the workspace's admins; open (the link keeps working after new filters are saved to it, and
when something it filters by is deleted), rename, delete; who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import SavedReport
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.tracking.factories import ProjectFactory
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

QUERY = "start=2026-03-01&end=2026-03-31&group=client&sub_group=project"


def u(workspace, name, **kwargs):
    return reverse(f"reports:{name}", kwargs={"ws": workspace.pk, **kwargs})


def save(client, workspace, name="March by client", kind="summary", query=QUERY, shared=False):
    data = {"name": name, "kind": kind, "query": query}
    if shared:
        data["shared"] = "on"
    return client.post(u(workspace, "saved_create"), data)


def test_save_open_and_list(workspace, owner, owner_client):
    response = save(owner_client, workspace, query=QUERY + "&page=3&junk=1")
    report = SavedReport.objects.get()
    assert (report.name, report.kind, report.shared, report.owner) == (
        "March by client",
        "summary",
        False,
        owner,
    )
    assert report.query == QUERY  # what the Summary reads; the page number and junk are not
    assert response.url == f"{u(workspace, 'summary')}?{QUERY}&saved={report.pk}"
    page = owner_client.get(response.url).content.decode()
    assert "Saved report: March by client" in page
    opened = owner_client.get(u(workspace, "saved_open", pk=report.pk))
    assert opened.url == response.url
    listing = owner_client.get(u(workspace, "saved_list")).content.decode()
    assert "March by client" in listing and "Private" in listing


def test_the_link_opens_the_filters_saved_last(workspace, owner, owner_client):
    save(owner_client, workspace)
    report = SavedReport.objects.get()
    april = "start=2026-04-01&end=2026-04-30&group=project&sub_group=none"
    page = owner_client.get(f"{u(workspace, 'summary')}?{april}&saved={report.pk}")
    assert 'id="update-saved"' in page.content.decode()  # the filters differ from the saved ones
    response = owner_client.post(u(workspace, "saved_update", pk=report.pk), {"query": april})
    assert response.url == f"{u(workspace, 'summary')}?{april}&saved={report.pk}"
    report.refresh_from_db()
    assert report.query == april and report.name == "March by client"
    assert owner_client.get(u(workspace, "saved_open", pk=report.pk)).url == response.url


def test_a_deleted_project_is_left_out_and_the_report_still_opens(workspace, owner, owner_client):
    kept = ProjectFactory(workspace=workspace, name="Kept")
    gone = ProjectFactory(workspace=workspace, name="Gone")
    save(
        owner_client,
        workspace,
        kind="detailed",
        query=f"range=last_month&project={kept.pk}&project={gone.pk}",
    )
    report = SavedReport.objects.get()
    gone.delete()
    opened = owner_client.get(u(workspace, "saved_open", pk=report.pk))
    assert (
        opened.url
        == f"{u(workspace, 'detailed')}?range=last_month&project={kept.pk}&saved={report.pk}"
    )
    page = owner_client.get(opened.url)
    assert page.status_code == 200
    assert "1 project in this report&#x27;s filters no longer exists" in page.content.decode()


def test_bad_input_saves_nothing(workspace, owner, owner_client, other_workspace):
    theirs = ProjectFactory(workspace=other_workspace)
    for data, message in [
        ({"name": ""}, "Give the report a name."),
        ({"name": "x" * 101}, "101 characters long"),
        ({"kind": "yearly"}, "Choose a Detailed, Summary or Weekly report."),
        ({"query": f"project={theirs.pk}"}, "There is no project"),
        ({"query": "range=forever"}, "Unknown date range"),
        ({"query": "group=colour"}, "Group by one of"),
    ]:
        args = {"name": "Report", "kind": "summary", "query": QUERY, **data}
        response = save(owner_client, workspace, **args)
        assert SavedReport.objects.count() == 0
        page = owner_client.get(response.url).content.decode()
        assert message in page.replace("&#x27;", "'"), message
    save(owner_client, workspace, name="Same")
    response = save(owner_client, workspace, name="  Same ")
    assert SavedReport.objects.count() == 1
    assert (
        "You already have a saved report named" in owner_client.get(response.url).content.decode()
    )


def test_shared_reports_are_for_admins_and_only_the_owner_changes_them(
    workspace, owner, admin, member, member_client, admin_client_
):
    save(member_client, workspace, name="Mine, private")
    save(member_client, workspace, name="Mine, shared", shared=True)
    private, shared = SavedReport.objects.order_by("name")
    listing = admin_client_.get(u(workspace, "saved_list")).content.decode()
    assert "Mine, shared" in listing and "Mine, private" not in listing
    assert admin_client_.get(u(workspace, "saved_open", pk=shared.pk)).status_code == 302
    assert admin_client_.get(u(workspace, "saved_open", pk=private.pk)).status_code == 404
    # An admin opens a shared report but does not rename or delete it.
    response = admin_client_.post(u(workspace, "saved_update", pk=shared.pk), {"name": "Taken"})
    assert "Only the one who saved this report" in admin_client_.get(response.url).content.decode()
    admin_client_.post(u(workspace, "saved_delete", pk=shared.pk))
    shared.refresh_from_db()
    assert shared.name == "Mine, shared"
    # Another member sees neither.
    other = UserFactory()
    MembershipFactory(workspace=workspace, user=other, role=Membership.Role.MEMBER)
    other_client = client_for(other)
    assert other_client.get(u(workspace, "saved_open", pk=shared.pk)).status_code == 404
    assert other_client.post(u(workspace, "saved_delete", pk=shared.pk)).status_code == 404
    assert "Mine, shared" not in other_client.get(u(workspace, "saved_list")).content.decode()


def test_rename_share_and_delete(workspace, owner, owner_client):
    save(owner_client, workspace)
    report = SavedReport.objects.get()
    owner_client.post(
        u(workspace, "saved_update", pk=report.pk), {"name": "March, clients", "shared": "on"}
    )
    report.refresh_from_db()
    assert (report.name, report.shared, report.query) == ("March, clients", True, QUERY)
    owner_client.post(u(workspace, "saved_delete", pk=report.pk))
    assert not SavedReport.objects.exists()
    assert owner_client.get(u(workspace, "saved_open", pk=report.pk)).status_code == 404


def test_outsider_gets_404(workspace, owner, owner_client, outsider_client):
    save(owner_client, workspace, shared=True)
    report = SavedReport.objects.get()
    assert outsider_client.get(u(workspace, "saved_list")).status_code == 404
    assert outsider_client.get(u(workspace, "saved_open", pk=report.pk)).status_code == 404


def test_every_report_page_offers_to_save_itself(workspace, owner, owner_client):
    for name in ("detailed", "summary", "weekly"):
        page = owner_client.get(u(workspace, name)).content.decode()
        assert 'id="save-report-form"' in page, name
        assert f'name="kind" value="{name}"' in page

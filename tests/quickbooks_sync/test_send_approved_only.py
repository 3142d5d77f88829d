"""Send only approved time, and the send pages read by an admin: the Integrations setting (off
by default, recommended, audited, admins only); with it on the confirmation and the send take
only approved entries and say how many were left out; blockers named by project or member with
the actions that fix them; the not-sent view marks entries that cannot go, before Send."""

# ruff: noqa: F811  (the `connection` and `entries` fixtures come from the send views' tests)
from __future__ import annotations

import datetime as dt
import re

import pytest

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SentEntry
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.test_send_views import FILTER
from tests.quickbooks_sync.test_send_views import connection  # noqa: F401 - fixtures
from tests.quickbooks_sync.test_send_views import entries  # noqa: F401 - fixtures
from tests.quickbooks_sync.test_send_views import page_url
from tests.quickbooks_sync.test_send_views import run_latest
from tests.quickbooks_sync.test_send_views import text
from tests.tracking.factories import ProjectFactory
from tracking.services import approvals
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

WEEK = dt.date(2026, 3, 9)  # the Monday of the entries' week


def ms(workspace, user):
    return Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=user
    )


def approve_week(workspace, owner, user):
    approval = approvals.week_submit(membership=ms(workspace, user), week_start=WEEK)
    approvals.week_approve(membership=ms(workspace, owner), approval_id=approval.pk)


def test_setting_is_off_by_default_recommended_audited_and_for_admins(
    workspace, owner_client, member_client, connection
):
    integrations = page_url(workspace, "integrations")
    page = text(owner_client.get(integrations))
    assert 'id="approved-only-advice"' in page and "best to send only approved time" in page
    assert connection.send_approved_only is False
    url = page_url(workspace, "approved_only")
    assert member_client.post(url, {"send_approved_only": "on"}).status_code == 403
    owner_client.post(url, {"send_approved_only": "on"})
    connection.refresh_from_db()
    assert connection.send_approved_only is True
    log = AuditLog.objects.get(event="quickbooks.send_approved_only_set")
    assert log.details["send_approved_only"] is True
    assert 'id="approved-only-on"' in text(owner_client.get(integrations))
    owner_client.post(url, {})
    connection.refresh_from_db()
    assert connection.send_approved_only is False
    assert AuditLog.objects.filter(event="quickbooks.send_approved_only_set").count() == 2


def test_only_approved_entries_are_sent_and_the_rest_is_counted(
    workspace, owner, admin, member, owner_client, entries, sandbox, realm
):
    QBOConnection.objects.filter(workspace=workspace).update(send_approved_only=True)
    confirm = page_url(workspace, "send_confirm") + "?" + FILTER
    page = text(owner_client.get(confirm))
    assert 'id="nothing-to-send"' in page
    assert "3 entries are left out because they are not approved" in page
    assert f"/w/{workspace.pk}/approvals/pending/" in page

    approve_week(workspace, owner, member)
    page = text(owner_client.get(confirm))
    assert re.search(r'id="send-entries">2<', page)  # design and review; loose has no project
    assert 'id="not-approved-left-out"' not in page
    assert 'data-reason="billable_without_project"' in page

    owner_client.post(confirm)
    job = run_latest(workspace)
    assert job.state == "SUCCEEDED" and job.sent_count == 2
    outcome = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert "Sent 2 of 2 entries (1:30:00); 1 not sent (see the reasons below)." in outcome
    assert {a["Description"] for a in time_activities(sandbox, realm)} == {"Design", "Review"}
    assert set(SentEntry.objects.values_list("entry_key", flat=True)) == {
        entries["design"].pk,
        entries["review"].pk,
    }


def test_off_sends_approved_or_not_as_the_seed_describes(
    workspace, owner_client, entries, sandbox, realm
):
    confirm = page_url(workspace, "send_confirm") + "?" + FILTER
    page = text(owner_client.get(confirm))
    assert re.search(r'id="send-entries">2<', page) and "not approved" not in page


def test_blockers_name_projects_and_members_with_the_fixing_actions(
    workspace, owner, admin, owner_client, entries
):
    at = dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)
    warehouse = ProjectFactory(workspace=workspace, name="Warehouse App")
    fleet = ProjectFactory(workspace=workspace, name="Fleet Dashboard")
    member = entries["design"].user
    for i, project in enumerate((warehouse, fleet, warehouse)):
        entry(workspace, member, start=at + dt.timedelta(hours=i), seconds=600, project=project)
    entry(
        workspace,
        admin,
        start=at + dt.timedelta(hours=5),
        seconds=600,
        project=entries["design"].project,
    )
    page = text(owner_client.get(page_url(workspace, "send_confirm") + "?" + FILTER))
    blockers = page.split('id="not-sent-reasons"', 1)[1]
    assert re.search(
        r"Project not linked \(sync customers\): Fleet Dashboard, Warehouse App</strong>"
        r' <span class="muted">\(3 entries',
        blockers,
    )
    assert f'href="/w/{workspace.pk}/quickbooks/sync/create-missing-customers/"' in blockers
    assert "Member not linked (sync users): Adam Admin</strong>" in blockers
    assert f'href="/w/{workspace.pk}/quickbooks/sync/create-missing-users/"' in blockers
    assert "Billable without a project</strong>" in blockers
    assert "project=none&amp;billable=yes" in blockers


def test_not_sent_view_marks_what_cannot_go_and_why(workspace, owner_client, entries):
    page = text(owner_client.get(page_url(workspace, "send_report") + "?" + FILTER))
    loose = page.split(f'id="qbo-row-{entries["loose"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Cannot be sent: Billable without a project" in loose
    design = page.split(f'id="qbo-row-{entries["design"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Cannot be sent" not in design


def test_dashboard_panel_counts_ready_and_blocked_entries(
    workspace, owner_client, member_client, entries
):
    import time_machine
    from django.urls import reverse

    dashboard = reverse("dashboard:home", kwargs={"ws": workspace.pk})
    panel = page_url(workspace, "dashboard_panel")
    with time_machine.travel(dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), tick=False):
        page = text(owner_client.get(dashboard))
        assert f'hx-get="{panel}?' in page  # loaded after the page
        html = text(owner_client.get(panel))
        assert re.search(r'id="qbo-ready">2 entries<', html)
        assert re.search(r'id="qbo-blocked">1<', html)
        assert 'data-reason="billable_without_project"' in html
        assert "Last sync: never" in html and "Last send: never" in html
        assert 'id="qbo-panel-send"' in html
        # Last week holds nothing: nothing ready, no Send button.
        last_week = text(owner_client.get(panel + "?range=last_week"))
        assert re.search(r'id="qbo-ready">0 entries<', last_week)
        assert 'id="qbo-panel-send"' not in last_week
        assert 'id="qbo-panel"' not in text(member_client.get(dashboard))
        assert member_client.get(panel).status_code == 403

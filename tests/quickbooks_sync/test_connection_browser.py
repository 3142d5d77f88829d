"""In a browser: an admin connects the workspace through the emulator's consent page and lands
back connected, then disconnects after confirming."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from quickbooks_sync.models import QBOConnection
from tests.browser_session import log_in
from tests.quickbooks_sync.connection_helpers import point_settings_at
from tests.sandbox_process import SandboxProcess

pytestmark = [pytest.mark.browser, pytest.mark.sandbox]


def test_admin_connects_through_the_consent_page_and_disconnects(
    page, live_server, settings, workspace, admin, sandbox: SandboxProcess
) -> None:
    point_settings_at(settings, sandbox, site_url=live_server.url)
    name = f"Browser Co {uuid.uuid4().hex[:6]}"
    sandbox.create_company(name="Someone Else's Books")
    realm = sandbox.create_company(name=name)
    log_in(page, live_server, admin)

    page.goto(f"{live_server.url}/w/{workspace.id}/settings/")
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="QuickBooks Online")).to_be_visible()
    expect(page.get_by_text("Essentials, Plus or Advanced")).to_be_visible()
    page.get_by_role("button", name="Connect to QuickBooks").click()

    # The emulator's consent page: pick the company, Connect.
    expect(page.get_by_role("heading", name="Connect")).to_be_visible()
    assert page.url.startswith(sandbox.base_url)
    page.get_by_label("Company").select_option(realm)
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page.get_by_text(f"Connected to QuickBooks company “{name}”")).to_be_visible()
    expect(page.get_by_test_id("qbo-company")).to_have_text(name)
    expect(page.get_by_text(realm)).to_be_visible()
    assert page.url.startswith(live_server.url)
    connection = QBOConnection.objects.get(workspace=workspace)
    assert connection.realm_id == realm and connection.is_connected

    # Disconnect asks first; dismissing keeps the connection.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_test_id("qbo-company")).to_be_visible()
    connection.refresh_from_db()
    assert connection.is_connected

    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Disconnected from QuickBooks")).to_be_visible()
    expect(page.get_by_role("button", name="Reconnect to QuickBooks")).to_be_visible()
    assert name in messages[0]
    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.DISCONNECTED

"""Settings > Webhooks in a real browser: an admin adds a webhook, sees its deliveries (answer
and response time) once events were sent to a real receiver, turns it off and on, deletes it;
a member is refused the page. Screenshots at 1280 and 390 px go to the test's tmp folder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser_session import log_in
from tracking.services import catalog
from webhooks.models import Delivery
from webhooks.models import Webhook
from webhooks.services import delivery_attempt
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_manages_webhooks_and_reads_their_log(
    live_server, page, workspace, owner, admin, member, receiver, browser, tmp_path
):
    log_in(page, live_server, admin, reverse("workspaces:settings", kwargs={"ws": workspace.pk}))
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_text("No webhooks yet.").wait_for()
    page.get_by_role("textbox", name="Name").fill("Tags to the data team")
    page.get_by_role("textbox", name="URL").fill(f"{receiver.base_url}/ok")
    page.get_by_label("Event").select_option("NEW_TAG")
    page.get_by_role("button", name="Add webhook").click()
    page.get_by_text("Webhook “Tags to the data team” added.").wait_for()
    webhook = Webhook.objects.get()
    assert (webhook.event, webhook.created_by_id, webhook.enabled) == ("NEW_TAG", admin.pk, True)

    # Two events, delivered (the worker's job, done here in-process: test_delivery_worker
    # covers the worker), so the log has rows to show.
    actor = Membership.objects.get(user=owner, workspace=workspace)
    for name in ("urgent", "billed"):
        catalog.tag_create(actor=actor, name=name)
    for delivery in Delivery.objects.all():
        delivery_attempt(delivery_id=delivery.pk)
    assert len(receiver.wait_for(2)) == 2
    page.reload()
    card = page.get_by_test_id("webhook")
    assert card.get_by_role("heading").inner_text().startswith("Tags to the data team")
    rows = card.get_by_test_id("attempt")
    assert rows.count() == 2
    assert "200" in rows.first.inner_text() and " ms" in rows.first.inner_text()
    page.screenshot(path=str(tmp_path / "webhooks-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "webhooks-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width})"
    page.set_viewport_size({"width": 1280, "height": 900})

    card.get_by_role("button", name="Turn off").click()
    page.get_by_text("Webhook “Tags to the data team” turned off.").wait_for()
    assert not Webhook.objects.get().enabled
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("Webhook “Tags to the data team” turned on.").wait_for()
    assert Webhook.objects.get().enabled
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        if len(asked) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Delete").click()  # dismissed: nothing happens
    assert Webhook.objects.exists() and page.get_by_test_id("webhook").count() == 1
    page.get_by_role("button", name="Delete").click()
    page.get_by_text("Webhook “Tags to the data team” deleted.").wait_for()
    assert (
        asked == ["Delete the webhook “Tags to the data team”? Its delivery log goes with it."] * 2
    )
    assert not Webhook.objects.exists()

    member_page = browser.new_context().new_page()
    log_in(member_page, live_server, member)
    response = member_page.goto(
        live_server.url + reverse("webhooks:settings", kwargs={"ws": workspace.pk})
    )
    assert response is not None and response.status == 403
    member_page.context.close()

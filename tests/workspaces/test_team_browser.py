"""The team in a real browser: the owner invites by e-mail, the invitee signs up from the link
and lands in the workspace, changes their name (a ticked box and a confirmed dialog), and the
owner deactivates them after confirming, which shuts them out."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.browser_session import log_in
from workspaces.models import Membership
from workspaces.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_accept_deactivate_and_rename(live_server, browser, page, workspace, owner):
    log_in(page, live_server, owner)
    team_url = live_server.url + reverse("workspaces:team", kwargs={"ws": workspace.pk})
    page.goto(team_url)
    email = page.get_by_role("textbox", name="E-mail")
    email.fill("Nina.New@example.com")
    email.press("Enter")
    page.get_by_text("Invitation sent to nina.new@example.com.").wait_for()
    assert page.locator("table").first.get_by_text("nina.new@example.com").is_visible()

    body = str(mail.outbox[-1].body)
    found = re.search(r"https?://[^/\s]+(/invitations/\S+/)", body)
    assert found is not None, body
    invitee = browser.new_context().new_page()
    invitee.goto(live_server.url + found.group(1))
    invitee.get_by_role("heading", name="Join Acme Consulting").wait_for()
    invitee.get_by_role("textbox", name="Full name").fill("Nina New")
    invitee.locator("#id_password").fill("tidy-kettle-42")
    invitee.get_by_role("button", name="Sign up and join").click()
    invitee.get_by_text("Welcome to Acme Consulting!").wait_for()
    nina = User.objects.get(email="nina.new@example.com")
    assert Membership.objects.get(workspace=workspace, user=nina).status == "ACTIVE"

    # Renaming: the box must be ticked and the dialog accepted.
    invitee.goto(live_server.url + reverse("workspaces:profile"))
    invitee.get_by_text("Change your name").click()
    invitee.locator("#id_full_name").fill("Nina Q. New")
    invitee.once("dialog", lambda dialog: dialog.accept())
    invitee.get_by_role("button", name="Change name").click()
    invitee.get_by_text("Tick the box to confirm the change of your name.").wait_for()
    assert User.objects.get(pk=nina.pk).full_name == "Nina New"
    invitee.get_by_label("I understand that QuickBooks matches my time by this name.").check()
    invitee.once("dialog", lambda dialog: dialog.accept())
    invitee.get_by_role("button", name="Change name").click()
    invitee.get_by_text("Your name is now “Nina Q. New”.").wait_for()

    page.goto(team_url)
    row = page.locator(f"#member-{Membership.objects.get(user=nina).pk}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate").click()
    page.get_by_text("Nina Q. New was deactivated.").wait_for()
    assert Membership.objects.get(user=nina).status == "INACTIVE"
    response = invitee.goto(
        live_server.url + reverse("tracking:tracker", kwargs={"ws": workspace.pk})
    )
    assert response is not None and response.status == 404


def test_on_a_phone_each_member_is_a_card_and_nothing_scrolls_sideways(
    live_server, page, workspace, owner, member
):
    """At 390 px the six-column table would scroll inside its box and hide the rate and the
    actions; the rows stack instead, each cell under its column's name."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("workspaces:team", kwargs={"ws": workspace.pk}))
    table = page.locator("section[aria-labelledby=members-heading] table")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    row = page.locator(f"#member-{Membership.objects.get(user=member).pk}")
    save = row.get_by_role("button", name="Save rate")
    remove = row.get_by_role("button", name="Remove")
    for control in (save, remove):
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, box
    rate_cell = row.locator("td[data-label^='Hourly rate']")
    label = rate_cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Hourly rate (USD)"'
    # The owner's own row offers no actions, so it shows no empty "Actions" heading.
    own = page.locator(f"#member-{Membership.objects.get(user=owner).pk}")
    assert not own.locator("td[data-label=Actions]").is_visible()

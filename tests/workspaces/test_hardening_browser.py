"""Issue 11's role and sign-in pages in a real browser: an admin sees the owner's rate as text and
sets a member's, which the owner then finds in the audit log; a member's Detailed report has no
Rate column; spraying log-ins from one address ends on the lockout page, from which a password
reset signs the account in. Screenshots at 1280 and 390 px go to the folder SCREENSHOTS names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.factories import UserFactory
from tests.reports.entries import entry
from tests.tracking.factories import ProjectFactory
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sets_members_rates_only_and_the_owner_sees_it_audited(
    live_server, browser, page, workspace, owner, admin, member
):
    Membership.objects.filter(user=owner).update(hourly_rate_cents=15000)
    log_in(page, live_server, admin, reverse("workspaces:team", kwargs={"ws": workspace.pk}))
    owner_row = page.locator(f"#member-{Membership.objects.get(user=owner).pk}")
    admin_row = page.locator(f"#member-{Membership.objects.get(user=admin).pk}")
    member_row = page.locator(f"#member-{Membership.objects.get(user=member).pk}")
    expect(owner_row.get_by_text("150.00")).to_be_visible()
    expect(owner_row.get_by_role("spinbutton")).to_have_count(0)
    expect(admin_row.get_by_role("spinbutton")).to_have_count(0)
    screenshots(page, "team-as-admin")
    member_row.get_by_role("spinbutton", name="Hourly rate of Mia Member").fill("85.50")
    member_row.get_by_role("button", name="Save rate").click()
    page.get_by_text("Mia Member's rate saved.").wait_for()
    assert Membership.objects.get(user=member).hourly_rate_cents == 8550

    owner_page = browser.new_context().new_page()
    log_in(
        owner_page, live_server, owner, reverse("workspaces:audit_log", kwargs={"ws": workspace.pk})
    )
    row = owner_page.locator("tr", has_text="Member's rate changed")
    expect(row).to_contain_text("member@example.com")
    expect(row).to_contain_text("not set")
    expect(row).to_contain_text("85.50")
    expect(row).to_contain_text("Adam Admin")


def test_a_members_detailed_report_shows_no_rate(live_server, page, workspace, member):
    project = ProjectFactory(workspace=workspace, name="Site", hourly_rate_cents=34567)
    start = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    entry(workspace, member, start, 7200, project=project, hourly_rate_cents=34567)
    url = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    log_in(page, live_server, member, f"{url}?start=2026-03-01&end=2026-03-31")
    table = page.locator("#report-table")  # the rows (the day chart's table comes first)
    expect(table.get_by_role("columnheader", name="Amount")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Rate")).to_have_count(0)
    expect(table).to_contain_text("691.34")  # the member's own amount stays
    assert "345.67" not in page.content()
    screenshots(page, "detailed-as-member")


def test_spraying_ends_on_the_lockout_page_and_a_reset_signs_in(live_server, page, settings, owner):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for i in range(3):
        UserFactory(email=f"target{i}@example.com")
    login_url = live_server.url + reverse("workspaces:login")
    for i in range(3):
        page.goto(login_url)
        page.get_by_label("E-mail").fill(f"target{i}@example.com")
        page.get_by_label("Password").fill("Winter2026!")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("correct").first.wait_for()
    page.goto(login_url)
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Too many failed log-in attempts").wait_for()
    expect(page.get_by_text("from your network")).to_be_visible()
    screenshots(page, "lockout-address")

    page.get_by_role("link", name="Reset it").click()
    page.locator("#id_email").fill(owner.email)
    page.get_by_role("button", name="Send me a reset link").click()
    page.wait_for_url(re.compile(r"/password-reset/sent/"))
    found = re.search(r"https?://[^/\s]+(/\S+)", str(mail.outbox[-1].body))
    assert found is not None
    page.goto(live_server.url + found.group(1))
    page.locator("#id_new_password1").fill("fresh-start-77")
    page.locator("#id_new_password2").fill("fresh-start-77")
    page.get_by_role("button", name="Set password").click()
    page.get_by_text("Your password has been set and you are logged in.").wait_for()
    screenshots(page, "reset-signed-in")
    page.get_by_role("link", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

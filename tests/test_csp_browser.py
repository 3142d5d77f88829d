"""Pages in a real browser under the Content-Security-Policy: no violation anywhere, and the
behaviour moved out of inline handlers into static/js/app.js still works (a typed date picks a
custom range, a new API key is selected by a click, the docs page runs)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_without_a_violation(live_server, page, owner, workspace):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + "
        "e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
    )
    ws = {"ws": workspace.pk}
    log_in(page, live_server, owner)
    for name in (
        "tracking:tracker",
        "tracking:timesheet",
        "tracking:projects",
        "reports:summary",
        "reports:weekly",
        "workspaces:team",
        "workspaces:settings",
        "workspaces:audit_log",
        "quickbooks:integrations",
    ):
        page.goto(live_server.url + reverse(name, kwargs=ws))
        page.wait_for_load_state("networkidle")

    page.goto(live_server.url + reverse("reports:detailed", kwargs=ws))
    page.locator("#f-start").fill("2026-03-01")
    expect(page.locator("#f-range")).to_have_value("custom")

    page.goto(live_server.url + reverse("workspaces:api_keys"))
    page.get_by_label("Name").fill("CSP check")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-api-key")
    key.click()
    selected = key.evaluate("el => el.value.substring(el.selectionStart, el.selectionEnd)")
    assert selected and selected == key.input_value()

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []

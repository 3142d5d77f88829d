"""The API keys page in a real browser: create a key from the Profile page's link, use it from
a script (here: the test's HTTP client against the live server), revoke it with confirmation."""

from __future__ import annotations

import pytest
import requests

from tests.browser_session import log_in
from workspaces.models import ApiKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_use_and_revoke_a_key(live_server, page, owner):
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/profile/")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Nightly export")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("New API key").input_value()
    assert len(key) >= 40

    answer = requests.get(live_server.url + "/api/v1/user", headers={"X-Api-Key": key}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["email"] == owner.email

    page.goto(live_server.url + "/profile/api-keys/")  # the key is never shown again
    assert key not in page.content()
    row = page.locator("tr", has_text="Nightly export").first
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("was revoked").wait_for()
    revoked = requests.get(live_server.url + "/api/v1/user", headers={"X-Api-Key": key}, timeout=10)
    assert revoked.status_code == 401
    assert ApiKey.objects.filter(user=owner, revoked_at__isnull=False).count() == 1

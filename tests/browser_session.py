"""Log a user in for a Playwright browser test without going through the login page (that page
has its own tests): Django's test client logs in, its session cookie goes into the page's
browser context.

    log_in(page, live_server, owner, reverse("reports:detailed", kwargs={"ws": workspace.pk}))
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client


def log_in(page: Any, live_server: Any, user: Any, path: str | None = None) -> None:
    """`user`'s session in `page`'s context; then open `path` (site-relative) when given."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    if path is not None:
        page.goto(f"{live_server.url}{path}")


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot as `name` in the folder SCREENSHOTS names (when it is set):
    how a person looks at a page a browser test drives, at the width it has then."""
    import os

    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def screenshots(page: Any, name: str) -> None:
    """`screenshot` of the page at a desktop's width and at a phone's, as `name`-1280.png and
    `name`-390.png; the page is left at the desktop's width."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        screenshot(page, f"{name}-{size['width']}.png")
    page.set_viewport_size(DESKTOP)


def combobox_pick(page: Any, select_id: str, text: str) -> None:
    """Choose the option reading `text` in the searchable combobox of <select id=select_id>, as
    a person does: type into its search box, press Enter (the chip appears), Escape."""
    control = page.locator(f"#{select_id}-ts-control")
    control.click()
    control.fill(text)
    page.locator(f"#{select_id}-ts-dropdown .option", has_text=text).first.click()
    page.keyboard.press("Escape")


def combobox_remove(page: Any, select_id: str, text: str) -> None:
    """Remove the chip reading `text` from the combobox of <select id=select_id>."""
    wrapper = page.locator(f"#{select_id}-ts-control").locator("xpath=..")
    wrapper.locator(".item", has_text=text).locator(".remove").click()

"""The cast every test can use: an owner, an admin and a member of one workspace, and an
outsider who belongs to another workspace only."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import PASSWORD
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import WorkspaceFactory
from workspaces.models import Membership


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps them quick (the hashing itself is Django's)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_signin_counters(monkeypatch):
    """The sign-in throttles count in the cache (Redis), which outlives a test: each test
    counts under its own prefix."""
    import uuid

    from workspaces import signin

    monkeypatch.setattr(signin, "KEY_PREFIX", f"signin-test-{uuid.uuid4().hex}")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Consulting")


def _person(workspace, full_name: str, email: str, role: Membership.Role):
    """A user of the cast, with their role in `workspace`."""
    user = UserFactory(full_name=full_name, email=email)
    MembershipFactory(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def owner(workspace):
    return _person(workspace, "Olivia Owner", "owner@example.com", Membership.Role.OWNER)


@pytest.fixture
def admin(workspace, owner):
    return _person(workspace, "Adam Admin", "admin@example.com", Membership.Role.ADMIN)


@pytest.fixture
def member(workspace, owner):
    return _person(workspace, "Mia Member", "member@example.com", Membership.Role.MEMBER)


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Other Corp")


@pytest.fixture
def outsider(other_workspace):
    return _person(other_workspace, "Oscar Outsider", "outsider@example.com", Membership.Role.OWNER)


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def admin_client_(admin):
    return client_for(admin)


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


# --- Browser tests: Playwright driving Debian's Chromium (never a download of its own) -------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/ensure-chromium.sh")
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    # CI shares two cores with PostgreSQL, Redis, the emulator and live servers: give
    # assertions that wait for the page more than Playwright's default 5 s.
    expect.set_options(timeout=10_000)

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()

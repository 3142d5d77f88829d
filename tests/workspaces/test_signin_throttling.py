"""Sign-in beyond axes' per-account lockout: failed sign-ins counted per address across
accounts; the client address taken from REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies from
the address the outermost one saw, so nobody locks another out by writing X-Forwarded-For; a
password reset signs a locked account in; reset e-mails throttled per address and per client
address; an unreachable cache never blocks a sign-in."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.test import RequestFactory
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.factories import UserFactory
from workspaces import signin

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.5"
VICTIM = "198.51.100.7"
PROXY = "10.0.0.2"


def _login(client: Client, email: str, password: str, **meta: str):
    return client.post(
        reverse("workspaces:login"), {"username": email, "password": password}, **meta
    )


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")
    settings.TRUSTED_PROXY_COUNT = 0
    assert signin.client_ip(request) == PROXY  # the header is never read by default
    settings.TRUSTED_PROXY_COUNT = 1
    assert signin.client_ip(request) == ATTACKER  # what the proxy appended, not the spoof
    settings.TRUSTED_PROXY_COUNT = 2  # the outer proxy appended ATTACKER's client: VICTIM
    assert signin.client_ip(request) == VICTIM
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: only the peer is known
    assert signin.client_ip(request) == PROXY


def test_spraying_many_accounts_from_one_address_is_refused(settings, owner, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    sprayer = Client(REMOTE_ADDR=ATTACKER)
    for i in range(6):  # one try per account: axes' per-account lockout never trips
        user = UserFactory(email=f"target{i}@example.com")
        assert _login(sprayer, user.email, "Winter2026!").status_code == 200
    blocked = _login(sprayer, owner.email, password)
    assert blocked.status_code == 429
    assert "from your network" in blocked.content.decode()
    assert "_auth_user_id" not in sprayer.session
    # Every way in refuses that address (the admin's log-in uses the same backends).
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=ATTACKER)
    assert authenticate(request, username=owner.email, password=password) is None
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR=VICTIM)
    assert _login(elsewhere, owner.email, password).status_code == 302


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(owner, password):
    attacker = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    for _ in range(5):
        _login(attacker, owner.email, "wrong")
    assert _login(attacker, owner.email, password).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    victim = Client(REMOTE_ADDR=VICTIM)
    assert _login(victim, owner.email, password).status_code == 302


def test_behind_a_proxy_nobody_can_lock_another_client_out(settings, owner, password):
    """All requests come from the proxy; each client's address is what the proxy appended."""
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")
    for _ in range(5):
        _login(attacker, owner.email, "wrong")
    assert _login(attacker, owner.email, password).status_code == 429
    victim = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM)
    response = _login(victim, owner.email, password)
    assert response.status_code == 302
    assert victim.session["_auth_user_id"] == owner.pk


def _reset_link(client: Client, email: str) -> str:
    client.post(reverse("workspaces:password_reset"), {"email": email})
    found = re.search(r"https?://[^/\s]+(/\S+)", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def test_a_password_reset_signs_a_locked_account_in(settings, owner, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        _login(client, owner.email, "wrong")
    assert _login(client, owner.email, password).status_code == 429
    response = client.get(_reset_link(client, owner.email))
    done = client.post(
        response.url, {"new_password1": "fresh-start-77", "new_password2": "fresh-start-77"}
    )
    assert done.url == reverse("workspaces:password_reset_complete")
    assert client.session["_auth_user_id"] == owner.pk
    assert "you are logged in" in client.get(done.url).content.decode()
    assert not AccessAttempt.objects.filter(username=owner.email).exists()


def test_reset_emails_are_limited_per_address_and_per_client_address(settings, owner):
    url = reverse("workspaces:password_reset")
    for i in range(4):  # from four addresses: the fourth mail to one address is not sent
        response = Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post(url, {"email": owner.email})
        assert response.url == reverse("workspaces:password_reset_done")
    assert len(mail.outbox) == 3
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    one = Client(REMOTE_ADDR=ATTACKER)
    for i in range(5):
        assert one.post(url, {"email": f"someone{i}@example.com"}).status_code == 302
    refused = one.post(url, {"email": "someone-else@example.com"})
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert Client(REMOTE_ADDR=VICTIM).post(url, {"email": "x@example.com"}).status_code == 302


class _DeadCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise RedisConnectionError("Connection refused")

        return fail


def test_an_unreachable_cache_never_blocks_signing_in(monkeypatch, caplog, owner, password):
    monkeypatch.setattr(signin, "cache", _DeadCache())
    client = Client(REMOTE_ADDR=ATTACKER)
    assert _login(client, owner.email, "wrong").status_code == 200
    assert _login(client, owner.email, password).status_code == 302
    assert Client().post(reverse("workspaces:password_reset"), {"email": owner.email}).url
    assert "cache is unreachable" in caplog.text

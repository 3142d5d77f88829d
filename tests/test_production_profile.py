"""The production profile started for real (tests/production_stack.py): gunicorn with DEBUG off
and whitenoise, a Celery worker and beat, PostgreSQL and a Redis of the test's own; a person
signs in, runs a timer and exports a report, a script uses the API, and beat's periodic tasks
reach the worker through the broker. Requests carry the header the TLS proxy sets; one without
it is redirected to HTTPS, as a plain-HTTP visitor would be."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import requests
from django.conf import global_settings
from django.test import override_settings

from tests.factories import PASSWORD
from tests.production_stack import ProductionStack
from tests.quickbooks_sync.worker_process import database_url
from tests.redis_process import PrivateRedis
from tracking.models import TimeEntry
from workspaces.services_api_keys import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTION_HASHERS = global_settings.PASSWORD_HASHERS
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf(response: requests.Response) -> str:
    match = CSRF_FIELD.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


def set_cookie_of(response: requests.Response, name: str) -> str:
    headers = response.raw.headers.getlist("Set-Cookie")
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, headers
    return found[0]


def test_production_profile_serves_sign_in_a_timer_an_export_and_the_api(
    workspace, owner, tmp_path
):
    ws = workspace.pk
    # The test run hashes with MD5 for speed; production knows only its own hashers.
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        owner.set_password(PASSWORD)
        owner.save(update_fields=["password"])
    with (
        PrivateRedis(tmp_path) as redis_server,
        ProductionStack(
            tmp_path,
            database_url=database_url(),
            redis_url=redis_server.url(0),
            broker_url=redis_server.url(1),
            QBO_SEND_RESUME_SECONDS="1",
        ) as stack,
    ):
        # Plain HTTP (no proxy header) goes to HTTPS.
        plain = requests.get(stack.base_url + "/login/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301
        assert plain.headers["Location"] == f"https://127.0.0.1:{stack.port}/login/"

        login = stack.get("/login/", timeout=10)
        assert login.status_code == 200
        assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        assert login.headers["Referrer-Policy"] == "same-origin"
        assert login.headers["X-Content-Type-Options"] == "nosniff"
        assert "Secure" in set_cookie_of(login, "csrftoken")
        assert "Traceback" not in login.text and "DEBUG" not in login.text

        # Sign in.
        cookies = {"csrftoken": login.cookies["csrftoken"]}
        signed_in = stack.post(
            "/login/",
            data={
                "username": owner.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf(login),
            },
            cookies=cookies,
            timeout=10,
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        session = set_cookie_of(signed_in, "sessionid")
        assert "Secure" in session and "HttpOnly" in session
        cookies.update(signed_in.cookies.get_dict())

        # The tracker, and its static files from whitenoise (hashed names, cached for good).
        tracker = stack.get(f"/w/{ws}/tracker/", cookies=cookies, timeout=10)
        assert tracker.status_code == 200
        script = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', tracker.text)
        assert script, "static names are hashed (ManifestStaticFilesStorage)"
        static = stack.get(script.group(1), timeout=10)
        assert static.status_code == 200 and "data-confirm" in static.text
        assert "immutable" in static.headers["Cache-Control"]

        # A timer: start, then stop.
        started = stack.post(
            f"/w/{ws}/tracker/timer/start/",
            data={"description": "Production walk", "csrfmiddlewaretoken": csrf(tracker)},
            cookies=cookies,
            timeout=10,
        )
        assert started.status_code in (200, 302), started.text[:2000]
        running = TimeEntry.objects.get(workspace=workspace, user=owner)
        assert running.end is None and running.description == "Production walk"
        time.sleep(1.2)
        tracker = stack.get(f"/w/{ws}/tracker/", cookies=cookies, timeout=10)
        stopped = stack.post(
            f"/w/{ws}/tracker/timer/stop/",
            data={"csrfmiddlewaretoken": csrf(tracker)},
            cookies=cookies,
            timeout=10,
        )
        assert stopped.status_code in (200, 302), stopped.text[:2000]
        running.refresh_from_db()
        assert running.end is not None

        # A report export (XLSX: built in memory by the web worker).
        day = running.start.date()
        query = f"range=custom&start={day - dt.timedelta(days=1)}&end={day + dt.timedelta(days=1)}"
        export = stack.get(f"/w/{ws}/reports/detailed/export.xlsx?{query}", cookies=cookies)
        assert export.status_code == 200, export.text[:2000]
        assert export.content[:2] == b"PK"  # a zip: the XLSX
        csv = stack.get(f"/w/{ws}/reports/detailed/export.csv?{query}", cookies=cookies)
        assert csv.status_code == 200 and "Production walk" in csv.text

        # The API, with a key.
        key = {"X-Api-Key": api_key_create(user=owner, name="production walk").key}
        me = stack.get("/api/v1/user", headers=key, timeout=10)
        assert me.status_code == 200 and me.json()["email"] == owner.email
        entries = stack.get(f"/api/v1/workspaces/{ws}/user/{owner.pk}/time-entries", headers=key)
        assert entries.status_code == 200
        assert [e["description"] for e in entries.json()] == ["Production walk"]

        # Beat's periodic tasks go through the broker to the worker, which runs them.
        deadline = time.monotonic() + 60
        done = re.compile(r"Task quickbooks_sync\.tasks_send\.send_jobs_resume\[[^\]]+\] succeeded")
        while not done.search(stack.log("worker")):
            assert time.monotonic() < deadline, stack.log("worker")[-3000:] + stack.log("beat")
            time.sleep(0.5)

        # gunicorn's access log, with each request's time.
        assert re.search(r'"GET /api/v1/user HTTP/1\.1" 200 \d+ \d+ms', stack.log("web"))

"""Every command docker-compose.yml runs, run here the same way against the test database.

No Docker engine runs on the test machines, so this is how the production-like stack stays
honest: each service's command (and the web health check) must work as written, with only the
bind address changed to a free loopback port.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.process_support import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def read_until(proc: subprocess.Popen, marker: str, seconds: float) -> None:
    """Read `proc`'s output until a line holds `marker`; fail (with the output so far) if it
    ends first or takes more than `seconds`."""
    seen = ""
    deadline = time.monotonic() + seconds
    assert proc.stdout is not None
    while marker not in seen:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, seen
        seen += line
        assert time.monotonic() < deadline, seen


@pytest.fixture
def app_env(transactional_db, tmp_path):
    """The compose app environment, pointed at the test database and Redis."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    # Set by the browser fixture for Playwright's event loop; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update({k: str(v) for k, v in SERVICES["web"]["environment"].items()})
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL or "redis://127.0.0.1:6379/0",
            "CELERY_BROKER_URL": (settings.REDIS_URL or "redis://127.0.0.1:6379/0").rsplit("/", 1)[
                0
            ]
            + "/15",
            "SECRET_KEY": "test-secret-key-for-deploy-commands-0123456789",
            "FIELD_ENCRYPTION_KEY": "u0rR4Hc1m6QvJ7nZlD7y4mBqgC9D3r3V8bK9qkqGf7A=",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(tmp_path / "static"),
            # An Intuit app's values (placeholders: nothing here calls QuickBooks).
            "QBO_CLIENT_ID": "deploy-test-client-id",
            "QBO_CLIENT_SECRET": "deploy-test-client-secret",
            "QBO_ENVIRONMENT": "sandbox",
            # Two workers, not gunicorn.conf.py's 2 per core + 1: booting five Django workers
            # on a loaded 2-core CI machine outlasted the wait below.
            "WEB_CONCURRENCY": "2",
        }
    )
    # What the Dockerfile does at build time.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return env


def django_setup_in(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Load the settings and set Django up in a fresh process with `env`."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "timetracker.settings",
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "test-secret-key-for-deploy-commands-0123456789",
    "FIELD_ENCRYPTION_KEY": "u0rR4Hc1m6QvJ7nZlD7y4mBqgC9D3r3V8bK9qkqGf7A=",
}
INTUIT_APP = {
    "QBO_CLIENT_ID": "an-intuit-client-id",
    "QBO_CLIENT_SECRET": "an-intuit-client-secret",
    "QBO_ENVIRONMENT": "production",
}


@pytest.mark.parametrize(
    ("qbo", "refused"),
    [
        ({}, "QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_ENVIRONMENT must be set"),
        ({**INTUIT_APP, "QBO_CLIENT_ID": "sandbox-client-id"}, "QBO_CLIENT_ID must be set"),
        ({**INTUIT_APP, "QBO_ENVIRONMENT": ""}, "QBO_ENVIRONMENT must be set"),
        (INTUIT_APP, None),
        ({"QBO_ALLOW_EMULATOR": "true"}, None),
    ],
    ids=["nothing", "emulator-app", "no-environment", "intuit-app", "emulator-allowed"],
)
def test_production_settings_refuse_to_fall_back_to_the_qbo_emulator(qbo, refused):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QBO_", "DJANGO_")) and k != "DEBUG"
    }
    env.update(PRODUCTION)
    env.update(qbo)
    result = django_setup_in(env)
    if refused is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert refused in result.stderr and "QBO_ALLOW_EMULATOR=true" in result.stderr


def test_compose_file_shape():
    assert {"migrate", "web", "worker", "beat", "db", "redis", "proxy"} <= set(SERVICES)
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name
    # Only the TLS-terminating proxy is published; web trusts the header it sets.
    assert "ports" not in SERVICES["web"]
    assert {"80:80", "443:443"} <= set(SERVICES["proxy"]["ports"])
    assert SERVICES["web"]["environment"]["PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    assert "gunicorn.conf.py" in SERVICES["web"]["command"]
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert int(SERVICES["db"]["image"].split(":")[1]) >= 15


def test_migrate_command(app_env):
    result = subprocess.run(
        SERVICES["migrate"]["command"],
        cwd=ROOT,
        env=app_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No migrations to apply" in result.stdout


def test_web_command_serves_the_login_page_and_passes_its_health_check(app_env):
    port = free_port()
    command = [
        f"127.0.0.1:{port}" if part == "0.0.0.0:8000" else part
        for part in SERVICES["web"]["command"]
    ]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=app_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                # As the TLS proxy in front asks: X-Forwarded-Proto says the request came in
                # over HTTPS (else the answer is a redirect to https://).
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=5) as r:
                    assert r.status == 200
                    assert b"Log in" in r.read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "gunicorn did not answer in 90 s"
                time.sleep(0.3)
        health = [
            part.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            for part in SERVICES["web"]["healthcheck"]["test"][1:]
        ]
        assert subprocess.run(health, env=app_env, timeout=30).returncode == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_worker_command_starts_and_answers_its_health_check(app_env):
    proc = subprocess.Popen(
        SERVICES["worker"]["command"] + ["--concurrency=1"],
        cwd=ROOT,
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = SERVICES["worker"]["healthcheck"]["test"][1:]
        deadline = time.monotonic() + 60
        while (
            subprocess.run(
                health, cwd=ROOT, env=app_env, capture_output=True, timeout=30
            ).returncode
            != 0
        ):
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the worker did not answer ping in 60 s"
            time.sleep(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_beat_command_starts(app_env, tmp_path):
    command = [
        str(tmp_path / "schedule") if part == "/app/var/celerybeat-schedule" else part
        for part in SERVICES["beat"]["command"]
    ]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=app_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        read_until(proc, "beat: Starting", seconds=30)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_make_run_worker_starts_on_the_file_system_broker(tmp_path):
    """`make run`'s worker (Procfile.dev) with the embedded default broker on a fresh var/."""
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile.dev").read_text().splitlines() if line
    )
    command = procfile["worker"].replace(".venv/bin/", str(Path(sys.executable).parent) + "/")
    # Nothing from the test run's development profile: Procfile.dev asks for it by itself.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env["VAR_DIR"] = str(tmp_path / "var")
    proc = subprocess.Popen(
        ["/bin/sh", "-c", command],  # as honcho runs it
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, stopped whole below (as honcho stops it): the shell forks
        # celery for the `DJANGO_DEBUG=... celery` line, so ending the shell alone left the
        # worker running after the test.
        start_new_session=True,
    )
    try:
        read_until(proc, " ready.", seconds=60)
        assert (tmp_path / "var" / "celery-broker" / "out").is_dir()
        assert not (ROOT / "control").exists()  # kombu's default control folder is the cwd
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_production_is_the_default_and_refuses_to_start_without_its_secrets():
    """No DJANGO_DEBUG: production, so a deployment that forgets it cannot skip the checks."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QBO_", "DJANGO_")) and k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")
    }
    env["DJANGO_SETTINGS_MODULE"] = "timetracker.settings"
    result = django_setup_in(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_check_deploy_is_clean_with_the_compose_production_settings(app_env):
    env = {
        **app_env,
        "DJANGO_SETTINGS_MODULE": "timetracker.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),  # a real one: a short key is a warning too
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

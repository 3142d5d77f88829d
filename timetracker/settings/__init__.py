"""Settings for every environment: values come from the environment (django-environ).

Embedded defaults make `make run` work on a bare machine (SQLite, a file-system Celery broker,
the local QBO emulator). Production differs only by environment variables; see `.env.example`.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# Production is the default: development (DEBUG, a built-in SECRET_KEY, the QBO emulator, plain
# HTTP) only when asked for with DJANGO_DEBUG=true, as `make run`, `make test` (through
# timetracker.settings_development), Procfile.dev and the benchmarks do.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
_INSECURE_DEV_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY)
if not DEBUG and SECRET_KEY == _INSECURE_DEV_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_htmx",
    "csp",
    "axes",
    "workspaces",
    "tracking",
    "reports",
    "quickbooks_sync",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "timetracker.urls"
WSGI_APPLICATION = "timetracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspaces.context_processors.workspace",
                "tracking.context_processors.approvals_badge",
                "quickbooks_sync.context_processors.quickbooks_banner",
                "tracking.context_processors.running_timer",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'timetracker.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a gunicorn worker (or Celery process) keeps its PostgreSQL connection
# for this many seconds instead of opening one per request (bench/serve_throughput.py measured
# that cost); checked before reuse, so a restarted database costs one failed-over request at most.
# Each process holds at most one: PostgreSQL's max_connections must cover them all.
# Development (and so the test run) keeps Django's one connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The time entries' covering index (tracking/models.py) is plain on SQLite, as meant.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "workspaces.signin.IpLoginThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workspaces:login"
LOGIN_REDIRECT_URL = "workspaces:home"
LOGOUT_REDIRECT_URL = "workspaces:login"

# Failed-login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "workspaces/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Sign-in protection beyond axes (workspaces/signin.py). The client address is REMOTE_ADDR
# unless TRUSTED_PROXY_COUNT reverse proxies (each appending to X-Forwarded-For) stand in
# front: X-Forwarded-For is never trusted by default.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "workspaces.signin.client_ip"
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Timetracker <noreply@localhost>")


def _env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment where an empty value (`NAME=` in a copied .env.example)
    means the default, not false."""
    return env.bool(name, default=default) if env.str(name, default="").strip() else default


SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# HTTPS (production): the product runs behind a TLS-terminating reverse proxy (docs/operations.md;
# Docker Compose's `proxy`). PROXY_SSL_HEADER names the header that proxy sets to "https" on
# requests that came in over TLS (X-Forwarded-Proto for Caddy and the documented nginx); the
# proxy must overwrite it, never pass on a client's. Unset: no header is trusted.
_PROXY_SSL_HEADER = env.str("PROXY_SSL_HEADER", default="").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(
    env.str("SECURE_HSTS_SECONDS", default="").strip() or (0 if DEBUG else 31536000)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp), in development too so the browser tests run under it: no
# inline script and no inline event handlers anywhere (behaviour lives in static/js), nothing
# from another origin. Inline styles stay allowed (style attributes in templates, htmx's
# indicator style). No form-action: Connect to QuickBooks posts here and is redirected to
# Intuit's (or the emulator's) consent page, which form-action would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery: a file-system broker by default so `make run` needs nothing installed; Redis in
# production (CELERY_BROKER_URL=redis://...).
REDIS_URL = env.str("REDIS_URL", default="")
# The cache holds throttling counters (logins, API keys): Redis when REDIS_URL is set, so every
# process shares them; a per-process memory cache on a bare development machine.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must not hang requests: the API's throttle falls back to
            # per-process counting when the cache errors (workspaces/rest/throttling.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    # kombu's file-system transport expects its folders to exist.
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Sending time to QuickBooks (quickbooks_sync/services/send_batches.py): a job whose worker
# showed no life for QBO_SEND_STALE_SECONDS is resumed by the periodic task (run it with
# `celery beat`, or a worker started with -B); transient failures back off from
# QBO_SEND_BACKOFF_SECONDS, doubling, QBO_SEND_MAX_TRIES times before the task retries later.
QBO_SEND_STALE_SECONDS = env.float("QBO_SEND_STALE_SECONDS", default=120.0)
QBO_SEND_RESUME_SECONDS = env.float("QBO_SEND_RESUME_SECONDS", default=60.0)
QBO_SEND_BACKOFF_SECONDS = env.float("QBO_SEND_BACKOFF_SECONDS", default=2.0)
QBO_SEND_MAX_TRIES = env.int("QBO_SEND_MAX_TRIES", default=6)
# Approved time sent on a schedule (quickbooks_sync/services/schedule.py): how often beat looks
# for workspaces whose hour has come (a run starts at most this late after its hour).
QBO_SCHEDULE_CHECK_SECONDS = env.float("QBO_SCHEDULE_CHECK_SECONDS", default=300.0)
# Webhooks (webhooks/services.py): a delivery is retried WEBHOOKS_MAX_ATTEMPTS times in all,
# WEBHOOKS_BACKOFF_SECONDS apart and doubling; WEBHOOKS_DISABLE_AFTER_FAILURES failed
# deliveries in a row disable the webhook. URLs of private or local networks are refused
# unless WEBHOOKS_ALLOW_PRIVATE_URLS (SSRF).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=6)
WEBHOOKS_BACKOFF_SECONDS = env.float("WEBHOOKS_BACKOFF_SECONDS", default=30.0)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=5)
WEBHOOKS_RESUME_SECONDS = env.float("WEBHOOKS_RESUME_SECONDS", default=120.0)
WEBHOOKS_KEEP_DAYS = env.int("WEBHOOKS_KEEP_DAYS", default=30)
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
CELERY_BEAT_SCHEDULE = {
    "webhooks-deliveries-resume": {
        "task": "webhooks.tasks.webhook_deliveries_resume",
        "schedule": WEBHOOKS_RESUME_SECONDS,
    },
    "quickbooks-send-resume": {
        "task": "quickbooks_sync.tasks_send.send_jobs_resume",
        "schedule": QBO_SEND_RESUME_SECONDS,
    },
    # Sync jobs queued while the broker was away (their message never left).
    "quickbooks-sync-resume": {
        "task": "quickbooks_sync.tasks.sync_jobs_resume",
        "schedule": QBO_SEND_RESUME_SECONDS,
    },
    # Approved time sent to QuickBooks on each workspace's schedule, at its hour in its time
    # zone; each slot runs once (a unique row), whatever the number of beats.
    "quickbooks-send-schedules": {
        "task": "quickbooks_sync.tasks.send_schedules_run",
        "schedule": QBO_SCHEDULE_CHECK_SECONDS,
    },
    # Approval reminders by e-mail, on each workspace's reminder day (tracking/services/
    # reminders.py): hourly, so every time zone's morning is met; each is sent once.
    "approval-reminders": {
        "task": "tracking.tasks.approval_reminders",
        "schedule": 60 * 60,
    },
    # Keeps idle QuickBooks connections alive (refresh tokens expire after 100 days unused).
    "quickbooks-connections-keep-alive": {
        "task": "quickbooks_sync.tasks.connections_keep_alive",
        "schedule": 24 * 60 * 60,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

REST_FRAMEWORK: dict[str, object] = {}  # filled in by the REST API block below

# --- REST API (issue 3): DRF + drf-spectacular, Clockify's v1 dialect ------------------------
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workspaces.rest.authentication.ApiKeyAuthentication",
        "workspaces.rest.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["workspaces.rest.throttling.PerKeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["workspaces.rest.parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "workspaces.rest.pagination.PageNumberArrayPagination",
    "EXCEPTION_HANDLER": "workspaces.rest.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "STRICT_JSON": True,  # NaN and Infinity are not JSON: refused on input, never rendered
    # Anonymous callers are throttled per address: the same address the sign-in uses.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Requests per second per API key (Clockify allows 50); 0 turns throttling off.
API_THROTTLE_RATE_PER_SECOND = env.int("API_THROTTLE_RATE_PER_SECOND", default=50)
SPECTACULAR_SETTINGS = {
    "TITLE": "Timetracker API",
    "DESCRIPTION": (
        "Clockify-compatible REST API v1. Authenticate with your personal key in the "
        "X-Api-Key header (Profile > API keys). Ids are 24 hex characters; lists take page "
        "(1-based) and page-size (default 50); errors are {message, code}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": ["ACTIVE", "DONE"],
        "MembershipStatusEnum": ["ACTIVE", "INACTIVE", "REMOVED"],
        "MembershipRoleEnum": ["OWNER", "ADMIN", "MEMBER"],
        # Send and sync jobs share their states (else a naming-collision warning, which
        # `check --deploy --fail-level WARNING` must not show).
        "JobStateEnum": ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"],
        # Clockify's user status body, and a project membership's status (always ACTIVE).
        "UserStatusChangeEnum": ["ACTIVE", "INACTIVE"],
        "ProjectMembershipStatusEnum": ["ACTIVE"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workspaces.rest.schema.add_error_responses",
        "workspaces.rest.schema.document_lenient_bodies",
    ],
}

# --- QuickBooks Online (issue 5) ---------------------------------------------------------------
# In development everything points at the local emulator (`python -m qbo_sandbox serve`, started
# by `make run` on port 8765) and its built-in app; production sets the real Intuit app's values.
QBO_SANDBOX_URL = env.str("QBO_SANDBOX_URL", default="") or "http://127.0.0.1:8765"
QBO_CLIENT_ID = env.str("QBO_CLIENT_ID", default="") or "sandbox-client-id"
QBO_CLIENT_SECRET = env.str("QBO_CLIENT_SECRET", default="") or "sandbox-client-secret"
QBO_REDIRECT_URI = env.str("QBO_REDIRECT_URI", default="") or (
    SITE_URL.rstrip("/") + "/quickbooks/callback/"
)
# "sandbox", "production", or the URL of a discovery document (the emulator's by default).
QBO_ENVIRONMENT = env.str("QBO_ENVIRONMENT", default="") or (
    QBO_SANDBOX_URL.rstrip("/") + "/.well-known/openid_configuration"
)
QBO_API_BASE_URL = env.str("QBO_API_BASE_URL", default="") or {
    "production": "https://quickbooks.api.intuit.com",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
}.get(QBO_ENVIRONMENT, QBO_SANDBOX_URL)
QBO_TIMEOUT_SECONDS = env.float("QBO_TIMEOUT_SECONDS", default=30.0)
# Without DEBUG, falling back to the emulator would be a silent misconfiguration (every connect
# fails against a server that is not there, or worse, a stray emulator answers): the real app's
# values are required unless QBO_ALLOW_EMULATOR says the emulator is meant (a demo stack).
QBO_ALLOW_EMULATOR = env.bool("QBO_ALLOW_EMULATOR", default=False)
_QBO_MISSING = [
    name
    for name in ("QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_ENVIRONMENT")
    if not env.str(name, default="").strip()
]
if QBO_CLIENT_ID == "sandbox-client-id" and "QBO_CLIENT_ID" not in _QBO_MISSING:
    _QBO_MISSING.insert(0, "QBO_CLIENT_ID")  # the emulator's built-in app is no real app
if not DEBUG and _QBO_MISSING and not QBO_ALLOW_EMULATOR:
    raise ImproperlyConfigured(
        f"{', '.join(_QBO_MISSING)} must be set when DJANGO_DEBUG is off: without them "
        "QuickBooks would be the local emulator. Set your Intuit app's keys and "
        "QBO_ENVIRONMENT=production (or sandbox), or QBO_ALLOW_EMULATOR=true to run against "
        "the emulator on purpose."
    )
# QuickBooks' limits per company, kept by quickbooks_sync/qbo/limiter.py for all workers together
# (through Redis). A time scale of 60 makes a QuickBooks minute last one second, like the
# emulator's `time_scale` (tests, benchmarks); production keeps 1.
QBO_RATE_REQUESTS_PER_MINUTE = env.int("QBO_RATE_REQUESTS_PER_MINUTE", default=500)
QBO_RATE_REQUESTS_PER_SECOND = env.int("QBO_RATE_REQUESTS_PER_SECOND", default=10)
QBO_RATE_BATCHES_PER_MINUTE = env.int("QBO_RATE_BATCHES_PER_MINUTE", default=40)
QBO_RATE_CONCURRENT = env.int("QBO_RATE_CONCURRENT", default=10)
QBO_RATE_TIME_SCALE = env.float("QBO_RATE_TIME_SCALE", default=1.0)
# What changed in QuickBooks (quickbooks_sync/services/changes.py): with the Intuit app's webhooks
# pointed at /quickbooks/webhooks/, notifications signed with this verifier token start a check
# (without a token that endpoint answers 404). A burst of notifications is one check, started
# this many seconds after the first.
QBO_WEBHOOK_VERIFIER_TOKEN = env.str("QBO_WEBHOOK_VERIFIER_TOKEN", default="")
QBO_CHANGES_DEBOUNCE_SECONDS = env.float("QBO_CHANGES_DEBOUNCE_SECONDS", default=10.0)

# Fernet keys (comma-separated, newest first) that encrypt the QuickBooks tokens at rest. Rotate by
# putting a new key first and running `manage.py rotate_field_encryption`; the old keys still
# decrypt until then. Development derives a key from SECRET_KEY; production must set one.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG is off "
        "(generate one: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    )

"""Gunicorn's settings for the production web process: docker-compose.yml's `web`, the
Dockerfile's CMD and docs/operations.md run `gunicorn timetracker.wsgi -c gunicorn.conf.py`.
Each value can be overridden on the command line (a later --bind wins) or from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Synchronous workers, two per core plus one (gunicorn's rule of thumb for a CPU- and
# database-bound app); WEB_CONCURRENCY sets the count for the machine (a container that sees
# more cores than it may use, a machine shared with PostgreSQL).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A request may take this long before its worker is killed and restarted: the XLSX and PDF
# exports of a big workspace take tens of seconds (CSV is streamed). The proxy's read timeout
# must be at least this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# The proxy keeps connections open to gunicorn between requests.
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Access log on stdout with the time each request took (M: milliseconds), errors on stderr.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

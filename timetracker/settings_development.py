"""The development profile, asked for explicitly: DEBUG on (unless DJANGO_DEBUG says otherwise),
then the one settings module. pytest uses it (pyproject.toml), and the processes the tests start
inherit it; `make run` and Procfile.dev set DJANGO_DEBUG=true themselves. Production is
`timetracker.settings` without DJANGO_DEBUG: the default."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from timetracker.settings import *  # noqa: F403

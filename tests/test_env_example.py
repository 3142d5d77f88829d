"""`.env.example` is what people copy to `.env` (README, Docker Compose's env_file): every value
in it must read back as itself, with no comment glued to it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from unittest import mock

import environ

ENV_EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"


def test_every_value_reads_back_without_a_comment() -> None:
    with mock.patch.dict(os.environ, {}, clear=True):
        environ.Env.read_env(ENV_EXAMPLE, overwrite=True)
        values = dict(os.environ)
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE)
    assert len(names) > 20 and set(names) <= set(values)
    assert {k: v for k, v in values.items() if "#" in v or v != v.strip()} == {}
    assert values["DJANGO_DEBUG"] == "false"  # production unless development is asked for
    assert values["SITE_URL"] == "http://127.0.0.1:8000"

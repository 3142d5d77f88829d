"""The Content-Security-Policy: every page carries it, with script only from this server (no
inline script, no inline event handlers, nothing from another origin), and no template holds
an inline script or handler that the policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\-][^=\s]*)\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
def test_pages_and_the_api_docs_carry_a_policy_without_inline_script(owner_client, workspace):
    login = Client().get(reverse("workspaces:login"))
    assert policy(login)["script-src"] == ["'self'"]
    for url in (
        reverse("tracking:tracker", kwargs={"ws": workspace.pk}),
        reverse("reports:detailed", kwargs={"ws": workspace.pk}),
        "/api/docs/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            found += [
                f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
    assert found == []

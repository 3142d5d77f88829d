"""Control characters already stored (put straight into the database, as rows written before
the services refused them would be) or typed into a filter never make an export fail: every
XLSX, PDF and CSV export of the pages and of the Reports API answers 200 without them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.reports.exports import pdf_text
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from workspaces.models import User
from workspaces.services_api_keys import api_key_create

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)
QUERY = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def poisoned(workspace, owner, member):
    """Every stored text a report shows, holding ESC, \\x01 and a NUL-free mix of others."""
    client = ClientFactory(workspace=workspace, name="Client\x1b[31m red")
    project = ProjectFactory(workspace=workspace, client=client, name="Proj\x01ect")
    task = TaskFactory(workspace=workspace, project=project, name="Ta\x1bsk")
    tag = TagFactory(workspace=workspace, name="ta\x07g")
    User.objects.filter(pk=member.pk).update(full_name="Mia\x1b Member")
    workspace.name = "Acme\x0b Consulting"
    workspace.save(update_fields=["name"])
    return TimeEntryFactory(
        workspace=workspace,
        user=member,
        project=project,
        task=task,
        description="Paste\x1b[0m with\x01 junk\x1f",
        start=START,
        seconds=3600,
        hourly_rate_cents=10_000,
        tags=[tag],
    )


def _url(workspace, name, query):
    return f"{reverse(f'reports:{name}', kwargs={'ws': workspace.pk})}?{query}"


def _xlsx_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return "\n".join(
        str(value) for row in sheet.iter_rows(values_only=True) for value in row if value
    )


def _no_controls(text: str) -> None:
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), repr(text)


@pytest.mark.parametrize(
    "name,query,expected",
    [
        ("detailed_xlsx", QUERY, ["Paste[0m with junk", "Client[31m red", "Mia Member", "tag"]),
        ("summary_xlsx", f"{QUERY}&group=project&sub_group=member", ["Acme Consulting"]),
        ("weekly_xlsx", "week=2026-03-04", ["Acme Consulting", "Mia Member"]),
    ],
)
def test_page_xlsx_exports_drop_stored_control_characters(
    workspace, owner_client, poisoned, name, query, expected
):
    text = _xlsx_text(owner_client.get(_url(workspace, name, query)))
    _no_controls(text)
    assert all(part in text for part in expected), text


@pytest.mark.parametrize(
    "name,query",
    [
        ("detailed_pdf", QUERY),
        ("summary_pdf", f"{QUERY}&group=project&sub_group=member"),
        ("weekly_pdf", "week=2026-03-04"),
        ("detailed_csv", QUERY),
        ("summary_csv", f"{QUERY}&group=project&sub_group=member"),
        ("weekly_csv", "week=2026-03-04"),
    ],
)
def test_page_pdf_and_csv_exports_answer_without_control_characters(
    workspace, owner_client, poisoned, name, query
):
    response = owner_client.get(_url(workspace, name, query))
    assert response.status_code == 200, response.content[:300]
    if name.endswith("pdf"):
        text = pdf_text(response.content)
        assert "Mia Member" in text
    else:
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        assert "Mia Member" in text
    _no_controls(text)


def test_a_description_filter_with_escape_exports_for_a_member(workspace, member, poisoned):
    """%1B in the Summary's description filter is shown in the XLSX heading: without it."""
    from tests.conftest import client_for

    response = client_for(member).get(
        _url(workspace, "summary_xlsx", f"{QUERY}&group=project&description=Paste%1B")
    )
    text = _xlsx_text(response)
    _no_controls(text)
    assert 'Description contains "Paste"' in text
    assert "Proj" in text  # the filter still matched the stored entry


def test_reports_api_xlsx_exports_answer_for_the_whole_workspace(workspace, owner, poisoned):
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=api_key_create(user=owner, name="exports").key)
    body = {
        "dateRangeStart": "2026-03-01T00:00:00Z",
        "dateRangeEnd": "2026-03-31T23:59:59.999Z",
        "exportType": "XLSX",
        "description": "\x1b",
    }
    base = f"/reports/v1/workspaces/{workspace.pk}/reports"
    detailed = api.post(f"{base}/detailed", body, format="json")
    text = _xlsx_text(detailed)
    _no_controls(text)
    assert "Paste[0m with junk" in text
    summary = api.post(
        f"{base}/summary", {**body, "summaryFilter": {"groups": ["PROJECT"]}}, format="json"
    )
    assert "Project" in _xlsx_text(summary)
    for kind in ("detailed", "summary"):
        pdf = api.post(
            f"{base}/{kind}",
            {**body, "exportType": "PDF", "summaryFilter": {"groups": ["PROJECT"]}}
            if kind == "summary"
            else {**body, "exportType": "PDF"},
            format="json",
        )
        assert pdf.status_code == 200, pdf.content[:300]
        _no_controls(pdf_text(pdf.content))

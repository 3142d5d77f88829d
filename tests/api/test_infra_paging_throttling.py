"""Paging (page/page-size), throttling per key (429 + Retry-After) and the value formats."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.api.conftest import api_key_for
from tests.tracking.factories import TagFactory
from workspaces.rest.fields import format_datetime
from workspaces.rest.fields import format_duration
from workspaces.rest.fields import parse_api_datetime
from workspaces.rest.fields import parse_duration
from workspaces.rest.pagination import MAX_PAGE
from workspaces.rest.pagination import MAX_PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=00",
        "page-size=0",
        "page-size=1.5",
        "page-size=٣",
        "page=99999999999999",
    ],
)
def test_bad_paging_is_400(owner_api, workspace, query):
    response = owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert "page" in response.json()["message"]


def test_a_page_past_the_limit_names_the_limit(owner_api, workspace):
    response = owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags?page={10**20}")
    assert response.status_code == 400
    assert response.json()["message"] == f"page can be at most {MAX_PAGE}."
    digits = "9" * 5000  # past Python's int-from-string limit: still a 400, not a 500
    assert owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags?page={digits}").status_code == 400


@pytest.mark.parametrize("size", [str(10**20), "9" * 5000])
def test_any_over_large_page_size_is_capped(owner_api, workspace, size):
    TagFactory(workspace=workspace, name="only")
    response = owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags?page-size={size}")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["only"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-11-02T09:00:00", "Add the time zone"),
        ("9999-12-31T23:59:59Z", "between the years 1970 and 2999"),
        ("yesterday", "ISO 8601"),
    ],
)
def test_a_bad_date_says_what_is_wrong_with_it(owner_api, workspace, owner, value, says):
    url = f"/api/v1/workspaces/{workspace.pk}/user/{owner.pk}/time-entries"
    response = owner_api.get(url, {"start": value})
    assert response.status_code == 400
    assert response.json()["message"].startswith("start: ")
    assert says in response.json()["message"]


def test_default_page_size_is_50_and_large_sizes_are_capped(owner_api, workspace, settings):
    for i in range(55):
        TagFactory(workspace=workspace, name=f"t{i:03}")
    assert len(owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags").json()) == 50
    response = owner_api.get(
        f"/api/v1/workspaces/{workspace.pk}/tags?page-size={MAX_PAGE_SIZE * 10}"
    )
    assert response.status_code == 200
    assert len(response.json()) == 55
    assert response["Last-Page"] == "true"


def test_throttled_past_the_rate_with_retry_after(owner, settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 5
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_for(owner))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, 0, 300_000, tzinfo=dt.UTC), tick=False):
        statuses = [client.get("/api/v1/user").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        response = client.get("/api/v1/user")
        assert response.status_code == 429
        assert response["Retry-After"] == "1"
        assert response.json() == {
            "message": "Too many requests with this key: retry after 1 second.",
            "code": 429,
        }
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, 1, 300_000, tzinfo=dt.UTC), tick=False):
        assert client.get("/api/v1/user").status_code == 200  # a new second


def test_throttling_is_per_key(owner, admin, settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 2
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_X_API_KEY=api_key_for(owner))
    second.credentials(HTTP_X_API_KEY=api_key_for(admin))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        assert [first.get("/api/v1/user").status_code for _ in range(3)] == [200, 200, 429]
        assert second.get("/api/v1/user").status_code == 200


def test_refused_requests_count_too_and_are_counted_once(owner, workspace, settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 3
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_for(owner))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, 7, tzinfo=dt.UTC), tick=False):
        assert client.get(f"/api/v1/workspaces/{workspace.pk}/tags").status_code == 200
        assert client.get(f"/api/v1/workspaces/{workspace.pk}/tags").status_code == 200
        assert client.get("/api/v1/workspaces/0123456789abcdef01234567").status_code == 404
        assert client.get("/api/v1/workspaces/0123456789abcdef01234567").status_code == 429


def test_default_rate_is_clockifys_50_per_second(owner, settings):
    import timetracker.settings as project_settings

    # The project's own value (the API tests' fixture turns throttling off).
    settings.API_THROTTLE_RATE_PER_SECOND = project_settings.API_THROTTLE_RATE_PER_SECOND
    assert settings.API_THROTTLE_RATE_PER_SECOND == 50
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_for(owner))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, 9, tzinfo=dt.UTC), tick=False):
        codes = [client.get("/api/v1/user").status_code for _ in range(51)]
    assert codes.count(200) == 50
    assert codes[-1] == 429


def test_time_formats():
    moment = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert format_datetime(moment) == "2026-11-02T09:00:00Z"
    assert parse_api_datetime("2026-11-02T09:00:00Z") == dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    assert parse_api_datetime("2026-11-02T10:00:00.500+01:00") == dt.datetime(
        2026, 11, 2, 9, 0, 0, 500_000, tzinfo=dt.UTC
    )
    assert (
        format_datetime(dt.datetime(1972, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "1972-01-02T03:04:05Z"
    )
    bad_values = ["2026-11-02T09:00:00", "2026-13-02T09:00:00Z", "yesterday", "", 1700000000]
    bad_values += ["0672-03-05T11:59:40Z", "9999-12-31T23:00:00-05:00", "3000-01-01T00:00:00Z"]
    for bad in bad_values:
        with pytest.raises(ValueError):
            parse_api_datetime(bad)


def test_duration_formats():
    assert format_duration(5400) == "PT1H30M"
    assert format_duration(0) == "PT0S"
    assert format_duration(59) == "PT59S"
    assert format_duration(90061) == "PT25H1M1S"
    assert format_duration(None) is None
    assert parse_duration("PT1H30M") == 5400
    assert parse_duration("P1DT1S") == 86401
    for bad in ["P", "PT", "1H", "PT1.5H", "PT-1H"]:
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_schema_and_docs_are_served_without_a_cdn(anon_api):
    schema = anon_api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/workspaces/{ws}/clients" in doc["paths"]
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }
    docs = anon_api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html

"""Every error is `{"message", "code"}` with the right status, DRF's own included."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import api_key_for

pytestmark = pytest.mark.django_db


def error(response, status: int) -> dict:
    """The JSON error `response` carries, once its status and its `code` are both `status`."""
    assert response.status_code == status
    body = response.json()
    assert body["code"] == status
    return body


def tags(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/tags"


def test_wrong_method_is_405_json(owner_api):
    body = error(owner_api.delete("/api/v1/user"), 405)
    assert body == {"message": 'Method "DELETE" not allowed.', "code": 405}


def test_malformed_json_is_400(owner_api, workspace):
    response = owner_api.post(tags(workspace), "{not json", content_type="application/json")
    assert "JSON" in error(response, 400)["message"]


def test_non_json_body_is_415(owner_api, workspace):
    error(owner_api.post(tags(workspace), "name=x", content_type="text/plain"), 415)


def test_validation_error_names_the_field(owner_api, workspace):
    body = error(owner_api.post(tags(workspace), {}, format="json"), 400)
    assert body == {"message": "name: This field is required.", "code": 400}


def test_unknown_field_is_ignored_as_clockify_does_and_named_in_a_header(owner_api, workspace):
    response = owner_api.post(tags(workspace), {"name": "A", "colour": "red"}, format="json")
    assert response.status_code == 201
    assert response["X-Ignored-Fields"] == "colour"
    assert [t["name"] for t in owner_api.get(tags(workspace)).json()] == ["A"]
    plain = owner_api.post(tags(workspace), {"name": "B"}, format="json")
    assert plain.status_code == 201 and "X-Ignored-Fields" not in plain


def test_body_that_is_not_an_object_is_400(owner_api, workspace):
    error(owner_api.post(tags(workspace), [1, 2], format="json"), 400)


def test_unknown_workspace_is_404_json(owner_api):
    body = error(owner_api.get("/api/v1/workspaces/0123456789abcdef01234567"), 404)
    assert body == {"message": "Workspace not found.", "code": 404}


def test_malformed_workspace_id_is_404(owner_api):
    error(owner_api.get("/api/v1/workspaces/not-an-id"), 404)


def test_role_refusal_is_403_json(member_api, workspace):
    error(member_api.post(tags(workspace), {"name": "Nope"}, format="json"), 403)


def test_unknown_api_path_is_404_json_with_clockifys_code(owner_api):
    response = owner_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"message": "No API endpoint at /api/v1/no-such-thing.", "code": 3000}


def csrf_enforcing_client(user=None, key: bool = True) -> APIClient:
    """A client as scripts and browsers are: Django's CSRF check applies (the test client
    skips it unless asked)."""
    client = APIClient(enforce_csrf_checks=True)
    if user is not None and key:
        client.credentials(HTTP_X_API_KEY=api_key_for(user))
    elif user is not None:
        client.force_login(user)
    return client


UNKNOWN_PATHS = [
    "/api/v1/nonexistent",
    "/api/v1/workspaces/{ws}/time-entries/timer/start",
    "/api/v1/workspaces/{ws}/time-entries/timer/stop",
    "/api/v1/workspaces/{ws}/projects/{ws}/memberships",
    "/reports/v1/nonexistent",
    "/reports/v1/workspaces/{ws}/reports/expense",
    "/reports/",
]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_is_a_json_404_for_every_method_in_both_trees(owner, workspace, method, path):
    path = path.format(ws=workspace.pk)
    response = getattr(csrf_enforcing_client(owner), method)(path, {"a": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": f"No API endpoint at {path}.", "code": 3000}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_unknown_path_is_a_json_404_without_a_key_or_with_a_session(owner, method):
    for client in (csrf_enforcing_client(), csrf_enforcing_client(owner, key=False)):
        response = getattr(client, method)("/api/v1/nonexistent", {}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, 3000)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/workspaces/{ws}/tags/"),
        ("get", "/api/v1/workspaces/{ws}/tags/"),
        ("post", "/reports/v1/workspaces/{ws}/reports/detailed/"),
    ],
)
def test_trailing_slash_is_a_json_404_naming_the_endpoint(owner, workspace, method, path):
    path = path.format(ws=workspace.pk)
    response = getattr(csrf_enforcing_client(owner), method)(path, {}, format="json")
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"No API endpoint at {path}. Did you mean {path[:-1]} (without the trailing slash)?"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/user"),
        ("post", "/api/v1/workspaces/{ws}/time-entries/status/in-progress"),
        ("get", "/reports/v1/workspaces/{ws}/reports/detailed"),
        ("put", "/reports/v1/workspaces/{ws}/reports/summary"),
    ],
)
def test_known_path_with_a_wrong_method_is_a_json_405_in_both_trees(owner, workspace, method, path):
    response = getattr(csrf_enforcing_client(owner), method)(path.format(ws=workspace.pk))
    assert error(response, 405)["message"] == f'Method "{method.upper()}" not allowed.'


def test_exempting_the_catch_all_leaves_csrf_on_real_endpoints(owner, workspace):
    session = csrf_enforcing_client(owner, key=False)
    refused = session.post(tags(workspace), {"name": "Forged"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert session.get(tags(workspace)).json() == []


@pytest.mark.parametrize(
    "query", ["name=%00", "page=%C2%B2", "page-size=%D9%A1", "archived=1", "name=" + "x" * 201]
)
def test_odd_query_values_are_400_not_500(owner_api, workspace, query):
    error(owner_api.get(f"/api/v1/workspaces/{workspace.pk}/clients?{query}"), 400)


def test_nul_in_users_filter_is_400(owner_api, workspace):
    error(owner_api.get(f"/api/v1/workspaces/{workspace.pk}/users?email=a%00b"), 400)


def test_deeply_nested_json_is_400_not_500(owner_api, workspace):
    response = owner_api.post(tags(workspace), "[" * 100_000, content_type="application/json")
    assert "nested too deeply" in error(response, 400)["message"]


def test_nan_is_not_json(owner_api, workspace):
    response = owner_api.post(tags(workspace), '{"name": NaN}', content_type="application/json")
    error(response, 400)


def test_oversized_body_is_413(owner_api, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 2000 + '"}'
    error(owner_api.post(tags(workspace), body, content_type="application/json"), 413)

"""Every error is `{"message", "code"}` with the right status, DRF's own included."""

from __future__ import annotations

import pytest

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


def test_unknown_api_path_is_404_json(owner_api):
    body = error(owner_api.get("/api/v1/no-such-thing"), 404)
    assert body == {"message": "No API endpoint at /api/v1/no-such-thing.", "code": 404}


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

"""Every error is `{"message", "code"}` with the right status, DRF's own included."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_wrong_method_is_405_json(owner_api):
    response = owner_api.delete("/api/v1/user")
    assert response.status_code == 405
    assert response.json() == {"message": 'Method "DELETE" not allowed.', "code": 405}


def test_malformed_json_is_400(owner_api, workspace):
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert "JSON" in response.json()["message"]


def test_non_json_body_is_415(owner_api, workspace):
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", "name=x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json()["code"] == 415


def test_validation_error_names_the_field(owner_api, workspace):
    response = owner_api.post(f"/api/v1/workspaces/{workspace.pk}/tags", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "name: This field is required.", "code": 400}


def test_unknown_field_is_ignored_as_clockify_does_and_named_in_a_header(owner_api, workspace):
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", {"name": "A", "colour": "red"}, format="json"
    )
    assert response.status_code == 201
    assert response["X-Ignored-Fields"] == "colour"
    assert [t["name"] for t in owner_api.get(f"/api/v1/workspaces/{workspace.pk}/tags").json()] == [
        "A"
    ]
    plain = owner_api.post(f"/api/v1/workspaces/{workspace.pk}/tags", {"name": "B"}, format="json")
    assert plain.status_code == 201 and "X-Ignored-Fields" not in plain


def test_body_that_is_not_an_object_is_400(owner_api, workspace):
    response = owner_api.post(f"/api/v1/workspaces/{workspace.pk}/tags", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == 400


def test_unknown_workspace_is_404_json(owner_api):
    response = owner_api.get("/api/v1/workspaces/0123456789abcdef01234567")
    assert response.status_code == 404
    assert response.json() == {"message": "Workspace not found.", "code": 404}


def test_malformed_workspace_id_is_404(owner_api):
    response = owner_api.get("/api/v1/workspaces/not-an-id")
    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_role_refusal_is_403_json(member_api, workspace):
    response = member_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", {"name": "Nope"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == 403


def test_unknown_api_path_is_404_json(owner_api):
    response = owner_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"message": "No API endpoint at /api/v1/no-such-thing.", "code": 404}


@pytest.mark.parametrize(
    "query", ["name=%00", "page=%C2%B2", "page-size=%D9%A1", "archived=1", "name=" + "x" * 201]
)
def test_odd_query_values_are_400_not_500(owner_api, workspace, query):
    response = owner_api.get(f"/api/v1/workspaces/{workspace.pk}/clients?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == 400


def test_nul_in_users_filter_is_400(owner_api, workspace):
    response = owner_api.get(f"/api/v1/workspaces/{workspace.pk}/users?email=a%00b")
    assert response.status_code == 400


def test_deeply_nested_json_is_400_not_500(owner_api, workspace):
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]


def test_nan_is_not_json(owner_api, workspace):
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", '{"name": NaN}', content_type="application/json"
    )
    assert response.status_code == 400


def test_oversized_body_is_413(owner_api, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 2000 + '"}'
    response = owner_api.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == 413

"""OpenAPI descriptions drf-spectacular cannot infer: the X-Api-Key security scheme, and the
error body every operation may answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from workspaces.api.authentication import API_KEY_HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
    "required": ["message", "code"],
}
# What any operation can answer besides its own documented outcomes.
COMMON_ERRORS = {
    "400": "Bad input: unknown field, wrong type, bad date or id, broken rule.",
    "401": "No API key, or a wrong or revoked one.",
    "403": "Your role does not allow this.",
    "404": "Not found, or not yours.",
    "405": "Method not allowed.",
    "406": "Only JSON is answered.",
    "413": "The request body is too large.",
    "415": "Only JSON bodies are accepted.",
    "429": "Too many requests: wait Retry-After seconds.",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: every operation documents the `{message, code}` error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status_code, description in COMMON_ERRORS.items():
                responses.setdefault(
                    status_code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result

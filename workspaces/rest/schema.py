"""OpenAPI descriptions drf-spectacular cannot infer: the X-Api-Key security scheme, the
error body every operation may answer, and how leniently request bodies are read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from workspaces.rest.authentication import API_KEY_HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.rest.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.rest.authentication.SessionAuthentication"
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
    "400": "Bad input: wrong type, bad date or id, broken rule (nothing is saved).",
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


IGNORED_FIELDS_HEADER_SCHEMA = {
    "description": "The body fields that had no effect, comma-separated: fields this API does "
    "not know (ignored, as Clockify ignores them) and Clockify fields with no concept here. "
    "Nested ones are dotted (hourlyRate.since). Absent when every field was used.",
    "schema": {"type": "string", "example": "colour, tags"},
}
LENIENT_BODY_NOTE = (
    "Read as Clockify reads it: fields not listed here are ignored and named in the "
    "X-Ignored-Fields answer header; null on a field is the same as leaving it out unless "
    "the field says what null means."
)


def document_lenient_bodies(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: request bodies accept other fields and null on every field (see
    workspaces.rest.fields.BodySerializer), and their answers may carry X-Ignored-Fields."""
    schemas = result.get("components", {}).get("schemas", {})
    request_schemas: set[str] = set()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"post", "put", "patch"} or "requestBody" not in operation:
                continue
            for media in operation["requestBody"].get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                request_schemas.add(ref.rsplit("/", 1)[-1])
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    response.setdefault("headers", {})["X-Ignored-Fields"] = (
                        IGNORED_FIELDS_HEADER_SCHEMA
                    )
    seen: set[str] = set()
    todo = [name for name in request_schemas if name in schemas]
    while todo:  # the body schemas and the object schemas nested in them
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        component = schemas[name]
        component["additionalProperties"] = True
        component["description"] = (
            f"{component.get('description', '')}\n\n{LENIENT_BODY_NOTE}".strip()
        )
        for prop in component.get("properties", {}).values():
            prop.setdefault("nullable", True)
            for nested in _refs_in(prop):
                todo.append(nested)
    return result


def _refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        for value in node.values():
            found.extend(_refs_in(value))
        return found
    if isinstance(node, list):
        return [ref for item in node for ref in _refs_in(item)]
    return []

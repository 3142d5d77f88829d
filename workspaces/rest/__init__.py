"""The REST API's shared machinery, used by every app's apis.py: API-key and session
authentication, the base view and `validated`, the error shape and handler, typed fields,
paging, query parameters, the JSON parser, permissions, the OpenAPI schema hooks, throttling
and the declaration of each app's routes (`routes.api_routes`).
The endpoints themselves live in each app's `apis` (workspaces/apis.py for this app)."""

"""Who calls the API: a personal key in `X-Api-Key` (Clockify's header), or a browser session.

A request with an `X-Api-Key` header is judged by that key alone: a wrong or revoked key is a
401 even if a session cookie comes along. Session requests must pass Django's CSRF check on
unsafe methods (DRF's SessionAuthentication does it), so a page of another site cannot act
through a logged-in browser.
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication
from rest_framework import exceptions
from rest_framework.request import Request

from workspaces.models import ApiKey
from workspaces.models import User
from workspaces.services_api_keys import api_key_authenticate

API_KEY_HEADER = "X-Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        key = request.headers.get(API_KEY_HEADER)
        if key is None:
            return None
        api_key = api_key_authenticate(key=key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid or was revoked.")
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        # A value here makes DRF answer 401 (not 403) to a request without credentials.
        return API_KEY_HEADER


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's login session, CSRF enforced on unsafe methods."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        if API_KEY_HEADER in request.headers:
            return None
        return super().authenticate(request)

"""The base of every workspace-scoped API view: tenancy checked before the handler runs."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.rest.fields import IGNORED_FIELDS_HEADER
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import ignored_fields_of
from workspaces.rest.permissions import IsWorkspaceMember


class WorkspaceApiView(APIView):
    """`ws` in the URL must be a workspace the caller is an active member of (else 404);
    `self.membership` and `self.workspace` are the caller's."""

    permission_classes = [IsWorkspaceMember]
    _throttles_checked = False

    def check_permissions(self, request: Request) -> None:
        # DRF checks throttles after permissions; here they come first so that requests
        # refused with a 404 or 403 count against the key's rate too.
        super().check_throttles(request)
        self._throttles_checked = True
        super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        if not self._throttles_checked:
            super().check_throttles(request)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if ignored := ignored_fields_of(request):
            response[IGNORED_FIELDS_HEADER] = ", ".join(ignored)
        return response

    @property
    def membership(self) -> Membership:
        return self.request.membership

    @property
    def workspace(self) -> Workspace:
        return self.request.workspace


def validated(
    serializer_class: type[BodySerializer], request: Request, **context: Any
) -> dict[str, Any]:
    """The request body validated by its input serializer (400 on a bad value; unknown
    fields dropped and named in the X-Ignored-Fields header)."""
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

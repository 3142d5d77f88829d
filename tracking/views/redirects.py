"""Where a page's form returns to after a POST."""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back_target(request: HttpRequest, default: str = "") -> str:
    """The `next` the form (or query) carried when it is a URL of this site, else `default`: a
    crafted `next` must not send the user off-site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to a safe `next` (see `redirect_back_target`), else to `default`."""
    return HttpResponseRedirect(redirect_back_target(request, default))

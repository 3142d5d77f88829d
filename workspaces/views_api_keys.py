"""The API keys page (Profile > API keys): create a key (shown once), see when each was last
used, revoke one. Kept apart from views.py; the writes are workspaces/services_api_keys.py.

The new key is shown in the answer to the form's POST (it is never stored, so a redirect could
not show it), which makes a reload re-submit the form. Each rendered form therefore carries a
one-time nonce, issued into the session: a POST creates a key only by spending a nonce the
session holds, so a re-submitted (or replayed) form creates nothing and says so. A cache `add`
on the nonce closes the window where a double click sends both POSTs before either has
saved the session.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import User
from workspaces.services_api_keys import api_key_create
from workspaces.services_api_keys import api_key_list
from workspaces.services_api_keys import api_key_revoke
from workspaces.views import _attach_active_workspace


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, e.g. “Invoice export script”.",
    )
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)


SESSION_NONCES = "api_key_form_nonces"
MAX_PENDING_NONCES = 10  # forms open in other tabs stay usable
ALREADY_SUBMITTED = (
    "This form was already submitted, so no new key was created. A key is shown only once: "
    "if you did not copy it, revoke it below and create another."
)


def _issue_nonce(request: HttpRequest) -> str:
    nonce = secrets.token_urlsafe(18)
    pending = [*request.session.get(SESSION_NONCES, []), nonce][-MAX_PENDING_NONCES:]
    request.session[SESSION_NONCES] = pending
    return nonce


def _fresh_form(request: HttpRequest) -> ApiKeyForm:
    return ApiKeyForm(initial={"nonce": _issue_nonce(request)})


def _spend_nonce(request: HttpRequest, nonce: str) -> bool:
    """True once per nonce this session was given; False for a re-submitted or forged form."""
    pending = request.session.get(SESSION_NONCES, [])
    if not nonce or nonce not in pending:
        return False
    if not cache.add(f"api-key-form-nonce:{nonce}", 1, timeout=24 * 3600):
        return False  # a concurrent POST of the same form spent it first
    request.session[SESSION_NONCES] = [n for n in pending if n != nonce]
    return True


def _restore_nonce(request: HttpRequest, nonce: str) -> None:
    cache.delete(f"api-key-form-nonce:{nonce}")
    request.session[SESSION_NONCES] = [*request.session.get(SESSION_NONCES, []), nonce][
        -MAX_PENDING_NONCES:
    ]


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _attach_active_workspace(request)
    form = None
    new_key = None
    status = 200
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
        nonce = request.POST.get("nonce", "")
        if not form.is_valid():
            status = 400
        elif not _spend_nonce(request, nonce):
            messages.error(request, ALREADY_SUBMITTED)
            form = None
            status = 409
        else:
            try:
                created = api_key_create(user=user, name=form.cleaned_data["name"])
            except ApplicationError as exc:
                _restore_nonce(request, nonce)
                form.add_error("name" if exc.field == "name" else None, exc.message)
                status = 400
            else:
                # Rendered here rather than redirected: the key is never stored anywhere.
                new_key = created
                form = None
                status = 201
    if form is None:
        form = _fresh_form(request)
    context = {"form": form, "keys": api_key_list(user=user), "new_key": new_key}
    return render(request, "workspaces/api_keys.html", context, status=status)


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        api_key = api_key_revoke(user=request.user, api_key_id=pk)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, f"The key “{api_key.name}” was revoked: it no longer works.")
    return redirect("workspaces:api_keys")

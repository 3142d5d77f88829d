"""The API keys page (Profile > API keys): create a key (shown once), see when each was last
used, revoke one. Kept apart from views.py; the writes are workspaces/services_api_keys.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from workspaces.errors import ApplicationError, NotFound
from workspaces.models import User
from workspaces.services_api_keys import api_key_create, api_key_list, api_key_revoke
from workspaces.views import _attach_active_workspace


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, e.g. “Invoice export script”.",
    )


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _attach_active_workspace(request)
    form = ApiKeyForm()
    new_key = None
    status = 200
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                created = api_key_create(user=user, name=form.cleaned_data["name"])
            except ApplicationError as exc:
                form.add_error("name" if exc.field == "name" else None, exc.message)
                status = 400
            else:
                # Rendered here rather than redirected: the key is never stored anywhere.
                new_key = created
                form = ApiKeyForm()
                status = 201
        else:
            status = 400
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

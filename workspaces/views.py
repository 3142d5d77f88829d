"""Pages for accounts, workspace settings, the team, invitations and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import cast

from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from workspaces import selectors
from workspaces import services
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.forms import ApprovalRemindersForm
from workspaces.forms import EmailAuthenticationForm
from workspaces.forms import InvitationSignupForm
from workspaces.forms import InviteForm
from workspaces.forms import MemberRateForm
from workspaces.forms import PlanForm
from workspaces.forms import ProfileForm
from workspaces.forms import ProfileNameForm
from workspaces.forms import RoleForm
from workspaces.forms import RoundingForm
from workspaces.forms import SignupForm
from workspaces.forms import TimeEntryRulesForm
from workspaces.forms import WorkspaceCreateForm
from workspaces.forms import WorkspaceDeleteForm
from workspaces.forms import WorkspaceGeneralForm
from workspaces.forms import cents_to_rate
from workspaces.forms import rate_to_cents
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.signin import login_ip_blocked
from workspaces.signin import password_reset_address_allowed
from workspaces.signin import password_reset_ip_allowed

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
AUDIT_PAGE_SIZE = 50


def _attach_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's error next to its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _raise_http(exc: ApplicationError) -> None:
    """A not-found or forbidden refusal becomes the 404/403 page; other errors are shown on the
    form (the caller's business)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(exc.message) from exc


# --- Home, sign-up, log-in -------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the dashboard of their last-used (or first) workspace."""
    user: User = request.user  # type: ignore[assignment]
    memberships = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    membership = (
        memberships.filter(workspace_id=user.active_workspace_id).first()
        or memberships.order_by("created_at").first()
    )
    if membership is None:
        return redirect("workspaces:workspace_create")
    return redirect("dashboard:home", ws=membership.workspace_id)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workspaces:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request, f"Welcome! Your workspace “{user.full_name}'s workspace” is ready."
            )
            return redirect("workspaces:home")
    return render(request, "registration/signup.html", {"form": form})


def _too_many(request: HttpRequest, what: str) -> HttpResponse:
    return render(
        request,
        "workspaces/locked_out.html",
        {"address_blocked": what, "window_minutes": int(float(settings.AXES_COOLOFF_TIME) * 60)},
        status=429,
    )


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Too many failed sign-ins from this address, across accounts (workspaces.signin).
        if login_ip_blocked(request):
            return _too_many(request, "login")
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("workspaces:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_reset_ip_allowed(request):
            return _too_many(request, "reset")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # Past the hourly limit for this address, nothing is sent, and the page says what it
        # always says (it never tells whether an account exists).
        if not password_reset_address_allowed(form.cleaned_data["email"]):
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("workspaces:password_reset_complete")
    # Setting a new password from the mailed link signs the user in: a locked account (or one
    # whose address is throttled) gets in through the reset.
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever proved they read the account's mail may log in again at once: clear the
        # failed-login lock on this address.
        axes_reset(username=self.user.email)
        return response


def _attach_active_workspace(request: HttpRequest) -> None:
    """Pages outside a workspace (profile, new workspace) keep the sidebar of the active one."""
    user: User = request.user  # type: ignore[assignment]
    if user.active_workspace_id is None:
        return
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace_id=user.active_workspace_id, status=Membership.Status.ACTIVE)
        .first()
    )
    if membership is not None:
        attached = cast(WorkspaceRequest, request)
        attached.membership = membership
        attached.workspace = membership.workspace


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("workspaces:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        _attach_active_workspace(self.request)
        return super().get_context_data(**kwargs)


# --- Profile ---------------------------------------------------------------------------------


def _profile_initial(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "time_zone": user.time_zone,
        "week_start": user.week_start,
        "date_format": user.date_format,
        "time_format": user.time_format,
    }


@login_required
def profile(request: WorkspaceRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    name_form = ProfileNameForm(initial={"full_name": user.full_name})
    details_form = ProfileForm(initial=_profile_initial(user))
    if request.method == "POST":
        if request.POST.get("form") == "name":
            name_form = ProfileNameForm(request.POST)
            if name_form.is_valid():
                try:
                    services.profile_name_change(
                        user=user, full_name=name_form.cleaned_data["full_name"]
                    )
                except ApplicationError as exc:
                    _attach_error(name_form, exc)
                else:
                    messages.success(request, f"Your name is now “{user.full_name}”.")
                    return redirect("workspaces:profile")
        else:
            details_form = ProfileForm(request.POST)
            if details_form.is_valid():
                data = details_form.cleaned_data
                try:
                    services.profile_update(
                        user=user,
                        email=data["email"],
                        time_zone=data["time_zone"],
                        week_start=data["week_start"],
                        date_format=data["date_format"],
                        time_format=data["time_format"],
                        current_password=data["current_password"],
                    )
                except ApplicationError as exc:
                    user.refresh_from_db()
                    _attach_error(details_form, exc)
                else:
                    messages.success(request, "Profile saved.")
                    return redirect("workspaces:profile")
    _attach_active_workspace(request)
    return render(
        request,
        "workspaces/profile.html",
        {"name_form": name_form, "details_form": details_form},
    )


# --- Workspaces ------------------------------------------------------------------------------


@login_required
def workspace_create(request: WorkspaceRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                user=user,
                name=form.cleaned_data["name"],
                currency=form.cleaned_data["currency"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, f"Workspace “{workspace.name}” created.")
            return redirect("tracking:tracker", ws=workspace.id)
    has_workspace = selectors.user_has_active_membership(user=user)
    _attach_active_workspace(request)
    return render(
        request,
        "workspaces/workspace_create.html",
        {"form": form, "has_workspace": has_workspace},
    )


def _settings_context(request: HttpRequest, tab: str, **extra: Any) -> dict[str, Any]:
    return {"nav": "settings", "tab": tab, **extra}


def _general_initial(workspace: Workspace) -> dict[str, Any]:
    return {
        "name": workspace.name,
        "currency": workspace.currency,
        "time_zone": workspace.time_zone,
        "hourly_rate": cents_to_rate(workspace.hourly_rate_cents),
    }


def _general_page(
    request: WorkspaceRequest,
    *,
    form: WorkspaceGeneralForm,
    delete_form: WorkspaceDeleteForm,
    status: int = 200,
) -> HttpResponse:
    """The General tab: settings, re-rating past entries, and deleting the workspace."""
    workspace: Workspace = request.workspace
    context = _settings_context(
        request,
        "general",
        form=form,
        delete_form=delete_form,
        rate=cents_to_rate(workspace.hourly_rate_cents),
    )
    return render(request, "workspaces/settings_general.html", context, status=status)


@workspace_view(Membership.Role.ADMIN)
def settings_general(request: WorkspaceRequest) -> HttpResponse:
    workspace: Workspace = request.workspace
    membership: Membership = request.membership
    form = WorkspaceGeneralForm(request.POST or None, initial=_general_initial(workspace))
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_update(
                actor=membership,
                name=form.cleaned_data["name"],
                currency=form.cleaned_data["currency"],
                time_zone=form.cleaned_data["time_zone"],
                hourly_rate_cents=rate_to_cents(form.cleaned_data["hourly_rate"]) or 0,
            )
        except ApplicationError as exc:
            workspace.refresh_from_db()
            _attach_error(form, exc)
        else:
            messages.success(request, "Workspace settings saved.")
            return redirect("workspaces:settings", ws=workspace.id)
    return _general_page(request, form=form, delete_form=WorkspaceDeleteForm())


def _settings_form_tab(
    request: WorkspaceRequest,
    tab: str,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    saved: str,
    *,
    refused_status: int = 200,
) -> HttpResponse:
    """A settings tab with one form (template and URL `settings_<tab>`): a valid POST is
    given to `save`, then back to the tab with the message `saved`; a refusal shows on the
    form, answered with `refused_status`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, saved)
            return redirect(f"workspaces:settings_{tab}", ws=request.workspace.id)
    return render(
        request,
        f"workspaces/settings_{tab}.html",
        _settings_context(request, tab, form=form),
        status=refused_status if request.method == "POST" else 200,
    )


@workspace_view(Membership.Role.ADMIN)
def settings_rounding(request: WorkspaceRequest) -> HttpResponse:
    workspace: Workspace = request.workspace
    initial = {
        "rounding_enabled": workspace.rounding_enabled,
        "rounding_mode": workspace.rounding_mode,
        "rounding_minutes": workspace.rounding_minutes,
    }
    return _settings_form_tab(
        request,
        "rounding",
        RoundingForm(request.POST or None, initial=initial),
        lambda data: services.workspace_rounding_update(
            actor=request.membership,
            enabled=data["rounding_enabled"],
            mode=data["rounding_mode"],
            minutes=data["rounding_minutes"],
        ),
        "Rounding saved.",
    )


@workspace_view(Membership.Role.ADMIN)
def settings_time_entries(request: WorkspaceRequest) -> HttpResponse:
    """The rule for valid time: the longest entry, time in the future, the long-timer warning."""
    workspace: Workspace = request.workspace
    initial = {
        "max_entry_hours": workspace.max_entry_seconds // 3600,
        "allow_future_entries": workspace.allow_future_entries,
        "long_timer_hours": workspace.long_timer_seconds // 3600,
    }
    return _settings_form_tab(
        request,
        "time_entries",
        TimeEntryRulesForm(request.POST or None, initial=initial),
        lambda data: services.workspace_time_rules_update(
            actor=request.membership,
            max_entry_hours=data["max_entry_hours"],
            allow_future=data["allow_future_entries"],
            long_timer_hours=data["long_timer_hours"],
        ),
        "Time entry settings saved.",
        refused_status=400,
    )


@workspace_view(Membership.Role.ADMIN)
def settings_approvals(request: WorkspaceRequest) -> HttpResponse:
    """Approval reminders: on or off for members and for approvers, and their day."""
    workspace: Workspace = request.workspace
    initial = {
        "remind_members": workspace.remind_members_to_submit,
        "remind_approvers": workspace.remind_approvers,
        "reminder_weekday": workspace.reminder_weekday,
    }
    return _settings_form_tab(
        request,
        "approvals",
        ApprovalRemindersForm(request.POST or None, initial=initial),
        lambda data: services.workspace_approval_reminders_update(
            actor=request.membership,
            remind_members=data["remind_members"],
            remind_approvers=data["remind_approvers"],
            weekday=data["reminder_weekday"],
        ),
        "Approval reminders saved.",
    )


@workspace_view(Membership.Role.ADMIN)
def settings_plan(request: WorkspaceRequest) -> HttpResponse:
    """Admins see the plan; only the owner changes it (no payment step)."""
    workspace: Workspace = request.workspace
    membership: Membership = request.membership
    form = PlanForm(request.POST or None, initial={"plan": workspace.plan})
    if request.method == "POST":
        if not membership.is_owner:
            raise DjangoPermissionDenied("Only the workspace owner can change the plan.")
        if form.is_valid():
            try:
                services.workspace_plan_change(actor=membership, plan=form.cleaned_data["plan"])
            except ApplicationError as exc:
                _attach_error(form, exc)
            else:
                messages.success(
                    request, f"The workspace is now on the {workspace.get_plan_display()} plan."
                )
                return redirect("workspaces:settings_plan", ws=workspace.id)
    plans = [
        {
            "value": value,
            "label": label,
            "quickbooks": value in Workspace.QUICKBOOKS_PLANS,
            "current": value == workspace.plan,
        }
        for value, label in Workspace.Plan.choices
    ]
    return render(
        request,
        "workspaces/settings_plan.html",
        _settings_context(request, "plan", form=form, plans=plans),
    )


@workspace_view(Membership.Role.ADMIN)
def settings_integrations(request: WorkspaceRequest) -> HttpResponse:
    """The Integrations tab is the QuickBooks section, served by quickbooks_sync (which
    workspaces must not import); this old address leads there."""
    workspace: Workspace = request.workspace
    return redirect("quickbooks:integrations", ws=workspace.id)


@require_POST
@workspace_view(Membership.Role.OWNER)
def workspace_delete(request: WorkspaceRequest) -> HttpResponse:
    workspace: Workspace = request.workspace
    form = WorkspaceDeleteForm(request.POST)
    if form.is_valid():
        name = workspace.name
        try:
            services.workspace_delete(
                actor=request.membership,
                confirm_name=form.cleaned_data["confirm_name"],
            )
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, f"Workspace “{name}” was deleted.")
            return redirect("workspaces:home")
    general = WorkspaceGeneralForm(initial=_general_initial(workspace))
    return _general_page(request, form=general, delete_form=form, status=400)


# --- Team ------------------------------------------------------------------------------------


def _team_page(
    request: WorkspaceRequest,
    *,
    invite_form: InviteForm | None = None,
    row_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace: Workspace = request.workspace
    members = list(selectors.team_member_list(workspace=workspace))
    actor: Membership = request.membership
    for m in members:
        m.rate = cents_to_rate(m.hourly_rate_cents)  # type: ignore[attr-defined]
        m.rate_editable = services.membership_may_set_rate(  # type: ignore[attr-defined]
            actor=actor, user_id=m.user_id, role=m.role
        )
    context = {
        "nav": "team",
        "members": members,
        "invitations": list(selectors.invitation_pending_list(workspace=workspace)),
        "invite_form": invite_form or InviteForm(),
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        "row_errors": row_errors or {},
        "workspace_rate": cents_to_rate(workspace.hourly_rate_cents),
    }
    return render(request, "workspaces/team.html", context, status=status)


@workspace_view(Membership.Role.ADMIN)
def team(request: WorkspaceRequest) -> HttpResponse:
    return _team_page(request)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def team_invite(request: WorkspaceRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ApplicationError as exc:
            _raise_http(exc)
            _attach_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return _to_team(request)
    return _team_page(request, invite_form=form, status=400)


def _to_team(request: WorkspaceRequest) -> HttpResponse:
    return redirect("workspaces:team", ws=request.workspace.id)


def _membership_or_404(request: WorkspaceRequest, pk: str) -> Membership:
    membership = selectors.membership_get(
        workspace=request.workspace,
        membership_id=pk,
    )
    if membership is None:
        raise Http404("Member not found.")
    return membership


def _invitation_or_404(request: WorkspaceRequest, pk: str) -> Invitation:
    invitation = selectors.invitation_get(
        workspace=request.workspace,
        invitation_id=pk,
    )
    if invitation is None:
        raise Http404("Invitation not found.")
    return invitation


def _team_action(request: WorkspaceRequest, action: Any, success: str) -> HttpResponse:
    """Run a team service; a refusal comes back as a message on the Team page."""
    try:
        action()
    except ApplicationError as exc:
        _raise_http(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _to_team(request)


def _invitation_action(
    request: WorkspaceRequest, pk: str, service: Any, success: str
) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    return _team_action(
        request,
        lambda: service(actor=request.membership, invitation=invitation),
        success.format(email=invitation.email),
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def invitation_resend(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _invitation_action(
        request, pk, services.invitation_resend, "A new invitation link was sent to {email}."
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def invitation_cancel(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _invitation_action(
        request, pk, services.invitation_cancel, "The invitation of {email} was cancelled."
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_role(request: WorkspaceRequest, pk: str) -> HttpResponse:
    target = _membership_or_404(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Member or Admin.")
        return _to_team(request)
    role = form.cleaned_data["role"]
    return _team_action(
        request,
        lambda: services.membership_role_change(
            actor=request.membership,
            membership=target,
            role=role,
        ),
        f"{target.user.full_name} is now {Membership.Role(role).label.lower()}.",
    )


MEMBER_STATUS_ACTIONS = {
    "deactivate": (services.membership_deactivate, "{name} was deactivated."),
    "reactivate": (services.membership_reactivate, "{name} was reactivated."),
    "remove": (services.membership_remove, "{name} was removed from the team."),
}


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_status(request: WorkspaceRequest, pk: str) -> HttpResponse:
    target = _membership_or_404(request, pk)
    action = MEMBER_STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
        return _to_team(request)
    service, success = action
    return _team_action(
        request,
        lambda: service(actor=request.membership, membership=target),
        success.format(name=target.user.full_name),
    )


@require_POST
@workspace_view(Membership.Role.OWNER)
def member_make_owner(request: WorkspaceRequest, pk: str) -> HttpResponse:
    target = _membership_or_404(request, pk)
    return _team_action(
        request,
        lambda: services.membership_transfer_ownership(
            actor=request.membership,
            membership=target,
        ),
        f"{target.user.full_name} now owns this workspace; you are an admin.",
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_contractor(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """Mark a member as a contractor (QuickBooks: a vendor) or as an employee."""
    target = _membership_or_404(request, pk)
    wanted = request.POST.get("contractor", "")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose Employee or Contractor.")
        return _to_team(request)
    contractor = wanted == "1"
    name = target.user.full_name
    return _team_action(
        request,
        lambda: services.membership_contractor_set(
            actor=request.membership, membership=target, contractor=contractor
        ),
        f"{name} is now a contractor: QuickBooks gets their time as a vendor's once a sync "
        "links them to one."
        if contractor
        else f"{name} is now an employee: QuickBooks gets their time as an employee's once a "
        "sync links them to one.",
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_rate(request: WorkspaceRequest, pk: str) -> HttpResponse:
    target = _membership_or_404(request, pk)
    form = MemberRateForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _team_page(request, row_errors={target.pk: errors}, status=400)
    try:
        services.membership_rate_update(
            actor=request.membership,
            membership=target,
            hourly_rate_cents=rate_to_cents(form.cleaned_data["hourly_rate"]),
        )
    except ApplicationError as exc:
        _raise_http(exc)
        return _team_page(request, row_errors={target.pk: exc.message}, status=400)
    messages.success(
        request,
        f"{target.user.full_name}'s rate saved. It applies to new entries; "
        "use “Apply to past entries” to re-rate existing ones.",
    )
    return _to_team(request)


# --- Invitations -----------------------------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: join when logged in with the invited address, otherwise sign
    up (new address) or log in (known address) and come back here."""
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        return render(
            request,
            "workspaces/invitation_invalid.html",
            {"reason": "This invitation link is not valid: a newer one may have replaced it."},
            status=404,
        )
    try:
        services.invitation_check_usable(invitation)
    except ApplicationError as exc:
        return render(
            request, "workspaces/invitation_invalid.html", {"reason": exc.message}, status=410
        )
    user: User | None = request.user if request.user.is_authenticated else None
    context: dict[str, Any] = {"invitation": invitation, "token": token}
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            context["login_url"] = f"{reverse('workspaces:login')}?next={request.path}"
            return render(request, "workspaces/invitation_accept.html", context)
        form = InvitationSignupForm(request.POST or None, invited_email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                new_user = services.user_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                    invitation=invitation,
                )
            except ApplicationError as exc:
                _attach_error(form, exc)
            else:
                login(request, new_user, backend=MODEL_BACKEND)
                messages.success(request, f"Welcome to {invitation.workspace.name}!")
                return redirect("tracking:tracker", ws=invitation.workspace_id)
        context["form"] = form
        return render(request, "workspaces/invitation_accept.html", context)

    context["wrong_account"] = user.email.lower() != invitation.email
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=user)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "workspaces/invitation_accept.html", context, status=400)
        messages.success(request, f"You joined {invitation.workspace.name}.")
        return redirect("tracking:tracker", ws=invitation.workspace_id)
    return render(request, "workspaces/invitation_accept.html", context)


# --- Audit log -------------------------------------------------------------------------------


@workspace_view(Membership.Role.ADMIN)
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    paginator = Paginator(
        selectors.audit_log_list(workspace=request.workspace),
        AUDIT_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = selectors.AUDIT_EVENT_LABELS.get(entry.event, entry.event)
    return render(request, "workspaces/audit_log.html", {"nav": "audit", "page": page})

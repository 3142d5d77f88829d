"""Forms check the shape of the input; the business rules live in workspaces.services, whose
ApplicationError the views attach to the field it names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from workspaces.models import TIME_ZONE_CHOICES
from workspaces.models import WEEKDAYS
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.validation import MAX_HOURLY_RATE_CENTS

MAX_RATE = (Decimal(MAX_HOURLY_RATE_CENTS) / 100).quantize(Decimal("0.01"))  # the services' bound


def rate_to_cents(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int((value * 100).quantize(Decimal(1)))


def cents_to_rate(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class RateField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", MAX_RATE)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "0.01")
        self.widget.attrs.setdefault("inputmode", "decimal")


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=100,
        help_text="As it appears in QuickBooks, if you use it: time is matched by this name.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not entirely numeric, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by e-mail. The field keeps the name `username`, which django-axes reads."""

    username = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class ProfileNameForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=100)
    confirm = forms.BooleanField(
        label="I understand that QuickBooks matches my time by this name.",
        required=True,
        error_messages={"required": "Tick the box to confirm the change of your name."},
    )


class ProfileForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        help_text="Needed only to change your e-mail address.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=TIME_ZONE_CHOICES)
    week_start = forms.TypedChoiceField(
        label="Week starts on", choices=User.WeekStart.choices, coerce=int
    )
    date_format = forms.ChoiceField(label="Date format", choices=User.DateFormat.choices)
    time_format = forms.ChoiceField(label="Time format", choices=User.TimeFormat.choices)


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(label="Workspace name", max_length=100)
    currency = forms.CharField(
        label="Currency", max_length=3, initial="USD", help_text="ISO 4217 code, e.g. USD, EUR."
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=TIME_ZONE_CHOICES, initial="UTC")


class WorkspaceGeneralForm(forms.Form):
    name = forms.CharField(label="Workspace name", max_length=100)
    currency = forms.CharField(
        label="Currency", max_length=3, help_text="ISO 4217 code, e.g. USD, EUR, GBP."
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=TIME_ZONE_CHOICES)
    hourly_rate = RateField(
        label="Default hourly rate",
        help_text="Applies to new entries of members without a rate of their own.",
    )


class RoundingForm(forms.Form):
    rounding_enabled = forms.BooleanField(label="Round time in reports", required=False)
    rounding_mode = forms.ChoiceField(label="Mode", choices=Workspace.RoundingMode.choices)
    rounding_minutes = forms.TypedChoiceField(
        label="To",
        choices=[(m, f"{m} minutes") for m in Workspace.ROUNDING_MINUTES],
        coerce=int,
    )


class TimeEntryRulesForm(forms.Form):
    max_entry_hours = forms.IntegerField(
        label="Longest entry (hours)",
        min_value=1,
        max_value=999,
        help_text="Longer entries are refused on the pages; the API accepts them and flags them.",
    )
    allow_future_entries = forms.BooleanField(label="Allow time in the future", required=False)
    long_timer_hours = forms.IntegerField(
        label="Warn about a running timer after (hours)",
        min_value=1,
        max_value=999,
        help_text="Every page then offers to stop it at the time it really stopped.",
    )


class ApprovalRemindersForm(forms.Form):
    remind_members = forms.BooleanField(
        label="Remind members who have not submitted last week", required=False
    )
    remind_approvers = forms.BooleanField(
        label="Remind the owner and admins of weeks waiting for approval", required=False
    )
    reminder_weekday = forms.TypedChoiceField(
        label="Send reminders on",
        choices=[(i, d) for i, d in enumerate(WEEKDAYS)],
        coerce=int,
        help_text="In the morning, in the workspace's time zone, by e-mail.",
    )


class PlanForm(forms.Form):
    plan = forms.ChoiceField(label="Plan", choices=Workspace.Plan.choices)


class WorkspaceDeleteForm(forms.Form):
    confirm_name = forms.CharField(label="Type the workspace's name to confirm", max_length=200)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(
        label="Role",
        choices=[(Membership.Role.MEMBER, "Member"), (Membership.Role.ADMIN, "Admin")],
        initial=Membership.Role.MEMBER,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[(Membership.Role.MEMBER, "Member"), (Membership.Role.ADMIN, "Admin")],
    )


class MemberRateForm(forms.Form):
    hourly_rate = RateField(
        label="Hourly rate", required=False, help_text="Blank: the workspace's default rate."
    )


class InvitationSignupForm(SignupForm):
    """Sign-up from an invitation: the e-mail is the invited one."""

    def __init__(self, *args: Any, invited_email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = invited_email
        self.fields["email"].widget.attrs["readonly"] = True

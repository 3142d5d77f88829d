"""Forms of the catalog pages. They only parse input; the rules live in
tracking/services/catalog.py, whose errors the views attach to these forms' fields."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from django import forms

from tracking.models import Client
from tracking.models import Task
from tracking.selectors.catalog import client_choices
from tracking.selectors.catalog import workspace_member_users
from workspaces.errors import ApplicationError
from workspaces.models import User


class RateField(forms.DecimalField):
    """An hourly rate typed as money ("75" or "75.50"), cleaned to integer cents; blank is None
    (the next rate in the hierarchy applies)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("label", "Hourly rate")
        kwargs.setdefault(
            "widget", forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def cents_to_amount(cents: int | None) -> str:
    return "" if cents is None else f"{Decimal(cents) / 100:.2f}"


class ServiceErrorMixin:
    """Attach a service's ApplicationError to the field it names (or the whole form)."""

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]


class NameForm(ServiceErrorMixin, forms.Form):
    # Not required here: the service trims and explains an empty name itself.
    name = forms.CharField(required=False, max_length=200, strip=False, label="Name")


class ClientForm(NameForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")


class TagForm(NameForm):
    pass


class ProjectForm(NameForm):
    client: forms.ModelChoiceField[Client] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="(no client)"
    )
    color = forms.CharField(
        initial="#0b6bcb", widget=forms.TextInput(attrs={"type": "color"}), label="Color"
    )
    billable = forms.BooleanField(required=False, initial=True, label="Billable by default")
    hourly_rate = RateField(help_text="Blank: the member's or the workspace's rate applies.")
    visibility = forms.ChoiceField(
        choices=[("public", "Public (every member)"), ("private", "Private (project members)")],
        initial="public",
        widget=forms.RadioSelect,
        label="Visibility",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")

    def __init__(
        self, *args: Any, workspace_id: str, current_client_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = client_choices(  # type: ignore[attr-defined]
            workspace_id=workspace_id, include=current_client_id
        )


class ProjectMemberAddForm(ServiceErrorMixin, forms.Form):
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Member", empty_label="Choose a member"
    )
    hourly_rate = RateField(label="Project rate", help_text="Blank: no per-member rate.")

    def __init__(
        self, *args: Any, workspace_id: str, exclude_ids: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        users = workspace_member_users(workspace_id=workspace_id)
        if exclude_ids:
            users = users.exclude(pk__in=exclude_ids)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class ProjectMemberRateForm(ServiceErrorMixin, forms.Form):
    hourly_rate = RateField(label="Project rate")


class TaskForm(NameForm):
    hourly_rate = RateField(label="Task rate", help_text="Blank: the project's rates apply.")
    assignees = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Assignees"
    )
    status = forms.ChoiceField(
        choices=Task.Status.choices, initial=Task.Status.ACTIVE, label="Status", required=False
    )

    def __init__(
        self, *args: Any, assignable: list[User], with_status: bool = True, **kwargs: Any
    ) -> None:
        """`assignable`: the people who may be assigned (one list for all the task forms of a
        page, so the page does not query once per task). A new task is active: its form
        (`with_status=False`) has no status."""
        super().__init__(*args, **kwargs)
        if not with_status:
            del self.fields["status"]
        self._assignable = {u.pk: u for u in assignable}
        self.fields["assignees"].choices = [(u.pk, u.full_name) for u in assignable]  # type: ignore[attr-defined]

    def clean_assignees(self) -> list[User]:
        return [self._assignable[pk] for pk in self.cleaned_data["assignees"]]

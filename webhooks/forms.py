from __future__ import annotations

from django import forms

from webhooks.services import EVENTS


class WebhookForm(forms.Form):
    """A webhook for the whole workspace (limiting it to projects, users, tags or tasks is
    done through the API's triggerSource)."""

    name = forms.CharField(max_length=100)
    url = forms.CharField(
        label="URL", max_length=2000, help_text="Where each event is POSTed, as JSON."
    )
    event = forms.ChoiceField(choices=[(e, e) for e in EVENTS])

"""Forms of the settings page. They check shape only; services do the rest."""

from django import forms

from accounts.models import WebhookEvent


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What will use it, e.g. “TMS production”, so you know which "
        "key to revoke later.",
    )


def _events_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Status changes to send",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one status change."},
    )


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="An https:// address of your system that accepts POSTed JSON.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    events = _events_field()
    description = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="Optional: what receives these, for your colleagues.",
    )


class WebhookEventsForm(forms.Form):
    events = _events_field()

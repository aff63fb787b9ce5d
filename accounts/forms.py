"""Forms of the accounts pages. They check shape only; services do the rest."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.eori import eori_problem, normalise_eori
from accounts.models import Membership, Organisation, WebhookEvent
from accounts.services_team import normalise_email


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Key name"),
        max_length=100,
        help_text=_(
            "What will use it, e.g. “TMS production”, so you know which key to "
            "revoke later."
        ),
    )


def _events_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Status changes to send"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one status change.")},
    )


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("An https:// address of your system that accepts POSTed JSON."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    events = _events_field()
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Optional: what receives these, for your colleagues."),
    )


class WebhookEventsForm(forms.Form):
    events = _events_field()


class EmailAuthenticationForm(AuthenticationForm):
    """The sign-in form, with the e-mail compared without regard to case."""

    # AuthenticationForm sets the field's max_length after the field is made, so
    # it only reaches the widget: a longer value would still be tried, and the
    # lockout's record of the failed login (255 characters) would fail.
    MAX_LENGTH = 254  # the longest e-mail address (RFC 5321)

    def clean_username(self) -> str:
        raw = self.cleaned_data.get("username", "")
        if len(raw) > self.MAX_LENGTH:
            raise forms.ValidationError(
                _("An e-mail address has at most %(n)d characters.")
                % {"n": self.MAX_LENGTH},
                code="max_length",
            )
        email = normalise_email(raw)
        # Logins made before e-mails were stored in lower case keep their case.
        stored = (
            get_user_model()
            .objects.filter(username__iexact=email)
            .values_list("username", flat=True)
            .first()
        )
        return stored or email


ROLE_CHOICES = [
    (Membership.Role.MEMBER, _("Member: files and follows declarations")),
    (
        Membership.Role.ADMIN,
        _("Administrator: also manages the team, API keys and webhooks"),
    ),
]
ROLE_LABELS = {
    Membership.Role.ADMIN: _("Administrator"),
    Membership.Role.MEMBER: _("Member"),
}


class _PasswordsMixin:
    """Two password fields, checked with the site's password validators."""

    def _password_fields(self) -> None:
        self.fields["password1"] = forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Password again"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_("The same password, to rule out a typing mistake."),
        )

    def _check_passwords(self, *, email: str) -> None:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if not password1:
            return
        if password2 and password1 != password2:
            self.add_error(
                "password2", _("The two passwords differ: type the same one twice.")
            )
        user = get_user_model()(
            username=email,
            email=email,
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )
        try:
            password_validation.validate_password(password1, user)
        except ValidationError as exc:
            self.add_error("password1", exc)


def _name_fields() -> tuple[forms.CharField, forms.CharField]:
    first = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    return first, last


class SignUpForm(_PasswordsMixin, forms.Form):
    organisation_name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        help_text=_("The legal name, as on your EORI registration."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    kind = forms.ChoiceField(
        label=_("Your organisation is a"),
        choices=[
            (Organisation.Kind.SHIPPER, _("Shipper: you sell or send the goods")),
            (
                Organisation.Kind.FORWARDER,
                _("Forwarder: you move consignments for others, e.g. by manifest"),
            ),
            (
                Organisation.Kind.BROKER,
                _("Customs broker: you declare on behalf of your clients"),
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what your organisation does."),
            "invalid_choice": _("Choose shipper, forwarder or customs broker."),
        },
    )
    eori = forms.CharField(
        label=_("EORI number"),
        max_length=40,
        help_text=_(
            "The Economic Operators Registration and Identification number every "
            "business needs to deal with EU customs: two letters for the country "
            "that issued it, then up to 15 letters or digits, e.g. BE0403170701. "
            "It is on your EORI certificate; if you have none, apply to the "
            "customs of the EU country where you are established (in Belgium, "
            "the FPS Finance). Spaces and dashes are fine."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    first_name, last_name = _name_fields()
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=150,
        help_text=_("You sign in with it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._password_fields()

    def clean_eori(self) -> str:
        eori = normalise_eori(self.cleaned_data["eori"])
        if problem := eori_problem(eori):
            raise ValidationError(problem)
        # Whether the EORI is on the portal is not said: see organisation_sign_up.
        return eori

    def clean_email(self) -> str:
        # Nor whether the address has a login: its holder is told by e-mail.
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_passwords(email=cleaned.get("email", ""))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail"),
        max_length=150,
        help_text=_("They get a link to set their name and password, valid 7 days."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLE_CHOICES, initial=Membership.Role.MEMBER
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class InvitationAcceptForm(_PasswordsMixin, forms.Form):
    first_name, last_name = _name_fields()

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self._password_fields()

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_passwords(email=self.email)
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=list(ROLE_LABELS.items()))

"""API-key authentication for the broker API: `Authorization: Token <key>`."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from accounts.models import ApiKey, Organisation
from accounts.services import hash_api_key

# Recording every request's use would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiClient:
    """What `request.user` is on the API: the organisation behind a key."""

    organisation: Organisation
    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}… of {self.organisation.slug}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <api key>', with one space."
            )
        try:
            raw_key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                "The API key has invalid characters."
            ) from exc
        api_key = (
            ApiKey.objects.select_related("organisation")
            .filter(key_hash=hash_api_key(raw_key), revoked_at=None)
            .first()
        )
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                "This API key is unknown or revoked. Ask your organisation's "
                "administrator for a new one."
            )
        now = timezone.now()
        if (
            api_key.last_used_at is None
            or now - api_key.last_used_at > LAST_USED_RESOLUTION
        ):
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return ApiClient(organisation=api_key.organisation, api_key=api_key), api_key

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsOrganisationMember(permissions.BasePermission):
    """A key of a verified trader organisation; customs officers work in the admin."""

    message = "API keys of a customs authority cannot file declarations."

    def has_permission(self, request, view) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        organisation = client.organisation
        if organisation.kind == Organisation.Kind.CUSTOMS:
            return False
        if not organisation.is_verified:
            raise exceptions.PermissionDenied(unverified_message(organisation))
        return True


def unverified_message(organisation: Organisation) -> str:
    pending = []
    if organisation.email_verified_at is None:
        pending.append("its administrator's e-mail address is not confirmed")
    if organisation.eori_status == Organisation.EoriStatus.REFUSED:
        pending.append("the portal's operator refused its claim to its EORI")
    elif organisation.eori_status != Organisation.EoriStatus.VERIFIED:
        pending.append("the portal's operator has not yet verified its EORI")
    return (
        f"Organisation {organisation.slug} cannot use the API yet: "
        + " and ".join(pending)
        + ". Sign in to the portal to see what is pending."
    )


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <api key>`; issue a key with "
            "`python manage.py issue_api_key ORG_SLUG`.",
        }

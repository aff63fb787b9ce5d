"""Request rates of the broker API, limited per API key and per organisation."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.api_auth import ApiClient


class _ApiClientThrottle(SimpleRateThrottle):
    """Counts the requests of an authenticated API client in the default cache.

    Unauthenticated requests are not counted: DRF refuses them (401) before it
    asks the throttles.
    """

    @property
    def THROTTLE_RATES(self) -> dict:  # noqa: N802 (DRF's attribute name)
        # DRF binds the rates when its module is imported; reading them per
        # request lets settings overrides (tests, `override_settings`) apply.
        return api_settings.DEFAULT_THROTTLE_RATES

    def ident_of(self, client: ApiClient) -> int:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str | None:
        client = request.user
        if not isinstance(client, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.ident_of(client)}


class ApiKeyRateThrottle(_ApiClientThrottle):
    """One broker system (one key) cannot take the whole organisation's rate."""

    scope = "api_key"

    def ident_of(self, client: ApiClient) -> int:
        return client.api_key.pk


class OrganisationRateThrottle(_ApiClientThrottle):
    """Issuing more keys does not raise an organisation's rate."""

    scope = "organisation"

    def ident_of(self, client: ApiClient) -> int:
        return client.organisation.pk

"""Request rates of the broker API, limited per API key and per organisation."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
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

    @property
    def cache(self):
        # The backend itself, not DRF's proxy of it: `_hit` asks what it is.
        return caches["default"]

    def ident_of(self, client: ApiClient) -> int:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str | None:
        client = request.user
        if not isinstance(client, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.ident_of(client)}

    def allow_request(self, request, view) -> bool:
        """A fixed-window counter: one atomic increment per request.

        DRF's default keeps a list of every request's time and rewrites it on
        each request (get, then set: racy across workers, and costly at 600 a
        minute). A window may let up to twice the rate through at its border,
        which is the accepted trade for one cheap, atomic operation.
        """
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        count = self._hit(f"{key}:{int(now // self.duration)}", self.duration + 1)
        if count > self.num_requests:
            self.wait_seconds = self.duration - (now % self.duration)
            return False
        return True

    def _hit(self, key: str, ttl: int) -> int:
        """Count one request in the window `key`; the count so far.

        On Redis, INCR and EXPIRE in one round trip: Django's add-then-incr
        costs three (SET NX, EXISTS, INCR), a third of a cached read's time.
        """
        if isinstance(self.cache, RedisCache):
            key = self.cache.make_and_validate_key(key)
            client = self.cache._cache.get_client(key, write=True)
            pipeline = client.pipeline(transaction=False)
            count, _ = pipeline.incr(key).expire(key, ttl).execute()
            return count
        self.cache.add(key, 0, ttl)
        try:
            return self.cache.incr(key)
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, ttl)
            return 1

    def wait(self) -> float:
        return getattr(self, "wait_seconds", None)


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

"""Page access that depends on the account's state, not on the page: a second
factor for those who must have one, and nothing but the "pending" page for an
organisation whose e-mail or EORI is not yet verified."""

from collections.abc import Callable
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Reachable whatever the account's state: signing out, the checks themselves,
# the language switch, password reset, static files. The API authenticates by
# key, not by session, and is checked by its permission class.
_ALWAYS_OPEN = (
    "/accounts/logout/",
    "/accounts/password_reset/",
    "/accounts/reset/",
    "/two-factor/",
    "/pending/",
    "/verify-email/",
    "/i18n/",
    "/api/",
    "/admin/logout/",
)


def needs_second_factor(user) -> bool:
    """Officers (staff) and organisation administrators, when the setting asks."""
    if not getattr(settings, "TWO_FACTOR_REQUIRED", False):
        return False
    if user.is_staff:
        return True
    membership = getattr(user, "membership", None)
    return membership is not None and membership.role == "admin"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class AccountStateMiddleware:
    """After django_otp's OTPMiddleware (it says whether the session passed a
    second factor)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # STATIC_URL may be a path ("static/") or a whole URL on another host.
        static = "/" + urlparse(settings.STATIC_URL).path.lstrip("/")
        self.open_paths = (*_ALWAYS_OPEN, static)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path
        if (
            user is None
            or not user.is_authenticated
            or path.startswith(self.open_paths)
        ):
            return self.get_response(request)
        if needs_second_factor(user) and not user.is_verified():
            target = reverse("public:two-factor")
            query = urlencode({"next": request.get_full_path()})
            return _redirect(request, f"{target}?{query}")
        membership = getattr(user, "membership", None)
        if (
            membership is not None
            and not membership.organisation.is_customs
            and not membership.organisation.is_verified
        ):
            return _redirect(request, reverse("public:pending"))
        return self.get_response(request)

"""Who a visitor is for the sign-in, sign-up and reset limits: their address.

django-axes (login lockout) and django-ratelimit (sign-up, password reset,
confirmation links) both ask this, so they count the same client.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies of our own, the address
    the outermost of them saw (X-Forwarded-For, read from the right: entries to
    its left are whatever the client wrote)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _rate(setting: str) -> Callable:
    # Read per request, so that tests and deployments can change it.
    return lambda group, request: getattr(settings, setting)


def _posted_email(group: str, request: HttpRequest) -> str:
    # Case and spaces do not make another account (logins are lower case).
    return (request.POST.get("email") or "").strip().lower()


def throttled_post(
    *, group: str, per_ip: str, per_account: str, account: Callable = _posted_email
) -> Callable:
    """Limit a form's POSTs per client address and per e-mail address posted.

    Over either limit, the answer is a 429 page saying to wait; it is the same
    whether or not the address has a login.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                by_ip = is_ratelimited(
                    request,
                    group=f"{group}-ip",
                    key="ip",
                    rate=_rate(per_ip),
                    increment=True,
                )
                by_account = is_ratelimited(
                    request,
                    group=f"{group}-account",
                    key=account,
                    rate=_rate(per_account),
                    increment=True,
                )
                if by_ip or by_account:
                    return render(request, "accounts/throttled.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

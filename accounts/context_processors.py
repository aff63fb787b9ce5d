"""Puts the signed-in user's organisation into every template."""

from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict:
    membership = getattr(getattr(request, "user", None), "membership", None)
    return {"organisation": membership.organisation if membership else None}

"""Every API error as application/problem+json (RFC 9457), with field details."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.errors import ApplicationError

PROBLEM_TYPE = "https://customs-portal.example/problems/"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal error",
}


def problem(
    status_code: int, detail: str, errors: list[dict] | None = None, **extra
) -> dict:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE
        + TITLES.get(status_code, "error").lower().replace(" ", "-"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body | extra


def flatten_errors(detail: Any, prefix: str = "") -> list[dict]:
    """DRF's nested error dicts and lists as [{"field": "items[0].hs_code", ...}]."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys a list's errors by index
                out.extend(flatten_errors(value, f"{prefix}[{key}]"))
                continue
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(flatten_errors(value, path))
        return out
    if isinstance(detail, list):
        if all(isinstance(v, (str, exceptions.ErrorDetail)) for v in detail):
            return [{"field": prefix, "message": str(v)} for v in detail]
        out = []
        for index, value in enumerate(detail):
            if value:
                out.extend(flatten_errors(value, f"{prefix}[{index}]"))
        return out
    return [{"field": prefix, "message": str(detail)}]


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        errors = flatten_errors(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
        exc = exceptions.ValidationError(
            detail={e["field"] or "non_field_errors": [e["message"]] for e in errors}
        )
    if isinstance(exc, ApplicationError):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return Response(
            problem(exc.status, exc.message, errors),
            status=exc.status,
            content_type=CONTENT_TYPE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such object in your organisation.")
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        body = problem(400, "The request has invalid fields; see errors.", errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem(response.status_code, str(detail))
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def json_not_found(request, exception=None) -> JsonResponse:
    return JsonResponse(
        problem(404, f"No API endpoint at {request.path}. See /api/docs/."),
        status=status.HTTP_404_NOT_FOUND,
        content_type=CONTENT_TYPE,
    )


def json_server_error(request) -> JsonResponse:
    return JsonResponse(
        problem(
            500, "The portal failed to answer. The error is logged; try again later."
        ),
        status=500,
        content_type=CONTENT_TYPE,
    )

"""Every API error as application/problem+json (RFC 9457), with field details."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.errors import ApplicationError, flatten_errors

# Lazy: compared in the language of the request (Accept-Language: fr).
INVALID_CURSOR = pagination.CursorPagination.invalid_cursor_message
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


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    if (request := context.get("request")) is not None:
        # A problem is JSON whatever the view negotiated: under ?format=csv a
        # 404 or a 429 was rendered by the CSV renderer as a Python repr.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = CONTENT_TYPE
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer would be an HTML "Bad Request".
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            problem(413, f"The body is over the limit of {size} bytes; send less."),
            status=413,
            content_type=CONTENT_TYPE,
        )
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
    if isinstance(exc, exceptions.NotFound) and str(exc.detail) == str(INVALID_CURSOR):
        # A cursor the client altered is bad input, not a missing object.
        exc = exceptions.ValidationError(
            {
                "cursor": [
                    "This cursor is not one the API gave: use `next` or `previous`."
                ]
            }
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


@csrf_exempt
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

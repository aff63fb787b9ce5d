"""Request middleware (NUL bytes refused; for the API: Idempotency-Key replays,
ETags with 304s) and its OpenAPI part."""

import logging
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _

from accounts import idempotency
from accounts.models import ApiKey
from accounts.services import hash_api_key
from portal.api_errors import CONTENT_TYPE, problem

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
IDEMPOTENT_METHODS = {"POST", "PATCH"}
# The multipart envelope around the largest manifest a broker may upload.
MULTIPART_SLACK = 64 * 1024
CHUNK = 64 * 1024


def _problem(status: int, detail: str, message: str = "") -> JsonResponse:
    errors = [{"field": idempotency.HEADER, "message": message}] if message else None
    return JsonResponse(
        problem(status, detail, errors), status=status, content_type=CONTENT_TYPE
    )


class RejectNulMiddleware:
    """A NUL character in the path, a query string or a form field is a 400
    naming where it is.

    PostgreSQL cannot hold NUL in text, so such a value reaching a query is a
    500; no real search or form value contains one. Checked once here for every
    page, API endpoint and admin view (form fields of Django's forms are also
    checked by their own validators; query filters are not).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _nul_parameter(request)
        if name is None:
            return self.get_response(request)
        message = _("Remove the NUL character (\\0) from %(name)s.") % {"name": name}
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                problem(400, message, [{"field": name, "message": message}]),
                status=400,
                content_type=CONTENT_TYPE,
            )
        return HttpResponseBadRequest(message, content_type="text/plain")


def _nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first query or form parameter holding a NUL, if any."""
    if "\x00" in request.path:  # e.g. a text primary key in an admin URL
        return "path"
    if "%00" in request.META.get("QUERY_STRING", ""):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "") or "query"
        return "query"
    content_type = request.META.get("CONTENT_TYPE", "")
    if (
        request.method == "POST"
        and content_type.startswith("application/x-www-form-urlencoded")
        and not request.path.startswith(API_PREFIX)  # the API reads JSON only
    ):
        try:
            fields = request.POST.lists()
        except SuspiciousOperation:  # an oversized body: Django answers it
            return None
        for name, values in fields:
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "") or "form"
    return None


class IdempotencyMiddleware:
    """Answers a repeated POST or PATCH under /api/ with the first answer.

    Applies to requests with an `Idempotency-Key` header and a known, unrevoked
    API key (without one, the request goes on and DRF answers 401). The key is
    scoped to the API key; the request is identified by its method, full path
    and a SHA-256 of its body (multipart boundaries aside). Answers below 500
    are kept for 24 hours, a 400 included: the same invalid body gets the same
    400. A 5xx or a 429 frees the key, so that a retry runs again.

    The body is read here, before the view, streamed through the hash into a
    spooled temporary file that then replaces the request's input stream: an
    upload as large as a manifest is never held in memory. A body over
    MANIFEST_MAX_BYTES plus a multipart envelope is passed on without
    idempotency: no view accepts it, so there is nothing to replay.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(idempotency.HEADER)
        if (
            key is None
            or request.method not in IDEMPOTENT_METHODS
            or not request.path.startswith(API_PREFIX)
        ):
            return self.get_response(request)
        if not key or len(key) > idempotency.KEY_MAX_LENGTH:
            return _problem(
                400,
                f"The {idempotency.HEADER} header is invalid; see errors.",
                f"Send 1 to {idempotency.KEY_MAX_LENGTH} characters, "
                "e.g. a UUID, new for each new request.",
            )
        api_key = self._api_key(request)
        if api_key is None:
            return self.get_response(request)
        body_hash, spool = self._hash_body(request)
        try:
            if body_hash is None:
                return self.get_response(request)
            return self._run_once(request, api_key, key, body_hash)
        finally:
            if spool is not None:
                spool.close()

    def _run_once(
        self, request: HttpRequest, api_key: ApiKey, key: str, body_hash: str
    ) -> HttpResponse:
        result = idempotency.idempotency_key_claim(
            api_key_id=api_key.pk,
            key=key,
            method=request.method,
            path=request.get_full_path(),
            body_hash=body_hash,
        )
        record = result.record
        if result.claim is idempotency.Claim.MISMATCH:
            return _problem(
                409,
                f"This {idempotency.HEADER} was used for another request.",
                f"This key was sent with {record.method} {record.path} and another "
                "body in the last 24 hours. Use a new key for a new request.",
            )
        if result.claim is idempotency.Claim.IN_PROGRESS:
            return _problem(
                409,
                f"A request with this {idempotency.HEADER} is in progress.",
                "Wait for the first request's answer, or retry in a few seconds.",
            )
        if result.claim is idempotency.Claim.REPLAY:
            return self._replay(record)
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency.idempotency_record_release(record=record)
            raise
        if response.status_code >= 500 or response.status_code == 429:
            idempotency.idempotency_record_release(record=record)
        elif response.streaming:
            logger.warning("Not kept for %s: a streaming answer", request.path)
            idempotency.idempotency_record_release(record=record)
        else:
            idempotency.idempotency_record_complete(
                record=record,
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", ""),
                body=response.content,
            )
        return response

    @staticmethod
    def _replay(record) -> HttpResponse:
        response = HttpResponse(
            bytes(record.body),
            status=record.status_code,
            content_type=record.content_type or None,
        )
        if record.location:
            response["Location"] = record.location
        response["Idempotent-Replayed"] = "true"
        return response

    @staticmethod
    def _api_key(request: HttpRequest) -> ApiKey | None:
        """The key as ApiKeyAuthentication would find it; None leaves it to DRF."""
        parts = request.headers.get("Authorization", "").split()
        if len(parts) != 2 or parts[0].lower() != "token":
            return None
        return ApiKey.objects.filter(
            key_hash=hash_api_key(parts[1]), revoked_at=None
        ).first()

    @staticmethod
    def _hash_body(request: HttpRequest):
        """(hash, spool) of the body; hash None when it is not to be kept."""
        media_type, params = parse_header_parameters(
            request.META.get("CONTENT_TYPE", "")
        )
        boundary = (
            params.get("boundary", "") if media_type.startswith("multipart/") else ""
        )
        hasher = idempotency.BodyHasher(media_type, boundary)
        if hasattr(request, "_body"):  # read by an earlier middleware
            hasher.update(request.body)
            return hasher.hexdigest(), None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MANIFEST_MAX_BYTES + MULTIPART_SLACK:
            return None, None
        if request._read_started:
            return None, None
        spool = tempfile.SpooledTemporaryFile(
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        )
        # Django reads the body from request._stream (a LimitedStream over
        # wsgi.input); `HttpRequest.body` swaps in a BytesIO the same way.
        while chunk := request._stream.read(CHUNK):
            hasher.update(chunk)
            spool.write(chunk)
        spool.seek(0)
        request._stream = spool
        return hasher.hexdigest(), spool


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """ETag (a hash of the body) on API reads, and 304 for a matching If-None-Match.

    Limited to /api/: pages carry CSRF tokens and one-time messages, which a
    304 would keep showing from the browser's cache. The ETag saves the
    bandwidth and the client's parsing, not the server's work.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return response
        response = super().process_response(request, response)
        if response.has_header("ETag"):
            # A shared cache must not hand one organisation's answer to another.
            patch_vary_headers(response, ["Authorization"])
        return response


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
WRITES = {"post", "patch"}


def api_schema_hook(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: what the middleware and throttles add.

    Every operation may answer 429 with Retry-After; POST and PATCH take an
    Idempotency-Key and may answer 409; reads answer 304 to If-None-Match;
    every error body is application/problem+json.
    """
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in responses.items():
                content = response.get("content", {})
                if code >= "400" and "application/json" in content:
                    content[CONTENT_TYPE] = content.pop("application/json")
            responses.setdefault(
                "429",
                {
                    "description": "Too many requests for this key or organisation.",
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds to wait.",
                        }
                    },
                    "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}},
                },
            )
            if method == "get":
                responses.setdefault(
                    "304", {"description": "Not modified since the If-None-Match ETag."}
                )
                _add_header(operation, "If-None-Match", "An ETag of an earlier answer.")
            if method in WRITES:
                _add_header(
                    operation,
                    idempotency.HEADER,
                    "Up to 255 characters, new for each new request. A retry with "
                    "the same key and body within 24 hours gets the first answer "
                    "(header Idempotent-Replayed: true) and changes nothing.",
                    max_length=idempotency.KEY_MAX_LENGTH,
                )
                responses.setdefault(
                    "409",
                    {
                        "description": "The Idempotency-Key is in use by a request "
                        "in progress, or was used for another request.",
                        "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}},
                    },
                )
    return result


def _add_header(
    operation: dict, name: str, description: str, max_length: int | None = None
) -> None:
    parameters = operation.setdefault("parameters", [])
    if any(p.get("in") == "header" and p.get("name") == name for p in parameters):
        return
    schema: dict = {"type": "string", "minLength": 1}
    if max_length:
        schema["maxLength"] = max_length
    parameters.append(
        {"in": "header", "name": name, "schema": schema, "description": description}
    )

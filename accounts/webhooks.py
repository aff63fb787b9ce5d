"""Webhooks: endpoints, signed deliveries of status changes, their attempts, replays."""

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from random import uniform
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.api_auth import ApiClient
from accounts.errors import ApplicationError
from accounts.models import (
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

WEBHOOK_EVENTS: tuple[str, ...] = tuple(WebhookEvent.values)

Actor = AbstractBaseUser | ApiClient | None

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_HEADER = "X-Portal-Event"
DELIVERY_HEADER = "X-Portal-Delivery"

# Retry schedule (see `webhook_retry_countdown`). 14 attempts: the first at
# once, then 13 retries after 30 s, 1, 2, 4, 8, 16, 32 min, 1 h 4, 2 h 8, 4 h 16,
# then 6 h three times: 95,490 s (26 h 31 min) at least from the first failure
# to the last attempt, and up to 10 % more with jitter.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 6 * 60 * 60
RETRY_JITTER = 0.1
MAX_ATTEMPTS = 14
TIMEOUT_SECONDS = 10
# A second run of the same delivery before its retry is due is a duplicate.
DUE_TOLERANCE = timedelta(seconds=60)
# More deliveries than this are queued as batches of ids, not one task each.
BATCH_SIZE = 100
RESPONSE_BYTES_KEPT = 500

SIGNATURE_HELP = (
    "Every delivery is a POST of a JSON body with the headers "
    f"`{SIGNATURE_HEADER}: sha256=<hex>`, `{TIMESTAMP_HEADER}: <unix seconds>`, "
    f"`{EVENT_HEADER}: <status>` and `{DELIVERY_HEADER}: <delivery id>`. To verify "
    "it, compute HMAC-SHA256 with the endpoint's secret over the bytes "
    "`<timestamp>.` followed by the raw request body, hex-encode it, compare it "
    "with the header in constant time, and refuse timestamps more than 5 minutes "
    "old. Answer 2xx within 10 s; anything else (redirects included) is retried "
    "with exponential backoff for 26 hours. A delivery keeps its id across "
    "retries, so use it to ignore duplicates."
)


# Signing -------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `f"{timestamp}.".encode() + body` under `secret`.

    Sent as `X-Portal-Signature: sha256=<hex>` next to `X-Portal-Timestamp`. The
    receiver verifies it like this (Stripe's scheme), on the raw body bytes:

        expected = hmac.new(secret.encode(), f"{ts}.".encode() + body,
                            hashlib.sha256).hexdigest()
        ok = hmac.compare_digest("sha256=" + expected, header)
             and abs(time.time() - int(ts)) < 300

    Signing the timestamp with the body stops an old delivery being replayed.
    """
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_body(*, delivery: WebhookDelivery) -> bytes:
    """What is POSTed: an envelope around the payload the lifecycle gave."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "declaration_id": delivery.declaration_id,
        "created_at": delivery.created_at,
        "replay_of": delivery.replay_of_id,
        "data": delivery.payload,
    }
    return json.dumps(
        envelope, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True
    ).encode()


# Endpoints -----------------------------------------------------------------


def _http_allowed() -> bool:
    """Plain-HTTP loopback endpoints, for development and the test suite only."""
    return bool(settings.DEBUG or getattr(settings, "WEBHOOK_ALLOW_HTTP", False))


LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook endpoint, or None.

    HTTPS only, to a public host. With DEBUG or WEBHOOK_ALLOW_HTTP on,
    http:// (and https://) to a loopback host is allowed too, so that a
    developer or the tests can receive deliveries on their own machine.
    Host names are resolved and checked again at each delivery.
    """
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a full URL, such as https://example.com/customs/webhooks."
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.username or parts.password:
        return (
            "Leave the user name and password out of the URL: the signature "
            "authenticates us."
        )
    if _is_loopback(host):
        if _http_allowed():
            return None
        return "Use your system's public address: we cannot call this machine."
    if parts.scheme != "https":
        return "Use an https:// URL: deliveries carry your customs data."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not is_public_address(address):
        return "Use a public address: private networks cannot be reached."
    return None


# IPv6 forms that carry or reach an IPv4 address, so that a check of the IPv6
# address alone says nothing of where packets go: refused whatever they embed.
IPV6_TRANSITION_NETWORKS = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::ffff:0:0/96",  # IPv4-mapped (RFC 4291)
        "::/96",  # IPv4-compatible, deprecated (RFC 4291)
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # NAT64 local-use prefix (RFC 8215)
        "2002::/16",  # 6to4 (RFC 3056)
        "2001::/32",  # Teredo (RFC 4380)
    )
)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally reachable address that is not an IPv6 transition form (nor
    an ISATAP interface identifier, RFC 5214, which embeds an IPv4 address)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id or any(address in n for n in IPV6_TRANSITION_NETWORKS):
            return False
        if (int(address) >> 32) & 0xFDFFFFFF == 0x00005EFE:  # ISATAP
            return False
    return address.is_global


_NOT_PUBLIC = (
    "the host name resolves to an address that is not public; deliveries go "
    "to public addresses only"
)


def _resolve(url: str) -> tuple[list[str], str]:
    """At delivery: the host's addresses, resolved once and every one checked
    (SSRF); or why not. The answer never names an address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return [], f"cannot resolve {host}"
    addresses = []
    for info in infos:
        text = info[4][0]
        address = ipaddress.ip_address(text.split("%")[0])
        if address.is_loopback and _http_allowed():
            addresses.append(text)
            continue
        if not is_public_address(address):
            return [], _NOT_PUBLIC
        addresses.append(text)
    if not addresses:
        return [], f"cannot resolve {host}"
    return list(dict.fromkeys(addresses)), ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address that was checked, not to a new lookup
    of the host name (DNS rebinding); the Host header stays the URL's."""

    def __init__(self, host: str, port: int | None, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection(
            (self.address, self.port), self.timeout, self.source_address
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address, with the URL's host name for SNI and for
    the certificate's verification."""

    def __init__(self, host: str, port: int | None, *, address: str, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection(
            (self.address, self.port), self.timeout, self.source_address
        )
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _clean_events(events: Sequence[str]) -> list[str]:
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise ValidationError(
            {
                "events": f"Unknown events: {', '.join(unknown)}. "
                f"Choose from {', '.join(WEBHOOK_EVENTS)}."
            }
        )
    if not events:
        raise ValidationError({"events": "Choose at least one status change."})
    return [e for e in WEBHOOK_EVENTS if e in set(events)]


def _clean_url(url: str) -> str:
    url = url.strip()
    if problem := webhook_url_problem(url):
        raise ValidationError({"url": problem})
    return url


@transaction.atomic
def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    events: Sequence[str],
    description: str = "",
    by: Actor = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which the caller shows once."""
    raw_secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=_clean_url(url),
        events=_clean_events(events),
        description=description.strip(),
        secret=raw_secret,
        created_by=by if isinstance(by, AbstractBaseUser) else None,
    )
    return endpoint, raw_secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: Actor = None,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; None leaves a field as it is."""
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = description.strip()
    if is_active is not None:
        endpoint.is_active = is_active
    endpoint.save(update_fields=["url", "events", "description", "is_active"])
    return endpoint


def webhook_endpoint_deactivate(
    *, endpoint: WebhookEndpoint, by: Actor = None
) -> WebhookEndpoint:
    """Stop deliveries, pending retries included; the history is kept."""
    return webhook_endpoint_update(endpoint=endpoint, by=by, is_active=False)


# Emitting ------------------------------------------------------------------


def _queue(delivery_ids: list[int]) -> None:
    from accounts.tasks import deliver_webhook, deliver_webhooks

    if len(delivery_ids) <= BATCH_SIZE:
        for delivery_id in delivery_ids:
            deliver_webhook.delay(delivery_id)
        return
    for start in range(0, len(delivery_ids), BATCH_SIZE):
        deliver_webhooks.delay(delivery_ids[start : start + BATCH_SIZE])


def webhook_events_emit(
    *, organisation_id: int, events: Sequence[tuple[int, str, dict]]
) -> int:
    """Record a delivery of each (declaration_id, status, payload) to every active
    endpoint of the organisation subscribed to that status; queue them on commit.

    One query when the organisation has no matching endpoint, two otherwise
    (find the endpoints, insert the deliveries). Statuses nobody can subscribe
    to (draft, submitted...) are ignored, so the caller may pass every change.
    Returns the number of deliveries recorded.
    """
    if not events:
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).values_list("pk", "events")
    )
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint_id,
            event=status,
            declaration_id=declaration_id,
            payload=payload,
        )
        for declaration_id, status, payload in events
        for endpoint_id, subscribed in endpoints
        if status in subscribed
    ]
    if not deliveries:
        return 0
    created = WebhookDelivery.objects.bulk_create(deliveries, batch_size=5000)
    ids = [d.pk for d in created]
    transaction.on_commit(lambda: _queue(ids))
    return len(ids)


@transaction.atomic
def webhook_delivery_replay(
    *, delivery: WebhookDelivery, by: Actor = None
) -> WebhookDelivery:
    """Send a delivery's payload again, as a new delivery pointing to it."""
    if not delivery.endpoint.is_active:
        raise ApplicationError(
            "This endpoint is deactivated: reactivate it to replay its deliveries."
        )
    replay = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        declaration_id=delivery.declaration_id,
        payload=delivery.payload,
        replay_of=delivery,
    )
    transaction.on_commit(lambda: _queue([replay.pk]))
    return replay


# Attempting ----------------------------------------------------------------


def webhook_retry_countdown(*, attempt: int, jitter: bool = True) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    30 s doubled at each failure, capped at 6 h, plus up to 10 % jitter (added,
    never taken off, so the schedule is never shorter than stated).
    """
    base = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_CAP_SECONDS)
    return base * (1 + uniform(0, RETRY_JITTER)) if jitter else float(base)


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> AttemptResult:
    """POST the delivery to one address the host resolved to, each checked.

    A redirect is a failed delivery (http.client follows none): the receiver
    must answer at its URL.
    """
    problem = webhook_url_problem(endpoint.url)
    addresses, problem = ([], problem) if problem else _resolve(endpoint.url)
    if problem:
        return AttemptResult(None, f"Not sent: {problem}")
    body = webhook_body(delivery=delivery)
    timestamp = int(time.time())
    signature = webhook_signature(
        secret=endpoint.secret, timestamp=timestamp, body=body
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "customs-portal-webhooks/1",
        SIGNATURE_HEADER: f"sha256={signature}",
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = (
        _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    )
    error = ""
    for address in addresses:  # the next one only if this one cannot be reached
        connection = connection_class(
            parts.hostname, parts.port, address=address, timeout=TIMEOUT_SECONDS
        )
        try:
            connection.connect()
        except OSError as exc:
            error = _attempt_error(exc, address, parts.hostname)
            connection.close()
            continue
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            if 200 <= response.status < 300:
                return AttemptResult(response.status, "")
            text = response.read(RESPONSE_BYTES_KEPT).decode("utf-8", "replace")
            return AttemptResult(
                response.status,
                f"HTTP {response.status} {response.reason}: {text}".strip(),
            )
        except (OSError, http.client.HTTPException) as exc:
            return AttemptResult(None, _attempt_error(exc, address, parts.hostname))
        finally:
            connection.close()
    return AttemptResult(None, error)


def _attempt_error(exc: Exception, address: str, host: str | None) -> str:
    """The error, naming the URL's host, never the address it resolved to."""
    detail = str(exc).replace(address, host or "")
    return f"{type(exc).__name__}: {detail}"[:1000]


@dataclass(frozen=True)
class AttemptOutcome:
    """What the task does next: nothing, or retry in `retry_in` seconds."""

    delivery_id: int
    status: str
    attempts: int
    retry_in: float | None = None


def webhook_delivery_attempt(*, delivery_id: int) -> AttemptOutcome | None:
    """Send one attempt of a pending delivery and record how it went.

    Safe to run twice: the row is locked while sending (a concurrent run skips
    it), a delivered or failed delivery is never sent again, and a run before
    the recorded retry time is a duplicate message and does nothing. Returns
    None when nothing was attempted.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        now = timezone.now()
        if delivery is None or (
            delivery.next_attempt_at and delivery.next_attempt_at > now + DUE_TOLERANCE
        ):
            return None
        if delivery.endpoint.is_active:
            result = _post(endpoint=delivery.endpoint, delivery=delivery)
        else:
            result = AttemptResult(None, "Not sent: the endpoint was deactivated.")
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = result.status_code
        delivery.last_error = result.error
        retry_in = None
        if result.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS or not delivery.endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            retry_in = webhook_retry_countdown(attempt=delivery.attempts)
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    return AttemptOutcome(delivery.pk, delivery.status, delivery.attempts, retry_in)


def webhook_delivery_fail(*, delivery_id: int, error: str) -> None:
    """Give up on a delivery the task could not finish (it crashed, or ran out)."""
    WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING
    ).update(
        status=WebhookDelivery.Status.FAILED,
        last_error=error[:1000],
        next_attempt_at=None,
    )


STALLED_AFTER = timedelta(minutes=15)


def webhook_deliveries_stalled(*, limit: int = 1000) -> list[int]:
    """Pending deliveries whose (re)try should have run long ago: lost messages."""
    cutoff = timezone.now() - STALLED_AFTER
    overdue = Q(next_attempt_at__lt=cutoff) | Q(
        next_attempt_at=None, created_at__lt=cutoff
    )
    return list(
        WebhookDelivery.objects.filter(overdue, status=WebhookDelivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# Reads ---------------------------------------------------------------------


def webhook_endpoint_list(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation)


def webhook_endpoint_get(*, organisation: Organisation, pk: int) -> WebhookEndpoint:
    """One endpoint of the organisation; another's raises DoesNotExist (a 404)."""
    return WebhookEndpoint.objects.get(organisation=organisation, pk=pk)


def webhook_delivery_list(
    *, organisation: Organisation, endpoint_id: int
) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        endpoint__organisation=organisation, endpoint_id=endpoint_id
    )


def webhook_delivery_get(*, organisation: Organisation, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("endpoint").get(
        endpoint__organisation=organisation, pk=pk
    )


def webhook_deliveries_recent(
    *, endpoint_ids: Sequence[int], per_endpoint: int = 20
) -> dict[int, list[WebhookDelivery]]:
    """The last deliveries of each endpoint, in one query."""
    rows = (
        WebhookDelivery.objects.filter(endpoint_id__in=endpoint_ids)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("endpoint_id")], order_by=F("id").desc()
            )
        )
        .filter(rank__lte=per_endpoint)
        .order_by("endpoint_id", "-id")
    )
    grouped: dict[int, list[WebhookDelivery]] = {pk: [] for pk in endpoint_ids}
    for row in rows:
        grouped[row.endpoint_id].append(row)
    return grouped

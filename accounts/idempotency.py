"""Idempotency keys: reserve a key, keep the first answer, replay it for 24 hours."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
# How long a key keeps its first answer (Stripe and the IETF draft use 24 h).
REPLAY_WINDOW = timedelta(hours=24)
# A reservation this old belongs to a request whose process died before it could
# store or release it; a new request may take the key over. Far above the
# workers' request timeout, so a live request is never overtaken.
RESERVATION_TIMEOUT = timedelta(minutes=10)


class Claim(enum.Enum):
    RESERVED = "reserved"  # this request runs; complete or release the record
    REPLAY = "replay"  # the same request was answered before: send `record`
    IN_PROGRESS = "in_progress"  # the same key is running in another request
    MISMATCH = "mismatch"  # the key was used for another method, path or body


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    record: IdempotencyRecord


class BodyHasher:
    """SHA-256 of a request body, fed in chunks, independent of multipart boundaries.

    Clients pick a random boundary for each multipart request, so the same upload
    sent twice differs in its boundary lines only: they are hashed as if empty.
    The media type is hashed too: the same bytes as JSON and as a form are two
    different requests.
    """

    def __init__(self, media_type: str, boundary: str = "") -> None:
        self._sha = hashlib.sha256(media_type.lower().encode() + b"\n")
        self._marker = b"--" + boundary.encode("latin-1") if boundary else b""
        self._pending = b""

    def update(self, chunk: bytes) -> None:
        if not self._marker:
            self._sha.update(chunk)
            return
        data = (self._pending + chunk).replace(self._marker, b"--\x00")
        # A marker may be cut in two by the chunking: keep its possible start.
        keep = len(self._marker) - 1
        self._sha.update(data[:-keep])
        self._pending = data[-keep:]

    def hexdigest(self) -> str:
        if self._pending:
            self._sha.update(self._pending)
            self._pending = b""
        return self._sha.hexdigest()


def idempotency_key_claim(
    *,
    api_key_id: int,
    key: str,
    method: str,
    path: str,
    body_hash: str,
    now: datetime | None = None,
) -> ClaimResult:
    """Reserve `key` for this request, or say why it cannot run.

    The reservation is one INSERT ... ON CONFLICT DO NOTHING, committed at once
    (the middleware runs outside any transaction), so of two concurrent requests
    with one key exactly one runs.
    """
    now = now or timezone.now()
    fingerprint = {"method": method, "path": path, "body_hash": body_hash}
    if _insert_reservation(api_key_id=api_key_id, key=key, now=now, **fingerprint):
        return ClaimResult(Claim.RESERVED, _get(api_key_id, key))
    # An expired answer or an abandoned reservation is taken over in one UPDATE:
    # of two requests doing so, the second finds the row fresh and matches nothing.
    stale = IdempotencyRecord.objects.filter(api_key_id=api_key_id, key=key).filter(
        Q(created_at__lt=now - REPLAY_WINDOW)
        | Q(status_code=None, created_at__lt=now - RESERVATION_TIMEOUT)
    )
    if stale.update(
        **fingerprint,
        status_code=None,
        content_type="",
        location="",
        body=b"",
        created_at=now,
    ):
        return ClaimResult(Claim.RESERVED, _get(api_key_id, key))
    record = _get(api_key_id, key)
    same = (record.method, record.path, record.body_hash) == (
        method,
        path,
        body_hash,
    )
    if not same:
        return ClaimResult(Claim.MISMATCH, record)
    if record.status_code is None:
        return ClaimResult(Claim.IN_PROGRESS, record)
    return ClaimResult(Claim.REPLAY, record)


def idempotency_record_complete(
    *,
    record: IdempotencyRecord,
    status_code: int,
    content_type: str,
    location: str,
    body: bytes,
) -> bool:
    """Store the answer; False when the reservation was taken over meanwhile."""
    return bool(
        IdempotencyRecord.objects.filter(
            pk=record.pk, created_at=record.created_at, status_code=None
        ).update(
            status_code=status_code,
            content_type=content_type,
            location=location,
            body=body,
        )
    )


def idempotency_record_release(*, record: IdempotencyRecord) -> None:
    """Free the key: the request failed in a way a retry may fix."""
    IdempotencyRecord.objects.filter(
        pk=record.pk, created_at=record.created_at, status_code=None
    ).delete()


def idempotency_records_purge(*, now: datetime | None = None) -> int:
    """Delete the records past the replay window; returns how many. Run hourly."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - REPLAY_WINDOW
    ).delete()
    return deleted


def _get(api_key_id: int, key: str) -> IdempotencyRecord:
    return IdempotencyRecord.objects.get(api_key_id=api_key_id, key=key)


def _insert_reservation(
    *,
    api_key_id: int,
    key: str,
    method: str,
    path: str,
    body_hash: str,
    now: datetime,
) -> bool:
    meta = IdempotencyRecord._meta
    table = connection.ops.quote_name(meta.db_table)
    column = {f.name: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
    names = [
        "api_key",
        "key",
        "method",
        "path",
        "body_hash",
        "content_type",
        "location",
        "body",
        "created_at",
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(column[n] for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({column['api_key']}, {column['key']}) DO NOTHING "
        f"RETURNING {column['id']}"
    )
    params = [api_key_id, key, method, path, body_hash, "", "", b"", now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None

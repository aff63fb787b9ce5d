"""Manifest files: receive an upload, then stage its rows for the pipeline.

Receiving checks that the file is a manifest at all (so a refused file leaves
nothing behind) and recognises a file already uploaded by its SHA-256. Staging
streams the rows into ManifestRow with COPY, in batches that commit as they go
(the progress a user sees), and shares the consignments out into chunks so
that every row of a house AWB, and every parcel of one consignee, land in the
same chunk.
"""

import hashlib
import json
import math
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Organisation
from shipments.manifest_parsing import ManifestRefused, open_manifest
from shipments.models import Manifest, ManifestChunk, ManifestIssue, ManifestRow

STAGE_BATCH = 5000


def manifest_receive(
    *, organisation: Organisation, upload: UploadedFile, by=None
) -> tuple[Manifest, bool]:
    """Store an uploaded manifest; return it and whether it is new.

    Raises ValidationError({"file": ...}) for a file that is not a manifest
    (nothing is stored). The very same file again returns the first manifest.
    """
    limit = settings.MANIFEST_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is %(size)s MB, over the %(limit)s MB limit: split the "
                    "manifest by master AWB."
                )
                % {
                    "name": upload.name,
                    "size": f"{upload.size / 1e6:.0f}",
                    "limit": f"{limit / 1e6:.0f}",
                }
            }
        )
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=".upload", delete=False) as temporary:
        for piece in upload.chunks():
            digest.update(piece)
            temporary.write(piece)
    path = Path(temporary.name)
    try:
        sha256 = digest.hexdigest()
        existing = Manifest.objects.filter(organisation=organisation, sha256=sha256)
        if first := existing.first():
            return first, False
        try:
            reader = open_manifest(path=path, filename=upload.name, max_bytes=limit)
            file_format = reader.format
            reader.close()
        except ManifestRefused as exc:
            raise ValidationError({"file": str(exc)}) from exc
        with path.open("rb") as handle, transaction.atomic():
            manifest = Manifest(
                organisation=organisation,
                uploaded_by=by if getattr(by, "pk", None) else None,
                original_name=upload.name[:255],
                size=upload.size,
                sha256=sha256,
                format=file_format,
            )
            manifest.file.save(Path(upload.name).name, File(handle), save=False)
            manifest.save()
        return manifest, True
    finally:
        path.unlink(missing_ok=True)


def manifest_stage(*, manifest_id: int, chunk_size: int) -> list[int]:
    """Stream the file's rows into ManifestRow and share them out into chunks.

    Returns the chunk numbers to process. Safe to run again after a crash: a
    manifest still queued is staged from scratch.
    """
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update().filter(pk=manifest_id).first()
        if manifest is None:  # deleted since it was queued: nothing to do
            return []
        if manifest.status != Manifest.Status.QUEUED:
            return list(
                manifest.chunks.filter(status=ManifestChunk.Status.PENDING).values_list(
                    "number", flat=True
                )
            )
        ManifestRow.objects.filter(manifest=manifest).delete()
        ManifestIssue.objects.filter(manifest=manifest).delete()
        Manifest.objects.filter(pk=manifest_id).update(rows_processed=0)
    try:
        with manifest.file.open("rb"):
            reader = open_manifest(
                path=Path(manifest.file.path),
                filename=manifest.original_name,
                max_bytes=settings.MANIFEST_MAX_BYTES,
            )
            rows = _stage_rows(manifest, reader)
    except ManifestRefused as exc:
        # Damaged past its header: refused whole, and nothing of it is kept.
        with transaction.atomic():
            ManifestRow.objects.filter(manifest_id=manifest_id).delete()
            ManifestIssue.objects.filter(manifest_id=manifest_id).delete()
            Manifest.objects.filter(pk=manifest_id).update(
                status=Manifest.Status.FAILED, error=str(exc)
            )
        return []
    with transaction.atomic():
        consignments = _share_out(manifest, chunk_size)
        numbers = _create_chunks(manifest)
        Manifest.objects.filter(pk=manifest_id).update(
            status=Manifest.Status.PROCESSING if numbers else Manifest.Status.DONE,
            rows_total=rows,
            rows_processed=rows,
            consignments_total=consignments,
            chunks_total=len(numbers),
        )
    return numbers


def _stage_rows(manifest: Manifest, reader) -> int:
    issues = [
        (manifest.pk, None, "", "FILE-COLUMNS", "warning", "", warning)
        for warning in reader.warnings
    ]
    batch, count = [], 0
    for parsed in reader:
        # A house AWB that cannot be stored (too long) files nothing: its rows
        # are only reported, like rows without one.
        hawb = parsed.values.get("hawb", "")
        if any(e.column == "hawb" for e in parsed.errors):
            hawb = ""
        errors = [
            {"column": e.column, "code": e.code, "message": e.message}
            for e in parsed.errors
        ]
        batch.append(
            (
                manifest.pk,
                parsed.row,
                hawb,
                json.dumps(parsed.values),
                json.dumps(errors),
            )
        )
        for e in parsed.errors:
            issues.append(
                (manifest.pk, parsed.row, hawb, e.code, "error", e.column, e.message)
            )
        if len(batch) >= STAGE_BATCH:
            count += _flush(manifest, batch, issues)
            batch, issues = [], []
    count += _flush(manifest, batch, issues)
    reader.close()
    return count


def _flush(manifest: Manifest, rows: list, issues: list) -> int:
    """Write one batch with COPY and commit it, so the progress shows at once."""
    with transaction.atomic(), connection.cursor() as cursor:
        copy_rows(
            cursor,
            "shipments_manifestrow",
            ("manifest_id", "row", "hawb", "data", "errors"),
            rows,
        )
        copy_rows(cursor, "shipments_manifestissue", ISSUE_COLUMNS, issues)
        Manifest.objects.filter(pk=manifest.pk).update(
            rows_processed=F("rows_processed") + len(rows)
        )
    return len(rows)


ISSUE_COLUMNS = ("manifest_id", "row", "hawb", "code", "severity", "field", "message")


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    """PostgreSQL COPY of `rows` into `table`: the fast way to write many rows."""
    if not rows:
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


_SHARE_OUT = """
WITH firsts AS (
    SELECT DISTINCT ON (hawb) hawb,
           upper(btrim(data->>'consignee_name')) || '|' ||
           upper(btrim(data->>'consignee_postcode')) AS consignee
    FROM shipments_manifestrow
    WHERE manifest_id = %(manifest)s AND hawb <> ''
    ORDER BY hawb, row
)
UPDATE shipments_manifestrow AS r
SET chunk = mod(abs(hashtext(f.consignee)), %(chunks)s)
FROM firsts AS f
WHERE r.manifest_id = %(manifest)s AND r.hawb = f.hawb
"""


def _share_out(manifest: Manifest, chunk_size: int) -> int:
    """Give every row a chunk: by its house AWB's consignee, so that one chunk
    sees all the parcels of a consignee (split consignments) and all the rows
    of a house AWB."""
    consignments = (
        ManifestRow.objects.filter(manifest=manifest)
        .exclude(hawb="")
        .values("hawb")
        .distinct()
        .count()
    )
    chunks = max(1, math.ceil(consignments / chunk_size))
    with connection.cursor() as cursor:
        cursor.execute(_SHARE_OUT, {"manifest": manifest.pk, "chunks": chunks})
    return consignments


def _create_chunks(manifest: Manifest) -> list[int]:
    numbers = sorted(
        ManifestRow.objects.filter(manifest=manifest, chunk__isnull=False)
        .values_list("chunk", flat=True)
        .distinct()
    )
    ManifestChunk.objects.bulk_create(
        [ManifestChunk(manifest=manifest, number=n) for n in numbers],
        ignore_conflicts=True,
    )
    return numbers

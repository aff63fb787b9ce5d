"""A forwarder's manifest: received, then turned into declarations in the background."""

from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from accounts.models import Organisation
from declarations.services.lifecycle import Actor, require_may_file, user_of
from declarations.tasks import ingest_manifest
from shipments.manifests import manifest_receive
from shipments.models import Manifest, ManifestChunk


def manifest_submit(
    *, organisation: Organisation, upload: UploadedFile, by: Actor
) -> tuple[Manifest, bool]:
    """Store the file and queue its processing; the same file again changes nothing.

    Returns the manifest and whether it is new. A file that is not a manifest
    raises ValidationError({"file": ...}) and leaves nothing behind. Its row
    errors and issues are written in the language active now, the uploader's.
    An organisation whose EORI fails the check files nothing (403).
    """
    require_may_file(organisation)
    manifest, created = manifest_receive(
        organisation=organisation, upload=upload, by=user_of(by)
    )
    if created:
        pk, language = manifest.pk, translation.get_language()
        transaction.on_commit(lambda: ingest_manifest.delay(pk, language=language))
    return manifest, created


def manifests_resume_stalled(*, stalled_after: timedelta) -> int:
    """Queue again the work of manifests that made no progress for a while.

    A chunk whose worker died is normally redelivered by the broker (late
    acknowledgement). Where it is not (the filesystem transport, or a whole
    worker lost on Redis until its visibility timeout), this puts the pending
    chunks back on the queue. A chunk queued twice is done once: the second
    task finds it done. Returns the number of tasks queued. Work queued here is
    written in settings.LANGUAGE_CODE: the uploader's language is not stored.
    """
    from declarations.tasks import process_manifest_chunk

    cutoff = timezone.now() - stalled_after
    queued = 0
    for manifest in Manifest.objects.filter(
        status=Manifest.Status.QUEUED, created_at__lt=cutoff
    ):
        ingest_manifest.delay(manifest.pk)
        queued += 1
    processing = Manifest.objects.filter(
        status=Manifest.Status.PROCESSING, created_at__lt=cutoff
    ).annotate(last=Max("chunks__finished_at"))
    for manifest in processing:
        if manifest.last and manifest.last > cutoff:
            continue
        pending = manifest.chunks.filter(status=ManifestChunk.Status.PENDING)
        for number in pending.values_list("number", flat=True):
            process_manifest_chunk.delay(manifest.pk, number)
            queued += 1
    return queued

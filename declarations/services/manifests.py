"""A forwarder's manifest: received, then turned into declarations in the background."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import Organisation
from declarations.services.lifecycle import Actor, user_of
from declarations.tasks import ingest_manifest
from shipments.manifests import manifest_receive
from shipments.models import Manifest


def manifest_submit(
    *, organisation: Organisation, upload: UploadedFile, by: Actor
) -> tuple[Manifest, bool]:
    """Store the file and queue its processing; the same file again changes nothing.

    Returns the manifest and whether it is new. A file that is not a manifest
    raises ValidationError({"file": ...}) and leaves nothing behind.
    """
    manifest, created = manifest_receive(
        organisation=organisation, upload=upload, by=user_of(by)
    )
    if created:
        pk = manifest.pk
        transaction.on_commit(lambda: ingest_manifest.delay(pk))
    return manifest, created

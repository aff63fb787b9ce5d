"""Celery tasks of declarations: thin wrappers over services, safe to run twice.

Tasks that write messages for a person (validation issues, a manifest's row
errors, a failure notice) write them in the language of whoever filed: the
language active where the task is queued travels with it as its `language`
argument (see `InFilersLanguage`).
"""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from declarations.models import Declaration, Severity, ValidationIssue

logger = logging.getLogger(__name__)

# Every task that changes data: re-delivered if its worker dies (safe, the
# services are idempotent), retried with backoff when PostgreSQL blinks.
RELIABLE = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


class InFilersLanguage(Task):
    """A task that writes its messages in the language of whoever queued it.

    `delay()` and `apply_async()` pass `language`: the one the caller gives, or
    else the language active where the task is queued (the filer's page or API
    request, chosen by LocaleMiddleware). Retries and redeliveries keep it. A
    task queued without one (before this existed, or from a periodic task) runs
    in settings.LANGUAGE_CODE. The language is not stored anywhere else.
    """

    def apply_async(self, args=None, kwargs=None, **options):
        kwargs = dict(kwargs or {})
        kwargs.setdefault("language", translation.get_language() or None)
        return super().apply_async(args, kwargs, **options)


def language_of(kwargs) -> str:
    """The language a task runs in: its `language` argument, else the default."""
    return (kwargs or {}).get("language") or settings.LANGUAGE_CODE


def _record_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    """Leave the declaration where a user sees it: still submitted, with an issue."""
    declaration_id = args[0] if args else kwargs.get("declaration_id")
    logger.error("Validation of declaration %s failed: %s", declaration_id, exc)
    if Declaration.objects.filter(pk=declaration_id).exists():
        with translation.override(language_of(kwargs)):
            message = _(
                "The portal could not validate this declaration because of an "
                "internal error. Our team has been alerted; it will be validated "
                "again."
            )
        ValidationIssue.objects.create(
            declaration_id=declaration_id,
            code="SYS-VALIDATION-FAILED",
            severity=Severity.ERROR,
            field="",
            message=message,
        )
        _touch(declaration_id)


def _touch(declaration_id: int) -> None:
    """Move the declaration's updated_at: its cached API answer is then stale."""
    Declaration.objects.filter(pk=declaration_id).update(updated_at=timezone.now())


@shared_task(
    **RELIABLE,
    base=InFilersLanguage,
    time_limit=60,
    soft_time_limit=50,
    on_failure=_record_failure,
)
def validate_declaration(
    self, declaration_id: int, language: str | None = None
) -> None:
    """Run the rule book on a submitted declaration; its issues are written in
    `language`, the filer's (settings.LANGUAGE_CODE when not given)."""
    # Imported here: services queue this task, so they import this module.
    from declarations.services import declaration_validate

    try:
        declaration_validate(
            declaration_id=declaration_id,
            language=language or settings.LANGUAGE_CODE,
        )
    except Declaration.DoesNotExist:
        logger.warning(
            "Declaration %s no longer exists; nothing to validate.", declaration_id
        )


@shared_task(acks_late=True, time_limit=600)
def refresh_unit_values() -> int:
    """Daily: typical unit values from accepted history (see services.risk)."""
    from declarations.services.risk import unit_values_refresh

    return unit_values_refresh()


def _record_document_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    """A document that cannot be checked is refused with a message, not left pending."""
    from declarations.models import Document

    document_id = args[0] if args else kwargs.get("document_id")
    logger.error("Check of document %s failed: %s", document_id, exc)
    with translation.override(language_of(kwargs)):
        problem = _("The portal could not read this file. Upload it again as PDF.")
    refused = Document.objects.filter(pk=document_id, outcome=Document.Outcome.PENDING)
    declaration_id = refused.values_list("declaration_id", flat=True).first()
    if refused.update(outcome=Document.Outcome.REFUSED, problems=[problem]):
        _touch(declaration_id)


@shared_task(
    **RELIABLE,
    base=InFilersLanguage,
    time_limit=120,
    soft_time_limit=100,
    on_failure=_record_document_failure,
)
def validate_document(self, document_id: int, language: str | None = None) -> None:
    """Check an uploaded document; its problems are written in the uploader's
    language."""
    from declarations.services.documents import document_check

    with translation.override(language or settings.LANGUAGE_CODE):
        document_check(document_id=document_id)


def _record_manifest_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    """A manifest that cannot be processed says so on its page and in the API."""
    from shipments.models import Manifest

    manifest_id = args[0] if args else kwargs.get("manifest_id")
    logger.error("Manifest %s failed: %s", manifest_id, exc)
    with translation.override(language_of(kwargs)):
        error = _(
            "The portal could not process this manifest because of an internal "
            "error. Our team has been alerted; upload it again later."
        )
    Manifest.objects.filter(pk=manifest_id).exclude(status="done").update(
        status="failed", error=error
    )


@shared_task(
    **RELIABLE,
    base=InFilersLanguage,
    time_limit=1800,
    soft_time_limit=1700,
    on_failure=_record_manifest_failure,
)
def ingest_manifest(self, manifest_id: int, language: str | None = None) -> int:
    """Stage the manifest's rows, then queue one task per chunk.

    The row errors, and the chunks' issues, are written in `language`, the
    uploader's: it is handed on to every chunk.
    """
    from shipments.manifests import manifest_stage

    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        numbers = manifest_stage(
            manifest_id=manifest_id, chunk_size=settings.MANIFEST_CHUNK_SIZE
        )
    for number in numbers:
        process_manifest_chunk.delay(manifest_id, number, language=language)
    return len(numbers)


@shared_task(
    **RELIABLE,
    base=InFilersLanguage,
    time_limit=600,
    soft_time_limit=570,
    on_failure=_record_manifest_failure,
)
def process_manifest_chunk(
    self, manifest_id: int, number: int, language: str | None = None
) -> bool:
    """Validate, price and file one chunk of a manifest (see declarations.pipeline)."""
    from declarations.pipeline import manifest_chunk_process

    return manifest_chunk_process(
        manifest_id=manifest_id,
        number=number,
        language=language or settings.LANGUAGE_CODE,
    )


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resume_stalled_manifests() -> int:
    """Every MANIFEST_STALL_SECONDS: put back the chunks of stalled manifests."""
    from datetime import timedelta

    from django.conf import settings

    from declarations.services.manifests import manifests_resume_stalled

    return manifests_resume_stalled(
        stalled_after=timedelta(seconds=settings.MANIFEST_STALL_SECONDS)
    )


def _log_rescreen_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    logger.error(
        "Screening unreleased declarations again after a sanctions list refresh "
        "failed; the beat's next sweep tries again: %s",
        exc,
    )


@shared_task(
    **RELIABLE,
    time_limit=1800,
    soft_time_limit=1700,
    on_failure=_log_rescreen_failure,
)
def sanctions_rescreen(self, *args) -> int:
    """After a sanctions list refresh (linked to it, and swept by the beat):
    screen unreleased declarations again when a list became active with new or
    changed entries. Returns the declarations with a new hit. Extra positional
    arguments (a linked refresh's result) are ignored."""
    from declarations.services.screening import sanctions_rescreen_pending

    done = sanctions_rescreen_pending()
    for run in done:
        logger.info(
            "%s: %d entries new or changed, %d declarations screened again, "
            "%d new hits",
            run.list,
            run.added_entries,
            run.declarations_screened,
            run.new_hits,
        )
    return sum(run.new_hits for run in done)

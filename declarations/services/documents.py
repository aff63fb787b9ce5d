"""Documents of a declaration: upload, check in the background, request."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.api_auth import ApiClient
from accounts.errors import ApplicationError
from declarations.document_checks import inspect_document, reconcile_invoice
from declarations.models import (
    OPEN_FOR_DOCUMENTS,
    Declaration,
    Document,
    DocumentKind,
    Severity,
    Status,
    ValidationIssue,
)
from declarations.services.lifecycle import Actor, declaration_lock, transition, user_of
from declarations.tasks import validate_document

INVOICE_MISMATCH = "DOC-INVOICE"


@transaction.atomic
def document_upload(
    *, declaration: Declaration, kind: str, file: UploadedFile, by: Actor
) -> Document:
    """Store an upload and queue its check; refuse at once what is plainly wrong."""
    if kind not in DocumentKind.values:
        raise ValidationError(
            {
                "kind": _(
                    "Choose commercial invoice, packing list or certificate of origin."
                )
            }
        )
    limit = settings.DOCUMENT_MAX_BYTES
    if not file.size:
        raise ValidationError(
            {
                "file": _("%(name)s is empty: choose the file again.")
                % {"name": file.name}
            }
        )
    if file.size > limit:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is %(size)s MB, over the %(limit)s MB limit: upload a "
                    "smaller scan or PDF."
                )
                % {
                    "name": file.name,
                    "size": f"{file.size / 1e6:.1f}",
                    "limit": f"{limit / 1e6:.0f}",
                }
            }
        )
    declaration = declaration_lock(declaration)
    if declaration.status not in OPEN_FOR_DOCUMENTS:
        raise ApplicationError(
            _("This declaration is %(status)s: documents can no longer be added.")
            % {"status": declaration.get_status_display().lower()}
        )
    document = Document.objects.create(
        declaration=declaration,
        kind=kind,
        file=file,
        original_name=file.name[:255],
        size=file.size,
        uploaded_by=user_of(by),
        uploaded_by_api_key=by.api_key if isinstance(by, ApiClient) else None,
    )
    _touch(declaration)
    # The check runs later, in a worker: its problems are written in the
    # language active now, the uploader's.
    pk, language = document.pk, translation.get_language()
    transaction.on_commit(lambda: validate_document.delay(pk, language=language))
    return document


def _touch(declaration: Declaration) -> None:
    """A declaration's answer shows its documents: mark it changed."""
    Declaration.objects.filter(pk=declaration.pk).update(updated_at=timezone.now())


def document_check(*, document_id: int) -> Document:
    """Sniff, screen and read one upload; record the outcome where users see it.

    An accepted invoice whose total or currency disagrees with the declaration
    becomes a validation issue. An accepted document answers an officer's
    request: the declaration goes back to review. Running it twice changes
    nothing: a checked document is left as it is.
    """
    document = Document.objects.select_related("declaration").get(pk=document_id)
    if document.outcome != Document.Outcome.PENDING:
        return document
    with document.file.open("rb") as handle:
        data = handle.read(settings.DOCUMENT_MAX_BYTES + 1)
    inspection = inspect_document(
        data=data,
        filename=document.original_name,
        kind=document.kind,
        max_bytes=settings.DOCUMENT_MAX_BYTES,
    )
    with transaction.atomic():
        declaration = declaration_lock(document.declaration)
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.outcome != Document.Outcome.PENDING:
            return document
        document.content_type = inspection.content_type[:120]
        document.problems = list(inspection.problems)
        document.warnings = list(inspection.warnings)
        document.outcome = (
            Document.Outcome.ACCEPTED
            if inspection.accepted
            else Document.Outcome.REFUSED
        )
        document.checked_at = timezone.now()
        if reading := inspection.invoice:
            document.invoice_total = reading.total
            document.invoice_currency = reading.currency or ""
            document.invoice_source = reading.source[:120]
            _reconcile(declaration, document, reading)
        document.save()
        _touch(declaration)
        if inspection.accepted and declaration.status == Status.DOCUMENTS_REQUESTED:
            by = document.uploaded_by
            # The audit trail stays in English, whoever uploaded.
            with translation.override(None):
                kind = document.get_kind_display()
            transition(
                declaration,
                "receive_documents",
                by=by,
                reason=f"{kind} uploaded: {document.original_name}",
            )
    return document


def _reconcile(declaration: Declaration, document: Document, reading) -> None:
    if reading.total is None:
        return
    consignment = declaration.consignment
    declared = sum((i.item_value for i in declaration.items.all()), Decimal(0))
    for message in reconcile_invoice(
        reading=reading, declared_total=declared, declared_currency=consignment.currency
    ):
        ValidationIssue.objects.create(
            declaration=declaration,
            code=INVOICE_MISMATCH,
            severity=Severity.WARNING,
            field="item_value",
            message=_("%(name)s (%(source)s): %(message)s")
            % {
                "name": document.original_name,
                "source": reading.source,
                "message": message,
            },
            risk_points=30,
        )

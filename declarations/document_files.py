"""A declaration's uploaded document as an HTTP answer, for officers and declarants."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from declarations.models import Document

# Files a browser may show inside the page; anything else is only downloaded
# (an SVG or HTML upload could carry script).
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif",
                "image/webp")  # fmt: skip


def previewable(document: Document) -> bool:
    """Whether a browser may show the file inside a page: only a file the checks
    accepted (a refused PDF may carry JavaScript) of a type browsers show safely."""
    return (
        document.outcome == Document.Outcome.ACCEPTED
        and document.content_type in INLINE_TYPES
    )


def document_file_response(document: Document, *, download: bool) -> FileResponse:
    """The file, inline when previewable, else attached (downloaded)."""
    inline = previewable(document) and not download
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of this document is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=document.original_name,
        content_type=(
            document.content_type if inline else "application/octet-stream"
        ),
    )
    response["Cache-Control"] = "private, no-store"
    return response

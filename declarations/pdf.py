"""Printable documents: the declaration as filed, and the release note (PDF)."""

import re
from pathlib import Path

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from declarations.models import Declaration, Status, StatusChange


def qr_svg(text: str) -> SafeString:
    """`text` as a QR code, in inline SVG (so the PDF needs no image file)."""
    # A full QR code: phones and scanners rarely read segno's Micro QR.
    code = segno.make_qr(text, error="m")
    # segno escapes the title itself.
    return mark_safe(
        code.svg_inline(
            scale=4,
            border=2,
            title=_("QR code of MRN %(mrn)s") % {"mrn": text},
            svgclass="qr",
        )
    )


def release_decision(declaration: Declaration) -> StatusChange | None:
    """The officer's (or the automatic) decision that released the declaration."""
    changes = [
        c
        for c in declaration.trader_view.status_history
        if c.to_status == Status.RELEASED
    ]
    return changes[-1] if changes else None


def _context(declaration: Declaration) -> dict:
    return {
        "declaration": declaration,
        "consignment": declaration.consignment,
        "shipment": declaration.consignment.shipment,
        "items": list(declaration.items.all()),
        "issues": declaration.trader_view.issues,
        "computation": declaration.computation,
    }


def declaration_html(declaration: Declaration) -> str:
    """The declaration as filed: parties, transport, items, values, computation,
    status, MRN and issues."""
    return render_to_string("declarations/pdf/declaration.html", _context(declaration))


def has_release_note(declaration: Declaration) -> bool:
    return declaration.status == Status.RELEASED and bool(declaration.mrn)


def release_note_html(declaration: Declaration) -> str:
    """The release note of a released declaration, its MRN as text and QR code."""
    if not has_release_note(declaration):
        raise ValueError("Only a released declaration has a release note.")
    context = _context(declaration) | {
        "qr": qr_svg(declaration.mrn),
        "decision": release_decision(declaration),
    }
    return render_to_string("declarations/pdf/release_note.html", context)


FONTS = Path(__file__).resolve().parent / "fonts"
# Each script's font in turn: Pango takes every character from the first one
# that has it. !important: these come after the template's own styles.
FONT_FAMILY = (
    '"Noto Sans", "Noto Sans SC", "Noto Sans Arabic", "Noto Sans Devanagari", '
    "sans-serif !important"
)
# One weight of the non-Latin fonts, named for bold too: a face Pango must
# embolden itself loses its text (a copied heading comes out as noise).
FONT_FACES = (
    ("Noto Sans", "normal", "NotoSans-Regular.ttf"),
    ("Noto Sans", "bold", "NotoSans-Bold.ttf"),
    *(
        (family, weight, name)
        for family, name in (
            ("Noto Sans SC", "NotoSansSC-Regular.otf"),
            ("Noto Sans Arabic", "NotoSansArabic-Regular.ttf"),
            ("Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf"),
        )
        for weight in ("normal", "bold")
    ),
)
MARGIN_BOXES = ("top-left", "top-right", "bottom-left", "bottom-right")


def fonts_css() -> str:
    """The bundled fonts (declarations/fonts, OFL) for every text of a PDF."""
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS / name).as_uri()}"); }}\n'
        for family, weight, name in FONT_FACES
    )
    boxes = " ".join(
        f"@{box} {{ font-family: {FONT_FAMILY}; }}" for box in MARGIN_BOXES
    )
    return f"{faces}html {{ font-family: {FONT_FAMILY}; }}\n@page {{ {boxes} }}\n"


class PdfUnavailable(Exception):
    """WeasyPrint cannot load the system's Pango library on this machine."""


def pdf_from_html(html: str) -> bytes:
    # Imported here, not with the module: WeasyPrint loads the system Pango
    # when imported, and a machine without it should still serve every page
    # but the PDFs (which then say what to install).
    try:
        import weasyprint  # noqa: PLC0415
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    font_config = FontConfiguration()
    fonts = weasyprint.CSS(string=fonts_css(), font_config=font_config)
    return weasyprint.HTML(string=html).write_pdf(
        stylesheets=[fonts], font_config=font_config
    )


def safe_filename(stem: str, reference: str) -> str:
    """`stem-reference.pdf` with only characters every file system accepts."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", reference).strip("-.") or "document"
    return f"{stem}-{cleaned}.pdf"

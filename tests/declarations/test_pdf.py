"""The declaration as filed and the release note, as PDF files."""

import io
import sys

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from declarations.models import Declaration, Status
from declarations.pdf import qr_svg, release_note_html
from declarations.services import (
    declaration_decide,
    declaration_submit,
    declaration_validate,
)
from tests.accounts.factories import MembershipFactory
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(shipper) -> Declaration:
    declaration = make_declaration(organisation=shipper, lrn="PDF-LRN-0001")
    declaration_submit(declaration=declaration, by=None)
    declaration = declaration_validate(declaration_id=declaration.pk)
    assert declaration.status == Status.ACCEPTED
    return declaration


@pytest.fixture
def released(accepted, officer) -> Declaration:
    declaration_decide(
        declaration=accepted,
        decision="release",
        by=officer,
        reason="Invoice matches the declared value",
    )
    accepted.refresh_from_db()
    assert accepted.status == Status.RELEASED
    return accepted


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_declaration_pdf_shows_it_as_filed(shipper_client, accepted):
    """The PDF names the LRN, MRN, status, parties, items and the computation."""
    response = shipper_client.get(
        reverse("reports:declaration-pdf", args=[accepted.pk])
    )
    text = pdf_text(response)
    assert 'filename="declaration-PDF-LRN-0001.pdf"' in response["Content-Disposition"]
    for expected in (
        "PDF-LRN-0001",
        accepted.mrn,
        "Accepted",
        "Zhengzhou Bright Home Co. Ltd",
        "Anne Dupont",
        "Cotton T-shirt for men",
        "610910",
        "CK251",
        f"EUR {accepted.total_due_eur}",
        f"EUR {accepted.customs_value_eur}",
    ):
        assert expected in text, expected
    for line in accepted.computation["lines"]:
        assert f"EUR {line['amount_eur']}" in text
    assert "1 / " in text  # page numbers


def test_draft_pdf_says_no_mrn_and_lists_no_computation(shipper_client, shipper):
    """A draft prints too, saying plainly what is not there yet."""
    draft = make_declaration(organisation=shipper, lrn="PDF-DRAFT-1")
    text = pdf_text(
        shipper_client.get(reverse("reports:declaration-pdf", args=[draft.pk]))
    )
    assert "PDF-DRAFT-1" in text and "not issued yet" in text
    assert "computed when the declaration is validated" in text


def test_release_note_has_mrn_amounts_and_reason(shipper_client, released):
    """The release note carries the MRN, the officer's reason and the amounts."""
    response = shipper_client.get(reverse("reports:release-note", args=[released.pk]))
    text = pdf_text(response)
    assert (
        f'filename="release-note-{released.mrn}.pdf"' in response["Content-Disposition"]
    )
    assert released.mrn in text
    assert "Invoice matches the declared value" in text
    assert "Cotton T-shirt for men" in text
    assert f"EUR {released.total_due_eur}" in text
    assert f"EUR {released.import_vat_eur}" in text


def test_release_note_embeds_the_mrn_as_a_qr_code(released):
    """The note's HTML holds the QR code of the MRN as inline SVG, the same
    symbol segno makes for that MRN."""
    html = release_note_html(released)
    assert '<svg width="' in html and 'class="qr"' in html
    assert f"<title>QR code of MRN {released.mrn}</title>" in html
    expected_path = segno.make_qr(released.mrn, error="m").svg_inline(scale=4, border=2)
    path_data = expected_path.split(' d="')[1].split('"')[0]
    assert path_data in html
    assert str(qr_svg(released.mrn)) in html


def test_release_note_is_refused_before_release(shipper_client, accepted):
    """Before release there is no note: a page says why, with status 409."""
    response = shipper_client.get(reverse("reports:release-note", args=[accepted.pk]))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "is not released" in response.content.decode()


def test_another_organisations_declaration_is_not_found(released, other_shipper):
    """Neither PDF of someone else's declaration exists for you."""
    from django.test import Client

    client = Client()
    client.force_login(MembershipFactory(organisation=other_shipper).user)
    for name in ("reports:declaration-pdf", "reports:release-note"):
        assert client.get(reverse(name, args=[released.pk])).status_code == 404


def test_officer_downloads_any_release_note(client, officer, released):
    """A customs officer prints the release note of any organisation's declaration."""
    client.force_login(officer)
    text = pdf_text(client.get(reverse("reports:release-note", args=[released.pk])))
    assert released.mrn in text


def test_signed_out_visitor_is_sent_to_sign_in(client, released):
    response = client.get(reverse("reports:declaration-pdf", args=[released.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_without_pango_a_pdf_is_a_503_that_says_what_to_install(
    shipper_client, accepted, monkeypatch
):
    """WeasyPrint is imported only for a PDF: without it (or without the
    system Pango it loads) the rest of the portal runs and the PDF link
    explains itself."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = shipper_client.get(
        reverse("reports:declaration-pdf", args=[accepted.pk])
    )
    assert response.status_code == 503
    assert "libpango" in response.content.decode()
    page = shipper_client.get(reverse("declarations:detail", args=[accepted.pk]))
    assert page.status_code == 200


def pdf_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_pdf_prints_chinese_and_every_script_with_the_bundled_fonts(shipper):
    """In Chinese, with a Chinese seller and buyers' names in Arabic, Devanagari
    and Cyrillic, the PDF's text comes back out whole: every script is drawn
    with a bundled font (declarations/fonts), not as empty boxes."""
    from django.test import Client

    declaration = make_declaration(
        organisation=shipper,
        lrn="PDF-LRN-ZH",
        consignor_name="郑州明亮家居有限公司",
        consignee_name="Анна Петрова محمد देवनागरी",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(MembershipFactory(organisation=shipper).user)
    response = client.get(reverse("reports:declaration-pdf", args=[declaration.pk]))
    text = pdf_text(response)
    for expected in ("郑州明亮家居有限公司", "Анна Петрова", "محمد", "देवनागरी"):
        assert expected in text, expected
    assert "海关" in text  # the interface's own words, in Chinese
    fonts = " ".join(pdf_fonts(response.content))
    for family in ("Noto-Sans-SC", "Noto-Sans-Arabic", "Noto-Sans-Devanagari"):
        assert family in fonts, fonts

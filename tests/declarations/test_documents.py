"""Documents: upload, background check, invoice reconciliation, officer requests."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from declarations.models import Document, Status
from declarations.services import declaration_decide, declaration_validate
from declarations.services.documents import document_check, document_upload
from tests.declarations.data.documents import elf, invoice_xlsx, pdf
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(declaration, data: bytes, name: str, kind="commercial_invoice", by=None):
    file = SimpleUploadedFile(name, data)
    document = document_upload(declaration=declaration, kind=kind, file=file, by=by)
    return document_check(document_id=document.pk)


def test_matching_invoice_is_accepted_with_its_total(shipper):
    """An XLSX invoice for the declared EUR 18.00 is accepted and read."""
    declaration = make_declaration(organisation=shipper)
    document = upload(declaration, invoice_xlsx(total=18.0, currency="EUR"), "inv.xlsx")
    assert document.outcome == Document.Outcome.ACCEPTED
    assert (document.invoice_total, document.invoice_currency) == (18, "EUR")
    assert not declaration.issues.filter(code="DOC-INVOICE").exists()


def test_invoice_total_far_from_declared_value_becomes_an_issue(shipper):
    """An invoice of EUR 120 against EUR 18 declared is flagged on item_value."""
    declaration = make_declaration(organisation=shipper)
    upload(declaration, pdf(["COMMERCIAL INVOICE", "Total EUR 120.00"]), "inv.pdf")
    issue = declaration.issues.get(code="DOC-INVOICE")
    assert issue.field == "item_value" and "inv.pdf" in issue.message
    assert issue.severity == "warning" and issue.risk_points > 0


def test_executable_renamed_pdf_is_refused(shipper):
    """The content decides, not the name: a program is refused with a reason."""
    declaration = make_declaration(organisation=shipper)
    document = upload(declaration, elf(), "invoice.pdf")
    assert document.outcome == Document.Outcome.REFUSED
    assert document.problems and "invoice.pdf" in document.problems[0]


def test_oversize_upload_is_refused_before_storing(shipper, settings):
    """Over the size limit: a field error, nothing stored."""
    settings.DOCUMENT_MAX_BYTES = 1000
    declaration = make_declaration(organisation=shipper)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        document_upload(declaration=declaration, kind="commercial_invoice",
                        file=SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2000),
                        by=None)  # fmt: skip
    assert "limit" in caught.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_checking_twice_changes_nothing(shipper):
    """A redelivered check task leaves the recorded outcome alone."""
    declaration = make_declaration(organisation=shipper)
    document = upload(declaration, invoice_xlsx(total=18.0), "inv.xlsx")
    checked_at = document.checked_at
    assert document_check(document_id=document.pk).checked_at == checked_at


def test_officer_request_waits_for_upload_then_returns_to_review(shipper, officer):  # noqa: F811
    """documents_requested until an accepted upload; then under review again."""
    declaration = make_declaration(organisation=shipper, submit=True)
    declaration = declaration_validate(declaration_id=declaration.pk)
    declaration_decide(declaration=declaration, decision="request_documents",
                       by=officer, reason="Send the invoice",
                       documents=["commercial_invoice"])  # fmt: skip
    declaration.refresh_from_db()
    assert declaration.status == Status.DOCUMENTS_REQUESTED
    assert declaration.requested_documents == ["commercial_invoice"]
    upload(declaration, elf(), "invoice.pdf")
    declaration.refresh_from_db()
    assert declaration.status == Status.DOCUMENTS_REQUESTED  # refused file
    upload(declaration, invoice_xlsx(total=18.0), "invoice.xlsx")
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW
    assert "invoice.xlsx" in declaration.status_changes.last().reason


def test_shipper_uploads_on_the_page(shipper_client, shipper):
    """The upload form answers with the documents panel, polling while checked."""
    declaration = make_declaration(organisation=shipper)
    url = reverse("declarations:document-upload", args=[declaration.pk])
    file = SimpleUploadedFile("inv.xlsx", invoice_xlsx(total=18.0))
    response = shipper_client.post(url, {"kind": "commercial_invoice", "file": file},
                                   HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200
    assert b"inv.xlsx" in response.content and b"every 2s" in response.content


def test_broker_uploads_by_api_and_reads_outcome(api, broker):
    """POST multipart answers 202; the list shows the outcome once checked."""
    declaration = make_declaration(organisation=broker)
    url = f"/api/v1/declarations/{declaration.pk}/documents/"
    file = SimpleUploadedFile("inv.xlsx", invoice_xlsx(total=18.0))
    response = api.post(url, {"kind": "commercial_invoice", "file": file})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["outcome"] == "pending" and body["file_name"] == "inv.xlsx"
    document_check(document_id=body["id"])
    listed = api.get(url).json()
    assert listed[0]["outcome"] == "accepted" and listed[0]["invoice_total"] == "18.00"


def test_api_upload_with_bad_kind_is_400(api, broker):
    """An unknown kind is a field error."""
    declaration = make_declaration(organisation=broker)
    url = f"/api/v1/declarations/{declaration.pk}/documents/"
    file = SimpleUploadedFile("inv.pdf", pdf(["Total EUR 18.00"]))
    response = api.post(url, {"kind": "passport", "file": file})
    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["field"] == "kind"


def test_declarant_opens_its_document_and_no_one_else_does(
    shipper_client, shipper, other_shipper
):
    """A PDF is shown in the browser, or downloaded on request; the URL of
    another organisation's document is a 404."""
    declaration = make_declaration(organisation=shipper)
    document = upload(declaration, pdf(["Invoice total EUR 18.00"]), "invoice.pdf")
    url = reverse("declarations:document-file", args=[declaration.pk, document.pk])
    shown = shipper_client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert b"".join(shown.streaming_content).startswith(b"%PDF")
    assert shown["Content-Disposition"].startswith("inline")
    assert shipper_client.get(url, {"download": 1})["Content-Disposition"].startswith(
        "attachment"
    )
    theirs = make_declaration(organisation=other_shipper)
    other = upload(theirs, pdf(["Invoice total EUR 18.00"]), "theirs.pdf")
    assert (
        shipper_client.get(
            reverse("declarations:document-file", args=[theirs.pk, other.pk])
        ).status_code
        == 404
    )
    assert (
        shipper_client.get(
            reverse("declarations:document-file", args=[declaration.pk, other.pk])
        ).status_code
        == 404
    )

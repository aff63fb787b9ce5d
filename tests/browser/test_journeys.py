"""The main journeys, as people make them in a real browser against a live
server and a real Celery worker: sign-up and filing an H7, a forwarder's
manifest, an officer's four-eyes release of a sanctions hit, and the release
note PDF."""

import csv
import io
import re
import time

from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from declarations.models import Declaration, DocumentKind, Status
from declarations.services import (
    declaration_decide,
    declaration_validate,
)
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.browser.conftest import BROWSER, WORKER_TIMEOUT_MS, sign_in
from tests.declarations.data.documents import pdf
from tests.declarations.factories import make_declaration, make_officer
from tests.declarations.manifests import manifest_csv, row

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips (or fails on CI)
    expect = None

pytestmark = BROWSER
PASSWORD = "pass-word-123"  # tests/accounts/factories.py
# On the shipped OFAC list (tests/declarations/test_validation_batch.py).
SANCTIONED = "Rosoboroneksport OAO"


def wait_for_htmx(page) -> None:
    """Until no htmx request is in flight (htmx marks its element meanwhile)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def fill_fields(page, values: dict[str, str]) -> None:
    """Fill fields by their labels; each is saved as it is left."""
    for label, value in values.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
        field.press("Tab")
        wait_for_htmx(page)


def wait_for_status(declaration, status, timeout=WORKER_TIMEOUT_MS / 1000):
    """The worker's verdict, read from the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        declaration.refresh_from_db()
        if declaration.status == status:
            return declaration
        time.sleep(0.2)
    raise AssertionError(f"{declaration} is {declaration.status}, not {status}")


def confirmation_link(email: str) -> str:
    """The path of the link in the last confirmation mail to `email` (the live
    server runs in this process: its mail is in Django's test outbox)."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://[^/\s]+(/verify-email/\S+/)", message.body)[1]


def new_officer(name: str):
    """Another customs officer (the suite's `officer` fixture gives one)."""
    return make_officer(first_name=name, last_name="Officer")


def test_shipper_signs_up_files_an_h7_and_sees_it_accepted(new_page, shot):
    page = new_page()
    page.goto("/signup/")
    shot(page, "sign-up form")
    page.get_by_label("Organisation name").fill("Meuse Gadgets SRL")
    page.get_by_role("radio", name=re.compile(r"^Shipper")).check()
    page.get_by_label("EORI number").fill("BE 0403.170.701")
    page.get_by_label("First name").fill("Anne")
    page.get_by_label("Last name").fill("Lambert")
    page.get_by_label("E-mail", exact=True).fill("anne@meuse-gadgets.example")
    page.get_by_label("Password", exact=True).fill("Cargo-Liege-2026")
    page.get_by_label("Password again").fill("Cargo-Liege-2026")
    shot(page, "sign-up filled")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    shot(page, "check your e-mail")

    # Anne follows the link in her mail; the page says what is still pending.
    page.goto(confirmation_link("anne@meuse-gadgets.example"))
    expect(page).to_have_url(re.compile(r"/pending/$"))
    expect(page.locator("#pending-email")).to_contain_text("E-mail confirmed.")
    expect(page.locator("#pending-eori")).to_contain_text("BE0403170701")
    shot(page, "waiting for the EORI check")

    # The operator (a customs officer) checks the EORI and records the evidence.
    officer = new_officer("Operator")
    desk = new_page()
    sign_in(desk, officer.email, PASSWORD, next="/admin/")
    pending = reverse("admin:accounts_organisation_changelist") + "?eori_status=pending"
    desk.goto(pending)
    row = desk.get_by_role("row", name=re.compile("Meuse Gadgets SRL"))
    row.get_by_role("checkbox").check()
    desk.get_by_role("combobox").select_option("verify_eori")
    desk.get_by_role("button", name="Go").click()
    desk.get_by_label("Evidence").fill(
        "EU EORI validation service: name and address match the sign-up."
    )
    shot(desk, "operator's evidence")
    desk.get_by_role("button", name=re.compile("^Verify the EORI")).click()
    expect(desk.get_by_text("1 organisation(s) verified.")).to_be_visible()

    page.goto("/declarations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your declarations")
    shot(page, "declarations list")

    page.get_by_role("button", name="New declaration").click()
    expect(page).to_have_url(re.compile(r"/declarations/\d+/$"))
    expect(page.locator("#status")).to_have_text("Draft")
    shot(page, "new draft")
    fill_fields(
        page,
        {
            "Master air waybill (MAWB)": "172-12345675",
            "House air waybill (HAWB)": "CN000000777BE",
            "Flight": "CK251",
            "From airport": "CGO",
            "To airport": "LGG",
            "Arrival date": "2026-11-20",
            "Gross mass (kg)": "0.700",
            "Packages": "1",
            "Consignor name": "Zhengzhou Bright Home Co. Ltd",
            "Consignor street and number": "88 Jingkai Rd",
            "Consignor city": "Zhengzhou",
            "Consignor postcode": "450000",
            "Consignor country": "CN",
            "Consignee name": "Anne Dupont",
            "Consignee street and number, or PO box": "Rue Saint-Gilles 12",
            "Consignee city": "Liège",
            "Consignee postcode": "4000",
            "Consignee country": "BE",
            "Invoice currency": "EUR",
            "Transport cost": "2.50",
            "How is import VAT paid?": "IOSS",
            "IOSS number": "IM0560000012",
        },
    )
    shot(page, "header filled")

    goods = page.get_by_role("region", name="Goods")
    for description, hs_code, quantity, value, mass, sku, gtin in (
        ("Cotton T-shirt for men", "610910", "2", "18.00", "0.380", "SKU-TS-001",
         "5412345000013"),
        ("Silicone phone case", "392690", "3", "9.00", "0.150", "SKU-PC-12",
         "6901234567809"),
    ):  # fmt: skip
        goods.get_by_label("Description").fill(description)
        goods.get_by_label("HS code").fill(hs_code)
        goods.get_by_label("Made in").fill("CN")
        goods.get_by_label("Quantity").fill(quantity)
        goods.get_by_label("Value", exact=True).fill(value)
        goods.get_by_label("Net mass (kg)").fill(mass)
        goods.get_by_label("Product ID", exact=True).fill(sku)
        goods.get_by_label("Manufacturer's product ID").fill(gtin)
        goods.get_by_role("button", name="Add item").click()
        expect(goods.get_by_role("table")).to_contain_text(description)
        wait_for_htmx(page)
    expect(goods.get_by_role("row")).to_have_count(3)  # header + two items
    estimate = page.locator("#estimate")
    expect(estimate).to_contain_text(re.compile(r"EUR \d+\.\d{2}"))
    shot(page, "two items and the estimate")

    page.get_by_role("button", name="Submit declaration").click()
    expect(page.locator("#status")).to_have_text("Accepted", timeout=WORKER_TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"MRN\s+\d{2}BE"))).to_be_visible()
    shot(page, "accepted")
    declaration = Declaration.objects.get(consignment__hawb="CN000000777BE")
    assert declaration.status == Status.ACCEPTED and declaration.mrn
    assert declaration.organisation.eori == "BE0403170701"
    assert declaration.items.count() == 2


def test_forwarder_uploads_a_manifest_and_downloads_its_issues(
    new_page, shot, tmp_path
):
    forwarder = OrganisationFactory(slug="fly-forward", kind="forwarder")
    user = MembershipFactory(organisation=forwarder).user
    data = manifest_csv([row("GOOD1"), row("NOHS", hs_code="999999"), row("GOOD2")])
    path = tmp_path / "flight-ck251.csv"
    path.write_bytes(data)

    page = new_page()
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Manifests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flight manifests")
    shot(page, "manifests page")
    page.get_by_label("CSV or XLSX file").set_input_files(path)
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/manifests/\d+/$"))
    status = page.locator("[data-status]").first
    expect(status).to_have_attribute("data-status", "done", timeout=WORKER_TIMEOUT_MS)
    expect(page.get_by_role("row", name=re.compile("NOHS"))).to_contain_text(
        "HS-EXISTS"
    )
    shot(page, "manifest done with one rejected parcel")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download issues (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-issues.csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["row", "hawb", "code", "severity", "field", "message"]
    bad = [r for r in rows if r["hawb"] == "NOHS" and r["code"] == "HS-EXISTS"]
    assert bad and bad[0]["row"] == "2" and bad[0]["field"] == "hs_code", rows
    assert not [r for r in rows if r["hawb"].startswith("GOOD")], rows


def test_officers_release_a_sanctions_hit_after_the_shipper_sends_a_document(
    new_page, shot, tmp_path
):
    shipper = OrganisationFactory(slug="sanctioned-buyer-shipper", kind="shipper")
    shipper_user = MembershipFactory(organisation=shipper).user
    first, second = new_officer("First"), new_officer("Second")
    declaration = make_declaration(
        organisation=shipper, submit=True, consignee_name=SANCTIONED
    )

    # The worker's screening sends it to an officer.
    declaration = wait_for_status(declaration, Status.UNDER_REVIEW)
    desk = new_page()
    sign_in(desk, first.email, PASSWORD, next="/admin/")
    desk.goto(reverse("admin:declarations_declaration_changelist"))
    hit = desk.get_by_role("row", name=re.compile(SANCTIONED))
    expect(hit).to_contain_text("Sanctions hit")
    shot(desk, "queue with the sanctions hit")
    hit.get_by_role("link", name=declaration.mrn).click()
    expect(desk.get_by_text(SANCTIONED).first).to_be_visible()
    desk.get_by_role("button", name="Assign to me").click()
    expect(desk.get_by_text(re.compile("assigned to you"))).to_be_visible()
    shot(desk, "assigned to the first officer")

    desk.get_by_role("link", name=re.compile(r"^Request documents")).click()
    desk.get_by_label(str(DocumentKind.COMMERCIAL_INVOICE.label)).check()
    desk.get_by_label("Reason").fill(
        "Please send the commercial invoice of this parcel."
    )
    shot(desk, "request documents")
    desk.get_by_role("button", name=re.compile(r"^Request documents")).click()
    expect(desk.get_by_text(f"{declaration.mrn} asked for documents.")).to_be_visible()
    declaration.refresh_from_db()
    assert declaration.status == Status.DOCUMENTS_REQUESTED

    # The shipper sees the request and uploads the invoice; the worker checks it.
    invoice = tmp_path / "invoice-4711.pdf"
    invoice.write_bytes(
        pdf(["COMMERCIAL INVOICE 4711", "Cotton T-shirt for men", "Total EUR 18.00"])
    )
    home = new_page()
    sign_in(home, shipper_user.email, PASSWORD)
    home.goto(reverse("declarations:detail", args=[declaration.pk]))
    expect(home.locator("#status")).to_have_text("Documents requested")
    documents = home.get_by_role("region", name="Documents")
    expect(documents).to_contain_text("Commercial invoice")
    shot(home, "shipper sees the request")
    documents.get_by_label("Kind of document").select_option("commercial_invoice")
    documents.get_by_label(re.compile(r"^File")).set_input_files(invoice)
    documents.get_by_role("button", name="Upload").click()
    documents = home.get_by_role("region", name="Documents")
    expect(
        documents.get_by_role("row", name=re.compile("invoice-4711.pdf"))
    ).to_contain_text("Accepted", timeout=WORKER_TIMEOUT_MS)
    shot(home, "invoice accepted")
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW

    # Four eyes: the first officer proposes, a second officer releases.
    desk.goto(reverse("admin:declarations_declaration_change", args=[declaration.pk]))
    expect(desk.get_by_text("invoice-4711.pdf").first).to_be_visible()
    desk.get_by_role("link", name=re.compile(r"^Release")).click()
    desk.get_by_label("Reason").fill("Invoice checked.")
    desk.get_by_role("button", name=re.compile(r"^Release")).click()
    expect(desk.get_by_text(re.compile("second officer")).first).to_be_visible()
    shot(desk, "release proposed")
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW
    assert declaration.release_proposed_by == first

    other = new_page()
    sign_in(other, second.email, PASSWORD, next="/admin/")
    other.goto(reverse("admin:declarations_declaration_change", args=[declaration.pk]))
    expect(other.get_by_text(re.compile("awaiting a second officer"))).to_be_visible()
    other.get_by_role("link", name=re.compile(r"^Release")).click()
    other.get_by_label("Reason").fill("Second check done: released.")
    other.get_by_role("button", name=re.compile(r"^Release")).click()
    expect(other.get_by_text(f"{declaration.mrn} released.")).to_be_visible()
    shot(other, "released by the second officer")
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED

    home.reload()
    expect(home.locator("#status")).to_have_text("Released")
    shot(home, "shipper sees it released")


def test_shipper_downloads_the_release_note(new_page, shot, tmp_path):
    shipper = OrganisationFactory(slug="release-note-shipper", kind="shipper")
    user = MembershipFactory(organisation=shipper).user
    declaration = make_declaration(organisation=shipper, submit=True)
    declaration = declaration_validate(declaration_id=declaration.pk)
    declaration = declaration_decide(
        declaration=declaration,
        decision="release",
        by=new_officer("Release"),
        reason="Checked at the belt.",
    )
    assert declaration.status == Status.RELEASED and declaration.mrn

    page = new_page()
    sign_in(page, user.email, PASSWORD)
    page.goto(reverse("declarations:detail", args=[declaration.pk]))
    expect(page.locator("#status")).to_have_text("Released")
    shot(page, "released declaration")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Release note (PDF)").click()
    saved = tmp_path / "release-note.pdf"
    download_info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert declaration.mrn in text.replace(" ", "").replace("\n", ""), text

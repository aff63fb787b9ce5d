"""Whole-flight manifests: upload, messy files, results, corrections, isolation."""

import csv
import io

import pytest
from django.urls import reverse

from declarations.models import Declaration, Status
from declarations.services.manifests import manifest_submit
from shipments.models import Manifest, ManifestIssue
from tests.declarations.manifests import manifest_csv, process, row, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submit(organisation, data: bytes, name="manifest.csv"):
    manifest, _ = manifest_submit(
        organisation=organisation, upload=upload_file(data, name), by=None
    )
    return process(manifest)


def test_clean_manifest_becomes_accepted_declarations(shipper):
    """Twelve parcels: staged, chunked, validated, priced and accepted."""
    rows = [row(f"CN{n:03d}BE") for n in range(12)]
    rows.append(
        row(
            "CN000BE",
            description="Silicone phone case",
            hs_code="392690",
            item_value="9.00",
            product_id="SKU-PC",
            net_mass_kg="0.02",
        )
    )
    manifest = submit(shipper, manifest_csv(rows, bom=True))
    assert manifest.status == Manifest.Status.DONE
    assert (manifest.rows_total, manifest.consignments_total) == (13, 12)
    assert manifest.consignments_accepted == 12 and manifest.chunks_total > 1
    declaration = Declaration.objects.get(consignment__hawb="CN000BE")
    assert declaration.status == Status.ACCEPTED and declaration.mrn
    assert declaration.manifest_id == manifest.pk
    assert declaration.items.count() == 2
    assert declaration.customs_duty_eur is not None and declaration.computation
    trail = list(declaration.status_changes.values_list("from_status", "to_status"))
    assert trail == [
        ("draft", "submitted"),
        ("submitted", "validating"),
        ("validating", "accepted"),
    ]


def test_item_without_product_identifiers_is_a_row_numbered_error(shipper):
    """ITEM-PRODUCT-ID and ITEM-MANUFACTURER-ID: from 1 Nov 2026 a goods line
    without the merchant's or the manufacturer's product identifier is rejected
    on that row (Delegated Regulation (EU) 2026/1022); the column may be left
    out of the file, and the identifier is stored when given."""
    rows = [
        row("OK1"),
        row("NOMAKER", manufacturer_product_id=""),
        row("NOSKU", product_id=""),
    ]
    manifest = submit(shipper, manifest_csv(rows))
    assert manifest.consignments_accepted == 1
    issues = {
        (i.row, i.code, i.field)
        for i in ManifestIssue.objects.filter(manifest=manifest)
    }
    assert (2, "ITEM-MANUFACTURER-ID", "manufacturer_product_id") in issues
    assert (3, "ITEM-PRODUCT-ID", "product_id") in issues
    item = Declaration.objects.get(consignment__hawb="OK1").items.get()
    assert item.manufacturer_product_id == "5412345000013"


def test_bad_rows_are_reported_by_row_and_never_stop_good_rows(shipper):
    """Comma decimals, unknown HS codes and disagreeing lines are row-numbered
    issues; the clean parcels are still accepted."""
    rows = [
        row("GOOD1"),
        row("COMMA", item_value="18,50"),
        row("NOHS", hs_code="999999"),
        row("SPLIT1", consignee_name="Jan Peeters"),
        row(
            "SPLIT1",
            consignee_name="Piet Peeters",
            description="Phone case",
            hs_code="392690",
        ),
        row("GOOD2", consignee_name="Zoë Dupré", consignor_name="杭州星光科技有限公司"),
    ]
    manifest = submit(shipper, manifest_csv(rows))
    assert manifest.consignments_accepted == 2
    assert manifest.consignments_rejected == 3
    issues = {
        (i.row, i.code, i.field)
        for i in ManifestIssue.objects.filter(manifest=manifest)
    }
    assert (2, "ROW-DECIMAL", "item_value") in issues
    assert (3, "HS-EXISTS", "hs_code") in issues
    assert any(
        code == "DQ-CONSISTENT" and field == "consignee_name"
        for _, code, field in issues
    )
    good = Declaration.objects.get(consignment__hawb="GOOD2")
    assert good.consignment.consignor_name == "杭州星光科技有限公司"


def test_same_file_twice_changes_nothing(shipper):
    """The very same file is recognised by its hash: same manifest, no new rows."""
    data = manifest_csv([row("A1"), row("A2")])
    first = submit(shipper, data)
    count = Declaration.objects.count()
    again, created = manifest_submit(
        organisation=shipper, upload=upload_file(data), by=None
    )
    assert not created and again.pk == first.pk
    assert Declaration.objects.count() == count


def test_corrected_rows_replace_rejected_and_keep_accepted(shipper):
    """Fixing one rejected parcel: it is replaced in place with its history; the
    accepted one is not duplicated."""
    submit(shipper, manifest_csv([row("OK1"), row("FIX1", hs_code="999999")]))
    rejected = Declaration.objects.get(consignment__hawb="FIX1")
    assert rejected.status == Status.REJECTED
    second = submit(shipper, manifest_csv([row("OK1"), row("FIX1")]), name="fixed.csv")
    assert second.consignments_accepted == 1 and second.consignments_unchanged == 1
    assert Declaration.objects.filter(consignment__hawb="OK1").count() == 1
    fixed = Declaration.objects.get(consignment__hawb="FIX1")
    assert fixed.pk == rejected.pk and fixed.status == Status.ACCEPTED and fixed.mrn
    assert fixed.items.get().hs_code == "610910"
    assert not fixed.issues.filter(code="HS-EXISTS").exists()
    moves = list(fixed.status_changes.values_list("to_status", flat=True))
    assert moves == [
        "submitted",
        "validating",
        "rejected",
        "submitted",
        "validating",
        "accepted",
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not a CSV or XLSX"),
        (b"172-12345675,CK251,CGO,LGG,2026-11-20,CN1,Seller,Street 1\n", "header"),
    ],
)
def test_files_that_are_not_manifests_are_refused_and_leave_nothing(api, data, says):
    """An image renamed .csv, a CSV without header: 400, nothing stored."""
    response = api.post("/api/v1/manifests/", {"file": upload_file(data)})
    assert response.status_code == 400
    assert says in response.json()["errors"][0]["message"]
    assert not Manifest.objects.exists()


def test_api_upload_poll_issues_and_declarations(api, broker):
    """The broker's manifest journey by API, with issues as JSON and CSV."""
    data = manifest_csv(
        [row("B1"), row("B2", description='=HYPERLINK("x")', hs_code="999999")]
    )
    response = api.post("/api/v1/manifests/", {"file": upload_file(data)})
    assert response.status_code == 202, response.content
    body = response.json()
    for key in (
        "id",
        "status",
        "rows_total",
        "rows_processed",
        "consignments_total",
        "consignments_accepted",
        "consignments_rejected",
        "consignments_under_review",
        "created_at",
        "finished_at",
    ):
        assert key in body
    process(Manifest.objects.get(pk=body["id"]))
    done = api.get(f"/api/v1/manifests/{body['id']}/").json()
    assert done["status"] == "done" and done["consignments_accepted"] == 1
    issues = api.get(f"/api/v1/manifests/{body['id']}/issues/", {"severity": "error"})
    listed = issues.json()["results"]
    assert {"row", "hawb", "code", "severity", "field", "message"} <= listed[0].keys()
    assert any(i["code"] == "HS-EXISTS" and i["row"] == 2 for i in listed)
    exported = api.get(f"/api/v1/manifests/{body['id']}/issues/", {"format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert lines[0] == ["row", "hawb", "code", "severity", "field", "message"]
    declarations = api.get("/api/v1/declarations/", {"manifest": body["id"]}).json()
    assert {d["hawb"] for d in declarations["results"]} == {"B1", "B2"}
    assert all(d["manifest"] == body["id"] for d in declarations["results"])


def test_formula_cells_are_neutralised_in_the_csv_export(shipper_client, shipper):
    """A description that starts with = is stored as text, exported with a quote."""
    data = manifest_csv([row("F1", description="=cmd|'/c calc'!A1", hs_code="999999")])
    manifest = submit(shipper, data)
    item = Declaration.objects.get(consignment__hawb="F1").items.first()
    assert item is None or item.description.startswith("=")
    url = reverse("manifests:issues-csv", args=[manifest.pk])
    text = b"".join(shipper_client.get(url).streaming_content).decode()
    assert "\n=" not in text and ",=" not in text


def test_manifest_page_shows_progress_then_summary_and_filtered_issues(
    shipper_client, shipper
):
    """The page polls while running and lists issues filterable by rule."""
    manifest, _ = manifest_submit(
        organisation=shipper,
        upload=upload_file(manifest_csv([row("P1", hs_code="999999"), row("P2")])),
        by=None,
    )
    url = reverse("manifests:detail", args=[manifest.pk])
    running = shipper_client.get(url)
    assert b'hx-trigger="every 1s"' in running.content
    process(manifest)
    page = shipper_client.get(url, {"code": "HS-EXISTS"}).content.decode()
    assert "every 1s" not in page and "HS-EXISTS" in page and "P1" in page


def test_another_organisations_manifest_is_404(api, other_shipper):
    """Manifests are scoped like declarations."""
    theirs = submit(other_shipper, manifest_csv([row("X1")]))
    assert api.get(f"/api/v1/manifests/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/manifests/{theirs.pk}/issues/").status_code == 404


def test_xlsx_manifest_is_processed_like_csv(shipper):
    """The first sheet of an XLSX, header in row 1, gives the same declarations."""
    import openpyxl

    from tests.declarations.manifests import HEADER

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for hawb in ("X1", "X2"):
        values = row(hawb)
        values["item_value"] = 18.0  # numbers as numbers, as Excel stores them
        sheet.append([values.get(column, "") for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    manifest = submit(shipper, buffer.getvalue(), name="flight.xlsx")
    assert manifest.format == "xlsx" and manifest.consignments_accepted == 2
    item = Declaration.objects.get(consignment__hawb="X1").items.get()
    assert str(item.item_value) == "18.00"


def test_file_over_the_size_limit_is_refused(api, settings):
    """Over MANIFEST_MAX_BYTES: 400 naming the limit, nothing stored."""
    settings.MANIFEST_MAX_BYTES = 200
    response = api.post(
        "/api/v1/manifests/",
        {"file": upload_file(manifest_csv([row("L1"), row("L2")]))},
    )
    assert response.status_code == 400
    assert "limit" in response.json()["errors"][0]["message"]
    assert not Manifest.objects.exists()

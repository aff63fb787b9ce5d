"""Manifests: a value over its limit, or one the database refuses, is reported on
its row and consignment; every other consignment is filed; no chunk fails."""

import pytest

from declarations.models import MAX_GOODS_ITEMS, Declaration, Status
from shipments.models import Consignment, Manifest, ManifestChunk, ManifestIssue
from tests.declarations.manifests import manifest_csv, row
from tests.declarations.test_manifests import submit

pytestmark = pytest.mark.django_db

EXISTING = "H" * 35  # a house AWB at its limit, filed by the first upload
TOO_LONG = EXISTING + "X"  # cut to 35 characters it would be EXISTING


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_hawb_over_its_limit_is_a_row_error_not_cut_and_the_flight_files_twice(
    shipper,
):
    """The red team's manifest: a HAWB over 35 characters whose first 35 are a
    HAWB of the same flight. Both uploads end done, the long HAWB is reported
    on its row and files nothing, every other consignment is filed."""
    first = submit(shipper, manifest_csv([row(EXISTING), row("GOOD1")]))
    assert first.status == Manifest.Status.DONE
    rows = [row(f"P{n:02d}") for n in range(10)] + [row(TOO_LONG)]
    second = submit(shipper, manifest_csv([*rows, row("GOOD1")]))
    assert second.status == Manifest.Status.DONE, second.error
    assert not ManifestChunk.objects.filter(manifest=second, status="pending")
    issue = ManifestIssue.objects.get(manifest=second, code="ROW-TOO-LONG")
    assert (issue.row, issue.field) == (11, "hawb")
    assert "36 characters; at most 35" in issue.message
    assert second.consignments_total == 11 and second.consignments_accepted == 10
    assert second.consignments_unchanged == 1  # GOOD1, already accepted
    assert Consignment.objects.filter(hawb=EXISTING).count() == 1
    assert not Consignment.objects.filter(hawb__startswith=TOO_LONG).exists()


def test_text_over_its_model_limit_rejects_the_consignment_naming_the_field(shipper):
    """A consignee name over the model's 150 characters: an error on its row and
    on the consignment's declaration; the name is not stored cut short."""
    manifest = submit(
        shipper,
        manifest_csv([row("LONGNAME", consignee_name="N" * 151), row("GOOD")]),
    )
    assert manifest.status == Manifest.Status.DONE
    assert manifest.consignments_accepted == 1
    assert manifest.consignments_rejected == 1
    declaration = Declaration.objects.get(consignment__hawb="LONGNAME")
    assert declaration.status == Status.REJECTED
    issue = declaration.issues.get(code="ROW-TOO-LONG")
    assert issue.field == "consignee_name" and "at most 150" in issue.message
    assert declaration.consignment.consignee_name == ""  # not "N" * 150


def test_origin_country_over_its_limit_is_not_cut_to_another_country(shipper):
    """'CHN' cut to 2 characters would be 'CH', Switzerland."""
    manifest = submit(shipper, manifest_csv([row("CHN1", origin_country="CHN")]))
    declaration = Declaration.objects.get(manifest=manifest)
    assert declaration.status == Status.REJECTED
    assert not declaration.items.filter(origin_country="CH").exists()
    assert declaration.issues.filter(
        code="ROW-TOO-LONG", field="origin_country"
    ).exists()


def test_numbers_beyond_their_column_are_row_errors(shipper):
    manifest = submit(
        shipper,
        manifest_csv(
            [
                row("BIGQTY", quantity="3000000000"),
                row("BIGCOST", transport_cost="99999999999"),
                row("GOOD"),
            ]
        ),
    )
    assert manifest.status == Manifest.Status.DONE
    found = set(
        ManifestIssue.objects.filter(
            manifest=manifest, code="ROW-TOO-LARGE"
        ).values_list("hawb", "field")
    )
    assert found == {("BIGQTY", "quantity"), ("BIGCOST", "transport_cost")}
    assert manifest.consignments_accepted == 1
    assert manifest.consignments_rejected == 2


def test_consignment_over_999_lines_is_rejected_with_the_field(shipper):
    lines = [row("MANY", product_id=f"SKU-{n}") for n in range(MAX_GOODS_ITEMS + 1)]
    manifest = submit(shipper, manifest_csv([*lines, row("GOOD")]), chunk_size=50)
    assert manifest.status == Manifest.Status.DONE
    declaration = Declaration.objects.get(consignment__hawb="MANY")
    assert declaration.status == Status.REJECTED
    issue = declaration.issues.get(code="MAN-TOO-MANY-ITEMS")
    assert issue.field == "items" and "at most 999" in issue.message
    assert declaration.items.count() == 0
    assert Declaration.objects.get(consignment__hawb="GOOD").status == "accepted"


def test_a_consignment_the_database_refuses_is_reported_and_the_rest_filed(
    shipper, monkeypatch
):
    """A HAWB filed by another upload between this chunk's look-up and its write
    (two uploads of one flight at once): the chunk still ends done."""
    from declarations import pipeline

    original = pipeline._existing

    def race(candidates, shipments):
        original(candidates, shipments)
        # The other upload files RACE now, after this chunk looked it up.
        if any(c.hawb == "RACE" for c in candidates):
            shipment = next(iter(shipments.values()))
            Consignment.objects.create(
                organisation=shipper, shipment=shipment, hawb="RACE"
            )

    monkeypatch.setattr(pipeline, "_existing", race)
    manifest = submit(
        shipper, manifest_csv([row("RACE"), row("CALM1"), row("CALM2")]), chunk_size=50
    )
    assert manifest.status == Manifest.Status.DONE
    assert manifest.consignments_accepted == 2
    issue = ManifestIssue.objects.get(manifest=manifest, code="MAN-NOT-FILED")
    assert issue.hawb == "RACE" and issue.field == "hawb"
    assert "another upload" in issue.message
    assert not Declaration.objects.filter(consignment__hawb="RACE").exists()

"""One verdict, whichever way a consignment is filed: on the shipper's pages, by
the API alone, or in a manifest; and the amounts of that verdict, to the cent."""

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from declarations.models import Declaration, Status
from declarations.services import declaration_validate, declarations_validate
from declarations.services.manifests import manifest_submit
from tests.declarations.manifests import manifest_csv, process, row, upload_file

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
BOOK = {
    "description": "Printed novel, paperback",
    "hs_code": "490199",
    "item_value": "30.00",
    "quantity": "1",
    "product_id": "ISBN-9780000000001",
}
STANDARD = {"vat_path": "STANDARD", "ioss_number": ""}
BERLIN = {
    "consignee_address": "Unter den Linden 5",
    "consignee_city": "Berlin",
    "consignee_postcode": "10117",
    "consignee_country": "DE",
}

# name, changes to the manifest row (the worked H7: T-shirts 2 x EUR 9 = 18,
# transport 2.50, IOSS, Liège), status, error codes, duty, VAT, fees.
CASES = [
    ("ioss-be", {}, Status.ACCEPTED, set(), "3.00", "0.00", "0.00"),
    ("ioss-de", BERLIN, Status.ACCEPTED, set(), "3.00", "0.00", "0.00"),
    (
        "ioss-xi",
        {"consignee_country": "XI", "consignee_postcode": "BT1 1AA",
         "consignee_city": "Belfast"},
        Status.ACCEPTED, set(), "3.00", "0.00", "0.00",
    ),
    # 21 % of (18 + 2.50 + 3) = 4.935 -> 4.94 (half up)
    ("standard-be", STANDARD, Status.ACCEPTED, set(), "3.00", "4.94", "0.00"),
    # a book at Belgium's 6 %: 6 % of (30 + 2.50 + 3) = 2.13
    ("standard-be-book", STANDARD | BOOK, Status.ACCEPTED, set(), "3.00", "2.13",
     "0.00"),
    ("standard-de", STANDARD | BERLIN, Status.REJECTED, {"VAT-DESTINATION"}, "3.00",
     "4.94", "0.00"),
    (
        "ioss-canaries",
        {"consignee_country": "ES", "consignee_postcode": "35001",
         "consignee_city": "Las Palmas de Gran Canaria",
         "consignee_address": "Calle Triana 10"},
        Status.REJECTED, {"TERR-VAT"}, "3.00", "0.00", "0.00",
    ),
    (
        "ioss-ceuta",
        {"consignee_country": "ES", "consignee_postcode": "51001",
         "consignee_city": "Ceuta", "consignee_address": "Calle Real 3"},
        Status.REJECTED, {"TERR-CUSTOMS"}, "3.00", "0.00", "0.00",
    ),
    # Today's customs rate of CNY is after the bundled ECB history (ends
    # 2026-10-30) and none is loaded: CUR-RATE says so, once, and nothing is priced.
    ("no-rate", {"currency": "CNY"}, Status.REJECTED, {"CUR-RATE"}, None, None,
     None),
]  # fmt: skip

ITEM_COLUMNS = (
    "description", "hs_code", "origin_country", "quantity", "item_value",
    "net_mass_kg", "product_id",
)  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _outcome(declaration: Declaration) -> tuple:
    declaration.refresh_from_db()
    errors = set(
        declaration.issues.filter(severity="error").values_list("code", flat=True)
    )
    amounts = tuple(
        None if value is None else str(value)
        for value in (
            declaration.customs_duty_eur,
            declaration.import_vat_eur,
            declaration.fees_eur,
        )
    )
    return declaration.status, errors, *amounts


def _by_page(client, values: dict) -> Declaration:
    """As a shipper does it: a draft, each field saved as it is left, an item
    added, submitted; then the worker validates it."""
    client.post(reverse("declarations:new"))
    declaration = Declaration.objects.latest("pk")
    header = {k: v for k, v in values.items() if k not in ITEM_COLUMNS}
    header["lrn"] = f"PAGE-{values['hawb']}"
    for name, value in header.items():
        url = reverse("declarations:field", args=[declaration.pk, name])
        client.post(url, {name: value}, **HTMX)
    item = {k: values[k] for k in ITEM_COLUMNS}
    client.post(reverse("declarations:item-add", args=[declaration.pk]), item, **HTMX)
    client.post(reverse("declarations:submit", args=[declaration.pk]))
    declaration_validate(declaration_id=declaration.pk)
    return declaration


def _by_api(api, values: dict) -> Declaration:
    """As a broker does it: one POST, then the worker validates it."""
    header = {k: v for k, v in values.items() if k not in ITEM_COLUMNS and v != ""}
    item = {k: values[k] for k in ITEM_COLUMNS}
    payload = header | {"type": "H7", "lrn": f"API-{values['hawb']}", "items": [item]}
    response = api.post(
        "/api/v1/declarations/",
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    declarations_validate(declaration_ids=[response.json()["id"]])
    return Declaration.objects.get(pk=response.json()["id"])


def _by_manifest(organisation, rows: list[dict]) -> dict[str, Declaration]:
    """As a forwarder does it: one manifest of every case, processed by the
    pipeline in chunks."""
    manifest, _ = manifest_submit(
        organisation=organisation, upload=upload_file(manifest_csv(rows)), by=None
    )
    process(manifest)
    return {
        d.consignment.hawb: d
        for d in Declaration.objects.filter(manifest=manifest).select_related(
            "consignment"
        )
    }


def test_the_same_verdict_on_a_page_by_api_and_in_a_manifest(
    shipper_client, shipper, api, broker
):
    """Each case of the table gets the same status, error codes and amounts
    whichever way it is filed, and they are the expected ones."""
    rows = [row(f"V{n:02d}", **changes) for n, (_, changes, *_) in enumerate(CASES)]
    manifest = _by_manifest(shipper, rows)
    for values, (name, _, status, errors, duty, vat, fees) in zip(
        rows, CASES, strict=True
    ):
        expected = (status, errors, duty, vat, fees)
        filed = {
            "manifest": _outcome(manifest[values["hawb"]]),
            "api": _outcome(_by_api(api, values | {"hawb": values["hawb"] + "A"})),
            # The same shipper as the manifest: another parcel, for another buyer
            # (the same one would be a split consignment).
            "page": _outcome(
                _by_page(
                    shipper_client,
                    values
                    | {
                        "hawb": values["hawb"] + "P",
                        "consignee_name": f"Page buyer {values['hawb']}",
                    },
                )
            ),
        }
        for path, outcome in filed.items():
            assert outcome == expected, (name, path)


def test_an_unpriced_declaration_can_never_be_accepted(shipper):
    """The database refuses an accepted declaration without its amounts, however
    it is written."""
    from tests.declarations.factories import make_declaration

    declaration = make_declaration(organisation=shipper, submit=True)
    declaration_validate(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.status == Status.ACCEPTED
    assert declaration.total_due_eur == Decimal("3.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=declaration.pk).update(import_vat_eur=None)

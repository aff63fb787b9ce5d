"""Validation in batches: pricing stored, risk routing, and a fixed query count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from declarations.models import Declaration, Status
from declarations.services import declaration_submit, declarations_validate
from tests.declarations.factories import h7_payload, make_declaration

pytestmark = pytest.mark.django_db


def submitted_batch(shipper, count: int, tag: str) -> list[int]:
    ids = []
    for n in range(count):
        declaration = make_declaration(
            organisation=shipper, lrn=f"{tag}{n}", hawb=f"{tag}{n}",
            consignee_name=f"Buyer {tag} {n}",
        )  # fmt: skip
        declaration_submit(declaration=declaration, by=None)
        ids.append(declaration.pk)
    return ids


def test_accepted_declaration_carries_duty_vat_and_rate(shipper):
    """The worked example: T-shirt EUR 20 and watch EUR 40, transport EUR 5,
    standard path after 1 Jul 2026: duty EUR 6.00, VAT EUR 14.91."""
    items = [
        {"description": "Cotton T-shirt", "hs_code": "610910", "origin_country": "CN",
         "quantity": 1, "item_value": "20.00", "product_id": "A",
         "manufacturer_product_id": "6901234567892"},
        {"description": "Wrist-watch", "hs_code": "910211", "origin_country": "CN",
         "quantity": 1, "item_value": "40.00", "product_id": "B",
         "manufacturer_product_id": "6901234567809"},
    ]  # fmt: skip
    declaration = make_declaration(
        organisation=shipper, items=items, transport_cost="5.00", vat_path="STANDARD",
        ioss_number="",
    )  # fmt: skip
    declaration_submit(declaration=declaration, by=None)
    declarations_validate(declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.status == Status.ACCEPTED
    assert declaration.customs_duty_eur == Decimal("6.00")
    assert declaration.import_vat_eur == Decimal("14.91")
    assert declaration.total_due_eur == Decimal("20.91")
    assert (
        declaration.exchange_rate == 1
        and declaration.additional_procedure_code == "F53"
    )
    lines = declaration.computation["lines"]
    assert sum(Decimal(line["amount_eur"]) for line in lines) == Decimal("20.91")
    assert all(line["legal_source"] for line in lines)


def test_query_count_does_not_grow_with_the_batch(shipper):
    """Validating 20 declarations costs the same queries as validating 2."""
    small = submitted_batch(shipper, 2, "S")
    large = submitted_batch(shipper, 20, "L")
    with CaptureQueriesContext(connection) as few:
        declarations_validate(declaration_ids=small)
    with CaptureQueriesContext(connection) as many:
        declarations_validate(declaration_ids=large)
    assert len(many) <= len(few) + 4, (len(few), len(many))
    assert Declaration.objects.filter(status=Status.ACCEPTED).count() == 22


def split_batch(shipper, values: list[str], parties: dict | None = None) -> list[int]:
    parties = parties or {}
    ids = []
    for n, value in enumerate(values):
        item = h7_payload()["items"][0] | {"item_value": value}
        declaration = make_declaration(
            organisation=shipper, lrn=f"S{n}", hawb=f"S{n}", items=[item],
            **parties.get(n, {}),
        )  # fmt: skip
        declaration_submit(declaration=declaration, by=None)
        ids.append(declaration.pk)
    return ids


def test_split_parcels_go_to_review_with_the_reason(shipper):
    """RISK-SPLIT: three parcels to one buyer from one seller on one day, together
    EUR 180, over the EUR 150 ceiling: each is flagged (Art. 23 Council
    Regulation (EC) 1186/2009). The buyer's address is written differently on
    one of them, which does not hide it."""
    ids = split_batch(
        shipper, ["60.00", "60.00", "60.00"],
        parties={2: {"consignee_address": "rue saint gilles, 12"}},
    )  # fmt: skip
    result = declarations_validate(declaration_ids=ids)
    assert result["under_review"] == 3
    flagged = Declaration.objects.get(pk=ids[0])
    issue = flagged.issues.get(code="RISK-SPLIT")
    assert "S1" in issue.message and "S2" in issue.message


def test_split_parcels_under_150_together_are_not_flagged(shipper):
    """RISK-SPLIT: three parcels of one seller to one buyer that day, EUR 54
    together: the split changes nothing, so they are accepted."""
    ids = split_batch(shipper, ["18.00", "18.00", "18.00"])
    assert declarations_validate(declaration_ids=ids)["accepted"] == 3


def test_buyers_sharing_a_common_name_are_not_a_split(shipper):
    """RISK-SPLIT: two buyers called Wang Wei at different addresses receive
    EUR 100 each from one seller: two buyers, two clean parcels."""
    other = {"consignee_address": "Meir 40", "consignee_postcode": "2000",
             "consignee_city": "Antwerpen"}  # fmt: skip
    wang = {"consignee_name": "Wang Wei"}
    ids = split_batch(
        shipper, ["100.00", "100.00"], parties={0: wang, 1: wang | other}
    )
    assert declarations_validate(declaration_ids=ids)["accepted"] == 2
    assert not Declaration.objects.filter(issues__code="RISK-SPLIT").exists()


def test_sanctioned_consignor_goes_to_review_with_the_match(shipper):
    """A listed consignor: under review, the match stored with list entry and score."""
    declaration = make_declaration(
        organisation=shipper, consignor_name="Rosoboroneksport OAO"
    )
    declaration_submit(declaration=declaration, by=None)
    declarations_validate(declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW
    match = declaration.screening_matches.get()
    assert match.source == "OFAC-SDN" and match.score >= 88
    assert match.party == "consignor"


def test_undervalued_item_is_flagged_from_seeded_reference(shipper):
    """EUR 0.20 per T-shirt against the seeded EUR 8.00 is flagged."""
    items = [{"description": "Cotton T-shirt", "hs_code": "610910",
              "origin_country": "CN", "quantity": 10, "item_value": "2.00",
              "product_id": "X",
              "manufacturer_product_id": "6901234567816"}]  # fmt: skip
    declaration = make_declaration(organisation=shipper, items=items)
    declaration_submit(declaration=declaration, by=None)
    declarations_validate(declaration_ids=[declaration.pk])
    assert declaration.issues.filter(code="RISK-UNDERVALUE").exists()

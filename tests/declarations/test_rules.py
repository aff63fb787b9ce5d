"""The rule book: each rule, named by its code, with a passing and a failing case."""

import ast
import inspect
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from declarations.facts import reference_data
from declarations.rules import registry, run_rules
from declarations.rules.base import ConsignmentFacts, ItemFacts
from reference.rates import to_eur

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 21)


def tshirt(**changes) -> ItemFacts:
    base = ItemFacts(
        line=1,
        description="Cotton T-shirt for men",
        hs_code="610910",
        origin_country="CN",
        quantity=2,
        item_value=Decimal("18.00"),
        net_mass_kg=Decimal("0.38"),
        product_id="SKU-1",
    )
    return replace(base, **changes)


@pytest.fixture
def clean() -> ConsignmentFacts:
    """A consignment every rule accepts."""
    return ConsignmentFacts(
        declaration_type="H7",
        on=ON,
        reference=reference_data(on=ON),
        items=(tshirt(),),
        lrn="LRN-1",
        declarant_eori="BE0403170701",
        mawb="172-12345675",
        hawb="CN1",
        consignor_name="Bright Home Co. Ltd",
        consignor_address="88 Jingkai Rd",
        consignor_city="Zhengzhou",
        consignor_country="CN",
        consignee_name="Anne Dupont",
        consignee_address="Rue Saint-Gilles 12",
        consignee_city="Liège",
        consignee_postcode="4000",
        consignee_country="BE",
        vat_path="IOSS",
        ioss_number="IM0560000012",
        currency="EUR",
        intrinsic_value_eur=Decimal("18.00"),
        gross_mass_kg=Decimal("0.42"),
    )


def codes(facts: ConsignmentFacts) -> set[str]:
    return {issue.code for issue in run_rules(facts)}


def messages(facts: ConsignmentFacts, code: str) -> list[str]:
    return [i.message for i in run_rules(facts) if i.code == code]


def test_clean_consignment_has_no_issue(clean):
    """A complete, correct H7 passes the whole rule book."""
    assert run_rules(clean) == []


# ID-EORI
def test_id_eori_accepts_valid_belgian_eori(clean):
    """A Belgian EORI with correct check digits passes."""
    assert "ID-EORI" not in codes(replace(clean, consignee_eori="be 0403.170.701"))


def test_id_eori_refuses_bad_belgian_check_digits(clean):
    """A Belgian EORI whose mod-97 check fails is an error on that field."""
    issues = [
        i
        for i in run_rules(replace(clean, declarant_eori="BE0403170702"))
        if i.code == "ID-EORI"
    ]
    assert len(issues) == 1
    assert issues[0].field == "declarant_eori"
    assert "check digits" in issues[0].message


# ID-IOSS
def test_id_ioss_accepts_belgian_ioss_number(clean):
    """IM + 056 (Belgium) + 7 digits passes."""
    assert "ID-IOSS" not in codes(replace(clean, ioss_number="IM 056 000 0012"))


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("IM9990000012", "999"),
        ("IN0560000012", "intermediary"),
        ("IM05600", "IM followed by 10"),
    ],
)
def test_id_ioss_refuses_bad_numbers(clean, number, says):
    """A non-member-state code, an intermediary number or a short number is refused."""
    found = messages(replace(clean, ioss_number=number), "ID-IOSS")
    assert len(found) == 1 and says in found[0]


# ID-MAWB
def test_id_mawb_accepts_valid_check_digit(clean):
    """172-12345675: 1234567 mod 7 = 5, so the check digit 5 is right."""
    assert "ID-MAWB" not in codes(replace(clean, mawb="17212345675"))


def test_id_mawb_refuses_wrong_check_digit(clean):
    """A wrong check digit is an error that names the right digit."""
    found = messages(replace(clean, mawb="172-12345676"), "ID-MAWB")
    assert len(found) == 1 and "which is 5" in found[0]


# HS-EXISTS
def test_hs_exists_accepts_subheading_in_force(clean):
    """610910 (T-shirts of cotton) is in HS 2022."""
    assert "HS-EXISTS" not in codes(clean)


@pytest.mark.parametrize("hs_code", ["610999", "770100"])
def test_hs_exists_refuses_codes_not_in_nomenclature(clean, hs_code):
    """Six digits that are not a subheading, or chapter 77, are refused."""
    facts = replace(clean, items=(tshirt(hs_code=hs_code),))
    issues = [i for i in run_rules(facts) if i.code == "HS-EXISTS"]
    assert (
        len(issues) == 1 and issues[0].item_line == 1 and issues[0].field == "hs_code"
    )


# H7-VAL-150
def test_h7_val_150_accepts_exactly_150(clean):
    """EUR 150.00 is still within the H7 ceiling."""
    assert "H7-VAL-150" not in codes(
        replace(clean, intrinsic_value_eur=Decimal("150.00"))
    )


def test_h7_val_150_refuses_over_150_and_says_h1(clean):
    """EUR 150.01 needs an H1, and the message says so."""
    found = messages(
        replace(clean, intrinsic_value_eur=Decimal("150.01")), "H7-VAL-150"
    )
    assert len(found) == 1 and "H1" in found[0] and "TARIC" in found[0]


def test_h7_val_150_converts_at_customs_rate():
    """USD 170 in November 2026 is converted at the rate of 21 Oct 2026 (1.1234)."""
    assert to_eur(amount=Decimal(170), currency="USD", on=ON).quantize(
        Decimal("0.01")
    ) == Decimal("151.33")


def test_h7_val_150_reports_missing_rate(clean):
    """Without a customs rate the value cannot be judged, and the user is told why."""
    facts = replace(
        clean, intrinsic_value_eur=None, rate_problem="No ECB customs rate for CNY"
    )
    assert messages(facts, "H7-VAL-150") == ["No ECB customs rate for CNY"]


def test_h7_val_150_does_not_apply_to_h1(clean):
    """An H1 has no value ceiling."""
    facts = replace(clean, declaration_type="H1", intrinsic_value_eur=Decimal(900))
    assert "H7-VAL-150" not in codes(facts)


# H7-EXCISE
def test_h7_excise_accepts_ordinary_goods(clean):
    """Clothing is not excise goods."""
    assert "H7-EXCISE" not in codes(clean)


@pytest.mark.parametrize("hs_code", ["220300", "240311", "271012"])
def test_h7_excise_refuses_alcohol_tobacco_fuel(clean, hs_code):
    """Beer, tobacco and fuel need an H1."""
    found = messages(replace(clean, items=(tshirt(hs_code=hs_code),)), "H7-EXCISE")
    assert len(found) == 1 and "H1" in found[0]


# H7-RESTRICTED
def test_h7_restricted_accepts_ordinary_goods(clean):
    """Earphones are not restricted goods."""
    assert "H7-RESTRICTED" not in codes(
        replace(clean, items=(tshirt(hs_code="851830"),))
    )


def test_h7_restricted_refuses_weapons(clean):
    """Chapter 93 (arms) cannot travel on an H7."""
    found = messages(replace(clean, items=(tshirt(hs_code="930320"),)), "H7-RESTRICTED")
    assert len(found) == 1 and "arms" in found[0]


# PTY-CONSIGNEE-ADDRESS
def test_pty_consignee_address_accepts_country_without_postcodes(clean):
    """Hong Kong addresses have no postcode, so none is asked for."""
    facts = replace(clean, consignee_country="HK", consignee_postcode="")
    assert "PTY-CONSIGNEE-ADDRESS" not in codes(facts)


def test_pty_consignee_address_requires_each_part(clean):
    """Missing street, city and postcode are each reported on their own field."""
    facts = replace(
        clean, consignee_address="", consignee_city=" ", consignee_postcode=""
    )
    fields = {i.field for i in run_rules(facts) if i.code == "PTY-CONSIGNEE-ADDRESS"}
    assert fields == {"consignee_address", "consignee_city", "consignee_postcode"}


# DEC-ITEMS
def test_dec_items_accepts_one_item(clean):
    """One goods item is enough."""
    assert "DEC-ITEMS" not in codes(clean)


def test_dec_items_refuses_empty_declaration(clean):
    """A declaration without goods items is refused."""
    assert "DEC-ITEMS" in codes(replace(clean, items=()))


# DEC-HAWB
def test_dec_hawb_accepts_house_awb(clean):
    """A house AWB is given."""
    assert "DEC-HAWB" not in codes(clean)


def test_dec_hawb_refuses_missing_house_awb(clean):
    """Without a house AWB the parcel cannot be matched to the declaration."""
    assert "DEC-HAWB" in codes(replace(clean, hawb=""))


def test_rules_apply_only_from_their_date(clean):
    """A rule is judged against the declaration's date."""
    before_ioss = replace(clean, on=date(2021, 6, 30), ioss_number="IN0560000012")
    assert "ID-IOSS" not in codes(before_ioss)


def test_every_rule_has_legal_source_and_a_test_named_after_its_code():
    """Each registered rule cites its source and has tests in this file."""
    source = Path(__file__).read_text()
    tested = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    for rule in registry.rules:
        doc = inspect.getdoc(rule) or ""
        assert any(w in doc for w in ("Regulation", "Directive", "UCC", "Art.")), (
            rule.code
        )
        assert f"# {rule.code}" in source or rule.code in tested, rule.code

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
        manufacturer_product_id="5412345000013",
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
        declarant_name="Demo Shipper BV",
        declarant_eori="BE0403170701",
        mawb="172-12345675",
        hawb="CN1",
        flight_number="CK251",
        departure_airport="CGO",
        arrival_airport="LGG",
        arrival_date=ON,
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
        eur_rate=Decimal(1),
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


@pytest.mark.parametrize("eori", ["GB123456789000", "CN9144030071", "US123456789"])
def test_id_eori_refuses_declarant_eori_not_issued_in_the_eu(clean, eori):
    """A declarant EORI from GB, CN or US is refused (Art. 9 UCC); an XI one
    passes. So is an importing consignee's, established in the EU; an export's
    consignee is abroad and its EORI is only checked for its form."""
    found = [
        i
        for i in run_rules(replace(clean, declarant_eori=eori))
        if i.code == "ID-EORI"
    ]
    assert found and found[0].field == "declarant_eori"
    assert "not by an EU member state" in found[0].message
    assert "ID-EORI" not in codes(replace(clean, declarant_eori="XI123456789000"))
    imported = [
        i for i in run_rules(replace(clean, consignee_eori=eori)) if i.code == "ID-EORI"
    ]
    assert imported and imported[0].field == "consignee_eori"
    export = replace(clean, declaration_type="EX", consignee_eori=eori)
    found = [(i.code, i.field) for i in run_rules(export)]
    assert ("ID-EORI", "consignee_eori") not in found


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
def worth(facts: ConsignmentFacts, value: str) -> ConsignmentFacts:
    return replace(facts, items=(tshirt(item_value=Decimal(value)),))


def test_h7_val_150_accepts_exactly_150(clean):
    """EUR 150.00 is still within the H7 ceiling."""
    assert "H7-VAL-150" not in codes(worth(clean, "150.00"))


def test_h7_val_150_refuses_over_150_and_says_h1(clean):
    """EUR 150.01 needs an H1, and the message says so."""
    found = messages(worth(clean, "150.01"), "H7-VAL-150")
    assert len(found) == 1 and "H1" in found[0] and "TARIC" in found[0]


def test_h7_val_150_judges_the_value_after_conversion(clean):
    """USD 170 at 1.1234 USD per EUR is EUR 151.33: over the ceiling."""
    usd = replace(worth(clean, "170"), currency="USD", eur_rate=Decimal("1.1234"))
    assert "H7-VAL-150" in codes(usd)
    assert "H7-VAL-150" not in codes(replace(usd, eur_rate=Decimal("1.2")))


def test_h7_val_150_uses_the_customs_rate_of_the_month():
    """USD 170 in November 2026 is converted at the rate of 21 Oct 2026 (1.1234)."""
    eur = to_eur(amount=Decimal(170), currency="USD", on=ON)
    assert eur.quantize(Decimal("0.01")) == Decimal("151.33")


def test_h7_val_150_does_not_apply_to_h1(clean):
    """An H1 has no value ceiling."""
    facts = replace(
        worth(clean, "900"), declaration_type="H1", vat_path="STANDARD", ioss_number=""
    )
    assert "H7-VAL-150" not in codes(facts)


# CUR-RATE
def test_cur_rate_accepts_known_rate(clean):
    """With a customs rate, no issue."""
    assert "CUR-RATE" not in codes(clean)


def test_cur_rate_reports_missing_rate(clean):
    """Without a customs rate the value cannot be judged, and the user is told why."""
    facts = replace(clean, currency="CNY", eur_rate=None, rate_problem="No ECB rate")
    assert messages(facts, "CUR-RATE") == ["No ECB rate"]


# H7-EXCISE
@pytest.mark.parametrize("hs_code", ["610910", "220110", "220210", "330499"])
def test_h7_excise_accepts_ordinary_goods_water_and_soft_drinks(clean, hs_code):
    """Clothing, mineral water, soft drinks and make-up may travel on an H7:
    Art. 24 Council Regulation (EC) 1186/2009 excludes only alcoholic products,
    perfumes and toilet waters, and tobacco."""
    facts = replace(clean, vat_path="STANDARD", ioss_number="")
    assert "H7-EXCISE" not in codes(
        replace(facts, items=(tshirt(hs_code=hs_code),))
    )


@pytest.mark.parametrize("hs_code", ["220300", "220421", "220830", "330300", "240311"])
def test_h7_excise_refuses_alcohol_perfume_tobacco(clean, hs_code):
    """Beer, wine, spirits, perfume and tobacco need an H1 (Art. 23-24 Council
    Regulation (EC) 1186/2009)."""
    found = messages(replace(clean, items=(tshirt(hs_code=hs_code),)), "H7-EXCISE")
    assert len(found) == 1 and "H1" in found[0] and hs_code in found[0]


# VAT-EXCISE
def test_vat_excise_accepts_excise_goods_on_the_standard_path(clean):
    """Wine on an H1 with VAT paid at import is lawful (Art. 369l Directive
    2006/112/EC excludes excise goods only from IOSS and special arrangements);
    water on IOSS is fine."""
    wine = tshirt(hs_code="2204210000", item_value=Decimal(30))
    h1 = replace(clean, declaration_type="H1", vat_path="STANDARD", ioss_number="")
    assert "VAT-EXCISE" not in codes(replace(h1, items=(wine,)))
    assert "VAT-EXCISE" not in codes(
        replace(clean, items=(tshirt(hs_code="220110"),))
    )


@pytest.mark.parametrize(("kind", "hs_code"), [("H7", "220421"), ("H1", "2204210000")])
def test_vat_excise_refuses_wine_on_ioss(clean, kind, hs_code):
    """Wine cannot travel on IOSS, on an H7 or an H1 (Art. 369l Directive
    2006/112/EC; Art. 1 Directive (EU) 2020/262)."""
    facts = replace(clean, declaration_type=kind, items=(tshirt(hs_code=hs_code),))
    found = [i for i in run_rules(facts) if i.code == "VAT-EXCISE"]
    assert found and found[0].severity == "error" and found[0].field == "vat_path"
    assert "STANDARD" in found[0].message


# H7-RESTRICTED
def test_h7_restricted_accepts_ordinary_goods(clean):
    """Earphones are not restricted goods."""
    assert "H7-RESTRICTED" not in codes(
        replace(clean, items=(tshirt(hs_code="851830"),))
    )


def test_h7_restricted_refuses_weapons(clean):
    """Chapter 93 (arms) cannot travel on an H7 (Art. 143a Delegated Regulation
    (EU) 2015/2446)."""
    found = messages(replace(clean, items=(tshirt(hs_code="930320"),)), "H7-RESTRICTED")
    assert len(found) == 1 and "arms" in found[0]


def officer_hit(facts: ConsignmentFacts, code: str, **item) -> list:
    found = [
        i
        for i in run_rules(replace(facts, items=(tshirt(**item),)))
        if i.code == code
    ]
    return found


def assert_goes_to_officer(found: list) -> None:
    from django.conf import settings

    assert found, "expected a hit"
    assert found[0].severity == "warning" and found[0].field == "hs_code"
    assert found[0].risk_points >= settings.REVIEW_RISK_THRESHOLD


# RISK-MEDICINE
def test_risk_medicine_sends_medicines_to_an_officer(clean):
    """Medicaments (3004) go to an officer, not rejected (Directive 2001/83/EC);
    vitamins as food supplements (2106) do not."""
    assert not officer_hit(clean, "RISK-MEDICINE", hs_code="210690")
    found = officer_hit(clean, "RISK-MEDICINE", hs_code="300490")
    assert_goes_to_officer(found)
    assert "2001/83/EC" in found[0].message


# RISK-PHYTO
def test_risk_phyto_sends_seeds_to_an_officer(clean):
    """Seeds for sowing (1209) need a phytosanitary certificate (Regulation (EU)
    2016/2031); plastic flowers (6702) do not."""
    assert not officer_hit(clean, "RISK-PHYTO", hs_code="670210")
    found = officer_hit(clean, "RISK-PHYTO", hs_code="120991")
    assert_goes_to_officer(found)
    assert "2016/2031" in found[0].message


# RISK-ANIMAL-PRODUCT
def test_risk_animal_product_sends_dried_meat_and_pet_food_to_an_officer(clean):
    """Meat (0210) and dog food (230910) pass a border control post (Regulation
    (EU) 2017/625); leather handbags (4202) do not."""
    assert not officer_hit(clean, "RISK-ANIMAL-PRODUCT", hs_code="420221")
    assert_goes_to_officer(officer_hit(clean, "RISK-ANIMAL-PRODUCT", hs_code="021020"))
    assert_goes_to_officer(officer_hit(clean, "RISK-ANIMAL-PRODUCT", hs_code="230910"))


# RISK-CITES
def test_risk_cites_sends_ivory_coral_and_rosewood_to_an_officer(clean):
    """Worked ivory (960110), coral (0508) and tropical wood (440349) may be
    CITES species (Council Regulation (EC) 338/97); cotton does not."""
    assert not officer_hit(clean, "RISK-CITES")
    for hs_code in ("960110", "050800", "440349"):
        found = officer_hit(clean, "RISK-CITES", hs_code=hs_code)
        assert_goes_to_officer(found)
        assert "338/97" in found[0].message


# DG-FIREWORKS
def test_dg_fireworks_sends_fireworks_to_an_officer(clean):
    """Fireworks (3604) are dangerous goods class 1 by air (ICAO Technical
    Instructions; Directive 2013/29/EU); candles (3406) are not."""
    assert not officer_hit(clean, "DG-FIREWORKS", hs_code="340600")
    assert_goes_to_officer(officer_hit(clean, "DG-FIREWORKS", hs_code="360410"))


# DG-AEROSOL
def test_dg_aerosol_sends_pressurised_sprays_to_an_officer(clean):
    """An aerosol spray paint is dangerous goods class 2 by air (ICAO Technical
    Instructions, UN 1950); a paint brush is not."""
    assert not officer_hit(
        clean, "DG-AEROSOL", hs_code="960340", description="Paint brush, 5 cm"
    )
    found = officer_hit(
        clean, "DG-AEROSOL", hs_code="321000", description="Aerosol spray paint"
    )
    assert_goes_to_officer(found)


# PTY-CONSIGNEE-ADDRESS
def test_pty_consignee_address_accepts_country_without_postcodes(clean):
    """Hong Kong addresses have no postcode, so none is asked for."""
    facts = replace(clean, consignee_country="HK", consignee_postcode="")
    assert "PTY-CONSIGNEE-ADDRESS" not in codes(facts)


def test_pty_consignee_address_accepts_po_box(clean):
    """A PO box instead of street and number is fine."""
    facts = replace(clean, consignee_address="PO Box 123")
    assert "PTY-CONSIGNEE-ADDRESS" not in codes(facts)


def test_pty_consignee_address_refuses_street_without_number(clean):
    """A street without a house number is not a deliverable address."""
    found = messages(
        replace(clean, consignee_address="Rue Saint-Gilles"), "PTY-CONSIGNEE-ADDRESS"
    )
    assert len(found) == 1 and "house number" in found[0]


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
        sources = ("Regulation", "Directive", "UCC", "Art.", "IATA", "ICAO")
        sources += ("Announcement",)  # China's rules, for advice to exporters
        assert any(w in doc for w in sources), rule.code
        assert f"# {rule.code}" in source or rule.code in tested, rule.code


# ID-HAWB-UNIQUE
def test_id_hawb_unique_accepts_single_use(clean):
    """A house AWB used once is fine."""
    assert "ID-HAWB-UNIQUE" not in codes(clean)


def test_id_hawb_unique_refuses_duplicates(clean):
    """The same house AWB twice in a filing is refused."""
    assert "ID-HAWB-UNIQUE" in codes(replace(clean, hawb_duplicates=1))


# ID-MRN
def test_id_mrn_accepts_valid_previous_mrn(clean):
    """A previous document's MRN with its right check character passes."""
    from declarations.identifiers import mrn_build

    mrn = mrn_build(year=2026, country="BE", serial="0000000000042")
    assert "ID-MRN" not in codes(replace(clean, previous_mrn=mrn))


def test_id_mrn_refuses_wrong_check_character(clean):
    """A mistyped previous MRN is refused."""
    assert "ID-MRN" in codes(replace(clean, previous_mrn="26BE00000000000420"))


# HS-TARIC-H1
def test_hs_taric_h1_accepts_ten_digits(clean):
    """An H1 item with its 10-digit TARIC code passes."""
    facts = replace(
        clean,
        declaration_type="H1",
        vat_path="STANDARD",
        ioss_number="",
        items=(tshirt(hs_code="6109100010"),),
    )
    assert "HS-TARIC-H1" not in codes(facts)


def test_hs_taric_h1_refuses_six_digits(clean):
    """An H1 item with only 6 digits needs the TARIC code."""
    facts = replace(clean, declaration_type="H1", vat_path="STANDARD", ioss_number="")
    assert "HS-TARIC-H1" in codes(facts)


# CODE-COUNTRY
def test_code_country_accepts_iso_codes(clean):
    """CN, BE and XI are countries."""
    assert "CODE-COUNTRY" not in codes(replace(clean, consignee_country="XI"))


def test_code_country_refuses_unknown_codes(clean):
    """'UK' is not ISO 3166 (GB is); origin 'ZZ' neither."""
    facts = replace(clean, consignor_country="UK", items=(tshirt(origin_country="ZZ"),))
    fields = {i.field for i in run_rules(facts) if i.code == "CODE-COUNTRY"}
    assert fields == {"consignor_country", "origin_country"}


# CODE-CURRENCY
def test_code_currency_accepts_cny(clean):
    """CNY is a currency."""
    assert "CODE-CURRENCY" not in codes(replace(clean, currency="CNY"))


def test_code_currency_refuses_rmb(clean):
    """RMB is a common name, not the ISO code (CNY)."""
    assert "CODE-CURRENCY" in codes(replace(clean, currency="RMB"))


# CODE-AIRPORT
def test_code_airport_accepts_real_airports(clean):
    """CGO and LGG are IATA airports."""
    assert "CODE-AIRPORT" not in codes(clean)


def test_code_airport_refuses_unknown_airport(clean):
    """XQX is no airport."""
    assert "CODE-AIRPORT" in codes(replace(clean, departure_airport="XQX"))


# DQ-DESCRIPTION
def test_dq_description_accepts_specific_text(clean):
    """'Cotton T-shirt for men' says what it is."""
    assert "DQ-DESCRIPTION" not in codes(clean)


@pytest.mark.parametrize(
    "text", ["Plastic building blocks toy set", "Canvas sneakers", "Gift box"]
)
def test_dq_description_accepts_specific_descriptions_with_listed_words(clean, text):
    """A listed word inside a specific description is fine (ICS2 guidance on
    acceptable goods description)."""
    facts = replace(clean, items=(tshirt(description=text + " of cardboard"),))
    assert "DQ-DESCRIPTION" not in codes(facts)


@pytest.mark.parametrize(
    "text",
    [
        "Gift", "spare parts", "SAMPLES", "Accessories!", "Toys", "Footwear",
        "As per invoice", "Parts", "Consolidated", "General cargo", "Electronics",
        "Clothing", "toy",
    ],
)  # fmt: skip
def test_dq_description_refuses_the_ics2_unacceptable_descriptions(clean, text):
    """The Commission's ICS2 unacceptable descriptions are refused on their own
    (Annex B Delegated Regulation (EU) 2015/2446, data element 18 05 000)."""
    facts = replace(clean, items=(tshirt(description=text),))
    found = messages(facts, "DQ-DESCRIPTION")
    assert found and text in found[0]


# DQ-PARTY-NAME
def test_dq_party_name_accepts_real_names(clean):
    """A person and a company are named (Annex B Delegated Regulation (EU)
    2015/2446, data elements 13 02 016 and 13 06 016); short real names such as
    'Li Na' pass."""
    assert "DQ-PARTY-NAME" not in codes(clean)
    assert "DQ-PARTY-NAME" not in codes(replace(clean, consignee_name="Li Na"))


@pytest.mark.parametrize(
    "name", ["N/A", "Unknown", "TBA", "NA", "-", "XXX", "Test", "n.a.", "?"]
)
def test_dq_party_name_refuses_placeholders(clean, name):
    """Placeholder names are refused, on the field named (ICS2 unacceptable party
    information)."""
    found = [
        i
        for i in run_rules(replace(clean, consignee_name=name, consignor_name=name))
        if i.code == "DQ-PARTY-NAME"
    ]
    assert {i.field for i in found} == {"consignor_name", "consignee_name"}
    assert all(i.severity == "error" for i in found)


# DQ-MASS
def test_dq_mass_accepts_gross_above_net(clean):
    """0.42 kg gross over 0.38 kg net is fine."""
    assert "DQ-MASS" not in codes(clean)


def test_dq_mass_refuses_gross_below_net(clean):
    """Gross mass below net mass is impossible."""
    assert "DQ-MASS" in codes(replace(clean, gross_mass_kg=Decimal("0.2")))


def test_dq_mass_refuses_zero_gross(clean):
    """A parcel weighs something."""
    assert "DQ-MASS" in codes(replace(clean, gross_mass_kg=Decimal(0)))


# DQ-QUANTITY-VALUE
def test_dq_quantity_value_accepts_positive(clean):
    """Quantity 2, value 18."""
    assert "DQ-QUANTITY-VALUE" not in codes(clean)


def test_dq_quantity_value_refuses_zero_quantity_negative_value(clean):
    """Quantity 0 and a negative value are both refused."""
    facts = replace(clean, items=(tshirt(quantity=0, item_value=Decimal(-1)),))
    fields = {i.field for i in run_rules(facts) if i.code == "DQ-QUANTITY-VALUE"}
    assert fields == {"quantity", "item_value"}


# DQ-ZERO-VALUE
def test_dq_zero_value_accepts_priced_goods(clean):
    """A price above zero raises nothing."""
    assert "DQ-ZERO-VALUE" not in codes(clean)


def test_dq_zero_value_flags_free_goods(clean):
    """A zero value is a warning with risk points, not a rejection."""
    issues = [i for i in run_rules(worth(clean, "0")) if i.code == "DQ-ZERO-VALUE"]
    assert issues and issues[0].severity == "warning" and issues[0].risk_points > 0


# DQ-CONSISTENT
def test_dq_consistent_accepts_agreeing_lines(clean):
    """No conflicts, no issue."""
    assert "DQ-CONSISTENT" not in codes(clean)


def test_dq_consistent_refuses_disagreeing_lines(clean):
    """Lines that disagree on the consignee are an error on that field."""
    found = [
        i
        for i in run_rules(replace(clean, line_conflicts=("consignee_name",)))
        if i.code == "DQ-CONSISTENT"
    ]
    assert [i.field for i in found] == ["consignee_name"]


# ITEM-PRODUCT-ID
def test_item_product_id_accepts_sku(clean):
    """An item with its SKU passes."""
    assert "ITEM-PRODUCT-ID" not in codes(clean)


def test_item_product_id_is_an_error_from_november_2026_only(clean):
    """Missing product_id is an error on the item from 1 Nov 2026, nothing
    before (Delegated Regulation (EU) 2026/1022)."""
    facts = replace(clean, items=(tshirt(product_id=""),))
    issues = [i for i in run_rules(facts) if i.code == "ITEM-PRODUCT-ID"]
    assert issues and issues[0].severity == "error" and issues[0].item_line == 1
    assert "ITEM-PRODUCT-ID" not in codes(replace(facts, on=date(2026, 10, 31)))


# ITEM-MANUFACTURER-ID
def test_item_manufacturer_id_accepts_gtin(clean):
    """An item with its manufacturer's GTIN passes (Delegated Regulation (EU)
    2026/1022)."""
    assert "ITEM-MANUFACTURER-ID" not in codes(clean)


def test_item_manufacturer_id_is_an_error_from_november_2026_only(clean):
    """A missing manufacturer's identifier is an error on the item from 1 Nov
    2026, nothing before (Delegated Regulation (EU) 2026/1022)."""
    facts = replace(clean, items=(tshirt(manufacturer_product_id=" "),))
    issues = [i for i in run_rules(facts) if i.code == "ITEM-MANUFACTURER-ID"]
    assert issues and issues[0].severity == "error"
    assert issues[0].field == "manufacturer_product_id"
    assert "ITEM-MANUFACTURER-ID" not in codes(replace(facts, on=date(2026, 10, 31)))


def test_rule_dates_are_data(clean):
    """A RuleSetting row moves a rule's start date without a release."""
    from declarations.models import RuleSetting

    RuleSetting.objects.create(code="ITEM-PRODUCT-ID", applies_from=date(2027, 1, 1))
    facts = replace(
        clean, reference=reference_data(on=ON), items=(tshirt(product_id=""),)
    )
    assert "ITEM-PRODUCT-ID" not in codes(facts)


# PTY-CONSIGNOR-ADDRESS
def test_pty_consignor_address_accepts_complete(clean):
    """Name, street, city and country given."""
    assert "PTY-CONSIGNOR-ADDRESS" not in codes(clean)


def test_pty_consignor_address_refuses_missing_city(clean):
    """The consignor's city is required."""
    assert "PTY-CONSIGNOR-ADDRESS" in codes(replace(clean, consignor_city=""))


# PTY-CONSIGNEE-EU
def test_pty_consignee_eu_accepts_belgian_consignee(clean):
    """Imports go to consignees in the EU."""
    assert "PTY-CONSIGNEE-EU" not in codes(clean)


def test_pty_consignee_eu_refuses_import_to_switzerland(clean):
    """An import declaration for a consignee in CH is wrong."""
    facts = replace(clean, consignee_country="CH")
    assert "PTY-CONSIGNEE-EU" in codes(facts)


def test_pty_consignee_eu_leaves_member_state_territories_to_their_rules(clean):
    """Guadeloupe (GP) or Åland (AX) have their own ISO codes but belong to a
    member state (Art. 349 and 355 TFEU): PTY-CONSIGNEE-EU does not call them
    'outside the EU'; TERR-VAT and TERR-CUSTOMS say what applies."""
    for country in ("GP", "AX", "FO"):
        facts = replace(clean, consignee_country=country)
        assert "PTY-CONSIGNEE-EU" not in codes(facts)


# VAT-PATH
def test_vat_path_accepts_ioss_with_number(clean):
    """IOSS path with an IOSS number."""
    assert "VAT-PATH" not in codes(clean)


@pytest.mark.parametrize(
    ("path", "number"), [("IOSS", ""), ("STANDARD", "IM0560000012"), ("OTHER", "")]
)
def test_vat_path_refuses_inconsistent_path(clean, path, number):
    """IOSS needs a number; a number needs IOSS; unknown paths are refused."""
    assert "VAT-PATH" in codes(replace(clean, vat_path=path, ioss_number=number))


def test_vat_path_refuses_ioss_over_150(clean):
    """IOSS covers consignments up to EUR 150 only."""
    facts = replace(
        worth(clean, "200"),
        declaration_type="H1",
        items=(tshirt(item_value=Decimal(200), hs_code="6109100010"),),
    )
    assert "VAT-PATH" in codes(facts)


# VAT-APC
def test_vat_apc_accepts_matching_code(clean):
    """F48 with the IOSS path."""
    assert "VAT-APC" not in codes(replace(clean, additional_procedure_code="F48"))


def test_vat_apc_refuses_mismatch(clean):
    """F49 with the IOSS path names the right code."""
    found = messages(replace(clean, additional_procedure_code="F49"), "VAT-APC")
    assert found and "F48" in found[0]


def test_vat_apc_f53_applies_from_its_own_date(clean):
    """F53, the standard path of a low-value consignment, applies from 1 July 2026
    (Annex B UCC IA, data element 11 10 000; date as reported [M]): a declaration
    dated before is judged without it, one dated after with it."""
    standard = replace(clean, vat_path="STANDARD", ioss_number="")
    june = replace(standard, on=date(2026, 6, 30), additional_procedure_code="F53")
    july = replace(standard, on=date(2026, 7, 1), additional_procedure_code="F53")
    assert "VAT-APC" not in codes(july)
    found = messages(june, "VAT-APC")
    assert found and "remove it" in found[0]


def test_vat_apc_f53_date_is_data(clean):
    """A RuleSetting moves F53's start: the date is a parameter, not code."""
    from declarations.rules import rule_book
    from declarations.rules.base import RuleSettingData

    settings = {"VAT-APC": RuleSettingData(parameters={"F53_from": "2026-09-01"})}
    reference = replace(
        clean.reference, settings=settings, rule_book=rule_book(settings)
    )
    august = replace(
        clean,
        reference=reference,
        on=date(2026, 8, 3),
        vat_path="STANDARD",
        ioss_number="",
        additional_procedure_code="F53",
    )
    assert "VAT-APC" in codes(august)


# VAT-DESTINATION
@pytest.mark.parametrize("country", ["DE", "FR", "ES", "XI", "PL"])
def test_vat_destination_accepts_ioss_to_any_member_state(clean, country):
    """An IOSS consignment may be released at LGG for a consumer anywhere in the EU
    VAT area or Northern Ireland (Art. 143(1)(ca) Directive 2006/112/EC)."""
    facts = replace(clean, consignee_country=country, consignee_postcode="10115")
    assert "VAT-DESTINATION" not in codes(facts)


def test_vat_destination_accepts_standard_for_a_belgian_consignee(clean):
    """Standard path, transport ends in Belgium where LGG is: fine."""
    facts = replace(clean, vat_path="STANDARD", ioss_number="")
    assert "VAT-DESTINATION" not in codes(facts)


@pytest.mark.parametrize("path", ["STANDARD", "SPECIAL"])
def test_vat_destination_refuses_non_ioss_to_another_member_state(clean, path):
    """Without IOSS a low-value consignment is released only where transport ends
    (Art. 221(4) Implementing Regulation (EU) 2015/2447; Art. 369y Directive
    2006/112/EC): a German consignee at LGG is stopped, with the fix named."""
    facts = replace(
        clean,
        vat_path=path,
        ioss_number="",
        consignee_country="DE",
        consignee_postcode="10115",
        consignee_city="Berlin",
    )
    found = messages(facts, "VAT-DESTINATION")
    assert len(found) == 1
    assert "IOSS number" in found[0] and "member state of destination" in found[0]
    assert "DE" in found[0] and "BE" in found[0]


def test_vat_destination_follows_the_arrival_airport(clean):
    """The member state of import is the arrival airport's: landing at Paris CDG
    with a French consignee is fine, a Belgian one is not."""
    cdg = replace(clean, vat_path="STANDARD", ioss_number="", arrival_airport="CDG")
    assert "VAT-DESTINATION" in codes(cdg)
    french = replace(cdg, consignee_country="FR", consignee_postcode="75001")
    assert "VAT-DESTINATION" not in codes(french)


# TERR-CUSTOMS
def test_terr_customs_accepts_mainland_spain(clean):
    """Madrid (28001) is in the customs territory (Art. 4 Regulation (EU) No
    952/2013)."""
    facts = replace(clean, consignee_country="ES", consignee_postcode="28001")
    assert "TERR-CUSTOMS" not in codes(facts)


@pytest.mark.parametrize(
    ("country", "postcode", "city"),
    [
        ("ES", "51001", "Ceuta"),
        ("ES", "52001", "Melilla"),
        ("DE", "27498", "Helgoland"),
        ("DE", "78266", "Büsingen am Hochrhein"),
        ("IT", "23041", "Livigno"),
        ("FO", "100", "Tórshavn"),
        ("DK", "3900", "Nuuk"),
        ("ES", "", "Melilla"),
    ],
)
def test_terr_customs_refuses_territories_outside_the_customs_territory(
    clean, country, postcode, city
):
    """Ceuta, Melilla, Heligoland, Büsingen, Livigno, the Faroe Islands and
    Greenland are outside the customs territory (Art. 4 Regulation (EU) No
    952/2013; Art. 6(2) Directive 2006/112/EC), recognised from the postcode or
    the city: not declarable at LGG, and said once."""
    facts = replace(
        clean,
        consignee_country=country,
        consignee_postcode=postcode,
        consignee_city=city,
    )
    found = [
        i
        for i in run_rules(facts)
        if i.severity == "error" and i.code != "PTY-CONSIGNEE-ADDRESS"  # no postcode
    ]
    assert [i.code for i in found] == ["TERR-CUSTOMS"]
    assert "outside the customs territory" in found[0].message


# TERR-VAT
def test_terr_vat_accepts_standard_path_in_the_canaries_for_an_h1(clean):
    """An H1 on the standard path for Las Palmas is not refused by TERR-VAT."""
    facts = replace(
        clean,
        declaration_type="H1",
        vat_path="STANDARD",
        ioss_number="",
        consignee_country="ES",
        consignee_postcode="35001",
        items=(tshirt(hs_code="6109100010", item_value=Decimal("200")),),
    )
    assert "TERR-VAT" not in codes(facts)


@pytest.mark.parametrize(
    ("country", "postcode", "city"),
    [
        ("ES", "35001", "Las Palmas de Gran Canaria"),
        ("ES", "38001", "Santa Cruz de Tenerife"),
        ("FI", "22100", "Mariehamn"),
        ("AX", "22100", "Mariehamn"),
        ("GR", "63086", "Karyes"),
        ("FR", "97110", "Pointe-à-Pitre"),
        ("GP", "97110", "Pointe-à-Pitre"),
        ("FR", "97400", "Saint-Denis"),
        ("IT", "22061", "Campione d'Italia"),
    ],
)
@pytest.mark.parametrize("path", ["IOSS", "SPECIAL"])
def test_terr_vat_refuses_ioss_and_special_outside_the_vat_area(
    clean, country, postcode, city, path
):
    """The Canary Islands, Åland, Mount Athos, the French outermost regions and
    Campione d'Italia are outside the EU VAT area (Art. 6(1) Directive
    2006/112/EC): no EU import VAT, so neither IOSS nor the special arrangements;
    one error, saying why."""
    facts = replace(
        clean,
        vat_path=path,
        ioss_number="IM0560000012" if path == "IOSS" else "",
        consignee_country=country,
        consignee_postcode=postcode,
        consignee_city=city,
    )
    found = [i for i in run_rules(facts) if i.severity == "error"]
    assert [i.code for i in found] == ["TERR-VAT"]
    assert "outside the EU VAT area" in found[0].message


# VAT-IOSS-LOCKED
def test_vat_ioss_locked_accepts_unchanged_number(clean):
    """An amendment keeping the released IOSS number passes."""
    assert "VAT-IOSS-LOCKED" not in codes(
        replace(clean, released_ioss_number="IM0560000012")
    )


def test_vat_ioss_locked_refuses_change_after_release(clean):
    """Changing the IOSS number after release is refused."""
    facts = replace(clean, released_ioss_number="IM0560000099")
    assert "VAT-IOSS-LOCKED" in codes(facts)


def export(clean, **changes) -> ConsignmentFacts:
    base = {
        "declaration_type": "EX",
        "consignee_country": "CN",
        "consignee_postcode": "100000",
        "vat_path": "",
        "ioss_number": "",
    }
    return replace(clean, **(base | changes))


# EX-EXPORTER-EORI
def test_ex_exporter_eori_accepts_declarant_with_eori(clean):
    """An exporter with an EORI passes."""
    assert "EX-EXPORTER-EORI" not in codes(export(clean))


def test_ex_exporter_eori_refuses_missing(clean):
    """No EORI, no export."""
    assert "EX-EXPORTER-EORI" in codes(export(clean, declarant_eori=""))


# EX-EMBARGO
def test_ex_embargo_accepts_china(clean):
    """China is not under a broad embargo."""
    assert "EX-EMBARGO" not in codes(export(clean))


def test_ex_embargo_sends_russia_to_review(clean):
    """An export to Russia is a warning with enough points for review."""
    issues = [
        i
        for i in run_rules(export(clean, consignee_country="RU"))
        if i.code == "EX-EMBARGO"
    ]
    assert issues and issues[0].risk_points >= 40


# EX-DUAL-USE
def test_ex_dual_use_accepts_clothing(clean):
    """T-shirts are not dual-use."""
    assert "EX-DUAL-USE" not in codes(export(clean))


def test_ex_dual_use_flags_drones(clean):
    """Unmanned aircraft may be dual-use."""
    facts = export(clean, items=(tshirt(hs_code="880621"),))
    assert "EX-DUAL-USE" in codes(facts)


# EX-EXPORTER-EU
def test_ex_exporter_eu_accepts_belgian_exporter(clean):
    """A Belgian seller exporting to China is established in the EU (Art. 1(19)
    Delegated Regulation (EU) 2015/2446)."""
    assert "EX-EXPORTER-EU" not in codes(export(clean, consignor_country="BE"))


def test_ex_exporter_eu_refuses_exporter_outside_the_eu(clean):
    """A Chinese consignor cannot be the exporter of an EU export declaration."""
    found = [
        i
        for i in run_rules(export(clean, consignor_country="CN"))
        if i.code == "EX-EXPORTER-EU"
    ]
    assert found and found[0].field == "consignor_country"
    assert found[0].severity == "error" and "1(19)" in found[0].message


# EX-RU-BY-BAN
def test_ex_ru_by_ban_accepts_cheap_perfume_and_exports_elsewhere(clean):
    """Perfume at EUR 80 per bottle is not Annex XVIII luxury (over EUR 300 per
    item, Art. 3h Council Regulation (EU) 833/2014); a laptop to China is not
    banned."""
    perfume = tshirt(hs_code="330300", quantity=1, item_value=Decimal(80))
    russia = export(clean, consignor_country="BE", consignee_country="RU")
    assert "EX-RU-BY-BAN" not in codes(replace(russia, items=(perfume,)))
    laptop = tshirt(hs_code="847130", quantity=1, item_value=Decimal(900))
    china = export(clean, consignor_country="BE")
    assert "EX-RU-BY-BAN" not in codes(replace(china, items=(laptop,)))


def test_ex_ru_by_ban_stops_luxury_perfume_and_laptops(clean):
    """Perfume at EUR 350 per bottle to Russia (Annex XVIII, Regulation (EU)
    833/2014) and a laptop to Belarus (Regulation (EC) 765/2006) are stopped,
    each with its source."""
    perfume = tshirt(hs_code="330300", quantity=2, item_value=Decimal(700))
    russia = export(clean, consignor_country="BE", consignee_country="RU")
    found = messages(replace(russia, items=(perfume,)), "EX-RU-BY-BAN")
    assert found and "833/2014" in found[0] and "Annex XVIII" in found[0]
    laptop = tshirt(hs_code="847130", quantity=1, item_value=Decimal(50))
    belarus = export(clean, consignor_country="BE", consignee_country="BY")
    found = [
        i for i in run_rules(replace(belarus, items=(laptop,)))
        if i.code == "EX-RU-BY-BAN"
    ]  # fmt: skip
    assert found and found[0].severity == "error" and "765/2006" in found[0].message


# EX-CN-RETAIL
def test_ex_cn_retail_is_advice_only(clean):
    """An export to China gets China's limits as information, never an error
    (MOF/GACS/SAT Announcement 2018 No. 49); an export to the US gets nothing."""
    china = export(clean, consignor_country="BE")
    found = [i for i in run_rules(china) if i.code == "EX-CN-RETAIL"]
    assert found and found[0].severity == "info" and "5,000" in found[0].message
    assert "EX-CN-RETAIL" not in codes(export(clean, consignee_country="US"))


def test_ex_cn_retail_warns_over_cny_5000_per_order(clean):
    """An order of CNY 6,000 is over China's per-order limit: a warning without
    risk points, still not an EU error."""
    facts = export(
        clean, consignor_country="BE", currency="CNY", eur_rate=Decimal(8),
        items=(tshirt(item_value=Decimal(6000), quantity=1),),
    )  # fmt: skip
    found = [i for i in run_rules(facts) if i.code == "EX-CN-RETAIL"]
    assert found and found[0].severity == "warning" and found[0].risk_points == 0
    assert "6,000" in found[0].message


# DG-BATTERY
def test_dg_battery_accepts_other_goods(clean):
    """No batteries, no warning."""
    assert "DG-BATTERY" not in codes(clean)


def test_dg_battery_sends_batteries_and_battery_equipment_to_an_officer(clean):
    """Lithium batteries (8507), and equipment whose description names its
    lithium battery, are dangerous goods by air (IATA DGR, UN 3480/3481) and go to
    an officer; earphones with a charging case do not."""
    assert_goes_to_officer(officer_hit(clean, "DG-BATTERY", hs_code="850760"))
    assert_goes_to_officer(
        officer_hit(
            clean,
            "DG-BATTERY",
            hs_code="851310",
            description="LED torch with lithium battery",
        )
    )
    assert not officer_hit(
        clean,
        "DG-BATTERY",
        hs_code="851830",
        description="Wireless earphones with charging case",
    )


# RISK-UNDERVALUE
def test_risk_undervalue_accepts_typical_price(clean):
    """EUR 9 per T-shirt against a typical EUR 8 is fine."""
    ref = replace(clean.reference, typical_unit_values={"610910": Decimal(8)})
    assert "RISK-UNDERVALUE" not in codes(replace(clean, reference=ref))


def test_risk_undervalue_flags_tenth_of_typical(clean):
    """EUR 0.50 per T-shirt against a typical EUR 8 goes to an officer."""
    ref = replace(clean.reference, typical_unit_values={"610910": Decimal(8)})
    facts = replace(clean, reference=ref, items=(tshirt(item_value=Decimal(1)),))
    issues = [i for i in run_rules(facts) if i.code == "RISK-UNDERVALUE"]
    assert issues and issues[0].severity == "warning" and "typical" in issues[0].message


# RISK-SPLIT
def test_risk_split_accepts_single_parcel_and_small_splits(clean):
    """One parcel, no split; parcels together at EUR 150 or less change nothing
    (Art. 23 Council Regulation (EC) 1186/2009)."""
    from declarations.rules.base import SplitSibling

    assert "RISK-SPLIT" not in codes(clean)
    small = (SplitSibling("CN2", Decimal(60)), SplitSibling("CN3", Decimal(72)))
    assert "RISK-SPLIT" not in codes(replace(clean, split_siblings=small))


def test_risk_split_flags_siblings(clean):
    """Two more parcels to the same buyer from the same seller that day."""
    from declarations.rules.base import SplitSibling

    facts = replace(
        clean,
        split_siblings=(
            SplitSibling("CN2", Decimal(120)),
            SplitSibling("CN3", Decimal(90)),
        ),
    )
    found = messages(facts, "RISK-SPLIT")
    assert found and "CN2" in found[0] and "EUR 228.00" in found[0]


# RISK-SANCTIONS
def test_risk_sanctions_accepts_ordinary_names(clean):
    """Ordinary traders are not listed."""
    assert "RISK-SANCTIONS" not in codes(clean)


def test_risk_sanctions_flags_listed_entity_with_entry_and_score(clean):
    """A listed company, written differently, goes to review with the entry."""
    facts = replace(clean, consignor_name="OAO Rosoboroneksport")
    issues = [i for i in run_rules(facts) if i.code == "RISK-SANCTIONS"]
    assert issues, "expected a hit"
    hit = issues[0].screening
    assert issues[0].severity == "warning" and issues[0].risk_points >= 40
    assert hit.source and hit.external_id and hit.score >= 80


def test_risk_sanctions_screens_every_party_changed_to_dodge_it(clean):
    """Consignor, consignee and declarant are screened, under the changes of
    issue 11: a glued name, a person without the patronymic, a hyphen."""
    facts = replace(
        clean,
        consignor_name="JOINT STOCK COMPANY SBER-BANK",
        consignee_name="Vladimir Putin",
        declarant_name="0DAYTECHNOLOGIES",
    )
    issues = [i for i in run_rules(facts) if i.code == "RISK-SANCTIONS"]
    found = {i.screening.party: i.screening.external_id for i in issues}
    assert found == {"consignor": "18715", "consignee": "35096", "declarant": "35137"}
    assert all(i.risk_points >= 100 for i in issues)  # straight to review


def test_risk_sanctions_screens_the_exporter_on_an_export(clean):
    """On an export (EX) the consignor is the EU exporter: it is screened."""
    facts = replace(
        clean,
        declaration_type="EX",
        consignor_name="Benazir\u200bAhmed",
        consignee_name="Li Wei",
        consignee_country="CN",
    )
    issues = [i for i in run_rules(facts) if i.code == "RISK-SANCTIONS"]
    assert [(i.screening.party, i.screening.external_id) for i in issues] == [
        ("consignor", "33952")
    ]


# DQ-COSTS
def test_dq_costs_accepts_zero_costs(clean):
    """No transport or insurance cost is fine."""
    assert "DQ-COSTS" not in codes(clean)


def test_dq_costs_refuses_negative_cost_and_no_package(clean):
    """A negative transport cost and 0 packages are refused."""
    facts = replace(clean, transport_cost=Decimal(-1), packages=0)
    fields = {i.field for i in run_rules(facts) if i.code == "DQ-COSTS"}
    assert fields == {"transport_cost", "packages"}


# PRICE-MISSING
def _verdict(facts):
    from declarations.facts import RateBook
    from declarations.verdict import verdict

    return verdict(facts, RateBook(), review_threshold=40)


def test_price_missing_accepts_a_priced_consignment(clean):
    """A consignment with its charge lines in force is priced and accepted: duty
    and VAT are notified on acceptance (Art. 101-102 Regulation (EU) No
    952/2013)."""
    judged = _verdict(clean)
    assert judged.outcome == "accepted" and judged.quote is not None
    assert "PRICE-MISSING" not in {i.code for i in judged.issues}


def test_price_missing_refuses_a_consignment_that_cannot_be_priced(clean):
    """Landing at Frankfurt, the member state of import is DE, which has no VAT
    line: the declaration is stopped, never accepted unpriced, and the message
    names what is missing."""
    judged = _verdict(replace(clean, arrival_airport="FRA"))
    assert judged.outcome == "rejected" and judged.quote is None
    found = [i for i in judged.issues if i.code == "PRICE-MISSING"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "DE" in found[0].message and "VAT charge line" in found[0].message


@pytest.mark.parametrize(
    ("currency", "on", "cause"),
    [("XYZ", ON, "CODE-CURRENCY"), ("CNY", date(2026, 12, 7), "CUR-RATE")],
)
def test_price_missing_is_not_repeated_when_the_cause_is_known(
    clean, currency, on, cause
):
    """An unknown currency or a month without a customs rate is one mistake: its
    own error, not a second 'cannot be priced' one."""
    from declarations.facts import RateBook

    rate = RateBook().get(currency, on)
    facts = replace(
        clean,
        currency=currency,
        on=on,
        eur_rate=getattr(rate, "rate", None),
        rate_problem=rate if isinstance(rate, str) else "",
    )
    judged = _verdict(facts)
    found = {i.code for i in judged.issues if i.severity == "error"}
    assert cause in found and "PRICE-MISSING" not in found
    assert judged.outcome == "rejected" and judged.quote is None

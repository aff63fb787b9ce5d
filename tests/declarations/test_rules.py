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


@pytest.mark.parametrize("text", ["Gift", "spare parts", "SAMPLES", "Accessories!"])
def test_dq_description_refuses_vague_words(clean, text):
    """Vague words alone are refused."""
    assert "DQ-DESCRIPTION" in codes(replace(clean, items=(tshirt(description=text),)))


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


def test_item_product_id_warns_from_november_2026_only(clean):
    """Missing product_id is a warning from 1 Nov 2026, nothing before."""
    facts = replace(clean, items=(tshirt(product_id=""),))
    issues = [i for i in run_rules(facts) if i.code == "ITEM-PRODUCT-ID"]
    assert issues and issues[0].severity == "warning"
    assert "ITEM-PRODUCT-ID" not in codes(replace(facts, on=date(2026, 10, 31)))


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


# DG-BATTERY
def test_dg_battery_accepts_other_goods(clean):
    """No batteries, no warning."""
    assert "DG-BATTERY" not in codes(clean)


def test_dg_battery_warns_for_lithium_batteries(clean):
    """Lithium batteries by air get a warning."""
    assert "DG-BATTERY" in codes(replace(clean, items=(tshirt(hs_code="850760"),)))


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
def test_risk_split_accepts_single_parcel(clean):
    """One parcel, no split."""
    assert "RISK-SPLIT" not in codes(clean)


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

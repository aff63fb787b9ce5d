"""Duty, import VAT and fees of a consignment, to the cent, with their sources."""

import dataclasses
import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declarations.pricing import (
    PricingError,
    PricingInput,
    PricingItem,
    Quote,
    charge_currencies,
    consignment_price,
    price,
)
from reference.charges import charges_load, charges_read
from reference.rates import CustomsRate, RateUnavailable, customs_rate

pytestmark = pytest.mark.django_db  # customs rates also come from EcbRate rows

# The seeded lines, read from the CSV: pricing is pure, so most tests need no
# database; `price` ignores the lines not in force or of another country.
SEEDED = charges_read()
JULY_2026 = date(2026, 7, 1)
NOVEMBER_2026 = date(2026, 11, 16)
TSHIRT, WATCH, SHOES = "610910", "910211", "640399"


def _eur(value: str) -> Decimal:
    return Decimal(value)


def _consignment(
    *items: tuple[str, str] | tuple[str, str, int],
    on: date = JULY_2026,
    vat_path: str = "STANDARD",
    currency: str = "EUR",
    destination: str = "BE",
    transport: str = "0",
    insurance: str = "0",
    declaration_type: str = "H7",
    import_country: str = "BE",
    outside_vat_area: str = "",
) -> PricingInput:
    return PricingInput(
        declaration_type=declaration_type,
        on=on,
        destination_country=destination,
        import_country=import_country,
        outside_vat_area=outside_vat_area,
        currency=currency,
        vat_path=vat_path,
        transport_cost=Decimal(transport),
        insurance_cost=Decimal(insurance),
        items=tuple(
            PricingItem(item[0], Decimal(item[1]), *item[2:]) for item in items
        ),
    )


def _price(consignment: PricingInput, **kwargs) -> Quote:
    rate = customs_rate(currency=consignment.currency, on=consignment.on)
    return price(consignment=consignment, lines=SEEDED, rate=rate, **kwargs)


def _line(quote: Quote, code: str):
    return next(line for line in quote.lines if line.code == code)


def _worked_example(**kwargs) -> PricingInput:
    return _consignment((TSHIRT, "20"), (WATCH, "40"), transport="5", **kwargs)


def test_worked_example_standard_path():
    """T-shirt EUR 20, watch EUR 40, transport 5: duty 6.00, VAT 14.91 at clearance."""
    quote = _price(_worked_example())

    assert quote.customs_value_eur == _eur("65.00")
    assert quote.customs_duty_eur == _eur("6.00")
    assert quote.import_vat_eur == _eur("14.91")
    assert quote.fees_eur == _eur("0.00")
    assert quote.total_due_eur == _eur("20.91")
    duty = _line(quote, "DUTY-LVC-3EUR")
    assert (duty.quantity, duty.amount, duty.amount_eur) == (2, Decimal(3), _eur("6"))
    assert "2026/382" in duty.legal_source
    vat = _line(quote, "VAT-BE-STD")
    assert (vat.base_eur, vat.rate, vat.due_at) == (_eur("71.00"), 21, "clearance")
    assert "Royal Decree No. 20" in vat.legal_source
    assert all(line.legal_source for line in quote.lines)


def test_worked_example_ioss_path():
    """On the IOSS path duty is still 6.00; import VAT is 0.00, paid at checkout."""
    quote = _price(_worked_example(vat_path="IOSS"))

    assert quote.customs_duty_eur == _eur("6.00")
    assert quote.import_vat_eur == _eur("0.00")
    assert quote.total_due_eur == _eur("6.00")
    vat = _line(quote, "VAT-BE-STD")
    assert (vat.amount_eur, vat.due_at) == (_eur("0.00"), "checkout")
    assert "checkout" in vat.note and "IOSS" in vat.note


def test_worked_example_special_arrangements():
    """Under special arrangements VAT is shown but collected at delivery, not due."""
    quote = _price(_worked_example(vat_path="SPECIAL"))

    assert quote.import_vat_eur == _eur("14.91")
    assert quote.vat_due_at == "delivery"
    assert quote.total_due_eur == _eur("6.00")
    assert "delivery" in _line(quote, "VAT-BE-STD").note


@pytest.mark.parametrize(
    "items",
    [
        [(TSHIRT, "50", 5)],
        [(TSHIRT, "10")] * 5,
        [("6109.10.00.10", "10"), ("610910", "10"), ("61091000", "10")],
    ],
    ids=["one-line-of-five", "five-lines", "one-subheading-three-spellings"],
)
def test_five_tshirts_of_one_subheading_owe_three_euro(items):
    """Duty counts distinct 6-digit subheadings, not units or lines."""
    quote = _price(_consignment(*items))
    assert quote.customs_duty_eur == _eur("3.00")


def test_no_low_value_duty_before_july_2026():
    """Before 1 Jul 2026 a low-value consignment is relieved of duty (Art. 23)."""
    quote = _price(_worked_example(on=date(2026, 6, 30)))

    assert quote.customs_duty_eur == _eur("0.00")
    relief = _line(quote, "DUTY-LVC-RELIEF")
    assert relief.amount_eur == _eur("0.00")
    assert "1186/2009" in relief.legal_source
    assert quote.import_vat_eur == _eur("13.65")  # 21% of 65


def test_low_value_duty_ends_after_june_2028():
    """The interim EUR 3 duty is not charged from 1 Jul 2028 (no line in force)."""
    quote = _price(_worked_example(on=date(2028, 7, 1)))
    assert quote.customs_duty_eur == _eur("0.00")
    assert quote.lines[0].kind == "vat"


def test_above_150_ad_valorem_duty_is_indicative():
    """Above EUR 150 each item owes its chapter's rate on its share of the CIF value."""
    quote = _price(
        _consignment((TSHIRT, "100"), (SHOES, "100"), (WATCH, "100"), transport="30")
    )

    assert not quote.low_value
    assert quote.customs_value_eur == _eur("330.00")
    by_item = {line.item_line: line for line in quote.lines if line.item_line}
    # Each item carries a third of the EUR 30 transport: base 110.
    assert [by_item[n].base_eur for n in (1, 2, 3)] == [_eur("110.00")] * 3
    assert [by_item[n].code for n in (1, 2, 3)] == [
        "DUTY-AV-61",
        "DUTY-AV-64",
        "DUTY-AV-DEFAULT",
    ]
    assert [by_item[n].amount_eur for n in (1, 2, 3)] == [
        _eur("13.20"),  # 12%
        _eur("18.70"),  # 17%
        _eur("4.40"),  # 4%, no line for chapter 91
    ]
    assert all(line.indicative for line in by_item.values())
    assert all("Indicative" in line.legal_source for line in by_item.values())
    assert quote.customs_duty_eur == _eur("36.30")
    assert quote.import_vat_eur == _eur("76.92")  # 21% of 366.30 = 76.923
    assert "DUTY-LVC-3EUR" not in {line.code for line in quote.lines}


def test_most_specific_hs_prefix_wins():
    """A heading line beats its chapter's line, which beats the default."""
    chapter = next(line for line in SEEDED if line.code == "DUTY-AV-61")
    heading = dataclasses.replace(
        chapter, code="DUTY-AV-6109", hs_prefix="6109", rate=Decimal(9)
    )
    consignment = _consignment((TSHIRT, "100"), ("611020", "100"))
    quote = price(
        consignment=consignment,
        lines=(*SEEDED, heading),
        rate=customs_rate(currency="EUR", on=consignment.on),
    )
    assert [line.code for line in quote.lines if line.item_line] == [
        "DUTY-AV-6109",
        "DUTY-AV-61",
    ]


def test_ioss_above_150_owes_vat_at_clearance():
    """The IOSS covers EUR 150 or less only; above, VAT is due at clearance."""
    quote = _price(_consignment((TSHIRT, "200"), vat_path="IOSS"))
    vat = _line(quote, "VAT-BE-STD")
    assert vat.due_at == "clearance"
    assert quote.import_vat_eur == _eur("47.04")  # 21% of (200 + 24 duty)
    assert "150 or less" in vat.note


def test_cny_consignment_uses_the_customs_rate_of_the_month():
    """November 2026 uses the ECB rate of Wednesday 21 October 2026, CNY 7.4999."""
    consignment = _consignment(
        (TSHIRT, "150"),
        (WATCH, "300"),
        currency="CNY",
        transport="37.50",
        on=NOVEMBER_2026,
    )
    quote = _price(consignment)

    assert (quote.rate.currency, quote.rate.rate) == ("CNY", Decimal("7.4999"))
    assert quote.rate.ecb_date == date(2026, 10, 21)
    rate = Decimal("7.4999")
    customs_value = Decimal("487.50") / rate
    expected_vat = (Decimal("0.21") * (customs_value + 6)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert quote.customs_value_eur == _eur("65.00")
    assert quote.customs_duty_eur == _eur("6.00")
    assert quote.import_vat_eur == expected_vat == _eur("14.91")
    assert quote.as_dict()["rate"] == {
        "currency": "CNY",
        "rate": "7.4999",
        "ecb_date": "2026-10-21",
        "month": "2026-11-01",
    }


def test_french_fee_per_line_for_france():
    """Declared in France (member state of import FR), EUR 2 per goods item line
    is added, with French VAT at 20%."""
    consignment = _consignment(
        (TSHIRT, "20"),
        (TSHIRT, "10"),
        (WATCH, "40"),
        destination="FR",
        import_country="FR",
        transport="5",
    )
    quote = _price(consignment)

    fee = _line(quote, "FEE-FR-LVC")
    assert (fee.quantity, fee.amount_eur, fee.due_at) == (3, _eur("6.00"), "clearance")
    assert quote.fees_eur == _eur("6.00")
    assert quote.customs_duty_eur == _eur("6.00")  # two subheadings
    assert quote.import_vat_eur == _eur("16.20")  # 20% of (75 + 6); fees excluded
    assert quote.total_due_eur == _eur("28.20")
    assert "VAT-BE-STD" not in {line.code for line in quote.lines}


def test_no_french_fee_elsewhere_or_before_march_2026():
    """The French fee applies to FR only, from 1 Mar 2026; the EU fee never."""
    belgium = _price(_worked_example())
    february = _price(
        _worked_example(destination="FR", import_country="FR", on=date(2026, 2, 28))
    )
    assert belgium.fees_eur == february.fees_eur == _eur("0.00")
    codes = {line.code for quote in (belgium, february) for line in quote.lines}
    assert not {"FEE-FR-LVC", "FEE-EU-HANDLING"} & codes


def test_romanian_fee_in_ron_converted_with_the_ron_customs_rate():
    """RON 25 per parcel, converted at the RON customs rate of the month."""
    consignment = _consignment(
        (TSHIRT, "150"),
        currency="CNY",
        destination="RO",
        import_country="RO",
        on=NOVEMBER_2026,
    )
    assert charge_currencies(lines=SEEDED) == {"RON"}
    ron = customs_rate(currency="RON", on=NOVEMBER_2026)
    quote = _price(consignment, other_rates={"RON": ron})

    fee = _line(quote, "FEE-RO-PARCEL")
    assert (fee.amount, fee.amount_currency, fee.quantity) == (25, "RON", 1)
    assert fee.amount_eur == _eur("4.68")  # 25 / 5.3365 = 4.6847
    assert quote.other_rates == (ron,)
    with pytest.raises(RateUnavailable, match="RON"):
        _price(consignment)


def test_rounding_once_half_up():
    """0.105 rounds up to 0.11 and 2.625 to 2.63 (half up, not half even)."""
    before = date(2026, 6, 1)
    assert _price(_consignment((TSHIRT, "0.50"), on=before)).import_vat_eur == _eur(
        "0.11"
    )
    assert _price(_consignment((TSHIRT, "12.50"), on=before)).import_vat_eur == _eur(
        "2.63"
    )


def test_rounding_at_the_end_not_per_item():
    """CNY 10 + CNY 7: rounding each item first would give 2.26 and VAT 1.73."""
    quote = _price(
        _consignment((TSHIRT, "10"), (WATCH, "7"), currency="CNY", on=NOVEMBER_2026)
    )

    def cents(value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    rate = Decimal("7.4999")
    per_item_value = cents(10 / rate) + cents(7 / rate)
    per_item_vat = cents(Decimal("0.21") * (per_item_value + 6))
    assert (per_item_value, per_item_vat) == (_eur("2.26"), _eur("1.73"))
    assert quote.customs_value_eur == _eur("2.27")
    assert quote.import_vat_eur == _eur("1.74")


def test_as_dict_is_json():
    """The quote serialises to JSON with amounts as exact decimal strings."""
    data = json.loads(json.dumps(_price(_worked_example()).as_dict()))
    assert data["total_due_eur"] == "20.91"
    assert [line["amount_eur"] for line in data["lines"]] == ["6.00", "14.91"]
    assert data["lines"][1]["due_at"] == "clearance"


def test_export_owes_nothing():
    """An export declaration is quoted at zero, with the reason."""
    quote = _price(_worked_example(declaration_type="EX"))
    assert quote.total_due_eur == _eur("0.00") and not quote.lines
    assert quote.notes


def test_missing_vat_rate_is_said_plainly():
    """A member state of import with no VAT line in force cannot be priced, and
    the message names the country and the charge line to add."""
    with pytest.raises(PricingError, match="No import VAT rate of DE .*VAT charge"):
        _price(_worked_example(destination="DE", import_country="DE"))


def test_rate_of_another_currency_is_refused():
    """The customs rate given must be of the consignment's currency."""
    with pytest.raises(ValueError, match="USD"):
        price(
            consignment=_worked_example(),
            lines=SEEDED,
            rate=customs_rate(currency="USD", on=NOVEMBER_2026),
        )


@pytest.mark.django_db
def test_consignment_price_reads_lines_and_rates():
    """consignment_price prices from the stored lines and the bundled ECB rates."""
    charges_load()
    consignment = _consignment(
        (TSHIRT, "150"),
        (WATCH, "300"),
        currency="CNY",
        destination="RO",
        import_country="RO",
        transport="37.50",
        on=NOVEMBER_2026,
    )
    quote = consignment_price(consignment=consignment)
    assert quote.customs_duty_eur == _eur("6.00")
    assert quote.fees_eur == _eur("4.68")
    assert quote.import_vat_eur == _eur("14.91")  # Romania 21% too
    assert quote.total_due_eur == _eur("25.59")


# Property tests: pure pricing over random consignments and the seeded lines.

SUBHEADINGS = [
    TSHIRT,
    "610990",
    WATCH,
    SHOES,
    "850760",
    "950300",
    "420222",
    "711719",
    "392690",
    "847130",
    "300490",
]
item_strategy = st.builds(
    PricingItem,
    hs_code=st.one_of(
        st.sampled_from(SUBHEADINGS), st.from_regex(r"[0-9]{6}", fullmatch=True)
    ),
    item_value=st.decimals(min_value=0, max_value=400, places=2),
    quantity=st.integers(min_value=1, max_value=20),
)
money = st.decimals(min_value=0, max_value=60, places=2)
rate_strategy = st.one_of(
    st.just(("EUR", Decimal(1))),
    st.tuples(
        st.sampled_from(["CNY", "USD"]),
        st.decimals(min_value=Decimal("0.5"), max_value=20, places=4),
    ),
)
RON = CustomsRate(
    currency="RON",
    rate=Decimal("5.3365"),
    ecb_date=date(2026, 10, 21),
    month=date(2026, 11, 1),
)


@st.composite
def consignments(
    draw, *, start: date = date(2025, 8, 1), end: date = date(2029, 12, 31)
):
    currency, rate = draw(rate_strategy)
    on = draw(st.dates(min_value=start, max_value=end))
    consignment = PricingInput(
        declaration_type=draw(st.sampled_from(["H7", "H1"])),
        on=on,
        destination_country=draw(st.sampled_from(["BE", "DE", "ES", "XI"])),
        import_country=draw(st.sampled_from(["BE", "FR", "RO"])),
        currency=currency,
        vat_path=draw(st.sampled_from(["IOSS", "SPECIAL", "STANDARD"])),
        transport_cost=draw(money),
        insurance_cost=draw(money),
        items=tuple(draw(st.lists(item_strategy, min_size=1, max_size=8))),
    )
    customs = CustomsRate(
        currency=currency, rate=rate, ecb_date=on, month=on.replace(day=1)
    )
    return consignment, customs


def _quote(drawn) -> Quote:
    consignment, rate = drawn
    return price(
        consignment=consignment, lines=SEEDED, rate=rate, other_rates={"RON": RON}
    )


@settings(max_examples=300, deadline=None)
@given(consignments())
def test_property_amounts_never_negative(drawn):
    """No line, total or value of a quote is ever negative."""
    quote = _quote(drawn)
    assert all(line.amount_eur >= 0 for line in quote.lines)
    assert all(line.base_eur is None or line.base_eur >= 0 for line in quote.lines)
    for amount in (
        quote.customs_value_eur,
        quote.customs_duty_eur,
        quote.import_vat_eur,
        quote.fees_eur,
        quote.total_due_eur,
    ):
        assert amount >= 0
        assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(consignments())
def test_property_total_is_the_sum_of_the_lines_due_at_clearance(drawn):
    """What is due at clearance is exactly the sum of the lines due at clearance."""
    quote = _quote(drawn)
    due = [line.amount_eur for line in quote.lines if line.due_at == "clearance"]
    assert quote.total_due_eur == sum(due, Decimal(0))
    duty = [line.amount_eur for line in quote.lines if line.kind.startswith("duty")]
    assert quote.customs_duty_eur == sum(duty, Decimal(0))
    fees = [line.amount_eur for line in quote.lines if line.kind == "fee"]
    assert quote.fees_eur == sum(fees, Decimal(0))
    vat_due = quote.import_vat_eur if quote.vat_due_at == "clearance" else 0
    assert quote.total_due_eur == quote.customs_duty_eur + vat_due + quote.fees_eur


@settings(max_examples=300, deadline=None)
@given(consignments(start=JULY_2026, end=date(2028, 6, 30)))
def test_property_low_value_duty_is_three_euro_per_subheading(drawn):
    """From 1 Jul 2026, a consignment of EUR 150 or less owes EUR 3 per subheading."""
    consignment, _ = drawn
    quote = _quote(drawn)
    if quote.low_value:
        subheadings = {item.subheading for item in consignment.items}
        assert quote.customs_duty_eur == 3 * len(subheadings)
    else:
        assert all(
            line.indicative for line in quote.lines if line.kind.startswith("duty")
        )


@pytest.mark.parametrize("destination", ["DE", "ES", "XI", "FR", "RO"])
def test_consignee_abroad_is_priced_with_belgian_vat_at_lgg(destination):
    """Import VAT at Liège is Belgian VAT whatever the consignee's country (Art.
    60-61 Directive 2006/112/EC); national fees are those of the member state of
    import, so the FR and RO fees do not apply at LGG."""
    quote = _price(_worked_example(destination=destination, vat_path="IOSS"))
    assert quote.customs_duty_eur == _eur("6.00")
    assert quote.import_vat_eur == _eur("0.00") and quote.fees_eur == _eur("0.00")
    assert {line.code for line in quote.lines} == {"DUTY-LVC-3EUR", "VAT-BE-STD"}


def test_belgian_reduced_rate_for_books():
    """A book (4901) is taxed at Belgium's 6 % (Royal Decree No. 20, Table A):
    EUR 30 + transport 5 + duty 3 = 38, VAT 2.28."""
    quote = _price(_consignment(("490199", "30"), transport="5"))
    vat = _line(quote, "VAT-BE-6-4901")
    assert (vat.rate, vat.base_eur, vat.amount_eur) == (6, _eur("38.00"), _eur("2.28"))
    assert quote.import_vat_eur == _eur("2.28")


def test_items_at_two_belgian_rates_are_taxed_each_at_its_own():
    """A book EUR 30 and a T-shirt EUR 20, transport 5: the book carries 3/5 of
    the transport and its own EUR 3 duty: 6 % of (30 + 3 + 3) = 2.16; the
    T-shirt 21 % of (20 + 2 + 3) = 5.25."""
    quote = _price(_consignment(("490199", "30"), (TSHIRT, "20"), transport="5"))
    book, shirt = _line(quote, "VAT-BE-6-4901"), _line(quote, "VAT-BE-STD")
    assert (book.base_eur, book.amount_eur) == (_eur("36.00"), _eur("2.16"))
    assert (shirt.base_eur, shirt.amount_eur) == (_eur("25.00"), _eur("5.25"))
    assert quote.import_vat_eur == _eur("7.41")
    assert quote.customs_duty_eur == _eur("6.00")


def test_margarine_at_twelve_percent_beats_fats_at_six():
    """The most specific HS prefix wins: margarine 1517 at 12 % (Table B), other
    edible fats of chapter 15 at 6 %."""
    margarine = _price(_consignment(("151710", "10")))
    olive_oil = _price(_consignment(("150910", "10")))
    assert _line(margarine, "VAT-BE-12-1517").amount_eur == _eur("1.56")  # 12% of 13
    assert _line(olive_oil, "VAT-BE-6-15").amount_eur == _eur("0.78")  # 6% of 13


def test_no_eu_import_vat_outside_the_vat_area():
    """A consignee in the Canary Islands owes no EU import VAT (Art. 6(1)(b)
    Directive 2006/112/EC); the duty is still due."""
    quote = _price(_worked_example(destination="ES", outside_vat_area="Canary Islands"))
    assert quote.import_vat_eur == _eur("0.00") and quote.vat_due_at is None
    assert quote.customs_duty_eur == _eur("6.00")
    assert any("Canary Islands" in note for note in quote.notes)


def test_ad_valorem_duty_is_flagged_indicative_on_the_whole_quote():
    """An H1's ad-valorem duty is a typical rate: the quote says so, as a flag
    and a note, so the page, the PDF and the API show it."""
    h1 = _price(_consignment((TSHIRT, "200"), declaration_type="H1"))
    h7 = _price(_worked_example())
    assert h1.indicative and h1.as_dict()["indicative"] is True
    assert any("Indicative" in note for note in h1.notes)
    assert not h7.indicative and h7.as_dict()["indicative"] is False


def test_special_arrangements_take_the_belgian_standard_rate_even_for_books():
    """Under the special arrangements Belgium applies its standard rate (Art.
    369zb(2) Directive 2006/112/EC) [M]: a book owes 21 %, collected at delivery."""
    quote = _price(_consignment(("490199", "30"), transport="5", vat_path="SPECIAL"))
    vat = _line(quote, "VAT-BE-STD")
    assert (vat.rate, vat.amount_eur, vat.due_at) == (21, _eur("7.98"), "delivery")
    assert quote.total_due_eur == _eur("3.00")  # the duty; VAT at delivery

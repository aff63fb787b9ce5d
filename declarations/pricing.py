"""Duty, import VAT and fees of a consignment to the cent, each line with its source."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Literal

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reference.charges import ChargeLineData, charge_lines_in_force
from reference.rates import EUR, CustomsRate, RateUnavailable, customs_rate

# `price` is pure: it is given the charge lines in force and the customs rates,
# and runs no query, so a manifest of 10^5 consignments is priced with one read
# of the (cached) charge lines. `consignment_price` fetches both and calls it.
#
# Choices the law leaves to us, applied throughout:
#
# - Customs value is CIF to the EU border. The portal receives one transport and
#   one insurance cost, to the place of destination, for air freight landing at
#   the border office (LGG); the onward leg is never shown separately, so the
#   whole cost is taken into the customs value (Art. 71(1)(e) UCC), which can
#   only overstate it. The VAT base adds transport and insurance to the place of
#   destination (Art. 86(1)(b) Directive 2006/112/EC) only when not already in
#   the customs value: here they always are, so nothing is added twice.
# - Every amount is converted with the customs monthly rate and kept at full
#   precision; each line's amount is rounded once, ROUND_HALF_UP, to the cent,
#   and the totals are sums of the rounded lines, so the quote adds up.
# - The VAT base takes the duty at full precision (the unrounded sum of the
#   duty lines), so that nothing is rounded before the end.
# - The EUR 150 ceiling is compared with the unrounded intrinsic value in EUR.
# - Fees are not part of the VAT base (domain.md: customs value, duty,
#   transport and insurance only).
# - IOSS and special arrangements cover consignments of EUR 150 or less only
#   (Art. 143(1)(ca) and 369y Directive 2006/112/EC); above that, import VAT is
#   due at clearance whatever path was declared, and the VAT line says so.

DueAt = Literal["clearance", "checkout", "delivery"]

CENT = Decimal("0.01")
LOW_VALUE_CEILING_EUR = Decimal(150)
VAT_PATHS = ("IOSS", "SPECIAL", "STANDARD")

# Notes are shown with the quote; they are translated when a quote is made.
IOSS_NOTE = gettext_lazy(
    "Import VAT exempt: the seller charged VAT at checkout under the IOSS "
    "(Art. 143(1)(ca) Directive 2006/112/EC)."
)
SPECIAL_NOTE = gettext_lazy(
    "Collected from the consignee at delivery by the carrier under the special "
    "arrangements (Art. 369y-369zb Directive 2006/112/EC); not due at clearance."
)
CIF_NOTE = gettext_lazy(
    "Transport and insurance, declared to the place of destination, are counted "
    "in the customs value, and so once in the VAT base."
)
OUTSIDE_VAT_AREA_NOTE = gettext_lazy(
    "The consignee is in %(territory)s, outside the EU VAT area (Art. 6 Directive "
    "2006/112/EC): no EU import VAT is due."
)
INDICATIVE_NOTE = gettext_lazy(
    "Indicative: the ad-valorem duty is a typical rate of the HS chapter, not the "
    "rate of the 10-digit TARIC code; customs set the duty due on the TARIC code."
)
NOT_LOW_VALUE_NOTE = gettext_lazy(
    "The %(path)s path covers consignments of EUR 150 or less only; import VAT is "
    "due at clearance."
)


# Member states that tax imports under the special arrangements at their standard
# rate, whatever the goods (the option of Art. 369zb(2) Directive 2006/112/EC):
# Belgium does [M: domain notes, one secondary source].
SPECIAL_ARRANGEMENTS_AT_STANDARD_RATE = frozenset({"BE"})


class PricingError(ValueError):
    """A consignment cannot be priced from the data given; the message says why."""


@dataclass(frozen=True, slots=True)
class PricingItem:
    """One goods item: its HS code, intrinsic value in the consignment's currency."""

    hs_code: str
    item_value: Decimal  # of the whole line (all units), in the consignment currency
    quantity: int = 1
    # The 6-digit HS subheading (first 6 digits of an HS, CN or TARIC code),
    # worked out once: pricing compares it with every charge line's prefix.
    subheading: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.item_value < 0:
            raise ValueError(
                _("Item value %(value)s is negative.") % {"value": self.item_value}
            )
        if self.quantity < 1:
            raise ValueError(
                _("Quantity %(quantity)s is below 1.") % {"quantity": self.quantity}
            )
        digits = "".join(c for c in self.hs_code if c.isdigit())[:6]
        object.__setattr__(self, "subheading", digits)


@dataclass(frozen=True, slots=True)
class PricingInput:
    """What pricing needs to know of one consignment, as plain values."""

    declaration_type: str  # H7, H1 or EX
    on: date  # the date rates and charge lines are taken at
    destination_country: str  # where transport ends (the consignee's country)
    currency: str
    vat_path: str  # IOSS, SPECIAL or STANDARD
    transport_cost: Decimal  # to the place of destination, in `currency`
    insurance_cost: Decimal  # to the place of destination, in `currency`
    items: tuple[PricingItem, ...] = ()
    # The member state of import, whose VAT and national fees apply (BE at LGG),
    # whatever the destination (Art. 60-61 Directive 2006/112/EC).
    import_country: str = "BE"
    # The consignee's territory when it is outside the EU VAT area (Art. 6
    # Directive 2006/112/EC), e.g. "Canary Islands": no EU import VAT.
    outside_vat_area: str = ""

    def __post_init__(self) -> None:
        if self.vat_path not in VAT_PATHS:
            raise ValueError(f"VAT path {self.vat_path!r} is not one of {VAT_PATHS}.")
        if self.transport_cost < 0 or self.insurance_cost < 0:
            raise ValueError(_("Transport and insurance costs cannot be negative."))
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "currency", self.currency.strip().upper())
        object.__setattr__(
            self, "destination_country", self.destination_country.strip().upper()
        )
        object.__setattr__(self, "import_country", self.import_country.strip().upper())

    @classmethod
    def from_facts(cls, facts: Any) -> "PricingInput":
        """Build from the rule book's ConsignmentFacts: priced in the member state
        of import, for the consignee's country and territory."""
        territory = facts.consignee_territory
        return cls(
            declaration_type=facts.declaration_type,
            on=facts.on,
            destination_country=facts.consignee_country,
            import_country=facts.member_state_of_import,
            outside_vat_area=(
                territory.name if territory and not territory.in_vat_area else ""
            ),
            currency=facts.currency,
            vat_path=facts.vat_path or "STANDARD",
            transport_cost=facts.transport_cost,
            insurance_cost=facts.insurance_cost,
            items=tuple(
                PricingItem(
                    hs_code=item.hs_code,
                    item_value=item.item_value,
                    quantity=item.quantity,
                )
                for item in facts.items
            ),
        )


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One duty, VAT or fee line of a quote, with the rule it comes from."""

    code: str
    kind: str
    label: str
    amount_eur: Decimal  # rounded once, to the cent
    due_at: DueAt
    legal_source: str
    confidence: str
    indicative: bool = False
    base_eur: Decimal | None = None  # for a percentage: what it is taken of
    rate: Decimal | None = None  # percentage
    amount: Decimal | None = None  # fixed amount per unit of `quantity`
    amount_currency: str = ""
    quantity: int | None = None  # subheadings, lines or parcels charged
    item_line: int | None = None  # 1-based goods item, for per-item duty
    note: str = ""


@dataclass(frozen=True, slots=True)
class Quote:
    """Duty, import VAT and fees of one consignment, and what is due at clearance."""

    on: date
    currency: str
    vat_path: str
    low_value: bool
    intrinsic_value_eur: Decimal
    customs_value_eur: Decimal
    customs_duty_eur: Decimal
    import_vat_eur: Decimal  # whoever collects it; 0 under IOSS
    vat_due_at: DueAt | None
    fees_eur: Decimal
    total_due_eur: Decimal  # duty + VAT due at clearance + fees
    rate: CustomsRate  # the consignment currency's customs rate
    lines: tuple[QuoteLine, ...] = ()
    other_rates: tuple[CustomsRate, ...] = ()  # of charge lines in other currencies
    notes: tuple[str, ...] = field(default=())

    @property
    def indicative(self) -> bool:
        """True when a line (an ad-valorem duty) is a typical rate, not the tariff's."""
        return any(line.indicative for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        """The quote as JSON-ready values: amounts as decimal strings, ISO dates."""
        return {
            "on": self.on.isoformat(),
            "currency": self.currency,
            "vat_path": self.vat_path,
            "low_value": self.low_value,
            "intrinsic_value_eur": str(self.intrinsic_value_eur),
            "customs_value_eur": str(self.customs_value_eur),
            "customs_duty_eur": str(self.customs_duty_eur),
            "import_vat_eur": str(self.import_vat_eur),
            "vat_due_at": self.vat_due_at,
            "fees_eur": str(self.fees_eur),
            "total_due_eur": str(self.total_due_eur),
            "indicative": self.indicative,
            "rate": _rate_dict(self.rate),
            "other_rates": [_rate_dict(rate) for rate in self.other_rates],
            "lines": [_line_dict(line) for line in self.lines],
            "notes": list(self.notes),
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate_dict(rate: CustomsRate) -> dict[str, Any]:
    return {
        "currency": rate.currency,
        "rate": str(rate.rate),
        "ecb_date": rate.ecb_date.isoformat(),
        "month": rate.month.isoformat(),
    }


def _line_dict(line: QuoteLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "kind": line.kind,
        "label": line.label,
        "base_eur": _text(line.base_eur),
        "rate": _text(line.rate),
        "amount": _text(line.amount),
        "amount_currency": line.amount_currency,
        "quantity": line.quantity,
        "item_line": line.item_line,
        "amount_eur": str(line.amount_eur),
        "due_at": line.due_at,
        "legal_source": line.legal_source,
        "confidence": line.confidence,
        "indicative": line.indicative,
        "note": line.note,
    }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def charge_currencies(*, lines: Iterable[ChargeLineData]) -> frozenset[str]:
    """Currencies other than EUR that fixed amounts of `lines` are in (e.g. RON)."""
    return frozenset(
        line.amount_currency
        for line in lines
        if line.amount is not None and line.amount_currency not in ("", EUR)
    )


class _Pricer:
    """The arithmetic of one quote, at full precision until each line is made."""

    def __init__(
        self,
        *,
        consignment: PricingInput,
        lines: Sequence[ChargeLineData],
        rate: CustomsRate,
        other_rates: Mapping[str, CustomsRate],
    ) -> None:
        self.consignment = consignment
        self.rate = rate
        self.rates = {rate.currency: rate, **other_rates}
        self.used_rates: dict[str, CustomsRate] = {}
        self.items = consignment.items
        self.goods_value = sum((i.item_value for i in self.items), Decimal(0))
        self.intrinsic = self.eur(self.goods_value)
        self.costs = self.eur(consignment.transport_cost + consignment.insurance_cost)
        self.customs_value = self.intrinsic + self.costs
        self.low_value = self.intrinsic <= LOW_VALUE_CEILING_EUR
        self.lines = [
            line
            for line in lines
            if line.in_force(on=consignment.on)
            and line.covers(country=consignment.import_country)
            and self.applies(line)
        ]

    def eur(self, amount: Decimal, currency: str | None = None) -> Decimal:
        """`amount` of `currency` (the consignment's by default) in EUR, unrounded."""
        currency = currency or self.consignment.currency
        if currency == EUR:
            return amount
        rate = self.rates.get(currency)
        if rate is None:
            on = self.consignment.on
            raise RateUnavailable(
                _(
                    "No customs rate of %(currency)s was given for %(month)s: a "
                    "charge line is in %(currency)s."
                )
                % {"currency": currency, "month": f"{MONTHS[on.month]} {on.year}"}
            )
        if currency != self.consignment.currency:
            self.used_rates[currency] = rate
        return amount / rate.rate

    def applies(self, line: ChargeLineData) -> bool:
        if line.applies_to == "low_value":
            return self.low_value
        if line.applies_to == "above_low_value":
            return not self.low_value
        return True

    def fixed_line(self, line: ChargeLineData) -> tuple[QuoteLine, Decimal] | None:
        """A per-subheading, per-line or per-consignment charge, or a percentage
        of the customs value; None when the line's HS prefix matches no item."""
        matching = [i for i in self.items if i.subheading.startswith(line.hs_prefix)]
        if line.hs_prefix and not matching:
            return None
        if line.basis == "percent":
            assert line.rate is not None
            exact = self.customs_value * line.rate / 100
            return self.make(
                line, exact, base_eur=_cents(self.customs_value), rate=line.rate
            ), exact
        assert line.amount is not None
        if line.basis == "per_subheading":
            quantity = len({item.subheading for item in matching})
        elif line.basis == "per_line":
            quantity = len(matching)
        else:
            quantity = 1
        exact = self.eur(line.amount * quantity, line.amount_currency)
        return self.make(
            line,
            exact,
            amount=line.amount,
            amount_currency=line.amount_currency,
            quantity=quantity,
        ), exact

    def ad_valorem_lines(
        self, lines: list[ChargeLineData]
    ) -> list[tuple[QuoteLine, Decimal]]:
        """Per item: the most specific line's rate on the item's customs value."""
        made = []
        for number, item in enumerate(self.items, start=1):
            candidates = [
                line for line in lines if item.subheading.startswith(line.hs_prefix)
            ]
            if not candidates:
                raise PricingError(
                    _(
                        "No duty rate in force on %(on)s for item %(number)s (HS "
                        "%(hs_code)s): add an ad-valorem charge line."
                    )
                    % {
                        "on": self.consignment.on,
                        "number": number,
                        "hs_code": item.hs_code,
                    }
                )
            line = max(candidates, key=lambda c: (len(c.hs_prefix), bool(c.country)))
            assert line.rate is not None
            # The item's share of the customs value: its own value plus transport
            # and insurance in proportion to its value (intrinsic > 150 here).
            share = self.eur(item.item_value) + self.costs * (
                item.item_value / self.goods_value
            )
            exact = share * line.rate / 100
            quote_line = self.make(
                line,
                exact,
                label=_("%(label)s, item %(number)s (%(subheading)s)")
                % {
                    "label": line.label,
                    "number": number,
                    "subheading": item.subheading,
                },
                base_eur=_cents(share),
                rate=line.rate,
                item_line=number,
            )
            made.append((quote_line, exact))
        return made

    def item_duties(
        self, duty_made: Sequence[tuple[QuoteLine, Decimal, ChargeLineData]]
    ) -> list[Decimal]:
        """Each item's share of the duty, unrounded: a per-item line goes to its
        item; a per-subheading amount to the items of that subheading; anything
        else in proportion to value. Only needed when items take different VAT
        rates."""
        shares = [Decimal(0)] * len(self.items)
        for quote_line, exact, line in duty_made:
            if quote_line.item_line:
                shares[quote_line.item_line - 1] += exact
                continue
            matching = [
                n
                for n, item in enumerate(self.items)
                if item.subheading.startswith(line.hs_prefix)
            ]
            if line.basis == "per_subheading":
                groups: dict[str, list[int]] = {}
                for n in matching:
                    groups.setdefault(self.items[n].subheading, []).append(n)
                each = exact / len(groups) if groups else Decimal(0)
                for members in groups.values():
                    self._spread(shares, members, each)
            else:
                self._spread(shares, matching, exact)
        return shares

    def _spread(self, shares: list[Decimal], members: list[int], amount: Decimal):
        total = sum((self.items[n].item_value for n in members), Decimal(0))
        for n in members:
            weight = (
                self.items[n].item_value / total if total else Decimal(1) / len(members)
            )
            shares[n] += amount * weight

    def vat_rate_line(self, number: int, item: PricingItem) -> ChargeLineData:
        """The member state of import's VAT line for an item: the most specific
        HS prefix wins (books 4901 at 6 % over the standard 21 %)."""
        consignment = self.consignment
        standard_only = (
            consignment.vat_path == "SPECIAL"
            and self.low_value
            and consignment.import_country in SPECIAL_ARRANGEMENTS_AT_STANDARD_RATE
        )
        candidates = [
            line
            for line in self.lines
            if line.kind == "vat"
            and item.subheading.startswith(line.hs_prefix)
            and not (standard_only and line.hs_prefix)
        ]
        if not candidates:
            raise PricingError(
                _(
                    "No import VAT rate of %(country)s (the member state of import) "
                    "in force on %(on)s for item %(number)s (HS %(hs_code)s): add a "
                    "VAT charge line for %(country)s."
                )
                % {
                    "country": consignment.import_country,
                    "on": consignment.on,
                    "number": number,
                    "hs_code": item.hs_code,
                }
            )
        return max(
            candidates,
            key=lambda c: (len(c.hs_prefix), bool(c.country), c.valid_from),
        )

    def vat_lines(
        self, duty: Decimal, duty_made: Sequence[tuple[QuoteLine, Decimal, Any]]
    ) -> list[QuoteLine]:
        """Import VAT of the member state of import, one line per rate."""
        consignment = self.consignment
        chosen = [
            self.vat_rate_line(number, item)
            for number, item in enumerate(self.items, start=1)
        ]
        if not chosen:
            raise PricingError(_("The consignment has no goods items to price."))
        # Transport and insurance to the destination are already in the customs
        # value (see the module docstring), so the base adds only the duty.
        by_line: dict[ChargeLineData, list[int]] = {}
        for n, line in enumerate(chosen):
            by_line.setdefault(line, []).append(n)
        if len(by_line) == 1:
            bases = {chosen[0]: self.customs_value + duty}
        else:
            item_duty = self.item_duties(duty_made)
            bases = {
                line: sum(
                    (
                        self.eur(self.items[n].item_value)
                        + self._cost_share(n)
                        + item_duty[n]
                        for n in members
                    ),
                    Decimal(0),
                )
                for line, members in by_line.items()
            }
        path = consignment.vat_path
        note, due_at = "", "clearance"
        zero = False
        if path in ("IOSS", "SPECIAL") and not self.low_value:
            note = NOT_LOW_VALUE_NOTE % {"path": path}
        elif path == "IOSS":
            zero, note, due_at = True, str(IOSS_NOTE), "checkout"
        elif path == "SPECIAL":
            note, due_at = str(SPECIAL_NOTE), "delivery"
        made = []
        for line, base in bases.items():
            assert line.rate is not None
            exact = Decimal(0) if zero else base * line.rate / 100
            values: dict[str, Any] = {}
            if len(bases) > 1:
                numbers = ", ".join(str(n + 1) for n in by_line[line])
                values["label"] = _("%(label)s, items %(numbers)s") % {
                    "label": line.label,
                    "numbers": numbers,
                }
            made.append(
                self.make(
                    line,
                    exact,
                    base_eur=_cents(base),
                    rate=line.rate,
                    due_at=due_at,
                    note=note,
                    **values,
                )
            )
        return made

    def _cost_share(self, n: int) -> Decimal:
        if self.goods_value:
            return self.costs * (self.items[n].item_value / self.goods_value)
        return self.costs / len(self.items)

    def make(
        self,
        line: ChargeLineData,
        exact: Decimal,
        *,
        due_at: DueAt = "clearance",
        **values: Any,
    ) -> QuoteLine:
        values.setdefault("label", line.label)
        return QuoteLine(
            code=line.code,
            kind=line.kind,
            amount_eur=_cents(exact),
            due_at=due_at,
            legal_source=line.legal_source,
            confidence=line.confidence,
            indicative=line.indicative,
            **values,
        )

    def quote(self) -> Quote:
        duty_made: list[tuple[QuoteLine, Decimal, ChargeLineData | None]] = []
        for line in self.lines:
            if line.kind == "duty_low_value":
                made = self.fixed_line(line)
                if made is not None:
                    duty_made.append((*made, line))
        ad_valorem = [line for line in self.lines if line.kind == "duty_ad_valorem"]
        if not self.low_value:
            duty_made.extend(
                (*made, None) for made in self.ad_valorem_lines(ad_valorem)
            )
        duty_exact = sum((exact for _, exact, _ in duty_made), Decimal(0))
        notes = [str(CIF_NOTE)] if self.costs else []
        territory = self.consignment.outside_vat_area
        if territory:
            vat_lines: list[QuoteLine] = []
            notes.append(str(OUTSIDE_VAT_AREA_NOTE % {"territory": territory}))
        else:
            vat_lines = self.vat_lines(duty_exact, duty_made)
        fees = [
            made
            for line in self.lines
            if line.kind == "fee" and (made := self.fixed_line(line)) is not None
        ]
        duty_lines = [quote_line for quote_line, _, _ in duty_made]
        fee_lines = [quote_line for quote_line, _ in fees]
        lines = (*duty_lines, *vat_lines, *fee_lines)
        if any(line.indicative for line in lines):
            notes.append(str(INDICATIVE_NOTE))
        return Quote(
            on=self.consignment.on,
            currency=self.consignment.currency,
            vat_path=self.consignment.vat_path,
            low_value=self.low_value,
            intrinsic_value_eur=_cents(self.intrinsic),
            customs_value_eur=_cents(self.customs_value),
            customs_duty_eur=sum((q.amount_eur for q in duty_lines), Decimal("0.00")),
            import_vat_eur=sum((q.amount_eur for q in vat_lines), Decimal("0.00")),
            vat_due_at=vat_lines[0].due_at if vat_lines else None,
            fees_eur=sum((q.amount_eur for q in fee_lines), Decimal("0.00")),
            total_due_eur=sum(
                (q.amount_eur for q in lines if q.due_at == "clearance"),
                Decimal("0.00"),
            ),
            rate=self.rate,
            lines=lines,
            other_rates=tuple(self.used_rates[c] for c in sorted(self.used_rates)),
            notes=tuple(notes),
        )


def price(
    *,
    consignment: PricingInput,
    lines: Sequence[ChargeLineData],
    rate: CustomsRate,
    other_rates: Mapping[str, CustomsRate] | None = None,
) -> Quote:
    """Price a consignment from the charge lines and customs rates given (no query).

    `rate` is the customs rate of the consignment's currency for the month;
    `other_rates` holds, by currency, the rates of charge lines in yet another
    currency (a RON fee on a CNY consignment); `charge_currencies` lists them.
    Lines not in force on `consignment.on`, or of another country, are ignored.
    """
    if rate.currency != consignment.currency:
        raise ValueError(
            f"The rate given is for {rate.currency}, the consignment is in "
            f"{consignment.currency}."
        )
    if consignment.declaration_type == "EX":
        zero = Decimal("0.00")
        return Quote(
            on=consignment.on,
            currency=consignment.currency,
            vat_path=consignment.vat_path,
            low_value=False,
            intrinsic_value_eur=zero,
            customs_value_eur=zero,
            customs_duty_eur=zero,
            import_vat_eur=zero,
            vat_due_at=None,
            fees_eur=zero,
            total_due_eur=zero,
            rate=rate,
            notes=("An export owes no import duty, import VAT or import fees.",),
        )
    with localcontext(prec=34):
        return _Pricer(
            consignment=consignment,
            lines=lines,
            rate=rate,
            other_rates=other_rates or {},
        ).quote()


def consignment_price(*, consignment: PricingInput) -> Quote:
    """Price a consignment with the charge lines in force and the customs rates.

    Raises RateUnavailable (its message says why) when a customs rate is missing.
    """
    lines = charge_lines_in_force(on=consignment.on, country=consignment.import_country)
    rate = customs_rate(currency=consignment.currency, on=consignment.on)
    other_rates = {
        currency: customs_rate(currency=currency, on=consignment.on)
        for currency in charge_currencies(lines=lines)
        if currency != consignment.currency
    }
    return price(
        consignment=consignment, lines=lines, rate=rate, other_rates=other_rates
    )

"""The shape of a rule: a code, a severity, dates, and a pure check over facts."""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from anyascii import anyascii

from declarations.models import Severity
from reference.selectors import airport_country
from reference.territories import Territory, territory_of

# The portal's office of import: Liège airport (LGG), in Belgium. A declaration
# without a known EU arrival airport is presented there.
OFFICE_OF_IMPORT = "LGG"
OFFICE_OF_IMPORT_COUNTRY = "BE"


def member_state_of_import(arrival_airport: str, eu_vat_area: frozenset[str]) -> str:
    """Where goods are declared for import: the member state of the arrival
    airport (LGG -> BE), whose VAT and national fees apply (Art. 60-61 and 70
    Directive 2006/112/EC); BE (LGG) when no EU airport is given."""
    country = airport_country(arrival_airport) if arrival_airport else ""
    return country if country in eu_vat_area else OFFICE_OF_IMPORT_COUNTRY


@dataclass(frozen=True)
class RuleSettingData:
    """A dated override of a rule, kept as data (RuleSetting rows)."""

    enabled: bool = True
    severity: str = ""
    applies_from: date | None = None
    applies_to: date | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreeningResult:
    """One sanctions-list match of a party name, as the rule book sees it."""

    party: str  # consignor, consignee, declarant
    screened_name: str
    listed_name: str
    matched_name: str
    source: str
    external_id: str
    kind: str
    programmes: str
    score: float
    entry_id: int


_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


def party_key(name: str, country: str, address: str) -> tuple[str, str, str]:
    """Who a screened party is, for an officer's clearance: its name and address
    in plain upper-case words (any script), and its country."""

    def plain(text: str) -> str:
        return " ".join(_NOT_ALNUM.sub(" ", anyascii(text).upper()).split())[:300]

    return plain(name), country.strip().upper()[:2], plain(address)


def screened_party(facts: Any, party: str) -> tuple[str, str, str]:
    """Name, country and address of a screened party (consignor, consignee or
    declarant) of `facts`, or of anything with the same attributes."""
    if party == "declarant":
        return facts.declarant_name, facts.declarant_eori[:2], ""
    return (
        getattr(facts, f"{party}_name"),
        getattr(facts, f"{party}_country"),
        getattr(facts, f"{party}_address"),
    )


@dataclass(frozen=True)
class ReferenceData:
    """Reference data a rule may consult, loaded once per batch (no query in rules)."""

    hs_codes: frozenset[str]
    countries: frozenset[str]
    eu_vat_area: frozenset[str]
    countries_without_postcodes: frozenset[str]
    currencies: frozenset[str]
    airports: frozenset[str] = frozenset()
    # Median unit value in EUR per HS subheading, from accepted history or seeded.
    typical_unit_values: Mapping[str, Decimal] = field(default_factory=dict)
    settings: Mapping[str, RuleSettingData] = field(default_factory=dict)
    # Screens one name against the active sanctions lists (in memory).
    screen: Callable[[str], Sequence[Any]] | None = None
    # Officers' clearances that still apply: (party key, listed entry id).
    screening_cleared: frozenset[tuple[tuple[str, str, str], int]] = frozenset()
    # The rules with their settings applied, made once per batch (run_rules).
    rule_book: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ItemFacts:
    line: int
    description: str
    hs_code: str
    origin_country: str
    quantity: int
    item_value: Decimal
    net_mass_kg: Decimal | None = None
    product_id: str = ""
    manufacturer_product_id: str = ""


@dataclass(frozen=True)
class SplitSibling:
    """Another low-value parcel for the same consignee from the same consignor."""

    hawb: str
    value_eur: Decimal


@dataclass(frozen=True)
class ConsignmentFacts:
    """Everything the rule book may know about one declaration, as plain values."""

    declaration_type: str
    on: date
    reference: ReferenceData
    items: tuple[ItemFacts, ...] = ()
    lrn: str = ""
    declarant_name: str = ""
    declarant_eori: str = ""
    mawb: str = ""
    hawb: str = ""
    flight_number: str = ""
    departure_airport: str = ""
    arrival_airport: str = ""
    arrival_date: date | None = None
    consignor_name: str = ""
    consignor_address: str = ""
    consignor_city: str = ""
    consignor_postcode: str = ""
    consignor_country: str = ""
    consignee_name: str = ""
    consignee_address: str = ""
    consignee_city: str = ""
    consignee_postcode: str = ""
    consignee_country: str = ""
    consignee_eori: str = ""
    vat_path: str = ""
    ioss_number: str = ""
    additional_procedure_code: str = ""
    previous_mrn: str = ""
    # The IOSS number of an earlier, released version: it may no longer change.
    released_ioss_number: str | None = None
    currency: str = ""
    transport_cost: Decimal = Decimal(0)
    insurance_cost: Decimal = Decimal(0)
    gross_mass_kg: Decimal | None = None
    packages: int = 1
    # Units of `currency` per EUR at the customs monthly rate; None when unknown.
    eur_rate: Decimal | None = None
    rate_problem: str = ""
    # CNY per EUR at the customs monthly rate, for advice on exports to China.
    cny_per_eur: Decimal | None = None
    # Other consignments of the same filing with this house AWB.
    hawb_duplicates: int = 0
    # Consignment-level fields whose value differs between the lines of one HAWB.
    line_conflicts: tuple[str, ...] = ()
    split_siblings: tuple[SplitSibling, ...] = ()

    @property
    def intrinsic_value(self) -> Decimal:
        """Goods value in the consignment's currency, without transport or insurance."""
        return sum((item.item_value for item in self.items), Decimal(0))

    @property
    def intrinsic_value_eur(self) -> Decimal | None:
        if self.eur_rate is None:
            return None
        return self.intrinsic_value / self.eur_rate

    def to_eur(self, amount: Decimal) -> Decimal | None:
        return None if self.eur_rate is None else amount / self.eur_rate

    @property
    def is_import(self) -> bool:
        return self.declaration_type in ("H7", "H1")

    @cached_property
    def member_state_of_import(self) -> str:
        """The member state the goods are declared in (see the function)."""
        return member_state_of_import(self.arrival_airport, self.reference.eu_vat_area)

    @cached_property
    def consignee_territory(self) -> Territory | None:
        """The consignee's special territory (Canary Islands, Ceuta, Åland...), from
        the country code, the postcode or the city; None for an ordinary address."""
        return territory_of(
            self.consignee_country, self.consignee_postcode, self.consignee_city
        )

    @property
    def is_low_value(self) -> bool:
        """An H7, or an intrinsic value of EUR 150 or less."""
        value = self.intrinsic_value_eur
        return self.declaration_type == "H7" or (
            value is not None and value <= Decimal(150)
        )


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    field: str
    message: str
    item_line: int | None = None
    risk_points: int = 0
    screening: ScreeningResult | None = None


@dataclass
class RuleRegistry:
    rules: list[type["Rule"]] = field(default_factory=list)

    def add(self, rule: type["Rule"]) -> None:
        if any(existing.code == rule.code for existing in self.rules):
            raise ValueError(f"Two rules share the code {rule.code}.")
        self.rules.append(rule)

    def get(self, code: str) -> type["Rule"]:
        return next(rule for rule in self.rules if rule.code == code)


registry = RuleRegistry()


class Rule:
    """Base of every rule. Subclasses set `code` and implement `check`.

    A subclass registers itself when its module is imported; every module of
    declarations/rules/ is imported by the package, so adding a rule is adding a
    class in one file. Dates, severity and parameters set here are defaults: a
    RuleSetting row for the code overrides them (dated configuration, not code).
    """

    code: ClassVar[str] = ""
    severity: ClassVar[str] = Severity.ERROR
    applies_from: ClassVar[date] = date(2021, 7, 1)  # EU VAT e-commerce package
    applies_to: ClassVar[date | None] = None
    declaration_types: ClassVar[tuple[str, ...]] = ("H7", "H1", "EX")
    # Points a hit adds to the declaration's risk score (review queue order).
    risk_points: ClassVar[int] = 0
    parameters: ClassVar[Mapping[str, Any]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code:
            registry.add(cls)

    def __init__(self, setting: RuleSettingData | None = None) -> None:
        self.setting = setting or RuleSettingData()
        self.effective_severity = self.setting.severity or self.severity
        self.effective_from = self.setting.applies_from or self.applies_from
        self.effective_to = self.setting.applies_to or self.applies_to

    def applies(self, facts: ConsignmentFacts) -> bool:
        if not self.setting.enabled:
            return False
        if facts.declaration_type not in self.declaration_types:
            return False
        if facts.on < self.effective_from:
            return False
        return self.effective_to is None or facts.on <= self.effective_to

    def param(self, name: str) -> Any:
        return self.setting.parameters.get(name, self.parameters[name])

    def issue(
        self,
        field: str,
        message: str,
        item: ItemFacts | None = None,
        screening: ScreeningResult | None = None,
    ) -> Issue:
        return Issue(
            code=self.code,
            severity=self.effective_severity,
            field=field,
            message=message,
            item_line=item.line if item else None,
            risk_points=self.risk_points,
            screening=screening,
        )

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        raise NotImplementedError


class ItemRule(Rule):
    """A rule judged once per goods item."""

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        for item in facts.items:
            yield from self.check_item(item, facts)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        raise NotImplementedError

"""The shape of a rule: a code, a severity, dates, and a pure check over facts."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from declarations.models import Severity


@dataclass(frozen=True)
class ReferenceData:
    """Reference sets a rule may consult, loaded once per batch (no query in rules)."""

    hs_codes: frozenset[str]
    countries: frozenset[str]
    eu_vat_area: frozenset[str]
    countries_without_postcodes: frozenset[str]
    currencies: frozenset[str]


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


@dataclass(frozen=True)
class ConsignmentFacts:
    """Everything the rule book may know about one declaration, as plain values."""

    declaration_type: str
    on: date
    reference: ReferenceData
    items: tuple[ItemFacts, ...] = ()
    lrn: str = ""
    declarant_eori: str = ""
    mawb: str = ""
    hawb: str = ""
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
    currency: str = ""
    transport_cost: Decimal = Decimal(0)
    insurance_cost: Decimal = Decimal(0)
    gross_mass_kg: Decimal | None = None
    # In EUR at the customs monthly rate; None with `rate_problem` when unknown.
    intrinsic_value_eur: Decimal | None = None
    rate_problem: str = ""

    @property
    def intrinsic_value(self) -> Decimal:
        """Goods value in the consignment's currency, without transport or insurance."""
        return sum((item.item_value for item in self.items), Decimal(0))


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    field: str
    message: str
    item_line: int | None = None
    risk_points: int = 0


@dataclass
class RuleRegistry:
    rules: list[type["Rule"]] = field(default_factory=list)

    def add(self, rule: type["Rule"]) -> None:
        if any(existing.code == rule.code for existing in self.rules):
            raise ValueError(f"Two rules share the code {rule.code}.")
        self.rules.append(rule)


registry = RuleRegistry()


class Rule:
    """Base of every rule. Subclasses set `code` and implement `check`.

    A subclass registers itself when its module is imported; every module of
    declarations/rules/ is imported by the package, so adding a rule is adding a
    class in one file.
    """

    code: ClassVar[str] = ""
    severity: ClassVar[str] = Severity.ERROR
    applies_from: ClassVar[date] = date(2021, 7, 1)  # EU VAT e-commerce package
    applies_to: ClassVar[date | None] = None
    declaration_types: ClassVar[tuple[str, ...]] = ("H7", "H1", "EX")
    # Points a hit adds to the declaration's risk score (review queue order).
    risk_points: ClassVar[int] = 0

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code:
            registry.add(cls)

    @classmethod
    def applies(cls, facts: ConsignmentFacts) -> bool:
        if facts.declaration_type not in cls.declaration_types:
            return False
        if facts.on < cls.applies_from:
            return False
        return cls.applies_to is None or facts.on <= cls.applies_to

    def issue(self, field: str, message: str, item: ItemFacts | None = None) -> Issue:
        return Issue(
            code=self.code,
            severity=self.severity,
            field=field,
            message=message,
            item_line=item.line if item else None,
            risk_points=self.risk_points,
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

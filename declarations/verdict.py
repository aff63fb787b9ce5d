"""The verdict on one declaration: its issues, its price, its risk, its outcome.

One pure function for every way a consignment is filed (a page, the API alone,
a manifest), so the same facts always get the same verdict. It runs no query:
the facts, the customs rates (a `RateBook`, read once per batch and currency)
and the cached charge lines are all it needs, so a manifest runs it for 10^5
parcels. Writing the outcome (MRN, status, audit rows) is the caller's part of
the lifecycle.

A declaration is accepted only with all its amounts: when duty, VAT or fees
cannot be computed it gets one ERROR saying what is missing, unless an error
already raised names the same cause (an unknown currency, a missing rate): one
mistake, one error.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from declarations.facts import RateBook
from declarations.models import Severity, Status
from declarations.pricing import (
    PricingError,
    PricingInput,
    Quote,
    charge_currencies,
    price,
)
from declarations.rules import run_rules
from declarations.rules.base import ConsignmentFacts, Issue
from declarations.rules.pricing import PricedInFull
from declarations.rules.vat import expected_procedure_code
from reference.charges import charge_lines_in_force
from reference.rates import CustomsRate

# The rules whose error already explains why a consignment cannot be priced in
# its own currency.
RATE_CAUSES = frozenset({"CUR-RATE", "CODE-CURRENCY"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What customs would say of one declaration, before anything is written."""

    issues: tuple[Issue, ...]
    quote: Quote | None  # never None when the outcome is not REJECTED
    risk_score: int
    outcome: str  # Status.REJECTED, Status.ACCEPTED or Status.UNDER_REVIEW
    procedure_code: str  # the additional procedure code the VAT path implies

    @property
    def reason(self) -> str:
        """Why it is rejected (its errors) or sent to review (its risks)."""
        return status_reason(self.issues)


@dataclass(frozen=True, slots=True)
class PricingProblem:
    """Why a consignment cannot be priced, and which errors already say so."""

    message: str
    # Rule codes whose ERROR already names the cause; None: any ERROR does (the
    # data is invalid, and the rule that says how is already there).
    covered_by: frozenset[str] | None = frozenset()


def verdict(
    facts: ConsignmentFacts,
    rates: RateBook,
    *,
    review_threshold: int,
    extra_issues: Iterable[Issue] = (),
) -> Verdict:
    """Judge one declaration: the rule book, the price, the risk score, the outcome.

    `extra_issues` are findings made outside the rule book (a manifest row that
    cannot be read, a master AWB on two flights); they count like any other.
    """
    issues = [*run_rules(facts), *extra_issues]
    quote, problem = quote_of(facts, rates)
    if problem is not None and not _explained(problem, issues):
        setting = facts.reference.settings.get(PricedInFull.code)
        issues.append(PricedInFull(setting).issue_for(problem.message))
    risk_score = min(sum(i.risk_points for i in issues), 100)
    if quote is None or any(i.severity == Severity.ERROR for i in issues):
        outcome = Status.REJECTED
    elif risk_score >= review_threshold:
        outcome = Status.UNDER_REVIEW
    else:
        outcome = Status.ACCEPTED
    return Verdict(
        issues=tuple(issues),
        quote=quote,
        risk_score=risk_score,
        outcome=outcome,
        procedure_code=procedure_code(facts),
    )


def procedure_code(facts: ConsignmentFacts) -> str:
    """The additional procedure code of the facts' VAT path at their date."""
    return expected_procedure_code(
        facts.vat_path,
        on=facts.on,
        low_value=facts.is_low_value,
        settings=facts.reference.settings,
    )


def _explained(problem: PricingProblem, issues: Sequence[Issue]) -> bool:
    errors = {i.code for i in issues if i.severity == Severity.ERROR}
    if problem.covered_by is None:
        return bool(errors)
    return bool(errors & problem.covered_by)


def quote_of(
    facts: ConsignmentFacts, rates: RateBook
) -> tuple[Quote | None, PricingProblem | None]:
    """Duty, VAT and fees of the declaration, or why they cannot be computed."""
    rate = rates.get(facts.currency, facts.on)
    if not isinstance(rate, CustomsRate):
        return None, PricingProblem(rate, covered_by=RATE_CAUSES)
    try:
        consignment = PricingInput.from_facts(facts)
    except ValueError as exc:
        return None, PricingProblem(str(exc), covered_by=None)
    lines = charge_lines_in_force(on=facts.on, country=consignment.import_country)
    others = {}
    for currency in charge_currencies(lines=lines):
        if currency == facts.currency:
            continue
        other = rates.get(currency, facts.on)
        if not isinstance(other, CustomsRate):
            return None, PricingProblem(
                _(
                    "A charge line of %(country)s is in %(currency)s and its customs "
                    "rate is missing: %(why)s"
                )
                % {
                    "country": consignment.import_country,
                    "currency": currency,
                    "why": other,
                }
            )
        others[currency] = other
    try:
        return price(
            consignment=consignment, lines=lines, rate=rate, other_rates=others
        ), None
    except PricingError as exc:
        return None, PricingProblem(str(exc))
    except ValueError as exc:
        return None, PricingProblem(str(exc), covered_by=None)


def status_reason(issues: Sequence[Issue]) -> str:
    """Why a declaration is rejected (its errors) or sent to review (its risks)."""
    errors = [i for i in issues if i.severity == Severity.ERROR]
    chosen = errors or [i for i in issues if i.risk_points]
    return "; ".join(sorted({i.code for i in chosen}))


__all__ = ["Verdict", "quote_of", "status_reason", "verdict"]

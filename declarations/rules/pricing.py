"""A declaration is accepted only with all its amounts."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from declarations.models import Severity
from declarations.rules.base import ConsignmentFacts, Issue, Rule


class PricedInFull(Rule):
    """Customs duty, import VAT and fees must be computed before a declaration is
    accepted: the duty and import VAT are notified when the declaration is
    accepted (Art. 101-102 Regulation (EU) No 952/2013; Art. 77-78 UCC), so a
    declaration whose amounts cannot be computed (no customs rate, no charge line
    in force) is stopped, never accepted with no amounts. Judged by the verdict
    (declarations/verdict.py) after pricing, not by the rule book's loop; not
    raised when another error (CUR-RATE, CODE-CURRENCY...) names the cause."""

    code = "PRICE-MISSING"
    severity = Severity.ERROR
    declaration_types = ()  # judged by the verdict, not by run_rules

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        return iter(())

    def issue_for(self, why: str) -> Issue:
        # Never downgraded by a RuleSetting: an unpriced declaration cannot be
        # accepted, whatever the configuration says.
        return Issue(
            code=self.code,
            severity=Severity.ERROR,
            field="currency",
            message=_(
                "Duty, VAT and fees cannot be computed, so the declaration cannot "
                "be accepted: %(why)s Once the missing rate or charge line is "
                "loaded, submit it again."
            )
            % {"why": why},
        )

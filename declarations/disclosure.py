"""What a trader may see of a declaration's findings: the one place that decides.

Sanctions screening is never disclosed to the filer ("tipping off": Art. 39
Directive (EU) 2015/849 for the obliged entities, and customs' own practice of
not naming the risk that selected a consignment). Once a declaration has a
screening hit, every trader-facing surface (pages, API, PDFs, e-mails,
webhooks, manifest issue lists) shows one neutral sentence in place of all its
risk findings, so nothing can be learnt by elimination. Other risk findings
(undervaluation, split consignments) stay visible on declarations without a
hit: they tell the filer what to have ready.

Officers read the findings themselves in the admin; nothing here changes what
is stored.
"""

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.utils.translation import gettext as _

from declarations.models import (
    Declaration,
    Severity,
    Status,
    StatusChange,
    ValidationIssue,
)

SCREENING_CODES = frozenset({"RISK-SANCTIONS"})
# The code the neutral finding carries: it names no rule.
NEUTRAL_CODE = "CUSTOMS-CHECK"
# Where a hit keeps the declaration in customs' hands and the note says so.
OPEN_STATUSES = (
    Status.ACCEPTED,
    Status.UNDER_REVIEW,
    Status.DOCUMENTS_REQUESTED,
    Status.HELD,
)


def neutral_reason() -> str:
    """The sentence a trader reads instead of any risk finding of a hit."""
    return _(
        "Held for a customs check. An officer will contact you if anything is needed."
    )


# Words that would tell a filer its party was screened, in the languages of
# the portal; an officer's reason on a declaration with a hit may not use them.
_TELLING = re.compile(
    r"sanction|screen|ofac|\bsdn\b|asset.?freez|watch.?list|denied.part"
    r"|designated.(person|part)|gel des avoirs|bevriezing|制裁",
    re.IGNORECASE,
)


def tells_of_screening(text: str) -> bool:
    """Whether an officer's words to the filer would disclose screening."""
    return bool(_TELLING.search(text))


def is_risk_finding(code: str, risk_points: int) -> bool:
    return bool(risk_points) or code in SCREENING_CODES or code.startswith("RISK-")


def has_screening_hit(codes: Iterable[str]) -> bool:
    return any(code in SCREENING_CODES for code in codes)


Finding = TypeVar("Finding")


def trader_findings(
    findings: Sequence[Finding],
    *,
    code: Callable[[Finding], str],
    risk_points: Callable[[Finding], int],
    neutral: Callable[[], Finding],
) -> list[Finding]:
    """The findings a trader may see, whatever their type (stored issue, the
    rule book's Issue, a manifest issue row).

    Without a screening hit: all of them. With one: the findings that are not
    risks (what to fix in the filing), and one neutral finding in place of
    every risk finding.
    """
    if not has_screening_hit(code(f) for f in findings):
        return list(findings)
    kept = [f for f in findings if not is_risk_finding(code(f), risk_points(f))]
    return [neutral(), *kept]


def trader_reason(
    *, reason: str, to_status: str, automatic: bool, screened: bool
) -> str:
    """A status change's reason as a trader may read it.

    Officers write their decisions' reasons for the declarant and those are
    shown as written. Automatic reasons are rule codes: on a declaration with a
    hit, those of a move into customs' hands (review) become the neutral
    sentence; a rejection's error codes stay, they say what to fix. A reason
    naming a screening code never passes.
    """
    if has_screening_hit(part.strip() for part in reason.split(";")):
        return neutral_reason()
    if screened and automatic and reason and to_status in OPEN_STATUSES:
        return neutral_reason()
    return reason


@dataclass(frozen=True)
class TraderView:
    """A declaration's findings and history as its filer may see them."""

    screened: bool
    in_customs_hands: bool
    issues: list[ValidationIssue]
    status_history: list[StatusChange]

    @property
    def note(self) -> str:
        """The neutral sentence to show beside the status, or ""."""
        return neutral_reason() if self.screened and self.in_customs_hands else ""

    @property
    def officer_message(self) -> StatusChange | None:
        """The latest decision an officer explained to the declarant."""
        decisions = (Status.RELEASED, Status.HELD, Status.REFUSED, Status.INVALIDATED)
        for change in reversed(self.status_history):
            if change.to_status in decisions and change.reason:
                return change
        return None


def _change_for_trader(change: StatusChange, screened: bool) -> StatusChange:
    automatic = not change.by_user_id and not change.by_api_key_id
    reason = trader_reason(
        reason=change.reason,
        to_status=change.to_status,
        automatic=automatic,
        screened=screened,
    )
    if reason == change.reason:
        return change
    shown = copy.copy(change)
    shown.reason = reason
    return shown


def trader_view(declaration: Declaration) -> TraderView:
    """What the declaration's filer may see of its findings and history.

    Reads the declaration's issues and status changes (prefetched by the
    trader selectors, so no query here).
    """
    stored = list(declaration.issues.all())
    screened = has_screening_hit(i.code for i in stored)
    issues = trader_findings(
        stored,
        code=lambda i: i.code,
        risk_points=lambda i: i.risk_points,
        neutral=lambda: ValidationIssue(
            declaration=declaration,
            code=NEUTRAL_CODE,
            severity=Severity.WARNING,
            field="",
            message=neutral_reason(),
        ),
    )
    history = [
        _change_for_trader(change, screened)
        for change in declaration.status_changes.all()
    ]
    return TraderView(
        screened=screened,
        in_customs_hands=declaration.status in OPEN_STATUSES,
        issues=issues,
        status_history=history,
    )

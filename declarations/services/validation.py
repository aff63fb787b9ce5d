"""Validation: the rule book over submitted declarations, in batches.

Each batch costs a fixed number of queries whatever its size: facts come from
`declarations.facts`, and issues, screening matches, status changes and audit
rows are written with bulk statements in one transaction.
"""

from collections.abc import Sequence
from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django_fsm import can_proceed

from declarations.api import rendering
from declarations.facts import (
    RateBook,
    consignment_facts_batch,
    declarations_for_facts,
    reference_data,
)
from declarations.identifiers import mrn_build
from declarations.models import (
    Declaration,
    ScreeningMatch,
    Status,
    StatusChange,
    ValidationIssue,
)
from declarations.rules.base import ConsignmentFacts, Issue
from declarations.services.lifecycle import status_changes_announce
from declarations.verdict import Verdict, verdict
from reference.rates import CustomsRate

CENT = Decimal("0.01")


def declaration_validate(
    *, declaration_id: int, language: str | None = None
) -> Declaration:
    """Validate one declaration (see `declarations_validate`)."""
    declarations_validate(declaration_ids=[declaration_id], language=language)
    return Declaration.objects.get(pk=declaration_id)


def declarations_validate(
    *, declaration_ids: Sequence[int], language: str | None = None
) -> dict[str, int]:
    """Run the rule book on submitted declarations; accept, reject or send to review.

    The issues' messages are written in `language` (the filer's, e.g. "fr"),
    or in the active language when it is None. Safe to run twice: only
    declarations still submitted or validating are touched, so a redelivered
    task does nothing. Returns counts per outcome.
    """
    with transaction.atomic():
        starting = list(
            Declaration.objects.select_for_update()
            .filter(pk__in=declaration_ids, status=Status.SUBMITTED)
            .order_by("pk")
        )
        transition_many(starting, "start_validation")
    with transaction.atomic():
        locked = list(
            Declaration.objects.select_for_update()
            .filter(pk__in=declaration_ids, status=Status.VALIDATING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        declarations = list(declarations_for_facts(locked).order_by("pk"))
        if not declarations:
            return {"accepted": 0, "rejected": 0, "under_review": 0}
        rates = RateBook()
        # Only the messages are in the filer's language; codes, audit reasons
        # and webhook payloads stay as they are.
        with translation.override(language) if language else nullcontext():
            facts = consignment_facts_batch(
                declarations,
                reference=reference_data(on=declarations[0].reference_date),
                rates=rates,
            )
            verdicts = [
                verdict(f, rates, review_threshold=settings.REVIEW_RISK_THRESHOLD)
                for f in facts
            ]
        _store_findings(declarations, [v.issues for v in verdicts])
        outcome = _decide(declarations, facts, verdicts, rates)
    # The filer polls for this outcome next: have its answer ready.
    rendering.render_ahead([d.pk for d in declarations])
    return outcome


def screening_match(declaration: Declaration, hit) -> ScreeningMatch:
    """The officer's record of one screening hit (a `ScreeningResult`)."""
    return ScreeningMatch(
        declaration=declaration,
        party=hit.party,
        screened_name=hit.screened_name[:300],
        listed_name=hit.listed_name[:500],
        matched_name=hit.matched_name[:500],
        source=hit.source,
        external_id=hit.external_id,
        kind=hit.kind,
        programmes=hit.programmes[:300],
        score=Decimal(str(round(hit.score, 1))),
        entry_id=hit.entry_id,
    )


def _store_findings(
    declarations: Sequence[Declaration], findings: Sequence[Sequence[Issue]]
) -> None:
    ids = [d.pk for d in declarations]
    ValidationIssue.objects.filter(declaration_id__in=ids).delete()
    ScreeningMatch.objects.filter(declaration_id__in=ids).delete()
    issues, matches = [], []
    for declaration, found in zip(declarations, findings, strict=True):
        items = {item.line: item for item in declaration.items.all()}
        for issue in found:
            issues.append(
                ValidationIssue(
                    declaration=declaration,
                    item=items.get(issue.item_line),
                    code=issue.code,
                    severity=issue.severity,
                    field=issue.field,
                    message=issue.message,
                    risk_points=issue.risk_points,
                )
            )
            if hit := issue.screening:
                matches.append(screening_match(declaration, hit))
    ValidationIssue.objects.bulk_create(issues, batch_size=2000)
    ScreeningMatch.objects.bulk_create(matches, batch_size=2000)


def _decide(
    declarations: Sequence[Declaration],
    facts: Sequence[ConsignmentFacts],
    verdicts: Sequence[Verdict],
    rates: RateBook,
) -> dict[str, int]:
    rejected, accepted, review, reasons = [], [], [], {}
    for declaration, fact, judged in zip(declarations, facts, verdicts, strict=True):
        _record_values(declaration, fact, judged, rates)
        declaration.risk_score = judged.risk_score
        reasons[declaration.pk] = judged.reason
        if judged.outcome == Status.REJECTED:
            rejected.append(declaration)
        else:
            accepted.append(declaration)
            if judged.outcome == Status.UNDER_REVIEW:
                review.append(declaration)
    for declaration, mrn in zip(accepted, mrns_issue(count=len(accepted)), strict=True):
        declaration.mrn = mrn
    # Values first (the MRN too): the status changes below then find them set.
    Declaration.objects.bulk_update(
        declarations,
        ["mrn", "risk_score", "exchange_rate", "exchange_rate_date",
         "intrinsic_value_eur", "additional_procedure_code", "computation",
         *AMOUNT_FIELDS],
        batch_size=2000,
    )  # fmt: skip
    transition_many(rejected, "reject", reasons=reasons)
    transition_many(accepted, "accept")
    _retire_previous_versions(accepted)
    transition_many(review, "send_to_review", reasons=reasons)
    return {
        "accepted": len(accepted) - len(review),
        "rejected": len(rejected),
        "under_review": len(review),
    }


def _retire_previous_versions(accepted: Sequence[Declaration]) -> None:
    """An accepted amendment invalidates the version it replaces."""
    replaced = {d.previous_version_id: d for d in accepted if d.previous_version_id}
    if not replaced:
        return
    previous = list(
        Declaration.objects.select_for_update()
        .filter(pk__in=replaced, status=Status.ACCEPTED)
        .order_by("pk")
    )
    transition_many(
        previous,
        "invalidate",
        reasons={
            p.pk: f"Replaced by version {replaced[p.pk].version} "
            f"(MRN {replaced[p.pk].mrn})"
            for p in previous
        },
    )


def _record_values(
    declaration: Declaration, fact: ConsignmentFacts, judged: Verdict, rates: RateBook
) -> None:
    rate = rates.get(fact.currency, fact.on)
    if isinstance(rate, CustomsRate):
        declaration.exchange_rate = rate.rate
        declaration.exchange_rate_date = rate.ecb_date
    quote = judged.quote
    declaration.computation = quote.as_dict() if quote else None
    for field in AMOUNT_FIELDS:
        setattr(declaration, field, getattr(quote, field) if quote else None)
    value = fact.intrinsic_value_eur
    declaration.intrinsic_value_eur = (
        value.quantize(CENT) if value is not None else None
    )
    if not declaration.additional_procedure_code:
        declaration.additional_procedure_code = judged.procedure_code


AMOUNT_FIELDS = (
    "customs_value_eur", "customs_duty_eur", "import_vat_eur", "fees_eur",
    "total_due_eur",
)  # fmt: skip


def transition_many(
    declarations: Sequence[Declaration],
    action: str,
    *,
    reasons: dict[int, str] | None = None,
) -> None:
    """One automatic transition for many locked declarations, with audit rows,
    in two statements instead of two per declaration."""
    changes = []
    now = timezone.now()
    for declaration in declarations:
        method = getattr(declaration, action)
        if not can_proceed(method):
            raise ValueError(
                f"{declaration.pk} cannot {action} from {declaration.status}"
            )
        from_status = declaration.status
        method()
        declaration.updated_at = now
        changes.append(
            StatusChange(
                declaration=declaration,
                from_status=from_status,
                to_status=declaration.status,
                reason=(reasons or {}).get(declaration.pk, ""),
                at=now,
            )
        )
    if not declarations:
        return
    Declaration.objects.bulk_update(
        declarations, ["status", "updated_at", "decided_at"], batch_size=2000
    )
    StatusChange.objects.bulk_create(changes, batch_size=2000)
    status_changes_announce(list(zip(declarations, changes, strict=True)))


def mrns_issue(*, count: int) -> list[str]:
    """`count` new MRNs: year, BE, 13 characters from a database sequence, and the
    check character. One query for any count."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('declarations_mrn_serial') FROM generate_series(1, %s)",
            [count],
        )
        serials = [row[0] for row in cursor.fetchall()]
    year = timezone.localdate().year
    return [
        mrn_build(year=year, country="BE", serial=_base36(s).rjust(13, "0"))
        for s in serials
    ]


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out

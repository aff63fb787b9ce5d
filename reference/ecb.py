"""Read the ECB's euro reference rate files (XML, CSV, zip) and load them."""

import csv
import io
import logging
import re
import tempfile
import urllib.request
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.db import connection, transaction
from django.utils import timezone

from reference.models import EcbRate
from reference.rates import rates_cache_clear

logger = logging.getLogger(__name__)

# Where the ECB publishes its full history; the usual value of ECB_RATES_URL.
ECB_HIST_ZIP_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
FETCH_TIMEOUT_SECONDS = 30
# The full history is about 0.6 MB as CSV: anything far bigger is not an ECB
# file, and must not fill the worker's memory or disk.
MAX_FILE_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 1 << 16
BATCH_SIZE = 5000

EXPECTED_LAYOUTS = (
    "the ECB's daily or history XML (eurofxref-daily.xml, eurofxref-hist-90d.xml, "
    "eurofxref-hist.xml), its history CSV (eurofxref-hist.csv) or the zip that "
    "holds it (eurofxref-hist.zip)"
)
GESMES_ENVELOPE = "{http://www.gesmes.org/xml/2002-08-01}Envelope"
EUROFXREF_CUBE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}Cube"
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
# Rates are stored as NUMERIC(18, 8).
MAX_RATE = Decimal("1e10")

EcbRates = dict[date, dict[str, Decimal]]


class EcbFileError(ValueError):
    """A file that is not an ECB reference rates file, or not a readable one."""


def _not_ecb(name: str, why: str = "") -> EcbFileError:
    because = f" ({why})" if why else ""
    return EcbFileError(
        f"{name} is not an ECB reference rates file{because}: expected "
        f"{EXPECTED_LAYOUTS}."
    )


def _rate(*, name: str, day: date, currency: str, value: str) -> Decimal:
    if not CURRENCY_CODE.match(currency):
        raise EcbFileError(f"{name}: {currency!r} on {day} is not a currency code.")
    try:
        rate = Decimal(value)
    except InvalidOperation as error:
        raise EcbFileError(
            f"{name}: the {currency} rate on {day} is {value!r}, not a number."
        ) from error
    if not rate.is_finite() or not 0 < rate < MAX_RATE or rate != round(rate, 8):
        raise EcbFileError(
            f"{name}: the {currency} rate on {day} is {value!r}, not a rate."
        )
    return rate


def _day(*, name: str, value: str) -> date:
    value = value.strip()
    # The history files write 2026-11-18; the daily CSV writes 18 November 2026.
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d %B %Y")):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed.date() if isinstance(parsed, datetime) else parsed
    raise EcbFileError(f"{name}: {value!r} is not a date.")


def ecb_xml_parse(*, data: bytes, name: str) -> EcbRates:
    """Rates of the ECB's XML: the daily, the 90-day or the full-history file.

    Each is a gesmes envelope holding one `<Cube time="YYYY-MM-DD">` per day,
    with one `<Cube currency="USD" rate="1.0845"/>` per published currency.
    """
    try:
        root: Element = fromstring(data)
    except (ParseError, DefusedXmlException) as error:
        raise _not_ecb(name, f"XML that cannot be read: {error}") from error
    if root.tag != GESMES_ENVELOPE:
        raise _not_ecb(name, f"its XML root is {root.tag}")
    rates: EcbRates = {}
    for cube in root.iter(EUROFXREF_CUBE):
        if "time" not in cube.attrib:
            continue
        day = _day(name=name, value=cube.attrib["time"])
        rates[day] = {
            currency: _rate(name=name, day=day, currency=currency, value=value)
            for child in cube
            if (currency := child.get("currency", "").strip())
            and (value := child.get("rate", "").strip())
        }
    if not rates:
        raise _not_ecb(name, "its XML holds no <Cube time=...> day")
    return rates


def ecb_csv_parse(*, text: str, name: str) -> EcbRates:
    """Rates of the ECB's CSV: `Date,USD,JPY,...,` then one row per day.

    `N/A` or an empty cell is a rate the ECB did not publish that day; each
    line ends with a comma.
    """
    reader = csv.reader(io.StringIO(text))
    header = [column.strip() for column in next(reader, [])]
    if not header or header[0] != "Date":
        raise _not_ecb(name, "its first column is not Date")
    rates: EcbRates = {}
    for row in reader:
        if not row or not row[0].strip():
            continue
        day = _day(name=name, value=row[0])
        rates[day] = {
            currency: _rate(name=name, day=day, currency=currency, value=value)
            for currency, value in zip(
                header[1:], (cell.strip() for cell in row[1:]), strict=False
            )
            if currency and value and value != "N/A"
        }
    if not rates:
        raise _not_ecb(name, "its CSV holds no day")
    return rates


def _zip_csv(*, path: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith(".csv")]
            if len(members) != 1:
                raise _not_ecb(name, "a zip that does not hold exactly one CSV")
            if members[0].file_size > MAX_FILE_BYTES:
                raise EcbFileError(f"{name} unpacks to more than {MAX_FILE_BYTES} B.")
            with archive.open(members[0]) as member:
                data = member.read(MAX_FILE_BYTES + 1)
    except zipfile.BadZipFile as error:
        raise _not_ecb(name, f"a damaged zip: {error}") from error
    if len(data) > MAX_FILE_BYTES:
        raise EcbFileError(f"{name} unpacks to more than {MAX_FILE_BYTES} B.")
    return _text(data=data, name=name)


def _text(*, data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_ecb(name, "text that is not UTF-8") from error


def ecb_rates_parse(*, path: Path, name: str = "") -> EcbRates:
    """Rates of any ECB reference rates file, told apart by its content.

    Raises EcbFileError naming the expected layouts for any other file.
    """
    name = name or path.name
    if path.stat().st_size > MAX_FILE_BYTES:
        raise EcbFileError(f"{name} is larger than {MAX_FILE_BYTES} B.")
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return ecb_csv_parse(text=_zip_csv(path=path, name=name), name=name)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return ecb_xml_parse(data=data, name=name)
    if start.startswith(b"Date"):
        return ecb_csv_parse(text=_text(data=data, name=name), name=name)
    raise _not_ecb(name)


# One statement per batch; the WHERE leaves rows whose rate is unchanged alone,
# so the row count is what was written and a second load of a file writes 0.
_UPSERT = """
INSERT INTO {table} (currency, day, rate, source, loaded_at)
SELECT t.currency, t.day, t.rate, %s, %s
FROM unnest(%s::varchar[], %s::date[], %s::numeric[]) AS t(currency, day, rate)
ON CONFLICT (currency, day) DO UPDATE
SET rate = EXCLUDED.rate, source = EXCLUDED.source, loaded_at = EXCLUDED.loaded_at
WHERE {table}.rate IS DISTINCT FROM EXCLUDED.rate
"""


@transaction.atomic
def ecb_rates_load(*, path: Path, source: str) -> int:
    """Store the rates of an ECB file; return the rows inserted or changed.

    `source` says where the file came from ("upload eurofxref-hist.zip", a
    URL). Safe to run twice: rates already stored are not written again.
    Raises EcbFileError for a file that is not an ECB reference rates file.
    """
    rates = ecb_rates_parse(path=path, name=source)
    rows = sorted(
        (currency, day, rate)
        for day, published in rates.items()
        for currency, rate in published.items()
    )
    sql = _UPSERT.format(table=connection.ops.quote_name(EcbRate._meta.db_table))
    loaded_at = timezone.now()
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            currencies, days, values = zip(*batch, strict=True)
            cursor.execute(
                sql, [source, loaded_at, list(currencies), list(days), list(values)]
            )
            written += cursor.rowcount
    if written:
        # This process sees the new rates at once; other processes forget a
        # missing rate after MISSING_RATE_TTL_SECONDS (reference.rates).
        rates_cache_clear()
        transaction.on_commit(rates_cache_clear)
    logger.info(
        "ECB rates of %s to %s from %s: %d of %d rows written",
        min(rates),
        max(rates),
        source,
        written,
        len(rows),
    )
    return written


def ecb_rates_fetch(*, url: str) -> int:
    """Download an ECB file from `url` (http or https) and load it.

    Raises URLError or OSError on network trouble (worth a retry), and
    EcbFileError when the answer is too large or not an ECB file.
    """
    if not url.startswith(("http://", "https://")):
        raise EcbFileError(f"Not an http(s) URL: {url!r}.")
    request = urllib.request.Request(url, headers={"User-Agent": "customs-portal"})
    with tempfile.TemporaryDirectory(prefix="ecb-") as directory:
        target = Path(directory) / "ecb-rates"
        with (
            urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response,
            target.open("wb") as file,
        ):
            size = 0
            while chunk := response.read(CHUNK_BYTES):
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise EcbFileError(f"{url} is larger than {MAX_FILE_BYTES} B.")
                file.write(chunk)
        return ecb_rates_load(path=target, source=url)

"""Tests of loading the ECB's rate files and the customs rates they make available."""

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from reference.ecb import EcbFileError, ecb_rates_load, ecb_rates_parse
from reference.models import EcbRate
from reference.rates import (
    RateUnavailable,
    customs_rate,
    penultimate_wednesday,
    rates_cache_clear,
    to_eur,
)
from reference.tasks import fetch_ecb_rates

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
DAILY_XML = DATA / "eurofxref-daily.xml"
HIST_CSV = DATA / "eurofxref-hist.csv"
HIST_ZIP = DATA / "eurofxref-hist.zip"
DECEMBER_2026 = date(2026, 12, 10)

MULTI_DAY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject>
<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
<Cube>
<Cube time="2026-11-19"><Cube currency="USD" rate="1.1071"/>
<Cube currency="JPY" rate="174.33"/></Cube>
<Cube time="2026-11-18"><Cube currency="USD" rate="1.1089"/>
<Cube currency="JPY" rate="174.52"/></Cube>
<Cube time="2026-11-17"><Cube currency="USD" rate="1.1054"/></Cube>
</Cube>
</gesmes:Envelope>
"""


@pytest.fixture(autouse=True)
def _fresh_rates_cache() -> Iterator[None]:
    """Rates cached by one test would outlive its rolled-back rows."""
    rates_cache_clear()
    yield
    rates_cache_clear()


def test_penultimate_wednesday_of_november_2026_is_the_18th() -> None:
    """November 2026's Wednesdays are the 4th, 11th, 18th and 25th."""
    wednesdays = [
        date(2026, 11, d) for d in range(1, 31) if date(2026, 11, d).weekday() == 2
    ]
    assert wednesdays[-2] == date(2026, 11, 18)
    assert penultimate_wednesday(year=2026, month=11) == date(2026, 11, 18)


def test_daily_xml_parses() -> None:
    """The ECB's eurofxref-daily.xml gives one day of rates."""
    rates = ecb_rates_parse(path=DAILY_XML)

    assert list(rates) == [date(2026, 11, 18)]
    assert rates[date(2026, 11, 18)]["USD"] == Decimal("1.1089")
    assert rates[date(2026, 11, 18)]["IDR"] == Decimal("20195.44")
    assert len(rates[date(2026, 11, 18)]) == 29


def test_multi_day_xml_parses(tmp_path: Path) -> None:
    """The 90-day and full-history XML give one block per day."""
    path = tmp_path / "eurofxref-hist-90d.xml"
    path.write_text(MULTI_DAY_XML)

    rates = ecb_rates_parse(path=path)

    assert sorted(rates) == [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)]
    assert rates[date(2026, 11, 17)] == {"USD": Decimal("1.1054")}
    assert rates[date(2026, 11, 19)]["JPY"] == Decimal("174.33")


def test_history_csv_parses_skipping_not_published_rates() -> None:
    """N/A cells and the trailing comma of each line are no rate."""
    rates = ecb_rates_parse(path=HIST_CSV)

    assert len(rates) == 5
    assert rates[date(2026, 11, 18)] == {
        "USD": Decimal("1.1089"),
        "JPY": Decimal("174.52"),
        "GBP": Decimal("0.83415"),
    }
    assert rates[date(2026, 11, 17)]["CNY"] == Decimal("7.3899")


def test_history_zip_parses_like_its_csv() -> None:
    """eurofxref-hist.zip holds the same rates as its CSV."""
    assert ecb_rates_parse(path=HIST_ZIP) == ecb_rates_parse(path=HIST_CSV)


def test_the_layout_is_told_by_content_not_name(tmp_path: Path) -> None:
    """A zip saved without its extension (a download) still loads."""
    path = tmp_path / "download"
    shutil.copy(HIST_ZIP, path)
    assert ecb_rates_parse(path=path) == ecb_rates_parse(path=HIST_CSV)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rates.pdf", b"%PDF-1.7 not rates"),
        ("other.xml", b"<?xml version='1.0'?><rates><rate/></rates>"),
        ("broken.xml", b"<gesmes:Envelope"),
        ("broken.zip", b"PK\x03\x04 not really a zip"),
        ("other.csv", b"Day,USD\n2026-11-18,1.1\n"),
    ],
)
def test_a_file_of_another_layout_is_refused_naming_the_expected_ones(
    tmp_path: Path, name: str, content: bytes
) -> None:
    """The error names the file and the ECB layouts that are read."""
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(EcbFileError) as raised:
        ecb_rates_load(path=path, source=f"upload {name}")

    message = str(raised.value)
    assert message.startswith(f"upload {name} is not an ECB reference rates file")
    assert "eurofxref-daily.xml" in message
    assert "eurofxref-hist.csv" in message
    assert "eurofxref-hist.zip" in message
    assert not EcbRate.objects.exists()


def test_a_rate_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    """A damaged cell names its currency and day; nothing is stored."""
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text("Date,USD,\n2026-11-18,1.10,\n2026-11-17,abc,\n")

    with pytest.raises(EcbFileError, match="USD rate on 2026-11-17 is 'abc'"):
        ecb_rates_load(path=path, source="upload eurofxref-hist.csv")
    assert not EcbRate.objects.exists()


def test_load_is_idempotent() -> None:
    """A second load of the same file writes nothing; another file adds its news."""
    assert ecb_rates_load(path=HIST_ZIP, source="upload eurofxref-hist.zip") == 19
    assert ecb_rates_load(path=HIST_ZIP, source="upload eurofxref-hist.zip") == 0
    # The daily file repeats USD, JPY and GBP of the 18th, and adds 26 more.
    assert ecb_rates_load(path=DAILY_XML, source="upload eurofxref-daily.xml") == 26

    usd = EcbRate.objects.get(currency="USD", day=date(2026, 11, 18))
    assert usd.rate == Decimal("1.1089")
    assert usd.source == "upload eurofxref-hist.zip"
    assert EcbRate.objects.count() == 45


def test_a_corrected_rate_replaces_the_stored_one(tmp_path: Path) -> None:
    """A file with a different rate for a stored day updates that row only."""
    ecb_rates_load(path=HIST_CSV, source="upload eurofxref-hist.csv")
    corrected = tmp_path / "eurofxref-hist.csv"
    corrected.write_text("Date,USD,JPY,\n2026-11-18,1.1090,174.52,\n")

    assert ecb_rates_load(path=corrected, source="upload corrected") == 1
    usd = EcbRate.objects.get(currency="USD", day=date(2026, 11, 18))
    assert (usd.rate, usd.source) == (Decimal("1.1090"), "upload corrected")


def test_december_2026_is_unavailable_until_an_ecb_file_is_loaded() -> None:
    """The message names the currency, the month, the last date known and a fix."""
    with pytest.raises(RateUnavailable) as raised:
        customs_rate(currency="USD", on=DECEMBER_2026)

    assert str(raised.value) == (
        "No ECB customs rate for USD in December 2026: it is the ECB rate of "
        "Wednesday 2026-11-18, and the ECB rates known end on 2026-10-30. "
        "Upload the ECB's eurofxref-hist.zip or daily XML, or set ECB_RATES_URL."
    )


def test_december_2026_uses_the_loaded_rate_of_18_november() -> None:
    """Once the daily XML of 18 November 2026 is loaded, December has its rate."""
    with pytest.raises(RateUnavailable):
        customs_rate(currency="USD", on=DECEMBER_2026)

    ecb_rates_load(path=DAILY_XML, source="upload eurofxref-daily.xml")
    rate = customs_rate(currency="USD", on=DECEMBER_2026)

    assert (rate.rate, rate.ecb_date, rate.month) == (
        Decimal("1.1089"),
        date(2026, 11, 18),
        date(2026, 12, 1),
    )
    assert to_eur(amount=Decimal("110.89"), currency="USD", on=DECEMBER_2026) == (
        Decimal(100)
    )
    assert str(rate.rate) == "1.1089"  # as the ECB wrote it, not 1.10890000


def test_no_rate_on_the_wednesday_uses_the_latest_earlier_loaded_rate() -> None:
    """CNY is N/A on 18 November in the file: 17 November's rate counts."""
    ecb_rates_load(path=HIST_ZIP, source="upload eurofxref-hist.zip")

    rate = customs_rate(currency="CNY", on=DECEMBER_2026)

    assert (rate.rate, rate.ecb_date) == (Decimal("7.3899"), date(2026, 11, 17))


def test_a_currency_missing_from_the_loaded_day_is_said_plainly() -> None:
    """RUB is not published: December 2026 says so instead of a stale rate."""
    ecb_rates_load(path=HIST_ZIP, source="upload eurofxref-hist.zip")

    with pytest.raises(RateUnavailable) as raised:
        customs_rate(currency="RUB", on=DECEMBER_2026)

    assert str(raised.value) == (
        "No ECB customs rate for RUB in December 2026: the ECB published no RUB "
        "rate in the 14 days up to 2026-11-18."
    )


def test_a_currency_the_ecb_does_not_publish_is_named_as_such() -> None:
    """AED in December 2026 is not a missing file: the ECB never publishes it."""
    with pytest.raises(RateUnavailable, match="no reference rate for AED"):
        customs_rate(currency="AED", on=DECEMBER_2026)


def test_rates_after_a_gap_do_not_stand_in_for_the_missing_wednesday(
    tmp_path: Path,
) -> None:
    """Daily files of the 17th and the 20th leave the 18th unknown, not the 17th's."""
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text("Date,USD,\n2026-11-20,1.1102,\n2026-11-17,1.1054,\n")
    ecb_rates_load(path=path, source="upload eurofxref-hist.csv")

    with pytest.raises(RateUnavailable) as raised:
        customs_rate(currency="USD", on=DECEMBER_2026)

    assert "Wednesday 2026-11-18" in str(raised.value)
    assert "the latest is of 2026-11-20" in str(raised.value)


def test_loaded_rates_come_before_the_bundled_history() -> None:
    """A loaded rate for a month the bundled file covers is the one used."""
    EcbRate.objects.create(
        currency="USD",
        day=date(2025, 2, 19),
        rate=Decimal("1.0435"),
        source="test",
        loaded_at="2026-11-21T10:00:00Z",
    )
    rate = customs_rate(currency="USD", on=date(2025, 3, 17))
    assert (rate.rate, rate.ecb_date) == (Decimal("1.0435"), date(2025, 2, 19))


def test_bundled_history_still_answers_the_months_it_covers() -> None:
    """With no rows loaded, March 2025 still has the bundled 19 February rate."""
    rate = customs_rate(currency="USD", on=date(2025, 3, 17))
    assert (rate.rate, rate.ecb_date) == (Decimal("1.0434"), date(2025, 2, 19))


def test_one_query_per_currency_and_month() -> None:
    """The rule engine's repeated asks for a currency and month cost one query."""
    ecb_rates_load(path=DAILY_XML, source="upload eurofxref-daily.xml")

    with CaptureQueriesContext(connection) as queries:
        for day in (1, 10, 31):
            customs_rate(currency="USD", on=date(2026, 12, day))
            customs_rate(currency="JPY", on=date(2026, 12, day))
            customs_rate(currency="EUR", on=date(2026, 12, day))

    assert len(queries) == 2


def test_fetch_task_loads_the_xml_from_a_url() -> None:
    """fetch_ecb_rates downloads the daily XML over http and stores it."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(DATA)
    )
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/eurofxref-daily.xml"
        written = fetch_ecb_rates.apply(args=(url,)).get()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert written == 29
    usd = EcbRate.objects.get(currency="USD", day=date(2026, 11, 18))
    assert usd.source == url
    assert customs_rate(currency="USD", on=DECEMBER_2026).rate == Decimal("1.1089")


def test_fetch_task_uses_ecb_rates_url(settings, tmp_path: Path) -> None:
    """Without an argument the task reads ECB_RATES_URL; unset, it says so."""
    settings.ECB_RATES_URL = ""
    with pytest.raises(EcbFileError, match="ECB_RATES_URL is not set"):
        fetch_ecb_rates.apply(throw=True).get()


def test_load_ecb_rates_command_loads_a_file() -> None:
    """`manage.py load_ecb_rates PATH` stores the file's rates."""
    call_command("load_ecb_rates", str(HIST_ZIP))
    assert EcbRate.objects.filter(day=date(2026, 11, 18)).count() == 3


# The admin alone, so these tests do not depend on the rest of the portal's URLs.
urlpatterns = [path("admin/", admin.site.urls)]
admin_urls = pytest.mark.urls(__name__)


@pytest.fixture
def admin_client_superuser() -> Client:
    user = get_user_model().objects.create_superuser(
        username="ecb-admin", email="ecb-admin@example.com", password="x"
    )
    client = Client()
    client.force_login(user)
    return client


@admin_urls
def test_admin_upload_loads_a_file(admin_client_superuser: Client) -> None:
    """A superuser uploads eurofxref-hist.zip and is told the rows written."""
    url = reverse("admin:reference_ecbrate_upload")
    assert admin_client_superuser.get(url).status_code == 200

    with HIST_ZIP.open("rb") as file:
        response = admin_client_superuser.post(url, {"file": file}, follow=True)

    assert response.status_code == 200
    assert "19 ECB rates written from eurofxref-hist.zip." in response.content.decode()
    assert EcbRate.objects.filter(source="upload eurofxref-hist.zip").count() == 19
    changelist = admin_client_superuser.get(
        reverse("admin:reference_ecbrate_changelist")
    )
    assert "Upload ECB file" in changelist.content.decode()


@admin_urls
def test_admin_upload_reports_a_wrong_file(
    admin_client_superuser: Client, tmp_path: Path
) -> None:
    """A file of another layout is refused with the error message on the form."""
    path = tmp_path / "rates.txt"
    path.write_text("hello")
    with path.open("rb") as file:
        response = admin_client_superuser.post(
            reverse("admin:reference_ecbrate_upload"), {"file": file}
        )

    assert response.status_code == 200
    assert "upload rates.txt is not an ECB reference rates file" in (
        response.content.decode()
    )
    assert not EcbRate.objects.exists()


@admin_urls
def test_admin_upload_needs_the_add_permission() -> None:
    """Staff without the add permission on ECB rates cannot upload."""
    user = get_user_model().objects.create_user(
        username="ecb-staff", password="x", is_staff=True
    )
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:reference_ecbrate_upload")).status_code == 403

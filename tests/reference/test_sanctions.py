"""Tests of the sanctions list importers, the refresh task and load_sanctions."""

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from urllib.error import URLError

import pytest
from django.core.management import call_command

from reference import tasks
from reference.models import SanctionsAlias, SanctionsEntry, SanctionsList
from reference.sanctions import (
    SanctionsImportError,
    sanctions_import_eu_xml,
    sanctions_import_ofac_csv,
    sanctions_load_shipped,
)
from reference.tasks import refresh_sanctions_list

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
OFAC_SAMPLE = DATA / "ofac-sdn-sample.csv"
EU_SAMPLE = DATA / "eu-fsf-sample.xml"
OFAC = SanctionsList.Source.OFAC_SDN
EU = SanctionsList.Source.EU_FSF


def _active(source: str) -> SanctionsList:
    return SanctionsList.objects.get(source=source, is_active=True)


@pytest.fixture
def newer_ofac(tmp_path: Path) -> Path:
    """The sample OFAC file with one more listed entity, as a later publication."""
    path = tmp_path / "sdn.csv"
    text = OFAC_SAMPLE.read_text(encoding="utf-8").rstrip("\x1a")
    path.write_text(
        text + '99999,"NEW LISTED TRADING CO., LTD.",-0- ,"IRAN",-0- ,-0- ,-0- ,'
        "-0- ,-0- ,-0- ,-0- ,-0- \r\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def file_server() -> Iterator[str]:
    """A real HTTP server on the loopback interface serving tests/reference/data."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_shipped_ofac_file_is_imported_whole_with_its_aliases() -> None:
    """All 14,965 entries of the shipped SDN file are stored, with their a.k.a.s."""
    sanctions_list = sanctions_load_shipped()

    assert sanctions_list is not None
    assert sanctions_list.is_active
    assert sanctions_list.published_on == date(2024, 5, 3)
    assert sanctions_list.entry_count == 14965
    assert sanctions_list.entries.count() == 14965
    entry = sanctions_list.entries.get(external_id="4108")
    assert entry.name == "RODRIGUEZ OREJUELA, Miguel Angel"
    assert entry.kind == "individual"
    assert entry.programmes == "SDNT"
    aliases = set(entry.aliases.values_list("name", flat=True))
    assert {"EL SENOR", "PATRICIA", "MIKE", "DOCTOR M.R.O."} <= aliases
    assert len(aliases) == 10
    assert not entry.aliases.filter(is_strong=True).exists()
    assert sanctions_list.entries.get(external_id="173").kind == "entity"
    assert sanctions_list.entries.get(external_id="4243").kind == "vessel"
    kinds = set(sanctions_list.entries.values_list("kind", flat=True))
    assert kinds == {"individual", "entity", "vessel", "aircraft"}


def test_loading_the_shipped_list_again_does_nothing() -> None:
    """With an OFAC list active, sanctions_load_shipped imports nothing."""
    sanctions_import_ofac_csv(path=OFAC_SAMPLE, published_on=date(2024, 5, 1))

    assert sanctions_load_shipped() is None
    assert SanctionsList.objects.filter(source=OFAC).count() == 1


def test_ofac_columns_and_aliases_are_read() -> None:
    """Programmes, remarks and f.k.a./a.k.a. names (with apostrophes) are kept."""
    sanctions_list = sanctions_import_ofac_csv(
        path=OFAC_SAMPLE, published_on=date(2024, 5, 3)
    )

    assert sanctions_list.entry_count == 7
    lashkar = SanctionsEntry.objects.get(list=sanctions_list, external_id="7140")
    assert lashkar.programmes == "FTO; SDGT"
    assert lashkar.remarks == "a.k.a. 'JUD'; a.k.a. 'TAJK'; a.k.a. 'MML'."
    vessel = SanctionsEntry.objects.get(list=sanctions_list, external_id="4243")
    assert set(vessel.aliases.values_list("name", flat=True)) == {"ANA I", "SAND SWAN"}
    marzook = SanctionsEntry.objects.get(list=sanctions_list, external_id="3754")
    assert list(marzook.aliases.values_list("name", flat=True)) == ["ABU-'UMAR"]
    assert SanctionsEntry.objects.get(external_id="36").remarks == ""


def test_eu_file_is_imported_from_its_xml_layout() -> None:
    """Persons become individuals, enterprises entities; every wholeName is kept."""
    sanctions_list = sanctions_import_eu_xml(path=EU_SAMPLE)

    assert sanctions_list.source == EU
    assert sanctions_list.is_active
    assert sanctions_list.published_on == date(2024, 5, 2)
    assert sanctions_list.entry_count == 3
    saddam = sanctions_list.entries.get(external_id="13")
    assert saddam.kind == "individual"
    assert saddam.name == "Saddam Hussein Al-Tikriti"
    assert saddam.reference == "EU.7479.86"
    assert saddam.programmes == "IRQ"
    assert saddam.remarks == "UNSC RESOLUTION 1483"
    assert list(saddam.aliases.values_list("name", "is_strong")) == [("Abu Ali", False)]
    company = sanctions_list.entries.get(external_id="152331")
    assert company.kind == "entity"
    assert company.name == "Alfa Komponent LLC"  # the first strong name
    assert company.programmes == "RUS; UKR"
    assert set(company.aliases.values_list("name", flat=True)) == {
        "OOO Alfa Komponent",
        "Обществo с ограниченной ответственностью «Альфа Компонент»",
    }
    lavrov = sanctions_list.entries.get(external_id="140725")
    assert lavrov.name == "Сергей Викторович Лавров"
    assert lavrov.aliases.get().name == "Sergey Viktorovich LAVROV"


def test_a_new_import_replaces_the_active_list_of_its_source_only(
    newer_ofac: Path,
) -> None:
    """The newer OFAC list becomes active, the older inactive; EU is untouched."""
    eu = sanctions_import_eu_xml(path=EU_SAMPLE)
    older = sanctions_import_ofac_csv(path=OFAC_SAMPLE, published_on=date(2024, 5, 1))

    newer = sanctions_import_ofac_csv(path=newer_ofac, published_on=date(2024, 5, 3))

    older.refresh_from_db()
    eu.refresh_from_db()
    assert newer.is_active and not older.is_active and eu.is_active
    assert _active(OFAC) == newer
    assert newer.entry_count == 8
    assert older.entries.count() == 7  # kept, for the record


def test_the_same_file_twice_is_stored_once() -> None:
    """Re-running an import of an unchanged file is a no-op."""
    first = sanctions_import_ofac_csv(path=OFAC_SAMPLE, published_on=date(2024, 5, 3))
    second = sanctions_import_ofac_csv(path=OFAC_SAMPLE, published_on=date(2024, 5, 3))

    assert second == first
    assert SanctionsEntry.objects.count() == 7


@pytest.mark.parametrize(
    "content",
    [
        "this is not, an SDN file\n",
        '1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,"B"\n',
        '1,"SPACESHIP",spaceship,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',
        "",
    ],
    ids=["not-csv", "truncated", "unknown-type", "empty"],
)
def test_an_unreadable_ofac_file_leaves_the_previous_list_active(
    tmp_path: Path, content: str
) -> None:
    """A bad file raises a clear error; nothing of it is stored."""
    previous = sanctions_import_ofac_csv(
        path=OFAC_SAMPLE, published_on=date(2024, 5, 1)
    )
    bad = tmp_path / "sdn.csv"
    bad.write_text(content, encoding="utf-8")

    with pytest.raises(SanctionsImportError):
        sanctions_import_ofac_csv(path=bad, published_on=date(2024, 5, 3))

    assert _active(OFAC) == previous
    assert SanctionsList.objects.count() == 1
    assert SanctionsEntry.objects.count() == 7


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist names the file in the error."""
    with pytest.raises(SanctionsImportError, match="missing.csv"):
        sanctions_import_ofac_csv(
            path=tmp_path / "missing.csv", published_on=date(2024, 5, 3)
        )


@pytest.mark.parametrize(
    "content",
    [
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-'
        '05-02T18:14:17"><sanctionEntity logicalId="1"><subjectType code="person"/>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;">]><export generationDate="2024-05-02">&b;'
        "</export>",
    ],
    ids=["truncated", "entity-expansion"],
)
def test_an_unreadable_eu_file_leaves_the_previous_list_active(
    tmp_path: Path, content: str
) -> None:
    """Truncated XML, and XML with entity declarations, are refused whole."""
    previous = sanctions_import_eu_xml(path=EU_SAMPLE)
    bad = tmp_path / "eu.xml"
    bad.write_text(content, encoding="utf-8")

    with pytest.raises(SanctionsImportError):
        sanctions_import_eu_xml(path=bad)

    assert _active(EU) == previous
    assert SanctionsEntry.objects.count() == 3


def test_refresh_task_downloads_the_list_over_http(file_server: str) -> None:
    """The task fetches the EU file from a URL and makes it the active list."""
    list_id = refresh_sanctions_list("EU-FSF", f"{file_server}/eu-fsf-sample.xml")

    assert _active(EU).pk == list_id
    assert SanctionsEntry.objects.filter(list_id=list_id).count() == 3


def test_refresh_task_dates_an_ofac_download_by_its_last_modified(
    file_server: str,
) -> None:
    """An OFAC file fetched over HTTP is dated by the server's Last-Modified."""
    list_id = refresh_sanctions_list.apply(
        args=("OFAC-SDN", f"{file_server}/ofac-sdn-sample.csv")
    ).get()

    sanctions_list = SanctionsList.objects.get(pk=list_id)
    assert sanctions_list.is_active
    assert sanctions_list.entry_count == 7
    mtime = OFAC_SAMPLE.stat().st_mtime
    assert sanctions_list.published_on == datetime.fromtimestamp(mtime, UTC).date()


def test_refresh_task_reads_a_local_path() -> None:
    """A file path is imported as it is."""
    list_id = refresh_sanctions_list("OFAC-SDN", str(OFAC_SAMPLE))

    assert _active(OFAC).pk == list_id


def test_refresh_task_uses_the_configured_url(file_server: str, settings) -> None:
    """Without a location the task reads SANCTIONS_EU_URL."""
    settings.SANCTIONS_EU_URL = f"{file_server}/eu-fsf-sample.xml"

    list_id = refresh_sanctions_list("EU-FSF")

    assert _active(EU).pk == list_id


def test_refresh_task_fails_on_a_missing_url_and_keeps_the_list(
    file_server: str,
) -> None:
    """A 404 is a network error (retried by Celery); the active list stays."""
    previous = sanctions_import_eu_xml(path=EU_SAMPLE)

    with pytest.raises(URLError):
        refresh_sanctions_list("EU-FSF", f"{file_server}/no-such-file.xml")

    assert _active(EU) == previous


def test_refresh_task_refuses_an_oversized_download(
    file_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A download larger than the cap is abandoned before it is imported."""
    monkeypatch.setattr(tasks, "MAX_DOWNLOAD_BYTES", 100)

    with pytest.raises(SanctionsImportError, match="larger than"):
        refresh_sanctions_list("EU-FSF", f"{file_server}/eu-fsf-sample.xml")

    assert not SanctionsList.objects.exists()


def test_refresh_task_retries_network_errors_only() -> None:
    """The task is retried with backoff on URLError/OSError, and acks late."""
    assert refresh_sanctions_list.acks_late
    assert refresh_sanctions_list.time_limit
    assert refresh_sanctions_list.max_retries == 5
    assert set(refresh_sanctions_list.autoretry_for) == {URLError, OSError}


def test_load_sanctions_command_imports_given_files(capsys) -> None:
    """`load_sanctions --ofac PATH --eu PATH` imports both as active lists and
    says which lists screening now uses."""
    call_command(
        "load_sanctions",
        "--ofac",
        str(OFAC_SAMPLE),
        "--ofac-published-on",
        "2024-05-03",
        "--eu",
        str(EU_SAMPLE),
    )
    out = capsys.readouterr().out
    assert "OFAC list of 3 May 2024; EU list of 2 May 2024." in out

    assert _active(OFAC).published_on == date(2024, 5, 3)
    assert _active(EU).entry_count == 3
    assert SanctionsAlias.objects.filter(entry__list__source=EU).count() == 4


def test_an_eu_file_that_lists_nobody_leaves_the_previous_list_active(
    tmp_path: Path,
) -> None:
    """A well-formed EU export without a single entity (an empty or cut
    download) is refused: screening never runs against an empty list."""
    previous = sanctions_import_eu_xml(path=EU_SAMPLE)
    empty = tmp_path / "eu.xml"
    empty.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" '
        'generationDate="2024-05-09T10:00:00"></export>',
        encoding="utf-8",
    )

    with pytest.raises(SanctionsImportError, match="lists nobody"):
        refresh_sanctions_list("EU-FSF", str(empty))

    assert _active(EU) == previous
    assert SanctionsList.objects.filter(source=EU).count() == 1

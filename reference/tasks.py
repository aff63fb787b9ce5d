"""Celery tasks of reference data: refreshing sanctions lists and ECB rates."""

import logging
import tempfile
import urllib.request
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.error import URLError

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from reference.ecb import EcbFileError, ecb_rates_fetch
from reference.models import SanctionsList
from reference.sanctions import (
    SanctionsImportError,
    sanctions_import_eu_xml,
    sanctions_import_ofac_csv,
)

logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_SECONDS = 60
# The EU file is about 25 MB and the OFAC CSV about 5 MB: anything far bigger is
# not a sanctions list, and must not fill the worker's disk.
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
CHUNK_BYTES = 1 << 16

# Where each source is published; settings, so production can point at a mirror.
URL_SETTINGS = {
    SanctionsList.Source.OFAC_SDN: "SANCTIONS_OFAC_URL",
    SanctionsList.Source.EU_FSF: "SANCTIONS_EU_URL",
}


def sanctions_download(*, url: str, directory: Path) -> tuple[Path, date | None]:
    """Save `url` (http or https) under `directory`; return it and its Last-Modified.

    Raises URLError or OSError on network trouble (worth a retry), and
    SanctionsImportError when the answer is larger than MAX_DOWNLOAD_BYTES.
    """
    if not url.startswith(("http://", "https://")):
        raise SanctionsImportError(f"Not an http(s) URL: {url}")
    target = directory / "sanctions-list"
    with (
        urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
        target.open("wb") as file,
    ):
        size = 0
        while chunk := response.read(CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_DOWNLOAD_BYTES:
                raise SanctionsImportError(
                    f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes."
                )
            file.write(chunk)
        last_modified = response.headers.get("Last-Modified")
    published_on = None
    if last_modified:
        try:
            published_on = parsedate_to_datetime(last_modified).date()
        except (TypeError, ValueError):
            pass
    return target, published_on


def _log_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    source = args[0] if args else kwargs.get("source")
    logger.error(
        "Refreshing the %s sanctions list failed; the previous list stays active: %s",
        source,
        exc,
    )


@shared_task(
    acks_late=True,
    time_limit=600,
    soft_time_limit=570,
    autoretry_for=(URLError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    on_failure=_log_failure,
)
def refresh_sanctions_list(source: str, location: str = "") -> int:
    """Import the list of `source` from a file path or an http(s) URL.

    Without a location, the URL in SANCTIONS_OFAC_URL / SANCTIONS_EU_URL is used.
    Safe to run twice: the same file again is not stored again. Returns the
    id of the active list.
    """
    if source not in URL_SETTINGS:
        raise SanctionsImportError(f"Unknown sanctions list source {source!r}.")
    location = location or getattr(settings, URL_SETTINGS[source], "")
    if not location:
        raise SanctionsImportError(
            f"No location given for {source} and {URL_SETTINGS[source]} is not set."
        )
    with tempfile.TemporaryDirectory(prefix="sanctions-") as directory:
        published_on = None
        if location.startswith(("http://", "https://")):
            path, published_on = sanctions_download(
                url=location, directory=Path(directory)
            )
        else:
            path = Path(location)
        if source == SanctionsList.Source.OFAC_SDN:
            sanctions_list = sanctions_import_ofac_csv(
                path=path, published_on=published_on or timezone.localdate()
            )
        else:
            sanctions_list = sanctions_import_eu_xml(path=path)
    logger.info(
        "%s list of %s is active: %d entries",
        source,
        sanctions_list.published_on,
        sanctions_list.entry_count,
    )
    return sanctions_list.pk


def _log_ecb_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    logger.error(
        "Fetching the ECB rates failed; customs months after the last rate "
        "loaded stay unavailable: %s",
        exc,
    )


@shared_task(
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
    autoretry_for=(URLError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    on_failure=_log_ecb_failure,
)
def fetch_ecb_rates(url: str = "") -> int:
    """Load the ECB reference rates from `url`, by default ECB_RATES_URL.

    Safe to run twice: rates already stored are not written again. Returns
    the rows written.
    """
    url = url or getattr(settings, "ECB_RATES_URL", "")
    if not url:
        raise EcbFileError("No URL given and ECB_RATES_URL is not set.")
    written = ecb_rates_fetch(url=url)
    logger.info("ECB rates from %s: %d rows written", url, written)
    return written

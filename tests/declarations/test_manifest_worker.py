"""A manifest through real Celery workers, one of them killed mid-way."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count

from declarations.models import Declaration
from declarations.services.manifests import manifest_submit
from shipments.models import Manifest, ManifestChunk
from tests.declarations.manifests import manifest_csv, row, upload_file
from tests.declarations.test_worker import APPS, database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, available_apps=APPS),
    # kombu's filesystem transport (make dev without Redis) does not redeliver a
    # message whose worker died; production and CI run on Redis.
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
        reason="needs a Redis broker (CELERY_BROKER_URL=redis://...)",
    ),
]
PARCELS = 1500
CHUNK = 30


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


WORKER = ("worker", "--loglevel", "info", "--concurrency", "2", "--without-gossip",
          "--without-mingle", "--without-heartbeat")  # fmt: skip
BEAT = ("beat", "--loglevel", "info")


def start(command, log: Path, media: Path, ready: str) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "MANIFEST_CHUNK_SIZE": str(CHUNK),
        "MEDIA_ROOT": str(media),
        # The sweeper puts back chunks a broker does not redeliver.
        "MANIFEST_STALL_SECONDS": "4",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(log.parent / "beat-schedule"),
    }
    handle = log.open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", *command],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while ready not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return process


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_killed_worker_loses_and_duplicates_nothing(shipper, media, tmp_path, settings):
    """The pool processes are killed with SIGKILL while chunks are in flight; the
    chunks run again (redelivered by the broker, or queued again by the beat's
    sweeper where the broker does not) and every consignment is declared once."""
    settings.MEDIA_ROOT = media
    log = tmp_path / "worker.log"
    worker = start(WORKER, log, media, ready="ready.")
    beat = start(BEAT, tmp_path / "beat.log", media, ready="beat: Starting")
    try:
        rows = [row(f"K{n:05d}", consignee_name=f"Buyer {n}") for n in range(PARCELS)]
        manifest, _ = manifest_submit(
            organisation=shipper, upload=upload_file(manifest_csv(rows)), by=None
        )
        deadline = time.monotonic() + 120
        while not ManifestChunk.objects.filter(
            manifest=manifest, status="done"
        ).exists():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert ManifestChunk.objects.filter(
            manifest=manifest, status="pending"
        ).exists()
        for pid in children(worker.pid):
            os.kill(pid, signal.SIGKILL)
        while Manifest.objects.get(pk=manifest.pk).status != Manifest.Status.DONE:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        stop(worker)
        stop(beat)
    text = log.read_text()
    assert "WorkerLostError" in text or "SIGKILL" in text, text
    manifest.refresh_from_db()
    assert manifest.consignments_total == PARCELS
    assert manifest.consignments_accepted == PARCELS
    declared = Declaration.objects.filter(manifest=manifest)
    assert declared.count() == PARCELS
    duplicates = (
        declared.values("consignment__hawb").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert all(d.mrn for d in declared.only("mrn"))


def _wait_done(manifest: Manifest, log: Path) -> Manifest:
    deadline = time.monotonic() + 120
    while (manifest := Manifest.objects.get(pk=manifest.pk)).is_running:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return manifest


def test_one_flight_uploaded_twice_with_an_overlong_hawb_ends_done_both_times(
    shipper, media, tmp_path, settings
):
    """Issue 14: a HAWB over 35 characters whose first 35 are a HAWB the first
    upload of the same flight filed. Through the workers, both manifests end
    done; the long HAWB is reported on its row, the other parcels are filed."""
    from shipments.models import ManifestIssue

    settings.MEDIA_ROOT = media
    log = tmp_path / "worker.log"
    worker = start(WORKER, log, media, ready="ready.")
    existing = "H" * 35
    try:
        first, _ = manifest_submit(
            organisation=shipper,
            upload=upload_file(manifest_csv([row(existing), row("W-GOOD")])),
            by=None,
        )
        first = _wait_done(first, log)
        rows = [row(f"W{n:03d}", consignee_name=f"Buyer {n}") for n in range(60)]
        second, _ = manifest_submit(
            organisation=shipper,
            upload=upload_file(
                manifest_csv([*rows, row(existing + "X"), row("W-GOOD")])
            ),
            by=None,
        )
        second = _wait_done(second, log)
    finally:
        stop(worker)
    assert first.status == second.status == Manifest.Status.DONE
    assert not ManifestChunk.objects.filter(manifest=second, status="pending")
    assert second.consignments_accepted == 60 and second.consignments_unchanged == 1
    issue = ManifestIssue.objects.get(manifest=second, code="ROW-TOO-LONG")
    assert (issue.row, issue.field) == (61, "hawb")
    assert Declaration.objects.filter(consignment__hawb=existing).count() == 1

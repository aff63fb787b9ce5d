"""A real Celery worker validates a submitted declaration (no eager mode)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from declarations.models import Status
from declarations.services import declaration_submit
from tests.declarations.factories import make_declaration

ROOT = Path(__file__).resolve().parents[2]
# Reference tables are not flushed after these tests (they are not listed), so
# the nomenclature loaded once per test database survives.
APPS = [
    "accounts",
    "shipments",
    "declarations",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.admin",
]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, available_apps=APPS),
]


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres")
    if not db["HOST"] or db["HOST"].startswith("/"):
        return f"postgres://{user}@/{quote(db['HOST'] or '/tmp', safe='')}/{db['NAME']}"
    return f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def running_worker(log_path: Path, **env_extra: str) -> Iterator[Path]:
    """`celery -A portal worker` on this test database and this process's
    queue, started and ready; stopped on exit. Yields its log's path."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **env_extra,
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker",
             "--loglevel", "info", "--concurrency", "1", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, (
                "worker did not start:\n" + log_path.read_text()
            )
            time.sleep(0.2)
        yield log_path
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture
def celery_worker_process(tmp_path):
    with running_worker(tmp_path / "worker.log") as log_path:
        yield log_path


def wait_for(declaration, statuses, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        declaration.refresh_from_db()
        if declaration.status in statuses:
            return declaration
        time.sleep(0.2)
    return declaration


def test_worker_accepts_a_valid_declaration(shipper, celery_worker_process):
    """Submitted → a real worker validates → accepted with an MRN."""
    declaration = declaration_submit(
        declaration=make_declaration(organisation=shipper), by=None
    )
    declaration = wait_for(declaration, {Status.ACCEPTED, Status.REJECTED})
    assert declaration.status == Status.ACCEPTED, celery_worker_process.read_text()
    assert declaration.mrn
    # The task logs its success after its transaction commits: wait for the line.
    deadline = time.monotonic() + 10
    while "succeeded" not in celery_worker_process.read_text():
        assert time.monotonic() < deadline, celery_worker_process.read_text()
        time.sleep(0.1)


def test_worker_rejects_an_invalid_declaration(shipper, celery_worker_process):
    """An H7 with a non-existent HS code comes back rejected with the issue."""
    items = [
        {
            "description": "Mystery goods",
            "hs_code": "770100",
            "origin_country": "CN",
            "quantity": 1,
            "item_value": "10.00",
            "product_id": "SKU-1",
            "manufacturer_product_id": "5412345000013",
        }
    ]
    declaration = declaration_submit(
        declaration=make_declaration(organisation=shipper, items=items), by=None
    )
    declaration = wait_for(declaration, {Status.ACCEPTED, Status.REJECTED})
    assert declaration.status == Status.REJECTED, celery_worker_process.read_text()
    errors = declaration.issues.filter(severity="error")
    assert list(errors.values_list("code", flat=True)) == ["HS-EXISTS"]

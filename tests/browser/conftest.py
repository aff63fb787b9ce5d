"""Browser journeys: a live server, a real Celery worker and Debian's Chromium.

Every test here runs against `live_server` (a real HTTP server on the test
database, in a thread of this process) with a real `celery -A portal worker`
process consuming this process's test queue on the same database. Playwright
drives Chromium from /usr/bin/chromium; each test gets fresh browser contexts,
and screenshots of each step land in var/test-output/browser/<test>/.

Without Chromium or Playwright the tests are skipped, except on CI (CI=true),
where a missing browser fails them: CI must run the journeys.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import get_resolver

from declarations.services.risk import unit_values_seed
from tests.declarations.test_worker import running_worker

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "var" / "test-output" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# Per step; validation by the worker takes about a second.
STEP_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000
WORKER_TIMEOUT_MS = 15_000

# Transactional tests flush their apps' tables after each test. The reference
# data (nomenclature, sanctions lists, charges) are loaded once per test
# database (tests/conftest.py): leaving the `reference` app out keeps them.
# Every other app stays available, so the live server renders as in production.
APPS = [app for app in django_settings.INSTALLED_APPS if app != "reference"]
# For the test modules: pytestmark = BROWSER
BROWSER = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, available_apps=APPS),
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements.txt)"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the browser journeys: {reason}", pytrace=False)
    pytest.skip(reason)


# The browser and the worker live while tests/browser runs ("package" scope):
# a worker left running would take the tasks of later tests in this process,
# which start their own worker on the same queue (tests/declarations/test_worker.py).
@pytest.fixture(scope="package")
def playwright_browser():
    """One headless Chromium for all the browser tests."""
    reason = _missing()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    # Playwright's sync API keeps an asyncio loop running in this thread, which
    # Django takes for async code and refuses the test's own ORM calls.
    # https://playwright.dev/python/docs/test-runners#django
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_media(tmp_path_factory) -> Path:
    """Uploads, shared by the live server and the worker."""
    return tmp_path_factory.mktemp("browser-media")


@pytest.fixture(scope="package")
def browser_worker(django_db_setup, browser_media, tmp_path_factory):
    """`celery -A portal worker` on the test database and this process's queue,
    shared by the browser tests (its tasks read the rows they committed)."""
    log_path = tmp_path_factory.mktemp("browser-worker") / "worker.log"
    with running_worker(log_path, MEDIA_ROOT=str(browser_media)):
        yield log_path


@pytest.fixture
def portal(live_server, browser_worker, settings, browser_media):
    """The running portal: live server + worker. Its `.url` is the server's base
    URL."""
    settings.MEDIA_ROOT = browser_media
    # Import every view now (the PDF views pull in WeasyPrint, seconds of work),
    # not during the first page load with a step's timeout running.
    get_resolver().url_patterns  # noqa: B018
    return live_server


class Shots:
    """Numbered screenshots of one test: var/test-output/browser/<test>/NN-step.png"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request) -> Shots:
    folder = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return Shots(folder)


@pytest.fixture
def new_page(
    playwright_browser, portal, shot, request
) -> Iterator[Callable[..., object]]:
    """new_page() -> a Page in a fresh browser context (own cookies) on the portal.

    Call it once per person in the journey. Pages still open when a test fails
    are screenshotted as NN-failure-<n>.png. Any 5xx answer fails the test.
    """
    contexts = []
    server_errors: list[str] = []

    def make():
        context = playwright_browser.new_context(
            base_url=portal.url, accept_downloads=True, locale="en-GB"
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.on(
            "response",
            lambda r: (
                r.status >= 500
                and server_errors.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "rep_call", None)
    for n, context in enumerate(contexts, 1):
        if report is not None and report.failed:
            for page in context.pages:
                try:
                    shot(page, f"failure-{n}")
                except Exception:  # noqa: BLE001 - best effort on a failed test
                    pass
        context.close()
    # A journey that reaches its end despite a server error still fails.
    assert not server_errors, "server errors during the journey:\n" + "\n".join(
        server_errors
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put back what the flush after a transactional test removed and the rest
    of the suite expects from the test database's setup (tests/conftest.py).

    With available_apps, Django flushes without recreating content types and
    permissions (it leaves that to the next transactional test), and xdist
    schedules the largest group, this one, first: the ordinary tests that run
    after it on the same process need them, and the seeded unit values.
    """
    result = yield
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    if not connection.settings_dict["NAME"].startswith("test_"):
        return result  # skipped before the test database was set up
    with item.config.stash[blocking_manager_key].unblock():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        unit_values_seed()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    worker_log = item.funcargs.get("browser_worker")
    if report.failed and worker_log is not None:
        tail = "\n".join(worker_log.read_text().splitlines()[-40:])
        report.sections.append(("Celery worker log (last lines)", tail))
    return report


def sign_in(page, email: str, password: str, next: str = "") -> None:
    """Sign in through the login page, as a person would."""
    page.goto("/accounts/login/" + (f"?next={next}" if next else ""))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe found serious/critical violations on {where} ({page.url}):\n"
        + describe_violations(violations)
    )

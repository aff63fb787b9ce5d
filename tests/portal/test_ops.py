"""What an operator runs the portal with: health, readiness, metrics, the CSP."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts.tasks import purge_idempotency_records
from portal.celery import app
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_says_the_broker_failed_when_it_does_not_answer(client):
    """503, naming the part that failed (and nothing of its address)."""
    previous = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_write_url = previous
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("failed")
    assert "127.0.0.1" not in response.content.decode()


def test_metrics_count_declarations_manifests_and_tasks(client, shipper):
    make_declaration(organisation=shipper)
    purge_idempotency_records.apply()
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'portal_declarations{status="draft"} 1.0' in text
    assert 'portal_declarations{status="accepted"} 0.0' in text
    assert "portal_manifests_in_progress 0.0" in text
    assert "portal_queue_depth" in text
    assert re.search(
        r'portal_tasks_total\{outcome="succeeded",'
        r'task="accounts.tasks.purge_idempotency_records"\} [1-9]',
        text,
    ), text


def test_metrics_are_hidden_from_the_internet(shipper):
    """Outside METRICS_ALLOWED_IPS the endpoint does not exist."""
    response = Client(REMOTE_ADDR="203.0.113.7").get("/metrics")
    assert response.status_code == 404
    assert b"portal_" not in response.content


# Content-Security-Policy ------------------------------------------------------

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def assert_only_own_scripts(response, client: Client) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:])
        for part in policy.split(";")
        if part.strip()
    )
    assert directives["script-src"] == ["'self'"], policy
    html = response.content.decode()
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    for attributes, body in SCRIPT_TAG.findall(html):
        assert not body.strip(), attributes
        source = re.search(r'src="(/[^"]*)"', attributes)
        assert source, attributes  # a path on this origin
        path = source.group(1).replace("&amp;", "&")
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/").split("?")[0]), path
        else:
            assert client.get(path).status_code == 200, path


def test_pages_run_only_the_portals_own_script_files(shipper_client, shipper, officer):
    """Every page sends a CSP that allows scripts from the portal's origin only,
    and none carries an inline script or handler that the CSP would block."""
    declaration = make_declaration(organisation=shipper)
    pages = [
        reverse("declarations:list"),
        reverse("declarations:new"),
        reverse("declarations:detail", args=[declaration.pk]),
        reverse("declarations:hs-search") + "?hs_code=6109",
        reverse("manifests:list"),
        reverse("accounts:settings"),
    ]
    for url in pages:
        response = shipper_client.get(url)
        assert response.status_code == 200, url
        assert_only_own_scripts(response, shipper_client)
    anonymous = Client()
    for url in (reverse("login"), reverse("public:signup"), "/api/docs/"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert_only_own_scripts(response, anonymous)
    staff = Client()
    staff.force_login(officer)
    for url in ("/admin/", reverse("admin:declarations_declaration_changelist")):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_only_own_scripts(response, staff)


def test_api_docs_load_swagger_ui_from_the_portal(client):
    """No CDN: Swagger UI's files come from the sidecar package's static files."""
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    )
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert finders.find("favicon.svg")

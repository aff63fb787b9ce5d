"""Webhooks: signed deliveries to a real HTTP server, retries, replays, the API."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import tasks, webhooks
from accounts.models import WebhookDelivery, WebhookEndpoint
from accounts.tasks import deliver_webhook
from accounts.webhooks import (
    MAX_ATTEMPTS,
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_events_emit,
    webhook_retry_countdown,
)
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ACCEPTED = {"lrn": "BRK-1", "status": "accepted", "mrn": "26BE0000000000001X"}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A broker's system: records each POST, answers with `status`."""

    url: str = ""
    status: int = 200
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(Received(self.path, dict(self.headers), body))
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b"ok" if state.status < 300 else b"broken")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/customs"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP = True


def _endpoint(organisation, url: str, events=("accepted", "rejected")):
    return webhook_endpoint_create(
        organisation=organisation, url=url, events=list(events), description="TMS"
    )


def _emit_one(organisation, declaration_id: int = 41, status: str = "accepted"):
    webhook_events_emit(
        organisation_id=organisation.pk,
        events=[(declaration_id, status, ACCEPTED)],
    )
    return WebhookDelivery.objects.filter(endpoint__organisation=organisation).latest(
        "id"
    )


def test_delivery_reaches_the_server_signed_with_the_secret(
    broker, receiver, django_capture_on_commit_callbacks
):
    """The receiver gets the JSON body; HMAC-SHA256 of "<timestamp>.<body>" with
    the endpoint's secret equals the signature header."""
    endpoint, secret = _endpoint(broker, receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        count = webhook_events_emit(
            organisation_id=broker.pk, events=[(41, "accepted", ACCEPTED)]
        )
    assert count == 1 and len(callbacks) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    deliver_webhook.apply(args=[delivery.pk])

    [request] = receiver.requests
    assert request.path == "/hooks/customs"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Portal-Event"] == "accepted"
    assert request.headers["X-Portal-Delivery"] == str(delivery.pk)
    timestamp = request.headers["X-Portal-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(
        request.headers["X-Portal-Signature"], f"sha256={expected}"
    )
    body = json.loads(request.body)
    assert body["id"] == delivery.pk
    assert body["event"] == "accepted"
    assert body["declaration_id"] == 41
    assert body["data"] == ACCEPTED
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None


def test_a_delivered_delivery_is_not_sent_again(broker, receiver):
    """Running the task twice sends once."""
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    deliver_webhook.apply(args=[delivery.pk])
    deliver_webhook.apply(args=[delivery.pk])
    assert len(receiver.requests) == 1


def test_failed_delivery_is_retried_later_and_later(broker, receiver):
    """A 500 is recorded and retried, each wait longer than the last; the last
    failure marks the delivery failed."""
    receiver.status = 500
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    waits = []
    for attempt in range(1, 5):
        before = timezone.now()
        outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert outcome.status == "pending" and outcome.attempts == attempt
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        assert "HTTP 500" in delivery.last_error and "broken" in delivery.last_error
        waits.append(delivery.next_attempt_at - before)
        # Time passes until the retry is due.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now()
        )
    assert waits == sorted(waits) and waits[0] >= timedelta(seconds=30)
    assert waits[-1] >= timedelta(seconds=240)
    assert len(receiver.requests) == 4

    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert outcome.retry_in is None
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 5


def test_retry_schedule_covers_more_than_a_day():
    """30 s doubling to a 6 h cap: the 13 waits add up to 26 h 31 min, and jitter
    only lengthens them."""
    waits = [
        webhook_retry_countdown(attempt=n, jitter=False) for n in range(1, MAX_ATTEMPTS)
    ]
    assert waits[:3] == [30, 60, 120] and max(waits) == 6 * 3600
    assert sum(waits) == 95_490 >= 24 * 3600
    assert tasks.deliver_webhook.max_retries == len(waits)
    for n in range(1, MAX_ATTEMPTS):
        jittered = webhook_retry_countdown(attempt=n)
        assert waits[n - 1] <= jittered <= waits[n - 1] * 1.1


def test_the_task_schedules_its_retry_on_failure(broker, receiver):
    """Through Celery: a 500 leaves the delivery pending with a later attempt due."""
    receiver.status = 503
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts >= 1
    assert delivery.last_status_code == 503
    assert delivery.next_attempt_at > timezone.now()
    assert {r.headers["X-Portal-Delivery"] for r in receiver.requests} == {
        str(delivery.pk)
    }


def test_a_run_before_the_retry_is_due_sends_nothing(broker, receiver):
    """A duplicate task message does not send ahead of the backoff."""
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=3, next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert receiver.requests == []


def test_redirects_are_not_followed(broker, receiver):
    """A 3xx is a failed attempt: the receiver must answer at its own URL."""
    receiver.status = 302
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert outcome.status == "pending" and outcome.retry_in is not None
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302


def test_an_unreachable_endpoint_records_the_error(broker):
    """Connection refused is recorded with no status code, and retried."""
    _endpoint(broker, "http://127.0.0.1:1/hooks")
    delivery = _emit_one(broker)
    outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert outcome.retry_in is not None
    assert delivery.last_status_code is None and delivery.last_error


def test_replay_sends_the_same_payload_as_a_new_delivery(
    broker, receiver, django_capture_on_commit_callbacks
):
    """A replay is a new delivery pointing to the original, and it is delivered."""
    _endpoint(broker, receiver.url)
    original = _emit_one(broker)
    deliver_webhook.apply(args=[original.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        replay = webhook_delivery_replay(delivery=original)
    assert len(callbacks) == 1
    assert replay.pk != original.pk and replay.replay_of == original
    assert replay.status == "pending" and replay.payload == original.payload

    deliver_webhook.apply(args=[replay.pk])

    assert len(receiver.requests) == 2
    body = json.loads(receiver.requests[1].body)
    assert body["id"] == replay.pk and body["replay_of"] == original.pk
    assert body["data"] == ACCEPTED
    replay.refresh_from_db()
    assert replay.status == "delivered"


def test_deactivated_endpoint_gets_nothing(broker, receiver):
    """After deactivation, neither new events nor pending retries are sent."""
    endpoint, _ = _endpoint(broker, receiver.url)
    pending = _emit_one(broker)
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    assert (
        webhook_events_emit(organisation_id=broker.pk, events=[(42, "accepted", {})])
        == 0
    )
    webhook_delivery_attempt(delivery_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == "failed" and "deactivated" in pending.last_error
    assert receiver.requests == []


def test_emit_without_endpoint_costs_one_query(broker, django_assert_num_queries):
    """Emitting is cheap for an organisation without webhooks: one query."""
    events = [(n, "accepted", {"n": n}) for n in range(500)]
    with django_assert_num_queries(1):
        assert webhook_events_emit(organisation_id=broker.pk, events=events) == 0


def test_emit_finds_endpoints_and_inserts_in_two_queries(
    broker, other_shipper, django_assert_num_queries
):
    """Only active endpoints of the organisation subscribed to the status get a
    delivery; one query finds them, one inserts."""
    first, _ = _endpoint(broker, "https://tms.example.com/a", ["accepted"])
    second, _ = _endpoint(broker, "https://tms.example.com/b", ["accepted", "released"])
    _endpoint(broker, "https://tms.example.com/c", ["refused"])
    inactive, _ = _endpoint(broker, "https://tms.example.com/d", ["accepted"])
    webhooks.webhook_endpoint_deactivate(endpoint=inactive)
    _endpoint(other_shipper, "https://other.example.com/", ["accepted"])
    events = [(1, "accepted", {}), (2, "released", {}), (3, "submitted", {})]
    with django_assert_num_queries(2):
        assert webhook_events_emit(organisation_id=broker.pk, events=events) == 3
    got = sorted(
        WebhookDelivery.objects.values_list("endpoint_id", "declaration_id", "event")
    )
    assert got == sorted(
        [
            (first.pk, 1, "accepted"),
            (second.pk, 1, "accepted"),
            (second.pk, 2, "released"),
        ]
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://tms.example.com/hooks",
        "ftp://tms.example.com/hooks",
        "https://10.1.2.3/hooks",
        "https://user:pw@tms.example.com/hooks",
        "not a url",
    ],
)
def test_endpoint_url_must_be_public_https(broker, url):
    """Plain HTTP, private addresses and credentials in the URL are refused."""
    with pytest.raises(ValidationError) as info:
        _endpoint(broker, url)
    assert "url" in info.value.message_dict


def test_loopback_http_only_when_allowed(broker, settings):
    """http://127.0.0.1 is for development and tests (WEBHOOK_ALLOW_HTTP or DEBUG)."""
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.DEBUG = False
    with pytest.raises(ValidationError):
        _endpoint(broker, "http://127.0.0.1:8080/hooks")
    settings.WEBHOOK_ALLOW_HTTP = True
    endpoint, secret = _endpoint(broker, "http://localhost:8080/hooks")
    assert endpoint.pk and secret.startswith("whsec_")


def test_loopback_is_not_called_when_not_allowed(broker, receiver, settings):
    """An endpoint made while allowed is not called once the setting is off."""
    _endpoint(broker, receiver.url)
    delivery = _emit_one(broker)
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.DEBUG = False
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == [] and delivery.last_error.startswith("Not sent")


def test_unknown_or_no_events_are_refused(broker):
    """Events are a non-empty subset of the six statuses."""
    with pytest.raises(ValidationError):
        _endpoint(broker, "https://tms.example.com/", ["accepted", "draft"])
    with pytest.raises(ValidationError):
        _endpoint(broker, "https://tms.example.com/", [])


# The API ---------------------------------------------------------------------


def test_api_create_shows_the_secret_once(api: Client, broker):
    """POST answers 201 with the secret; reading the endpoint never shows it."""
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "https://tms.example.com/hooks", "events": ["released", "accepted"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["accepted", "released"]
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.organisation == broker and endpoint.secret == created["secret"]

    listed = api.get("/api/v1/webhooks/").json()
    assert set(listed) >= {"next", "previous", "results"}
    assert [e["id"] for e in listed["results"]] == [endpoint.pk]
    assert "secret" not in listed["results"][0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()


def test_api_invalid_endpoint_is_a_problem(api: Client):
    """A bad URL or event is 400 problem+json with field errors."""
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "http://tms.example.com/", "events": ["teleported"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert "events[0]" in fields or "events" in fields
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "http://tms.example.com/", "events": ["accepted"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


def test_api_update_and_deactivate(api: Client, broker):
    """PATCH changes given fields; DELETE deactivates and keeps the endpoint."""
    endpoint, _ = _endpoint(broker, "https://tms.example.com/")
    response = api.patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"events": ["refused"], "description": "Refusals only"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["refused"]
    assert response.json()["url"] == "https://tms.example.com/"
    response = api.delete(f"/api/v1/webhooks/{endpoint.pk}/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and endpoint.description == "Refusals only"


def test_api_deliveries_and_replay(
    api: Client, broker, django_capture_on_commit_callbacks
):
    """Deliveries are listed newest first; a replay answers 202 with the new one."""
    endpoint, _ = _endpoint(broker, "https://tms.example.com/")
    webhook_events_emit(
        organisation_id=broker.pk,
        events=[(1, "accepted", {"a": 1}), (2, "rejected", {"b": 2})],
    )
    response = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/?page_size=1")
    page = response.json()
    assert [d["declaration_id"] for d in page["results"]] == [2]
    assert page["next"]
    second = api.get(page["next"]).json()
    assert [d["declaration_id"] for d in second["results"]] == [1]
    first_id = second["results"][0]["id"]

    with django_capture_on_commit_callbacks():
        response = api.post(f"/api/v1/webhooks/deliveries/{first_id}/replay/")
    assert response.status_code == 202
    replay = response.json()
    assert replay["replay_of"] == first_id and replay["status"] == "pending"
    assert replay["payload"] == {"a": 1}


def test_api_replay_to_a_deactivated_endpoint_is_a_conflict(api: Client, broker):
    """Replaying to a deactivated endpoint is refused with 409."""
    endpoint, _ = _endpoint(broker, "https://tms.example.com/")
    delivery = _emit_one(broker)
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    response = api.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_api_another_organisations_endpoint_is_not_found(api: Client, broker):
    """Another organisation's endpoint and deliveries are 404, whatever the verb."""
    other = OrganisationFactory(slug="broker-other", kind="broker")
    endpoint, _ = _endpoint(other, "https://other.example.com/")
    delivery = _emit_one(other)
    base = f"/api/v1/webhooks/{endpoint.pk}/"
    assert api.get(base).status_code == 404
    assert (
        api.patch(base, {"events": ["accepted"]}, content_type="application/json")
    ).status_code == 404
    assert api.delete(base).status_code == 404
    assert api.get(base + "deliveries/").status_code == 404
    replay = api.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay/")
    assert replay.status_code == 404
    assert replay["Content-Type"] == "application/problem+json"
    assert api.get("/api/v1/webhooks/").json()["results"] == []
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.events == ["accepted", "rejected"]
    assert WebhookDelivery.objects.filter(replay_of=delivery).count() == 0


def test_api_needs_a_key():
    """Without a key the webhook API answers 401."""
    assert Client().get("/api/v1/webhooks/").status_code == 401

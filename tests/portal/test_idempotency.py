"""Idempotency-Key: a repeated POST gets the first answer and creates nothing."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.idempotency import BodyHasher, idempotency_records_purge
from accounts.models import ApiKey, IdempotencyRecord
from accounts.services import hash_api_key
from declarations.models import Declaration
from shipments.models import Manifest
from tests.accounts.factories import ApiKeyFactory
from tests.declarations.factories import h7_payload
from tests.declarations.manifests import manifest_csv, row, upload_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/declarations/"


def post(client: Client, payload: dict, key: str = "key-1"):
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_same_key_and_body_replays_the_first_answer_and_creates_nothing(api):
    """The retry answers 201 with the same body and a replay header; one row."""
    first = post(api, h7_payload(lrn="IDEM-1", hawb="IDEM1"))
    second = post(api, h7_payload(lrn="IDEM-1", hawb="IDEM1"))
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Declaration.objects.filter(lrn="IDEM-1").count() == 1


def test_same_key_with_another_body_is_409_naming_the_header(api):
    """Another body under a used key is refused, not filed."""
    post(api, h7_payload(lrn="IDEM-2", hawb="IDEM2"))
    response = post(api, h7_payload(lrn="IDEM-3", hawb="IDEM3"))
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 409 and "Idempotency-Key" in body["detail"]
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert not Declaration.objects.filter(lrn="IDEM-3").exists()


def test_same_key_on_another_path_is_409(api):
    """A key is bound to its path as well as its body."""
    payload = h7_payload(lrn="IDEM-4", hawb="IDEM4")
    post(api, payload)
    response = api.post(
        "/api/v1/quotes/",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Idempotency-Key": "key-1"},
    )
    assert response.status_code == 409


def test_keys_of_another_api_key_are_independent(api, broker):
    """Two systems of one organisation may use the same key for two requests."""
    other = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=broker)}"
    )
    assert post(api, h7_payload(lrn="IDEM-5", hawb="IDEM5")).status_code == 201
    response = post(other, h7_payload(lrn="IDEM-6", hawb="IDEM6"))
    assert response.status_code == 201, response.json()
    assert "Idempotent-Replayed" not in response
    assert Declaration.objects.filter(lrn__in=["IDEM-5", "IDEM-6"]).count() == 2


def test_a_key_expires_after_24_hours(api):
    """After 24 hours the key is free again: the request runs anew."""
    post(api, h7_payload(lrn="IDEM-7", hawb="IDEM7"))
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    response = post(api, h7_payload(lrn="IDEM-8", hawb="IDEM8"))
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Declaration.objects.filter(lrn="IDEM-8").exists()


def test_records_older_than_24_hours_are_purged(api):
    """The purge deletes expired records only."""
    post(api, h7_payload(lrn="IDEM-9", hawb="IDEM9"), key="old")
    post(api, h7_payload(lrn="IDEM-10", hawb="IDEM10"), key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_a_400_is_replayed_too(api):
    """The same invalid body gets the same 400 from the record, without a rerun."""
    payload = h7_payload(lrn="IDEM-11", hawb="IDEM11", mawb="172-12345676")
    first = post(api, payload)
    second = post(api, payload)
    assert first.status_code == second.status_code == 400
    assert second["Content-Type"] == "application/problem+json"
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


def test_a_request_in_progress_makes_the_second_409(api, broker_key):
    """While the first request with a key runs, a second one is refused."""
    body = json.dumps(h7_payload(lrn="IDEM-12", hawb="IDEM12")).encode()
    api_key = ApiKey.objects.get(key_hash=hash_api_key(broker_key))
    hasher = BodyHasher("application/json")
    hasher.update(body)
    IdempotencyRecord.objects.create(
        api_key=api_key,
        key="running",
        method="POST",
        path=URL,
        body_hash=hasher.hexdigest(),
        created_at=timezone.now(),
    )
    response = api.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"Idempotency-Key": "running"},
    )
    assert response.status_code == 409
    assert "in progress" in response.json()["detail"]
    assert not Declaration.objects.filter(lrn="IDEM-12").exists()


def test_an_abandoned_reservation_is_taken_over(api, broker_key):
    """A reservation whose request died long ago does not block the key."""
    api_key = ApiKey.objects.get(key_hash=hash_api_key(broker_key))
    IdempotencyRecord.objects.create(
        api_key=api_key,
        key="abandoned",
        method="POST",
        path=URL,
        body_hash="0" * 64,
        created_at=timezone.now() - timedelta(hours=1),
    )
    response = post(api, h7_payload(lrn="IDEM-13", hawb="IDEM13"), key="abandoned")
    assert response.status_code == 201


def test_a_key_over_255_characters_is_400(api):
    """Keys are 1 to 255 characters."""
    response = post(api, h7_payload(lrn="IDEM-14", hawb="IDEM14"), key="k" * 256)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Declaration.objects.exists()


def test_without_a_valid_api_key_drf_answers_401(client):
    """No key, no record: the API's own 401 problem."""
    response = client.post(
        URL,
        data=json.dumps(h7_payload()),
        content_type="application/json",
        headers={"Idempotency-Key": "k", "Authorization": "Token nope"},
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert not IdempotencyRecord.objects.exists()


def test_a_server_error_frees_the_key(api, monkeypatch):
    """A 5xx is not kept: the retry runs again."""
    from declarations import services

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "declaration_create", fail)
    failing = Client(
        HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"],
        raise_request_exception=False,
    )
    assert post(failing, h7_payload(lrn="IDEM-15", hawb="IDEM15")).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    assert post(api, h7_payload(lrn="IDEM-15", hawb="IDEM15")).status_code == 201


def test_the_same_manifest_uploaded_twice_with_one_key_is_one_manifest(api):
    """A multipart upload is replayed like JSON: one manifest, the same answer."""
    data = manifest_csv([row("IK1"), row("IK2")])
    first = api.post(
        "/api/v1/manifests/",
        {"file": upload_file(data)},
        headers={"Idempotency-Key": "upload-1"},
    )
    second = api.post(
        "/api/v1/manifests/",
        {"file": upload_file(data)},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert first.status_code == 202, first.content
    assert second.status_code == 202 and second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Manifest.objects.count() == 1


def test_multipart_boundaries_do_not_change_the_hash(api):
    """A client's random boundary is not part of what makes two uploads equal."""
    data = manifest_csv([row("IK3")])

    def body(boundary: str) -> bytes:
        return (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="m.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )

    answers = [
        api.generic(
            "POST",
            "/api/v1/manifests/",
            body(boundary),
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={"Idempotency-Key": "upload-2"},
        )
        for boundary in ("aaaa1111", "bbbbbbbbbbbbbbbb2222")
    ]
    assert [a.status_code for a in answers] == [202, 202], answers[0].content
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Manifest.objects.count() == 1


def test_body_hash_finds_boundaries_cut_by_chunks():
    """Feeding the body in any chunk size gives one hash."""
    body = b"--xyz\r\nabc\r\n--xyz--\r\n" * 3
    digests = set()
    for size in (1, 2, 3, 5, 64):
        hasher = BodyHasher("multipart/form-data", "xyz")
        for start in range(0, len(body), size):
            hasher.update(body[start : start + size])
        digests.add(hasher.hexdigest())
    other = BodyHasher("multipart/form-data", "q")
    other.update(body.replace(b"xyz", b"q"))
    assert digests == {other.hexdigest()}

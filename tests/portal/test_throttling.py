"""Request rates per API key and per organisation: 429 problem with Retry-After."""

import uuid

import pytest
from django.test import Client

from accounts.models import IdempotencyRecord
from tests.accounts.factories import ApiKeyFactory
from tests.declarations.manifests import manifest_csv, row, upload_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/declarations/"


@pytest.fixture
def rates(settings):
    """Low rates, counted in a cache of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttling-{uuid.uuid4()}",
        }
    }

    def set_rates(*, api_key: str, organisation: str) -> None:
        settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
            "DEFAULT_THROTTLE_RATES": {
                "api_key": api_key,
                "organisation": organisation,
            }
        }

    return set_rates


def test_the_fourth_request_in_a_minute_is_429_problem_with_retry_after(api, rates):
    """Over the key's rate: problem+json 429, and when to come back."""
    rates(api_key="3/min", organisation="100/min")
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(URL)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 429 and body["title"] == "Too many requests"
    assert {"type", "detail"} <= body.keys()
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_organisation_rate_applies_across_its_keys(api, broker, rates):
    """A second key of the same organisation shares the organisation's rate."""
    rates(api_key="100/min", organisation="3/min")
    other = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=broker)}"
    )
    assert [c.get(URL).status_code for c in (api, other, api)] == [200, 200, 200]
    response = other.get(URL)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert "Retry-After" in response


def test_another_organisation_is_not_slowed_down(api, other_shipper, rates):
    """One organisation's burst does not count against another's."""
    rates(api_key="2/min", organisation="2/min")
    theirs = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=other_shipper)}"
    )
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert theirs.get(URL).status_code == 200


def test_posts_count_and_a_throttled_post_frees_its_idempotency_key(api, rates):
    """A 429 is not kept for an Idempotency-Key: the retry later runs."""
    rates(api_key="1/min", organisation="100/min")
    assert api.get(URL).status_code == 200
    response = api.post(
        URL,
        data="{}",
        content_type="application/json",
        headers={"Idempotency-Key": "t"},
    )
    assert response.status_code == 429
    assert "Idempotent-Replayed" not in response
    assert not IdempotencyRecord.objects.exists()


def test_a_429_is_json_even_where_csv_was_asked_for(api, broker, rates):
    """?format=csv negotiates the CSV renderer; the 429 problem stays JSON."""
    rates(api_key="2/min", organisation="100/min")
    upload = api.post(
        "/api/v1/manifests/", {"file": upload_file(manifest_csv([row("T1")]))}
    )
    url = f"/api/v1/manifests/{upload.json()['id']}/issues/?format=csv"
    assert api.get(url).status_code == 200
    response = api.get(url)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429

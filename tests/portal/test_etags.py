"""ETags on API reads: a client that has the current version gets a 304."""

import pytest

from tests.declarations.factories import make_declaration
from tests.declarations.manifests import manifest_csv, row, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def declaration_url(broker) -> str:
    return f"/api/v1/declarations/{make_declaration(organisation=broker).pk}/"


def test_declaration_detail_has_an_etag_and_answers_304_when_unchanged(
    api, declaration_url
):
    """If-None-Match with the current ETag: 304 without a body."""
    first = api.get(declaration_url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and "Authorization" in first["Vary"]
    again = api.get(declaration_url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b"" and again["ETag"] == etag


def test_a_stale_etag_gets_the_full_answer(api, declaration_url):
    """Another ETag (the declaration changed since): 200 with the body."""
    response = api.get(declaration_url, headers={"If-None-Match": '"stale"'})
    assert response.status_code == 200 and response.json()["id"]


def test_manifest_detail_has_an_etag_and_answers_304(api):
    """The manifest a broker polls answers 304 while nothing moved."""
    upload = api.post(
        "/api/v1/manifests/", {"file": upload_file(manifest_csv([row("E1")]))}
    )
    url = f"/api/v1/manifests/{upload.json()['id']}/"
    etag = api.get(url)["ETag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_errors_are_never_304(api):
    """A 404 is answered in full whatever the client sends."""
    response = api.get(
        "/api/v1/declarations/999999999/", headers={"If-None-Match": "*"}
    )
    assert response.status_code == 404


def test_pages_outside_the_api_have_no_etag(shipper_client):
    """HTML pages carry CSRF tokens and messages: never answered 304."""
    response = shipper_client.get("/declarations/")
    assert response.status_code == 200
    assert "ETag" not in response

"""Issue 14's red-team reproductions, replayed: none gives a 500 or a draft."""

import json

import pytest
from django.test import Client

from declarations.models import MAX_GOODS_ITEMS, Declaration, Document
from portal.parsers import MAX_DEPTH
from shipments.models import Manifest
from tests.declarations.factories import h7_payload, make_declaration
from tests.declarations.test_workbench import accepted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_raise(shipper_client, api, client):
    for c in (shipper_client, api, client):
        c.raise_request_exception = False


@pytest.mark.parametrize(
    "url",
    [
        "/declarations/hs-search/?q=%00",
        "/declarations/?q=%00",
        "/manifests/?q=%00",
        "/declarations/{pk}/parties/consignee/?q=ab%00c",
    ],
)
def test_nul_in_a_page_query_is_a_400_naming_the_parameter(
    shipper, shipper_client, url
):
    declaration = make_declaration(organisation=shipper)
    response = shipper_client.get(url.format(pk=declaration.pk))
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and "q" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/api/v1/reference/hs/?q=%00", "/api/v1/declarations/?lrn=x%00"]
)
def test_nul_in_an_api_query_is_a_problem_naming_the_parameter(api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] in ("q", "lrn")


@pytest.mark.parametrize(
    "path", ["/api/v1/declarations/", "/api/v1/quotes/", "/api/v1/webhooks/"]
)
def test_deeply_nested_json_is_a_400_problem(api, path):
    for depth in (10_000, MAX_DEPTH + 1):
        response = api.post(
            path, "[" * depth + "]" * depth, content_type="application/json"
        )
        assert response.status_code == 400, depth
        assert response["Content-Type"] == "application/problem+json"
        assert "nests deeper" in response.json()["detail"]


def test_json_body_over_the_limit_is_a_413_problem(api, settings):
    body = json.dumps({"lrn": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api.post("/api/v1/declarations/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_removing_a_goods_item_twice_says_it_is_gone(shipper, shipper_client):
    declaration = make_declaration(organisation=shipper)
    url = f"/declarations/{declaration.pk}/items/9/remove/"
    for _attempt in range(2):
        response = shipper_client.post(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Item 9 does not exist." in response.content.decode()


@pytest.mark.parametrize("name", ["organisation", "shipment", "manifest"])
def test_admin_filter_given_a_non_number_is_ignored_with_a_message(
    client, officer, shipper, name
):
    declaration = accepted(shipper)  # so that every filter has choices
    manifest = Manifest.objects.create(
        organisation=shipper, original_name="m.csv", size=1, sha256="0" * 64
    )
    Declaration.objects.filter(pk=declaration.pk).update(manifest=manifest)
    client.force_login(officer)
    response = client.get(f"/admin/declarations/declaration/?{name}=abc", follow=True)
    assert response.status_code == 200
    assert "was ignored" in response.content.decode()


def test_more_than_999_goods_items_is_a_400_naming_items(api):
    item = h7_payload()["items"][0]
    payload = h7_payload(items=[item] * (MAX_GOODS_ITEMS + 1))
    response = api.post(
        "/api/v1/declarations/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items"]
    assert "999" in response.json()["errors"][0]["message"]


def test_32800_goods_items_are_refused_not_a_500(api, settings):
    """The red team's smallint overflow: the body is refused before any item."""
    item = h7_payload()["items"][0]
    payload = h7_payload(items=[item] * 32_800)
    response = api.post(
        "/api/v1/declarations/", payload, content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/problem+json"


def test_999_goods_items_are_accepted(api):
    item = h7_payload()["items"][0]
    payload = h7_payload(items=[item] * MAX_GOODS_ITEMS, submit=False)
    response = api.post(
        "/api/v1/declarations/", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content[:500]


def test_the_page_refuses_a_1000th_goods_item(shipper, shipper_client):
    item = h7_payload()["items"][0]
    declaration = make_declaration(organisation=shipper, items=[item] * MAX_GOODS_ITEMS)
    response = shipper_client.post(
        f"/declarations/{declaration.pk}/items/",
        {"description": "Cotton T-shirt", "hs_code": "610910", "origin_country": "CN",
         "quantity": "1", "item_value": "5.00"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    assert "at most 999 goods items" in response.content.decode()
    assert declaration.items.count() == MAX_GOODS_ITEMS


def test_officers_never_see_drafts_by_any_url(shipper, officer, settings, tmp_path):
    """The red team read a trader's draft by its sequential id."""
    settings.MEDIA_ROOT = tmp_path
    draft = make_declaration(organisation=shipper)
    document = Document.objects.create(
        declaration=draft, kind="commercial_invoice", file="documents/x.pdf",
        original_name="x.pdf", size=1, outcome="accepted",
        content_type="application/pdf",
    )  # fmt: skip
    client = Client()
    client.force_login(officer)
    for url in (
        f"/declarations/{draft.pk}/pdf/",
        f"/declarations/{draft.pk}/release-note.pdf",
        f"/admin/declarations/declaration/{draft.pk}/documents/{document.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    change = client.get(f"/admin/declarations/declaration/{draft.pk}/change/")
    assert change.status_code == 302  # "does not exist", back to the queue
    listing = client.get("/admin/declarations/declaration/?queue=all")
    assert draft.lrn not in listing.content.decode()

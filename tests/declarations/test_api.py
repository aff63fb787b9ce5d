"""The broker API for declarations: create, read, list, errors, isolation."""

import json

import pytest
from django.test import Client

from declarations import selectors
from declarations.api.serializers import DeclarationOutput
from declarations.models import Declaration
from declarations.services import declarations_validate
from shipments.models import Consignment
from tests.accounts.factories import ApiKeyFactory, OrganisationFactory
from tests.declarations.factories import h7_payload, make_declaration

pytestmark = pytest.mark.django_db

URL = "/api/v1/declarations/"


def post(client: Client, payload: dict):
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def test_broker_files_h7_and_reads_it_back(api, broker):
    """POST answers 201 with the declaration; GET shows its status and issues."""
    response = post(
        api, h7_payload(lrn="BRK-1", consignee_country="be", mawb="172 1234 5675")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["lrn"] == "BRK-1" and body["mrn"] is None
    assert body["consignee_country"] == "BE" and body["mawb"] == "172-12345675"
    assert body["declarant_eori"] == broker.eori
    assert body["items"][0]["hs_code"] == "610910"
    detail = api.get(f"{URL}{body['id']}/").json()
    assert detail["status"] == "submitted" and detail["issues"] == []
    assert detail["status_history"][0]["to_status"] == "submitted"
    assert detail["status_history"][0]["by"].startswith("API key")


def test_draft_is_kept_unsubmitted(api):
    """submit=false stores a draft."""
    response = post(api, h7_payload(submit=False))
    assert response.json()["status"] == "draft"


def test_invalid_input_is_400_problem_with_field_errors_and_saves_nothing(api):
    """Bad values are named field by field; no row is stored."""
    payload = h7_payload(mawb="172-12345676", consignee_eori="BE0403170702")
    payload["items"][0]["hs_code"] = "61"
    payload["items"][0]["item_value"] = "-1"
    response = post(api, payload)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "errors"} <= body.keys()
    fields = {e["field"] for e in body["errors"]}
    assert {
        "mawb",
        "consignee_eori",
        "items[0].hs_code",
        "items[0].item_value",
    } <= fields
    assert Declaration.objects.count() == 0 and Consignment.objects.count() == 0


@pytest.mark.parametrize("body", ["{not json", "[]", '{"items": "x"}'])
def test_malformed_bodies_are_400_not_500(api, body):
    """Broken JSON or wrong shapes are client errors."""
    response = api.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_duplicate_lrn_is_400_on_lrn(api):
    """The same LRN twice is refused on the lrn field."""
    assert post(api, h7_payload(lrn="DUP")).status_code == 201
    response = post(api, h7_payload(lrn="DUP", hawb="CN2"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lrn"


def test_list_filters_by_status_and_hawb(api):
    """Filters narrow the list; the list is cursor-paginated."""
    post(api, h7_payload(lrn="A", hawb="H-A"))
    post(api, h7_payload(lrn="B", hawb="H-B", submit=False))
    body = api.get(URL, {"status": "draft"}).json()
    assert {"next", "previous", "results"} <= body.keys()
    assert [d["lrn"] for d in body["results"]] == ["B"]
    assert [d["lrn"] for d in api.get(URL, {"hawb": "H-A"}).json()["results"]] == ["A"]


@pytest.mark.parametrize("header", [None, "Token nope", "Bearer x", "Token a b"])
def test_missing_or_bad_key_is_401_problem(header):
    """Authentication errors are problem+json too."""
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_another_organisations_declaration_is_404(api, other_shipper):
    """A key sees only its organisation: another's declaration does not exist for it."""
    theirs = make_declaration(organisation=other_shipper)
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.get(URL, {"lrn": theirs.lrn}).json()["results"] == []


def test_customs_key_cannot_file(db):
    """Customs authorities decide in the admin; their keys are refused."""
    customs = OrganisationFactory(slug="cust", kind="customs", eori="")
    client = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=customs)}"
    )
    assert client.get(URL).status_code == 403


def test_revoked_key_is_refused(api, broker):
    """A revoked key stops working at once."""
    from accounts.services import api_key_revoke

    for key in broker.api_keys.all():
        api_key_revoke(api_key=key)
    assert api.get(URL).status_code == 401


def test_unknown_api_path_is_json_404(api):
    """No HTML error pages under /api/."""
    response = api.get("/api/v1/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_schema_and_docs_are_served(client):
    """The OpenAPI schema and its interactive docs are public."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/declarations/" in document["paths"]
    assert "ApiKey" in document["components"]["securitySchemes"]
    assert client.get("/api/docs/").status_code == 200


def test_validation_renders_the_answer_the_filer_polls_for(
    api, broker, django_assert_num_queries
):
    """Once validated, a declaration is read with two queries (the key, the
    version row), and the answer is the declaration as it now is."""
    created = post(api, h7_payload(lrn="BRK-AHEAD")).json()
    declarations_validate(declaration_ids=[created["id"]])
    with django_assert_num_queries(2):
        answer = api.get(f"{URL}{created['id']}/").json()
    current = selectors.declaration_detail(organisation=broker, pk=created["id"])
    assert answer["status"] == "accepted" and answer["mrn"] == current.mrn
    assert answer == json.loads(json.dumps(DeclarationOutput(current).data))


def test_manufacturer_product_id_is_filed_read_back_and_required(api):
    """The item field manufacturer_product_id is stored and returned; without it
    the declaration is rejected with ITEM-MANUFACTURER-ID on that item
    (Delegated Regulation (EU) 2026/1022, from 1 Nov 2026)."""
    filed = post(api, h7_payload(lrn="MPI-1")).json()
    assert filed["items"][0]["manufacturer_product_id"] == "5412345000013"
    payload = h7_payload(lrn="MPI-2", hawb="CN000000002BE")
    del payload["items"][0]["manufacturer_product_id"]
    created = post(api, payload).json()
    declarations_validate(declaration_ids=[created["id"]])
    answer = api.get(f"{URL}{created['id']}/").json()
    assert answer["status"] == "rejected"
    codes = {(i["code"], i["field"]) for i in answer["issues"]}
    assert ("ITEM-MANUFACTURER-ID", "manufacturer_product_id") in codes

"""Broker API operations beyond create and read: bulk, submit, amend, invalidate,
filters, HS search and landed-cost quotes."""

import json

import pytest

from declarations.models import Declaration
from declarations.services import declaration_validate
from tests.declarations.factories import h7_payload, make_declaration

pytestmark = pytest.mark.django_db


def post(client, url: str, payload) -> object:
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_bulk_creates_valid_and_names_invalid_ones(api):
    """One call: each entry gets its own answer; invalid ones are not stored."""
    good = h7_payload(lrn="BULK-1", hawb="BK1")
    bad = h7_payload(lrn="BULK-2", hawb="BK2", mawb="172-12345676")
    duplicate = h7_payload(lrn="BULK-1", hawb="BK3")
    response = post(
        api, "/api/v1/declarations/bulk/", {"declarations": [good, bad, duplicate]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["invalid"]) == (1, 2)
    first, second, third = body["results"]
    assert first["result"] == "created" and first["lrn"] == "BULK-1"
    assert second["result"] == "invalid" and second["errors"][0]["field"] == "mawb"
    assert third["errors"][0]["field"] == "lrn"
    assert Declaration.objects.count() == 1


def test_bulk_refuses_more_than_1000(api):
    """The limit is named in a field error."""
    response = post(api, "/api/v1/declarations/bulk/", {"declarations": [{}] * 1001})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "declarations"


def test_submit_a_draft(api, broker):
    """A draft is submitted by its own endpoint."""
    draft = make_declaration(organisation=broker)
    response = api.post(f"/api/v1/declarations/{draft.pk}/submit/")
    assert response.status_code == 202 and response.json()["status"] == "submitted"
    again = api.post(f"/api/v1/declarations/{draft.pk}/submit/")
    assert (
        again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    )


def accepted(organisation, **changes) -> Declaration:
    declaration = make_declaration(organisation=organisation, submit=True, **changes)
    return declaration_validate(declaration_id=declaration.pk)


def test_amend_makes_a_new_version_and_retires_the_old_once_accepted(api, broker):
    """Version 2 under the same LRN; version 1 readable, then invalidated."""
    old = accepted(broker, lrn="AM-1")
    payload = h7_payload(consignee_address="Meir 41")
    response = post(api, f"/api/v1/declarations/{old.pk}/amend/", payload)
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["lrn"], new["version"], new["previous_version"]) == ("AM-1", 2, old.pk)
    assert api.get(f"/api/v1/declarations/{old.pk}/").json()["status"] == "accepted"
    declaration_validate(declaration_id=new["id"])
    assert api.get(f"/api/v1/declarations/{new['id']}/").json()["status"] == "accepted"
    retired = api.get(f"/api/v1/declarations/{old.pk}/").json()
    assert retired["status"] == "invalidated"
    assert "Replaced by version 2" in retired["status_history"][-1]["reason"]


def test_amend_is_refused_for_a_draft(api, broker):
    """Only accepted, unreleased declarations can be amended."""
    draft = make_declaration(organisation=broker)
    response = post(api, f"/api/v1/declarations/{draft.pk}/amend/", h7_payload())
    assert response.status_code == 409


def test_invalidation_request(api, broker):
    """Accepted: invalidated at once, with the reason in the history."""
    declaration = accepted(broker)
    response = post(
        api,
        f"/api/v1/declarations/{declaration.pk}/invalidate/",
        {"reason": "Parcel never shipped"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "invalidated"
    assert body["status_history"][-1]["reason"] == "Parcel never shipped"
    missing = post(api, f"/api/v1/declarations/{declaration.pk}/invalidate/", {})
    assert missing.status_code == 400


def test_list_filters_by_date_and_rejects_bad_values(api, broker):
    """Date range filters work; a malformed filter is a 400, not a 500."""
    make_declaration(organisation=broker, lrn="D1", hawb="D1")
    assert (
        len(
            api.get(
                "/api/v1/declarations/", {"created_after": "2000-01-01T00:00:00Z"}
            ).json()["results"]
        )
        == 1
    )
    assert (
        api.get(
            "/api/v1/declarations/", {"created_before": "2000-01-01T00:00:00Z"}
        ).json()["results"]
        == []
    )
    for params in (
        {"created_after": "yesterday"},
        {"status": "lost"},
        {"manifest": "x"},
    ):
        assert api.get("/api/v1/declarations/", params).status_code == 400


def test_hs_search_by_code_and_by_words(api):
    """Digits find codes by prefix, words find descriptions."""
    by_code = api.get("/api/v1/reference/hs/", {"q": "6109.1"}).json()["results"]
    assert [r["code"] for r in by_code] == ["610910"]
    by_words = api.get(
        "/api/v1/reference/hs/", {"q": "t-shirts cotton", "level": 6}
    ).json()
    assert "610910" in {r["code"] for r in by_words["results"]}
    assert api.get("/api/v1/reference/hs/").status_code == 400


def test_quote_gives_the_worked_example_to_the_cent(api):
    """T-shirt EUR 20 + watch EUR 40 + transport EUR 5, standard path: duty 6.00,
    VAT 14.91, total 20.91, each line with its legal source."""
    payload = {
        "currency": "EUR",
        "vat_path": "STANDARD",
        "transport_cost": "5.00",
        "on": "2026-11-20",
        "items": [
            {"hs_code": "610910", "item_value": "20.00"},
            {"hs_code": "910211", "item_value": "40.00"},
        ],
    }
    response = post(api, "/api/v1/quotes/", payload)
    assert response.status_code == 200, response.content
    quote = response.json()
    assert (
        quote["customs_duty_eur"],
        quote["import_vat_eur"],
        quote["total_due_eur"],
    ) == ("6.00", "14.91", "20.91")
    assert all(line["legal_source"] for line in quote["lines"])
    assert Declaration.objects.count() == 0


def test_quote_without_rate_names_the_month(api):
    """A month with no ECB rate is a 400 on currency saying what is missing."""
    payload = {
        "currency": "CNY",
        "on": "2027-03-01",
        "items": [{"hs_code": "610910", "item_value": "100"}],
    }
    response = post(api, "/api/v1/quotes/", payload)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "currency" and "CNY" in error["message"]

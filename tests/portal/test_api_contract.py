"""Every operation's real answers, success and errors, checked against the schema
by openapi-core, as a strict client would check them."""

import json
import re
from collections import defaultdict

import pytest
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from accounts.models import WebhookDelivery, WebhookEndpoint
from declarations.services import declaration_validate
from tests.accounts.factories import ApiKeyFactory, OrganisationFactory
from tests.declarations.factories import h7_payload, make_declaration
from tests.declarations.manifests import manifest_csv, process, row, upload_file

pytestmark = pytest.mark.django_db
HOST = "http://testserver"


def api_schema(client: Client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict) -> dict[str, str]:
    """operationId -> 'METHOD path template', for every operation."""
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


class Contract:
    """Runs requests through Django's test client and validates each answer."""

    def __init__(self, client: Client, schema: dict) -> None:
        self.client = client
        # openapi-core reads application/json and a few +json types as JSON,
        # and leaves other bodies as bytes: a client reads these two so.
        config = Config(
            extra_media_type_deserializers={
                "application/problem+json": json.loads,
                "text/csv": lambda body, charset="utf-8": body.decode(charset),
            }
        )
        self.openapi = OpenAPI.from_dict(schema, config=config)
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.templates = defaultdict(list)
        for path, item in schema["paths"].items():
            template = re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)))
            for method, operation in item.items():
                self.templates[method].append((template, operation["operationId"]))

    def __call__(self, method: str, path: str, status: int, **kwargs):
        payload = kwargs.pop("json", None)
        if payload is not None:
            kwargs |= {"data": json.dumps(payload), "content_type": "application/json"}
        response = getattr(self.client, method)(path, **kwargs)
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        assert response.status_code == status, body[:2000]
        request = MockRequest(HOST, method, path.split("?")[0])
        answer = MockResponse(
            body,
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=response.get("Content-Type", ""),
        )
        self.openapi.validate_response(request, answer)
        self.seen[self._operation_id(method, path.split("?")[0])].add(status)
        return json.loads(body) if body[:1] == b"{" else body

    def _operation_id(self, method: str, path: str) -> str:
        for template, operation_id in self.templates[method]:
            if template.fullmatch(path):
                return operation_id
        raise AssertionError(f"{method} {path} is not in the schema")


@pytest.fixture
def contract(db, settings) -> Contract:
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min", "organisation": None}
    }
    broker = OrganisationFactory(slug="contract-broker", kind="broker")
    key = ApiKeyFactory.issue(organisation=broker)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    contract = Contract(client, api_schema(Client()))
    contract.organisation = broker
    return contract


def test_every_operation_answers_as_the_schema_says(contract, settings):
    call, org = contract, contract.organisation
    anonymous = Client()
    customs = OrganisationFactory(slug="contract-customs", kind="customs", eori="")
    officer_key = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=customs)}"
    )

    # Declarations: file (computation still null), read, list, errors.
    created = call("post", "/api/v1/declarations/", 201, json=h7_payload(lrn="C-1"))
    assert created["computation"] is None
    call("post", "/api/v1/declarations/", 400, json=h7_payload(consigne_eori="x"))
    detail = call("get", f"/api/v1/declarations/{created['id']}/", 200)
    assert detail["id"] == created["id"]
    call("get", "/api/v1/declarations/999999/", 404)
    call("get", "/api/v1/declarations/", 200)
    call("get", "/api/v1/declarations/?status=nonsense", 400)
    call("get", "/api/v1/declarations/?cursor=forged", 400)
    for client, status in ((anonymous, 401), (officer_key, 403)):
        contract.client, saved = client, contract.client
        call("get", "/api/v1/declarations/", status)
        contract.client = saved
    # An ETag'd read again: 304 without a body.
    etag = contract.client.get(f"/api/v1/declarations/{created['id']}/")["ETag"]
    call("get", f"/api/v1/declarations/{created['id']}/", 304, HTTP_IF_NONE_MATCH=etag)

    # Bulk: three, one of them with an unknown field.
    entries = [h7_payload(lrn=f"C-B{n}", hawb=f"CB{n}") for n in range(3)]
    entries[2]["colour"] = "blue"
    bulk_url = "/api/v1/declarations/bulk/"
    bulk = call("post", bulk_url, 200, json={"declarations": entries})
    assert [r["result"] for r in bulk["results"]] == ["created", "created", "invalid"]
    assert bulk["results"][2]["errors"][0]["field"] == "colour"
    call("post", bulk_url, 400, json={"declarations": []})

    # Actions on a draft and on an accepted declaration.
    draft = make_declaration(organisation=org, lrn="C-D", hawb="CD1")
    call("post", f"/api/v1/declarations/{draft.pk}/submit/", 202)
    call("post", f"/api/v1/declarations/{draft.pk}/submit/", 409)
    call("post", "/api/v1/declarations/999999/submit/", 404)
    accepted = make_declaration(organisation=org, submit=True, lrn="C-A", hawb="CA1")
    declaration_validate(declaration_id=accepted.pk)
    amend_url = f"/api/v1/declarations/{accepted.pk}/amend/"
    call("post", amend_url, 400, json=h7_payload(hawb="CA1", packages=0))
    amended = call("post", amend_url, 201, json=h7_payload(hawb="CA1"))
    call("post", f"/api/v1/declarations/{amended['id']}/amend/", 409, json=h7_payload())
    call("post", "/api/v1/declarations/999999/amend/", 404, json=h7_payload())
    invalidate = f"/api/v1/declarations/{accepted.pk}/invalidate/"
    call("post", invalidate, 400, json={})
    call("post", invalidate, 202, json={"reason": "Filed twice."})
    reason = {"reason": "Filed twice."}
    call("post", f"/api/v1/declarations/{draft.pk}/invalidate/", 409, json=reason)
    call("post", "/api/v1/declarations/999999/invalidate/", 404, json={"reason": "x"})

    # Documents.
    documents = f"/api/v1/declarations/{created['id']}/documents/"
    call("get", documents, 200)
    call("get", "/api/v1/declarations/999999/documents/", 404)
    call("post", documents, 400, data={"kind": "packing_list"})
    pdf = upload_file(b"%PDF-1.4\n%%EOF\n", "invoice.pdf")
    call("post", documents, 202, data={"kind": "packing_list", "file": pdf})
    call("post", "/api/v1/declarations/999999/documents/", 404, data={})

    # Manifests: upload, the same file again, a non-manifest, issues (JSON, CSV).
    rows = [row("CM1"), row("CM2", hs_code="999999"), row("CM3", mawb="bad")]
    data = manifest_csv(rows)
    manifest = call("post", "/api/v1/manifests/", 202, data={"file": upload_file(data)})
    call("post", "/api/v1/manifests/", 200, data={"file": upload_file(data)})
    call("post", "/api/v1/manifests/", 400, data={"file": upload_file(b"\x89PNG")})
    from shipments.models import Manifest

    process(Manifest.objects.get(pk=manifest["id"]))
    call("get", f"/api/v1/manifests/{manifest['id']}/", 200)
    call("get", "/api/v1/manifests/999999/", 404)
    issues_url = f"/api/v1/manifests/{manifest['id']}/issues/"
    page = call("get", issues_url + "?page_size=1", 200)
    assert page["results"] and page["next"]
    call("get", issues_url + "?cursor=forged", 400)
    call("get", "/api/v1/manifests/999999/issues/", 404)
    csv = call("get", f"/api/v1/manifests/{manifest['id']}/issues.csv", 200)
    assert csv.startswith(b"row,hawb,code,severity,field,message\r\n2,CM2,")
    call("get", "/api/v1/manifests/999999/issues.csv", 404)
    # The contract's ?format=csv still answers CSV, and its errors problem+json.
    legacy = contract.client.get(issues_url + "?format=csv")
    assert legacy["Content-Type"].startswith("text/csv")

    # Quotes and the HS search.
    quote = {"currency": "EUR", "items": [{"hs_code": "610910", "item_value": "20"}]}
    priced = call("post", "/api/v1/quotes/", 200, json=quote)
    assert all(len(line["amount_eur"].split(".")[1]) == 2 for line in priced["lines"])
    call("post", "/api/v1/quotes/", 400, json=quote | {"currency": "EURO"})
    call("get", "/api/v1/reference/hs/?q=6109", 200)
    call("get", "/api/v1/reference/hs/?q=6", 400)

    # Webhooks.
    hook = {"url": "https://broker.example/hook", "events": ["accepted"]}
    endpoint = call("post", "/api/v1/webhooks/", 201, json=hook)
    call("post", "/api/v1/webhooks/", 400, json=hook | {"event": ["accepted"]})
    call("get", "/api/v1/webhooks/", 200)
    call("get", "/api/v1/webhooks/?cursor=forged", 400)
    # The cursor's message is translated: it is still a 400, not a 404.
    call("get", "/api/v1/webhooks/?cursor=forged", 400, HTTP_ACCEPT_LANGUAGE="fr")
    one = f"/api/v1/webhooks/{endpoint['id']}/"
    call("get", one, 200)
    call("get", "/api/v1/webhooks/999999/", 404)
    call("patch", one, 200, json={"description": "ERP"})
    call("patch", one, 400, json={"events": []})
    call("patch", "/api/v1/webhooks/999999/", 404, json={})
    call("get", one + "deliveries/", 200)
    call("get", "/api/v1/webhooks/999999/deliveries/", 404)
    endpoint_row = WebhookEndpoint.objects.get(pk=endpoint["id"])
    declaration_validate(
        declaration_id=make_declaration(
            organisation=org, submit=True, lrn="C-W", hawb="CW1"
        ).pk
    )
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint_row).first()
    assert delivery is not None
    deliveries = call("get", one + "deliveries/", 200)
    assert deliveries["results"][0]["payload"]["lrn"] == "C-W"
    replay = f"/api/v1/webhooks/deliveries/{delivery.pk}/replay/"
    call("post", replay, 202)
    call("post", "/api/v1/webhooks/deliveries/999999/replay/", 404)
    call("delete", one, 200)
    call("delete", "/api/v1/webhooks/999999/", 404)
    call("post", replay, 409)

    # Idempotency: a replay is declared, and so is a key reused for another body.
    key = {"HTTP_IDEMPOTENCY_KEY": "contract-1"}
    call("post", "/api/v1/quotes/", 200, json=quote, **key)
    replayed = contract.client.post(
        "/api/v1/quotes/", json.dumps(quote), content_type="application/json", **key
    )
    assert replayed["Idempotent-Replayed"] == "true"
    call("post", "/api/v1/quotes/", 409, json=quote | {"currency": "USD"}, **key)

    # Too many requests: 429 with Retry-After.
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"api_key": "1/min", "organisation": None}
    }
    contract.client.get("/api/v1/declarations/")
    call("get", "/api/v1/declarations/", 429)

    schema = api_schema(Client())
    missing = {
        operation_id: where
        for operation_id, where in operations(schema).items()
        if not any(200 <= s < 300 for s in contract.seen[operation_id])
        or not any(s >= 400 for s in contract.seen[operation_id])
    }
    assert not missing, f"operations without a success and an error: {missing}"


def test_unknown_fields_are_refused_by_name_and_nothing_is_stored(api):
    """A misspelt field is a 400 naming it, at any depth, not silently dropped."""
    from declarations.models import Declaration

    payload = h7_payload(lrn="U-1", consigne_eori="BE0123456789")
    payload["items"][0]["colour"] = "blue"
    response = api.post(
        "/api/v1/declarations/", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"consigne_eori", "items[0].colour"}
    assert not Declaration.objects.exists()
    # Without the typos, the same declaration is filed.
    del payload["consigne_eori"], payload["items"][0]["colour"]
    response = api.post(
        "/api/v1/declarations/", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201

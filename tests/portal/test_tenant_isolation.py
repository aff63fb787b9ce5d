"""Tenant isolation: every API operation, with another organisation's ids, is 404.

The operations come from the OpenAPI schema, so a new endpoint is walked as soon
as it exists; a path parameter no rule below can fill fails the test.
"""

import json
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.models import ApiKey, Organisation, WebhookDelivery, WebhookEndpoint
from declarations.models import Declaration, Document
from shipments.models import Manifest
from tests.accounts.factories import ApiKeyFactory, OrganisationFactory
from tests.declarations.factories import make_declaration
from tests.declarations.manifests import manifest_csv, row, upload_file

pytestmark = pytest.mark.django_db

# Strings found only in organisation B's objects: none may reach A.
MARKERS = {
    "lrn": "TENANTB-LRN-1",
    "hawb": "TENANTB0001",
    "consignee_name": "Tenant B Hidden Consignee",
    "manifest_hawb": "TENANTB0002",
    "manifest_name": "tenant-b-flight.csv",
    "document_name": "tenant-b-invoice.pdf",
    "webhook_url": "https://tenant-b.example/hooks/customs",
}

# The path segment before a path parameter names B's object that fills it.
OBJECT_RULES = {
    "declarations": "declaration",
    "manifests": "manifest",
    "documents": "document",
    "webhooks": "webhook",
    "deliveries": "delivery",
}
# Query parameters that take an object's id (filters): given B's ids, A's lists
# must stay free of B's objects.
QUERY_RULES = {
    "manifest": "manifest",
    "declaration": "declaration",
    "endpoint": "webhook",
    "webhook": "webhook",
}
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class TenantB:
    organisation: Organisation
    ids: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict:
        """B's rows as they are, to show that nothing A sent changed them."""
        rows = {
            "declarations": Declaration.objects.filter(organisation=self.organisation),
            "manifests": Manifest.objects.filter(organisation=self.organisation),
            "documents": Document.objects.filter(
                declaration__organisation=self.organisation
            ),
            "webhooks": WebhookEndpoint.objects.filter(organisation=self.organisation),
            "deliveries": WebhookDelivery.objects.filter(
                endpoint__organisation=self.organisation
            ),
            "keys": ApiKey.objects.filter(organisation=self.organisation),
        }
        return {
            name: sorted((model_to_dict(o) for o in q), key=lambda d: d["id"])
            for name, q in rows.items()
        }


@pytest.fixture
def tenant_b(db) -> TenantB:
    """Organisation B with one object of every kind the API serves."""
    organisation = OrganisationFactory(slug="tenant-b", kind="broker")
    client = Client(
        HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=organisation)}"
    )
    declaration = make_declaration(
        organisation=organisation,
        lrn=MARKERS["lrn"],
        hawb=MARKERS["hawb"],
        consignee_name=MARKERS["consignee_name"],
    )
    upload = client.post(
        "/api/v1/manifests/",
        {
            "file": upload_file(
                manifest_csv([row(MARKERS["manifest_hawb"])]),
                name=MARKERS["manifest_name"],
            )
        },
    )
    assert upload.status_code == 202, upload.content
    document = client.post(
        f"/api/v1/declarations/{declaration.pk}/documents/",
        {
            "kind": "commercial_invoice",
            "file": SimpleUploadedFile(
                MARKERS["document_name"], b"%PDF-1.4\n%%EOF\n", "application/pdf"
            ),
        },
    )
    assert document.status_code == 202, document.content
    webhook = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=MARKERS["webhook_url"],
        events=["accepted"],
        secret="whsec-tenant-b",
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=webhook,
        event="accepted",
        declaration_id=declaration.pk,
        payload={"lrn": MARKERS["lrn"]},
        status=WebhookDelivery.Status.FAILED,
    )
    return TenantB(
        organisation=organisation,
        ids={
            "declaration": declaration.pk,
            "manifest": upload.json()["id"],
            "document": document.json()["id"],
            "webhook": webhook.pk,
            "delivery": delivery.pk,
        },
    )


def api_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in METHODS
    ]


def fill_path(path: str, operation: dict, ids: dict[str, int]) -> str:
    """B's ids in place of the path's parameters, by the segment before each."""

    def fill(match: re.Match) -> str:
        segment = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        kind = OBJECT_RULES.get(segment)
        if kind is None:
            pytest.fail(
                f"No rule fills {match.group(0)} in {path}: add the segment "
                f"{segment!r} to OBJECT_RULES in {__name__}."
            )
        return str(ids[kind])

    return re.sub(r"\{[^}]+\}", fill, path)


def send(client: Client, method: str, url: str, operation: dict):
    content = operation.get("requestBody", {}).get("content", {})
    if method == "get":
        return client.get(url)
    if "multipart/form-data" in content:
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        return client.post(url, {"file": upload, "kind": "commercial_invoice"})
    return client.generic(
        method.upper(), url, json.dumps({}), content_type="application/json"
    )


def leaked(response) -> list[str]:
    text = response.content.decode(errors="replace")
    return [name for name, value in MARKERS.items() if value in text]


def test_every_operation_on_another_organisations_objects_is_404(api, tenant_b):
    """A's key on B's declarations, manifests, documents, webhooks: 403 or 404."""
    before = tenant_b.snapshot()
    problems, walked = [], 0
    for path, method, operation in api_operations():
        if "{" not in path:
            continue
        url = fill_path(path, operation, tenant_b.ids)
        response = send(api, method, url, operation)
        walked += 1
        if response.status_code not in (403, 404):
            problems.append(f"{method.upper()} {url}: {response.status_code}")
        if found := leaked(response):
            problems.append(f"{method.upper()} {url} shows B's {found}")
    assert walked >= 10, "the schema lost its object paths"
    assert not problems, "\n".join(problems)
    assert tenant_b.snapshot() == before, "A changed B's objects"


def test_lists_and_filters_never_show_another_organisations_objects(api, tenant_b):
    """A's lists, even filtered by B's ids, hold nothing of B's."""
    problems = []
    for path, method, operation in api_operations():
        if "{" in path or method != "get":
            continue
        filters = {
            p["name"]: tenant_b.ids[QUERY_RULES[p["name"]]]
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p["name"] in QUERY_RULES
        }
        for params in ({}, filters) if filters else ({},):
            response = api.get(path, params)
            if response.status_code >= 500:
                problems.append(f"GET {path} {params}: {response.status_code}")
            if found := leaked(response):
                problems.append(f"GET {path} {params} shows B's {found}")
    assert not problems, "\n".join(problems)


def test_the_markers_are_visible_to_their_own_organisation(tenant_b):
    """The check above could not pass by accident: B sees its own objects."""
    client = Client(
        HTTP_AUTHORIZATION="Token "
        + ApiKeyFactory.issue(organisation=tenant_b.organisation)
    )
    declaration = client.get(f"/api/v1/declarations/{tenant_b.ids['declaration']}/")
    assert {"lrn", "hawb", "consignee_name"} <= set(leaked(declaration))
    documents = client.get(
        f"/api/v1/declarations/{tenant_b.ids['declaration']}/documents/"
    )
    assert "document_name" in leaked(documents)
    webhook = client.get(f"/api/v1/webhooks/{tenant_b.ids['webhook']}/")
    assert leaked(webhook) == ["webhook_url"]
    manifest = client.get(f"/api/v1/manifests/{tenant_b.ids['manifest']}/")
    assert leaked(manifest) == ["manifest_name"]

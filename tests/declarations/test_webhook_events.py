"""Status changes reach the declarant's webhooks, from every path that makes them."""

import pytest

from accounts.models import WebhookDelivery
from accounts.webhooks import webhook_endpoint_create
from declarations.services import declaration_submit, declaration_validate
from declarations.services.manifests import manifest_submit
from tests.declarations.factories import make_declaration
from tests.declarations.manifests import manifest_csv, process, row, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(broker, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    endpoint, _ = webhook_endpoint_create(
        organisation=broker,
        url="https://hooks.example.com/customs",
        events=["accepted", "rejected", "under_review"],
    )
    return endpoint


def test_acceptance_of_a_filed_declaration_is_announced(broker, endpoint):
    """A declaration accepted by the validation task makes one delivery."""
    declaration = make_declaration(organisation=broker)
    declaration_submit(declaration=declaration, by=None)
    declaration_validate(declaration_id=declaration.pk)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.event, delivery.declaration_id) == ("accepted", declaration.pk)
    assert delivery.payload["mrn"] and delivery.payload["from_status"] == "validating"


def test_manifest_outcomes_are_announced(broker, endpoint, settings, tmp_path):
    """Each parcel of a manifest is announced with its outcome."""
    settings.MEDIA_ROOT = tmp_path
    data = manifest_csv([row("W1"), row("W2", hs_code="999999")])
    manifest, _ = manifest_submit(
        organisation=broker, upload=upload_file(data), by=None
    )
    process(manifest)
    events = sorted(WebhookDelivery.objects.values_list("event", "payload__hawb"))
    assert events == [("accepted", "W1"), ("rejected", "W2")]


def test_no_endpoint_no_delivery(broker):
    """Without an endpoint nothing is written."""
    declaration = make_declaration(organisation=broker, submit=True)
    declaration_validate(declaration_id=declaration.pk)
    assert not WebhookDelivery.objects.exists()

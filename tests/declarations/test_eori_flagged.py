"""Organisations whose EORI fails the new check: flagged, and filing refused."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Organisation
from declarations.models import Declaration, Status
from tests.accounts.factories import ApiKeyFactory, MembershipFactory
from tests.declarations.factories import h7_payload, make_declaration

pytestmark = pytest.mark.django_db


def gb_broker(broker) -> Organisation:
    """An organisation registered before the check: its GB EORI is stored as it
    was (written past the validators, as old data is)."""
    Organisation.objects.filter(pk=broker.pk).update(eori="GB123456789000")
    broker.refresh_from_db()
    return broker


def test_eori_recheck_flags_failing_organisations_and_deletes_nothing(broker, shipper):
    """The command flags the GB EORI, leaves the Belgian one alone, deletes
    nothing; the operator filters them in the admin."""
    gb_broker(broker)
    before = Organisation.objects.count()
    call_command("eori_recheck")
    assert Organisation.objects.count() == before
    assert Organisation.objects.get(pk=broker.pk).eori_flagged
    assert not Organisation.objects.get(pk=shipper.pk).eori_flagged


def test_operator_sees_flagged_organisations_in_the_admin(
    broker, shipper, admin_client
):
    """The organisation list has an 'EORI fails the check' filter and column."""
    gb_broker(broker)
    call_command("eori_recheck")
    page = admin_client.get("/admin/accounts/organisation/?eori_flagged__exact=1")
    html = page.content.decode()
    assert page.status_code == 200
    assert broker.name in html and shipper.name not in html


def test_flagged_broker_cannot_file_by_api(broker):
    """The API answers 403 with the reason and the fix; nothing is stored."""
    gb_broker(broker)
    call_command("eori_recheck")
    api = Client(HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=broker)}")
    response = api.post(
        "/api/v1/declarations/",
        data=json.dumps(h7_payload(lrn="GB-1")),
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    body = response.json()
    assert "GB123456789000" in body["detail"] and "member state" in body["detail"]
    assert not Declaration.objects.filter(lrn="GB-1").exists()


def test_flagged_shipper_cannot_submit_on_the_page_nor_upload_a_manifest(shipper):
    """The page says why on submit and on manifest upload; the draft stays a
    draft."""
    draft = make_declaration(organisation=shipper, lrn="D-1")
    Organisation.objects.filter(pk=shipper.pk).update(
        eori="CN9144030071", eori_flagged=True
    )
    client = Client()
    client.force_login(MembershipFactory(organisation=shipper).user)
    page = client.post(f"/declarations/{draft.pk}/submit/", follow=True)
    assert "CN9144030071" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("m.csv", b"hawb\nX\n", content_type="text/csv")
    page = client.post("/manifests/upload/", {"file": upload}, follow=True)
    assert "CN9144030071" in page.content.decode()


def test_corrected_eori_may_file_again(broker, admin_client):
    """The operator corrects the EORI in the admin: the flag clears, and the new
    number waits for the operator's verification like any other."""
    gb_broker(broker)
    call_command("eori_recheck")
    admin_client.post(
        f"/admin/accounts/organisation/{broker.pk}/change/",
        {"name": broker.name, "slug": broker.slug, "kind": broker.kind,
         "eori": "BE0403170701", "memberships-TOTAL_FORMS": 0,
         "memberships-INITIAL_FORMS": 0},
    )  # fmt: skip
    broker.refresh_from_db()
    assert broker.eori == "BE0403170701" and not broker.eori_flagged
    assert broker.eori_status == Organisation.EoriStatus.PENDING

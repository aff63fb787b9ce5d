"""seed_demo: the demo organisations and logins, idempotently."""

import json

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory

from accounts.models import Organisation
from declarations.models import Declaration, StatusChange
from tests.declarations.factories import h7_payload

pytestmark = pytest.mark.django_db


def authenticate(**credentials):
    # django-axes watches every sign-in: it needs the request.
    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


def snapshot() -> dict:
    return {
        "orgs": list(Organisation.objects.order_by("slug").values_list("slug", "kind")),
        "declarations": list(
            Declaration.objects.order_by("lrn").values_list("lrn", "status", "mrn")
        ),
        "changes": StatusChange.objects.count(),
    }


def test_seed_demo_creates_orgs_and_logins_and_second_run_changes_nothing(capsys):
    """Four organisations with working logins; running it again changes nothing."""
    call_command("seed_demo")
    out = capsys.readouterr().out
    first = snapshot()
    slugs = {slug for slug, _ in first["orgs"]}
    assert {"demo-shipper", "demo-forwarder", "demo-broker"} <= slugs
    assert ("belgian-customs", "customs") in first["orgs"]
    assert "shipper@demo.example" in out and "officer@customs.example" in out
    assert authenticate(username="shipper@demo.example", password="demo-shipper-pass")
    officer = authenticate(
        username="officer@customs.example", password="demo-officer-pass"
    )
    assert officer.is_staff and officer.has_perm("declarations.decide_declaration")
    assert all(
        organisation.is_verified for organisation in Organisation.objects.all()
    )
    call_command("seed_demo")
    assert snapshot() == first


def test_the_demo_broker_files_by_api_with_a_key_from_the_command(capsys):
    """The contract's demo: seed_demo, issue_api_key demo-broker, file by API."""
    call_command("seed_demo")
    capsys.readouterr()
    call_command("issue_api_key", "demo-broker")
    captured = capsys.readouterr()
    assert captured.err == ""  # no "not verified" warning
    api = Client(HTTP_AUTHORIZATION=f"Token {captured.out.strip()}")
    response = api.post(
        "/api/v1/declarations/",
        json.dumps(h7_payload(lrn="DEMO-API-1")),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()

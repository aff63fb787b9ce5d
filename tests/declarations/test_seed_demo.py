"""seed_demo: the demo organisations and logins, idempotently."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Organisation
from declarations.models import Declaration, StatusChange

pytestmark = pytest.mark.django_db


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
    call_command("seed_demo")
    assert snapshot() == first

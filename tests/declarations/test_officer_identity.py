"""Traders see "Customs", never an officer's name (red-team issue 14, item 9)."""

import json

import pytest
from django.test import Client

from declarations.services import (
    declaration_decide,
    declaration_submit,
    declaration_validate,
)
from tests.accounts.factories import ApiKeyFactory, MembershipFactory, logged_in
from tests.declarations.factories import make_declaration, make_officer

pytestmark = pytest.mark.django_db


def _held_by_officer(organisation, officer):
    declaration = make_declaration(organisation=organisation)
    declaration_submit(declaration=declaration, by=None)
    declaration = declaration_validate(declaration_id=declaration.pk)
    return declaration_decide(
        declaration=declaration,
        decision="hold",
        by=officer,
        reason="Invoice needed",
    )


def test_red_team_the_api_status_history_names_no_officer(broker):
    """Replay: the API's status history showed the officer's full name. It now
    says "Customs"; the reason stays."""
    officer = make_officer(first_name="Olga", last_name="Vandenbroucke")
    declaration = _held_by_officer(broker, officer)
    api = Client(HTTP_AUTHORIZATION=f"Token {ApiKeyFactory.issue(organisation=broker)}")
    body = api.get(f"/api/v1/declarations/{declaration.pk}/")
    history = body.json()["status_history"]
    assert history[-1]["to_status"] == "held"
    assert history[-1]["by"] == "Customs" and history[-1]["reason"] == "Invoice needed"
    text = json.dumps(body.json())
    assert "Olga" not in text and "Vandenbroucke" not in text


def test_the_declaration_page_names_colleagues_but_not_officers(shipper):
    """The history on the trader's page: the colleague who filed by name, the
    officer as "Customs"."""
    officer = make_officer(first_name="Olga", last_name="Vandenbroucke")
    colleague = MembershipFactory(
        organisation=shipper, user__first_name="Carla", user__last_name="Colleague"
    ).user
    declaration = make_declaration(organisation=shipper)
    declaration_submit(declaration=declaration, by=colleague)
    declaration = declaration_validate(declaration_id=declaration.pk)
    declaration_decide(
        declaration=declaration, decision="hold", by=officer, reason="Invoice needed"
    )
    page = logged_in(colleague).get(f"/declarations/{declaration.pk}/").content.decode()
    assert "Carla Colleague" in page and "<td>Customs</td>" in page
    assert "Olga" not in page and "Vandenbroucke" not in page

"""The officer's review queue in the admin: ordering, detail, decisions with reasons."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from declarations.models import Declaration, Status
from declarations.services import declaration_validate
from tests.accounts.factories import logged_in
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:declarations_declaration_changelist")


@pytest.fixture
def officer_client(officer) -> Client:
    return logged_in(officer)


def accepted(shipper, **changes) -> Declaration:
    declaration = make_declaration(organisation=shipper, submit=True, **changes)
    return declaration_validate(declaration_id=declaration.pk)


def test_queue_lists_submitted_declarations_by_risk(officer_client, shipper):
    """Highest risk first; drafts are not in the queue."""
    low = accepted(shipper, lrn="LOW", hawb="H1")
    high = accepted(shipper, lrn="HIGH", hawb="H2")
    Declaration.objects.filter(pk=high.pk).update(risk_score=80)
    make_declaration(organisation=shipper, lrn="DRAFT", hawb="H3")
    html = officer_client.get(QUEUE).content.decode()
    assert html.index(high.mrn) < html.index(low.mrn)
    assert "DRAFT" not in html


def test_officer_sees_parties_items_issues_and_history_read_only(
    officer_client, shipper
):
    """The change page shows everything; posting a change is refused."""
    declaration = accepted(shipper)
    url = reverse("admin:declarations_declaration_change", args=[declaration.pk])
    html = officer_client.get(url).content.decode()
    for text in (
        "Anne Dupont",
        "Zhengzhou Bright Home",
        "Cotton T-shirt for men",
        "Status history",
        "Release…",
        "Hold…",
    ):
        assert text in html, text
    assert officer_client.post(url, {"lrn": "CHANGED"}).status_code == 403
    declaration.refresh_from_db()
    assert declaration.lrn != "CHANGED"


def test_hold_action_asks_for_reason_then_shipper_sees_it(
    officer_client, shipper, shipper_client
):
    """The bulk action shows a reason form; after it, the shipper reads the reason."""
    declaration = accepted(shipper)
    data = {"action": "hold_selected", ACTION_CHECKBOX_NAME: [declaration.pk]}
    form = officer_client.post(QUEUE, data)
    assert form.status_code == 200 and b"Reason" in form.content
    declaration.refresh_from_db()
    assert declaration.status == Status.ACCEPTED
    done = officer_client.post(QUEUE, data | {"apply": "1", "reason": "Invoice needed"})
    assert done.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.HELD
    page = shipper_client.get(reverse("declarations:detail", args=[declaration.pk]))
    assert b"Held" in page.content and b"Invoice needed" in page.content


def test_release_from_the_declaration_page(officer_client, shipper):
    """The page's Release button asks for a reason and releases."""
    declaration = accepted(shipper)
    url = reverse(
        "admin:declarations_declaration_decide", args=[declaration.pk, "release"]
    )
    assert officer_client.post(url, {"reason": ""}).status_code == 200
    declaration.refresh_from_db()
    assert declaration.status == Status.ACCEPTED
    assert officer_client.post(url, {"reason": "Low risk"}).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED


def test_shipper_staff_cannot_reach_admin(shipper_client):
    """Traders have no admin."""
    assert shipper_client.get(QUEUE).status_code == 302


def test_officers_read_the_rule_book_with_its_sources(client, officer):
    """The rule book page lists every rule with its code, dates and legal source,
    the charge lines in force at LGG and the territories table."""
    from declarations.rules import registry

    client.force_login(officer)
    index = client.get("/admin/").content.decode()
    assert "/admin/declarations/declaration/rules/" in index
    html = client.get("/admin/declarations/declaration/rules/").content.decode()
    for rule in registry.rules:
        assert f'id="rule-{rule.code}"' in html
    assert "Art. 221(4)" in html and "VAT-BE-6-4901" in html
    assert "Canary Islands" in html and "Ceuta" in html

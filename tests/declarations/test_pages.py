"""The shipper's declaration pages, driven as htmx drives them."""

import pytest
from django.test import Client
from django.urls import reverse

from declarations.models import Declaration, Status
from declarations.services import declaration_validate
from tests.accounts.factories import MembershipFactory
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(shipper_client, shipper) -> Declaration:
    response = shipper_client.post(reverse("declarations:new"))
    assert response.status_code == 302
    return Declaration.objects.get(organisation=shipper)


def save(client: Client, declaration: Declaration, name: str, value: str):
    url = reverse("declarations:field", args=[declaration.pk, name])
    return client.post(url, {name: value}, **HTMX)


def test_login_page_and_redirect(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get(reverse("declarations:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/accounts/login/").status_code == 200


def test_new_declaration_is_a_draft_with_a_suggested_lrn(draft, shipper_client):
    """'New' opens an editable draft page with an LRN already filled in."""
    page = shipper_client.get(reverse("declarations:detail", args=[draft.pk]))
    assert page.status_code == 200
    assert draft.status == Status.DRAFT and draft.lrn.startswith("LRN")
    assert b'hx-post="' in page.content and b"Submit declaration" in page.content


def test_field_is_saved_normalised(draft, shipper_client):
    """A good value is stored (normalised) and the field says Saved."""
    response = save(shipper_client, draft, "mawb", "172 1234 5675")
    assert response.status_code == 200 and b"Saved" in response.content
    draft.refresh_from_db()
    assert draft.consignment.shipment.mawb == "172-12345675"
    assert save(shipper_client, draft, "consignee_country", "be").status_code == 200
    draft.consignment.refresh_from_db()
    assert draft.consignment.consignee_country == "BE"


def test_bad_value_gets_message_beside_field_and_is_not_saved(draft, shipper_client):
    """A wrong check digit is explained next to the field; the typed value stays."""
    response = save(shipper_client, draft, "mawb", "172-12345676")
    html = response.content.decode()
    assert 'id="field-mawb"' in html and "check digit" in html
    assert 'value="172-12345676"' in html
    draft.refresh_from_db()
    assert draft.consignment.shipment is None


def test_items_are_added_and_removed_without_reload(draft, shipper_client):
    """The items fragment comes back after each add and remove."""
    url = reverse("declarations:item-add", args=[draft.pk])
    item = {
        "description": "Cotton T-shirt",
        "hs_code": "6109.10",
        "origin_country": "cn",
        "quantity": 2,
        "item_value": "18.00",
    }
    response = shipper_client.post(url, item, **HTMX)
    assert response.status_code == 200 and b'id="items"' in response.content
    shipper_client.post(
        url, item | {"description": "Phone case", "hs_code": "392690"}, **HTMX
    )
    assert list(draft.items.values_list("line", "hs_code")) == [
        (1, "610910"),
        (2, "392690"),
    ]
    remove = reverse("declarations:item-remove", args=[draft.pk, 1])
    response = shipper_client.post(remove, **HTMX)
    assert (
        b"Phone case" in response.content and b"Cotton T-shirt" not in response.content
    )
    assert list(draft.items.values_list("line", "hs_code")) == [(1, "392690")]


def test_bad_item_gets_messages_beside_fields(draft, shipper_client):
    """A bad HS code and a negative value: nothing added, both fields say why."""
    url = reverse("declarations:item-add", args=[draft.pk])
    response = shipper_client.post(
        url,
        {
            "description": "x",
            "hs_code": "12",
            "origin_country": "CN",
            "quantity": 1,
            "item_value": "-5",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "An HS code is 6 digits" in html and "greater than or equal to 0" in html
    assert not draft.items.exists()


def test_submit_then_status_polls_until_decided(shipper_client, shipper, shipper_user):
    """Submitting shows a polling status panel; when validation ends it reloads."""
    declaration = make_declaration(organisation=shipper, by=shipper_user)
    response = shipper_client.post(
        reverse("declarations:submit", args=[declaration.pk])
    )
    assert response.status_code == 302
    status_url = reverse("declarations:status", args=[declaration.pk])
    panel = shipper_client.get(status_url, **HTMX)
    assert b'hx-trigger="every 1s"' in panel.content and b"Submitted" in panel.content
    declaration_validate(declaration_id=declaration.pk)
    done = shipper_client.get(status_url, **HTMX)
    # The whole form is swapped in place (issues sit beside fields), no reload.
    assert done.headers["HX-Retarget"] == "#declaration"
    assert done.headers["HX-Reswap"] == "outerHTML"
    assert b'id="declaration"' in done.content and b"<html" not in done.content
    assert b"Accepted" in done.content and b"MRN" in done.content
    assert b"every 1s" not in done.content


def test_issues_show_next_to_their_fields(shipper_client, shipper):
    """A rejected declaration shows each issue beside the field it concerns."""
    declaration = make_declaration(
        organisation=shipper, consignee_postcode="", submit=True
    )
    declaration_validate(declaration_id=declaration.pk)
    html = shipper_client.get(
        reverse("declarations:detail", args=[declaration.pk])
    ).content.decode()
    field = html.split('id="field-consignee_postcode"')[1].split('class="field')[0]
    assert "postcode is missing" in field and "PTY-CONSIGNEE-ADDRESS" in field


@pytest.mark.parametrize("name", ["detail", "status", "submit", "item-add", "field"])
def test_another_organisations_declaration_is_404(name, shipper_client, other_shipper):
    """Guessing another organisation's declaration id finds nothing."""
    theirs = make_declaration(organisation=other_shipper)
    args = [theirs.pk, "hawb"] if name == "field" else [theirs.pk]
    url = reverse(f"declarations:{name}", args=args)
    response = (
        shipper_client.post(url)
        if name not in ("detail", "status")
        else shipper_client.get(url)
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


def test_list_shows_only_own_declarations(shipper_client, shipper, other_shipper):
    """The list is scoped to the user's organisation."""
    make_declaration(organisation=shipper, lrn="MINE")
    make_declaration(organisation=other_shipper, lrn="THEIRS")
    html = shipper_client.get(reverse("declarations:list")).content.decode()
    assert "MINE" in html and "THEIRS" not in html


def test_user_of_another_org_cannot_edit_by_field_post(other_shipper, shipper):
    """Another organisation's member posting a field change gets 404, no change."""
    mine = make_declaration(organisation=shipper, hawb="ORIGINAL")
    intruder = Client()
    intruder.force_login(MembershipFactory(organisation=other_shipper).user)
    response = save(intruder, mine, "hawb", "HACKED")
    assert response.status_code == 404
    mine.consignment.refresh_from_db()
    assert mine.consignment.hawb == "ORIGINAL"


def test_item_form_takes_both_product_identifiers(draft, shipper_client):
    """The page's item form has the manufacturer's product identifier beside the
    merchant's; both are stored and shown in the goods table."""
    url = reverse("declarations:item-add", args=[draft.pk])
    page = shipper_client.get(reverse("declarations:detail", args=[draft.pk]))
    assert b'name="manufacturer_product_id"' in page.content
    item = {
        "description": "Cotton T-shirt", "hs_code": "610910", "origin_country": "CN",
        "quantity": 1, "item_value": "9.00", "product_id": "SKU-9",
        "manufacturer_product_id": "6901234567892",
    }  # fmt: skip
    response = shipper_client.post(url, item, **HTMX)
    assert b"6901234567892" in response.content
    stored = draft.items.get()
    assert (stored.product_id, stored.manufacturer_product_id) == (
        "SKU-9",
        "6901234567892",
    )

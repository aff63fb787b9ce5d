"""The guided declaration page: type choice, saved parties, HS search, estimate."""

import pytest
from django.test import Client
from django.urls import reverse

from declarations.models import Declaration, DeclarationType
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
T_SHIRT = {
    "description": "Men's cotton T-shirt",
    "hs_code": "610910",
    "origin_country": "CN",
    "quantity": 2,
    "item_value": "18.00",
}


def new_draft(client: Client, organisation, type: str = "H7") -> Declaration:
    response = client.post(reverse("declarations:new"), {"type": type})
    assert response.status_code == 302
    return Declaration.objects.filter(organisation=organisation).latest("pk")


def save(client: Client, declaration: Declaration, name: str, value: str):
    url = reverse("declarations:field", args=[declaration.pk, name])
    return client.post(url, {name: value}, **HTMX)


def test_list_offers_each_type_with_a_plain_explanation(shipper_client):
    """The list page starts an H7, H1 or Export, each explained in plain words."""
    html = shipper_client.get(reverse("declarations:list")).content.decode()
    assert "New declaration" in html
    assert 'value="H7"' in html and "checked" in html.split('value="H7"')[1][:80]
    assert "EUR 150 or less" in html and "10-digit TARIC" in html
    assert "goods leaving the EU" in html


def test_choosing_export_starts_an_export_without_import_vat_fields(
    shipper_client, shipper
):
    """An export's page names the exporter and asks nothing about import VAT."""
    draft = new_draft(shipper_client, shipper, "EX")
    assert draft.type == DeclarationType.EX
    html = shipper_client.get(reverse("declarations:detail", args=[draft.pk])).content
    html = html.decode()
    assert "Consignor (the exporter in the EU)" in html
    assert 'id="field-vat_path"' not in html and 'id="field-ioss_number"' not in html


def test_sections_come_in_paperwork_order_with_help_on_customs_terms(
    shipper_client, shipper
):
    """Transport, parties, goods, then value and VAT; EORI, HAWB, IOSS, HS code
    and gross mass are explained beside their fields."""
    draft = new_draft(shipper_client, shipper)
    html = shipper_client.get(reverse("declarations:detail", args=[draft.pk]))
    html = html.content.decode()
    order = [
        html.index('id="section-transport"'),
        html.index('id="section-consignor"'),
        html.index('id="section-consignee"'),
        html.index('id="items"'),
        html.index('id="section-value"'),
    ]
    assert order == sorted(order)
    for text in (
        "EORI is the customs number of a business",
        "The forwarder&#x27;s number for this parcel",
        "Import One-Stop-Shop number",
        "world customs nomenclature",
        "additional procedure code (CPC)",
        "with its box and packing",
    ):
        assert text in html, text
    assert "Submit declaration" in html and 'id="status"' in html


def test_changing_the_type_redraws_the_whole_form(shipper_client, shipper):
    """Saving a new type swaps the whole declaration in, with that type's sections."""
    draft = new_draft(shipper_client, shipper)
    response = save(shipper_client, draft, "type", "EX")
    assert response.headers["HX-Retarget"] == "#declaration"
    assert b"Consignee (buyer outside the EU)" in response.content


def test_party_autocomplete_offers_own_saved_parties_only(
    shipper_client, shipper, other_shipper
):
    """Typing a consignee's name offers the organisation's earlier consignees,
    once each, never another organisation's."""
    make_declaration(organisation=shipper, consignee_name="Anne Dupont", hawb="A1")
    make_declaration(organisation=shipper, consignee_name="Anne Dupont", hawb="A2")
    make_declaration(
        organisation=shipper,
        hawb="A3",
        consignee_name="Annette Martin",
        consignee_address="Rue Neuve 1",
    )
    make_declaration(organisation=other_shipper, consignee_name="Anne Secret")
    draft = new_draft(shipper_client, shipper)
    url = reverse("declarations:party-search", args=[draft.pk, "consignee"])
    html = shipper_client.get(url, {"consignee_name": "ann"}, **HTMX).content.decode()
    assert html.count("Use Anne Dupont") == 1 and "Use Annette Martin" in html
    assert "Anne Secret" not in html
    assert "Rue Saint-Gilles 12" in html  # the address is shown to tell them apart


def test_choosing_a_saved_party_fills_the_whole_block(shipper_client, shipper):
    """One click copies name, address, postcode, city, country and EORI."""
    earlier = make_declaration(
        organisation=shipper,
        consignee_name="Dupont Import SRL",
        consignee_eori="BE0123456749",
    )
    draft = new_draft(shipper_client, shipper)
    url = reverse("declarations:party-apply", args=[draft.pk, "consignee"])
    response = shipper_client.post(url, {"consignment": earlier.consignment_id}, **HTMX)
    assert response.status_code == 200
    assert b"Filled in from your saved parties" in response.content
    draft.consignment.refresh_from_db()
    c = draft.consignment
    assert (
        c.consignee_name,
        c.consignee_address,
        c.consignee_postcode,
        c.consignee_city,
        c.consignee_country,
        c.consignee_eori,
    ) == (
        "Dupont Import SRL",
        "Rue Saint-Gilles 12",
        "4000",
        "Liège",
        "BE",
        "BE0123456749",
    )


def test_another_organisations_party_cannot_be_applied(
    shipper_client, shipper, other_shipper
):
    """Posting another organisation's consignment id finds nothing, copies nothing."""
    theirs = make_declaration(organisation=other_shipper, consignee_name="Secret")
    draft = new_draft(shipper_client, shipper)
    url = reverse("declarations:party-apply", args=[draft.pk, "consignee"])
    response = shipper_client.post(url, {"consignment": theirs.consignment_id})
    assert response.status_code == 404
    draft.consignment.refresh_from_db()
    assert draft.consignment.consignee_name == ""


def test_hs_search_by_words_and_by_code_prefix(shipper_client):
    """Words find subheadings by description; digits find codes that start so."""
    url = reverse("declarations:hs-search")
    by_words = shipper_client.get(url, {"hs_code": "t-shirts cotton"}, **HTMX)
    html = by_words.content.decode()
    assert 'data-code="610910"' in html and "of cotton, knitted" in html
    assert 'data-code="620520"' not in html  # cotton shirts, not T-shirts
    by_code = shipper_client.get(url, {"hs_code": "6109"}, **HTMX).content.decode()
    assert 'data-code="610910"' in by_code and 'data-code="610990"' in by_code
    nothing = shipper_client.get(url, {"hs_code": "zzzqqq"}, **HTMX).content.decode()
    assert "No HS subheading matches" in nothing


def test_estimate_says_what_is_missing_then_updates_after_each_item(
    shipper_client, shipper
):
    """An empty draft's estimate lists what is missing; each added item signals
    the panel, which then shows EUR 3 duty per distinct subheading (low value)."""
    draft = new_draft(shipper_client, shipper)
    page = shipper_client.get(reverse("declarations:detail", args=[draft.pk]))
    html = page.content.decode()
    estimate = html.split('id="estimate"')[1].split("</section>")[0]
    assert "Estimate" in estimate and "at least one goods item" in estimate
    assert "the invoice currency" in estimate

    save(shipper_client, draft, "currency", "EUR")
    response = save(shipper_client, draft, "consignee_country", "BE")
    assert "estimate-changed" in response.headers["HX-Trigger"]

    add = reverse("declarations:item-add", args=[draft.pk])
    estimate_url = reverse("declarations:estimate", args=[draft.pk])
    response = shipper_client.post(add, T_SHIRT, **HTMX)
    assert "estimate-changed" in response.headers["HX-Trigger"]
    html = shipper_client.get(estimate_url, **HTMX).content.decode()
    assert "duty EUR 3.00" in html and "1 × EUR 3" in html

    # Another T-shirt line: same subheading, same EUR 3.
    shipper_client.post(add, T_SHIRT | {"description": "Women's T-shirt"}, **HTMX)
    html = shipper_client.get(estimate_url, **HTMX).content.decode()
    assert "duty EUR 3.00" in html

    # A watch is a second subheading: EUR 6.
    watch = T_SHIRT | {"description": "Wrist watch", "hs_code": "910211"}
    shipper_client.post(add, watch | {"item_value": "40.00"}, **HTMX)
    html = shipper_client.get(estimate_url, **HTMX).content.decode()
    assert "duty EUR 6.00" in html and "2 × EUR 3" in html


def test_new_page_explains_the_choice_and_refuses_an_unknown_type(
    shipper_client, shipper
):
    """/declarations/new/ explains each type; a made-up type creates nothing."""
    page = shipper_client.get(reverse("declarations:new")).content.decode()
    assert "Start a declaration" in page and 'id="new-type-H1"' in page
    response = shipper_client.post(reverse("declarations:new"), {"type": "H9"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Declaration.objects.filter(organisation=shipper).exists()

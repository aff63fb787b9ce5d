"""The officer's workbench: queue filters, assignment, four eyes, bulk release of
a flight, notifications and document previews, through the admin as officers use
it."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import WebhookDelivery
from accounts.webhooks import webhook_endpoint_create
from declarations.models import Declaration, Document, Notification, Status
from declarations.services import declaration_validate
from declarations.services.lifecycle import declaration_decide
from tests.accounts.factories import MembershipFactory, OrganisationFactory, logged_in
from tests.declarations.factories import make_declaration, make_officer

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:declarations_declaration_changelist")
SANCTIONED = "Rosoboroneksport OAO"
OTHER_MAWB = "172-00000011"


def officer(first_name: str):
    return make_officer(first_name=first_name, last_name="Officer")


@pytest.fixture
def anna():
    return officer("Anna")


@pytest.fixture
def bram():
    return officer("Bram")


@pytest.fixture
def anna_client(anna) -> Client:
    return logged_in(anna)


@pytest.fixture
def bram_client(bram) -> Client:
    return logged_in(bram)


def accepted(shipper, **changes) -> Declaration:
    declaration = make_declaration(organisation=shipper, submit=True, **changes)
    return declaration_validate(declaration_id=declaration.pk)


def change_url(declaration) -> str:
    return reverse("admin:declarations_declaration_change", args=[declaration.pk])


def decide_url(declaration, decision: str) -> str:
    return reverse(
        "admin:declarations_declaration_decide", args=[declaration.pk, decision]
    )


def queue_rows(client, **params) -> str:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response.content.decode()


# The queue


def test_queue_shows_readable_reasons_and_filters_by_reason(anna_client, shipper):
    """A sanctions hit reads "Sanctions hit" in the list; the reason filter keeps
    only those declarations."""
    hit = accepted(shipper, lrn="HIT", hawb="H-HIT", consignor_name=SANCTIONED)
    clean = accepted(shipper, lrn="CLEAN", hawb="H-CLEAN")
    assert hit.status == Status.UNDER_REVIEW
    html = queue_rows(anna_client)
    assert "Sanctions hit" in html and hit.mrn in html and clean.mrn in html
    assert (
        "RISK-SANCTIONS" not in html.split('id="result_list"')[1].split("</table>")[0]
    )
    html = queue_rows(anna_client, reason="RISK-SANCTIONS")
    assert hit.mrn in html and clean.mrn not in html


def test_queue_filters_by_flight_declarant_age_and_officer(anna, anna_client, shipper):
    """Flight, declarant, age band and "assigned to me" each narrow the list."""
    first = accepted(shipper, lrn="F1", hawb="H-F1")
    second = accepted(shipper, lrn="F2", hawb="H-F2", mawb=OTHER_MAWB)
    other_org = OrganisationFactory(slug="other-declarant")
    third = accepted(other_org, lrn="F3", hawb="H-F3")
    html = queue_rows(anna_client, shipment=first.consignment.shipment_id)
    assert first.mrn in html and second.mrn not in html
    html = queue_rows(anna_client, organisation=other_org.pk)
    assert third.mrn in html and first.mrn not in html
    Declaration.objects.filter(pk=second.pk).update(
        submitted_at=timezone.now() - timedelta(hours=30)
    )
    html = queue_rows(anna_client, age="gt24h")
    assert second.mrn in html and first.mrn not in html
    html = queue_rows(anna_client, age="lt1h")
    assert first.mrn in html and second.mrn not in html
    Declaration.objects.filter(pk=first.pk).update(assigned_to=anna)
    html = queue_rows(anna_client, assigned="me")
    assert first.mrn in html and second.mrn not in html
    html = queue_rows(anna_client, assigned="none")
    assert second.mrn in html and first.mrn not in html


def test_queue_search_by_hawb_lrn_and_party_name(anna_client, shipper):
    """Search finds a declaration by house AWB, LRN or consignor name."""
    found = accepted(shipper, lrn="FINDME", hawb="HAWB-777", consignor_name="Acme Ltd")
    other = accepted(shipper, lrn="OTHER", hawb="HAWB-888")
    for term in ("HAWB-777", "FINDME", "Acme", found.mrn):
        html = queue_rows(anna_client, q=term)
        assert found.mrn in html and other.mrn not in html, term


def test_queue_query_count_does_not_grow_with_rows(anna, anna_client, shipper):
    """Ten rows cost the same number of queries as two."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            queue_rows(anna_client)
        return len(queries)

    for n in range(2):
        accepted(shipper, lrn=f"Q{n}", hawb=f"H-Q{n}")
    few = count()
    for n in range(2, 10):
        d = accepted(shipper, lrn=f"Q{n}", hawb=f"H-Q{n}")
        Declaration.objects.filter(pk=d.pk).update(assigned_to=anna)
    assert count() == few


def test_declaration_page_shows_the_screening_match_with_entry_and_programmes(
    anna_client, shipper
):
    """The matched list entry, its programmes and score are on the page."""
    hit = accepted(shipper, consignor_name=SANCTIONED)
    match = hit.screening_matches.get()
    page = anna_client.get(change_url(hit)).content.decode()
    assert "Sanctions screening matches" in page
    for text in (match.listed_name, match.external_id, match.programmes):
        assert text in page, text
    assert "Duty, VAT and fees" in page and "Status history" in page


# Assignment


def test_assign_to_me_then_another_officer_is_refused_until_taking_over(
    anna, anna_client, bram, bram_client, shipper
):
    """Anna takes it; Bram is told Anna has it; Bram's explicit take-over works;
    the queue shows who holds it and the history records it."""
    declaration = accepted(shipper)
    assign = reverse("admin:declarations_declaration_assign", args=[declaration.pk])
    anna_client.post(assign, {"choice": "assign"})
    declaration.refresh_from_db()
    assert declaration.assigned_to == anna and declaration.assigned_at
    assert "Anna Officer" in queue_rows(bram_client)

    response = bram_client.post(assign, {"choice": "assign"}, follow=True)
    assert "assigned to Anna Officer" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.assigned_to == anna

    page = bram_client.get(change_url(declaration)).content.decode()
    assert "Take over from Anna Officer" in page
    bram_client.post(assign, {"choice": "take_over"})
    declaration.refresh_from_db()
    assert declaration.assigned_to == bram
    page = bram_client.get(change_url(declaration)).content.decode()
    assert "Taken over by Bram Officer from Anna Officer." in page


def test_assign_action_in_the_list_names_the_holder(
    anna, anna_client, bram_client, shipper
):
    """The list's "Assign to me" refuses a declaration held by someone else."""
    mine = accepted(shipper, lrn="A1", hawb="H-A1")
    free = accepted(shipper, lrn="A2", hawb="H-A2")
    anna_client.post(QUEUE, {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [mine.pk]})
    response = bram_client.post(
        QUEUE,
        {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [mine.pk, free.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "assigned to Anna Officer" in html and "1 declaration assigned" in html
    mine.refresh_from_db()
    free.refresh_from_db()
    assert mine.assigned_to == anna and free.assigned_to.first_name == "Bram"


def test_take_over_action_moves_the_declaration_and_logs_it(
    anna, bram, bram_client, shipper
):
    """The list's "Take over" assigns a colleague's declaration to me."""
    from declarations.services.assignment import declaration_assign

    declaration = accepted(shipper)
    declaration_assign(declaration=declaration, by=anna)
    bram_client.post(
        QUEUE, {"action": "take_over", ACTION_CHECKBOX_NAME: [declaration.pk]}
    )
    declaration.refresh_from_db()
    assert declaration.assigned_to == bram
    assert "Bram Officer" in queue_rows(bram_client, assigned="me")


def test_final_decision_ends_the_assignment_hold_keeps_it(anna, anna_client, shipper):
    """Held, the case stays with its officer; released, it leaves the queue."""
    declaration = accepted(shipper)
    anna_client.post(
        reverse("admin:declarations_declaration_assign", args=[declaration.pk]),
        {"choice": "assign"},
    )
    anna_client.post(decide_url(declaration, "hold"), {"reason": "Check invoice"})
    declaration.refresh_from_db()
    assert declaration.status == Status.HELD and declaration.assigned_to == anna
    anna_client.post(decide_url(declaration, "release"), {"reason": "Invoice fine"})
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED and declaration.assigned_to is None


# Four eyes


def test_sanctions_hit_release_needs_a_second_officer(
    anna, anna_client, bram_client, shipper
):
    """Anna's release is a proposal shown in the queue and on the page; her second
    release is refused; Bram's release releases."""
    declaration = accepted(shipper, consignor_name=SANCTIONED)
    response = anna_client.post(
        decide_url(declaration, "release"), {"reason": "Name differs"}, follow=True
    )
    assert "recorded as a proposal" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW
    assert declaration.release_proposed_by == anna
    assert "Release proposed by Anna Officer" in queue_rows(bram_client)
    page = bram_client.get(change_url(declaration)).content.decode()
    assert "Release proposed by Anna Officer" in page
    assert "awaiting a second officer" in page and "Name differs" in page

    again = anna_client.post(decide_url(declaration, "release"), {"reason": "Sure"})
    assert again.status_code == 200
    assert "second, different officer" in again.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW

    bram_client.post(decide_url(declaration, "release"), {"reason": "Agreed"})
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED
    history = bram_client.get(change_url(declaration)).content.decode()
    assert "approved by Bram Officer" in history


def test_four_eyes_is_enforced_by_the_service(anna, shipper):
    """Calling the service directly twice as the same officer is refused."""
    from accounts.errors import ApplicationError

    declaration = accepted(shipper, consignor_name=SANCTIONED)
    declaration_decide(
        declaration=declaration, decision="release", by=anna, reason="ok"
    )
    with pytest.raises(ApplicationError, match="second, different officer"):
        declaration_decide(
            declaration=declaration, decision="release", by=anna, reason="ok"
        )
    declaration.refresh_from_db()
    assert declaration.status == Status.UNDER_REVIEW


def test_hold_withdraws_a_release_proposal(anna, bram, shipper):
    """A hold clears the pending proposal: a later release starts over."""
    declaration = accepted(shipper, consignor_name=SANCTIONED)
    declaration_decide(
        declaration=declaration, decision="release", by=anna, reason="ok"
    )
    declaration_decide(
        declaration=declaration, decision="hold", by=bram, reason="Check"
    )
    declaration.refresh_from_db()
    assert declaration.status == Status.HELD
    assert declaration.release_proposed_by is None
    declaration_decide(
        declaration=declaration, decision="release", by=bram, reason="ok"
    )
    declaration.refresh_from_db()
    assert declaration.status == Status.HELD
    assert declaration.release_proposed_by == bram


# Bulk release of one flight


def _bulk(client, pks, **extra):
    data = {"action": "release_low_risk_of_flight", ACTION_CHECKBOX_NAME: pks}
    return client.post(QUEUE, data | extra, follow=True)


def test_bulk_release_of_a_flight_releases_only_clean_declarations(
    anna_client, shipper
):
    """Of one flight, the risk-free declarations are released; a sanctions hit
    and a risky one stay; another flight is untouched."""
    # Different buyers: parcels to one buyer on one day are a split consignment.
    clean = accepted(shipper, lrn="B1", hawb="H-B1", consignee_name="Buyer One")
    clean2 = accepted(shipper, lrn="B2", hawb="H-B2", consignee_name="Buyer Two")
    risky = accepted(shipper, lrn="B3", hawb="H-B3", consignee_name="Buyer Three")
    Declaration.objects.filter(pk=risky.pk).update(risk_score=10)
    hit = accepted(shipper, lrn="B4", hawb="H-B4", consignor_name=SANCTIONED)
    other_flight = accepted(
        shipper, lrn="B5", hawb="H-B5", mawb=OTHER_MAWB, consignee_name="Buyer Five"
    )
    assert clean2.risk_score == 0 and hit.status == Status.UNDER_REVIEW

    confirm = _bulk(anna_client, [clean.pk]).content.decode()
    assert "2 declarations will be released" in confirm
    assert "sanctions hit" in confirm and "risk score 10" in confirm
    done = _bulk(
        anna_client,
        [clean.pk],
        apply="1",
        reason="Flight cleared",
        confirmed=[clean.pk, clean2.pk],
    )
    assert "2 declaration(s) released, 2 left" in done.content.decode()
    status = dict(Declaration.objects.values_list("lrn", "status"))
    assert status["B1"] == status["B2"] == Status.RELEASED
    assert status["B3"] == Status.ACCEPTED
    assert status["B4"] == Status.UNDER_REVIEW
    assert status["B5"] == Status.ACCEPTED and other_flight.risk_score == 0


def test_bulk_release_refuses_a_selection_of_two_flights(anna_client, shipper):
    """Declarations of two flights: nothing is released, the officer is told."""
    one = accepted(shipper, lrn="M1", hawb="H-M1")
    two = accepted(shipper, lrn="M2", hawb="H-M2", mawb=OTHER_MAWB)
    response = _bulk(anna_client, [one.pk, two.pk], apply="1", reason="x")
    assert "exactly one flight" in response.content.decode()
    assert not Declaration.objects.filter(status=Status.RELEASED).exists()


# Notifications


def test_decision_notifies_the_declarant_by_portal_mail_and_webhook(
    anna_client, broker, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """A refusal: a notification naming LRN, decision and reason, an e-mail to
    each member, and a webhook delivery."""
    settings.WEBHOOK_ALLOW_HTTP = True
    endpoint, _ = webhook_endpoint_create(
        organisation=broker, url="https://hooks.example.com/c", events=["refused"]
    )
    MembershipFactory(organisation=broker, user__username="second@example.com")
    declaration = accepted(broker, lrn="NOTE-1", hawb="H-NOTE")
    anna_client.post(decide_url(declaration, "hold"), {"reason": "Check it"})
    with django_capture_on_commit_callbacks(execute=True):
        anna_client.post(decide_url(declaration, "refuse"), {"reason": "Forged"})
    declaration.refresh_from_db()
    assert declaration.status == Status.REFUSED
    note = Notification.objects.filter(organisation=broker).first()
    assert note.declaration == declaration
    assert "NOTE-1" in note.message and "H-NOTE" in note.message
    assert "refused" in note.message and "Forged" in note.message
    refusal_mails = [m for m in mailoutbox if "refused" in m.subject]
    assert sorted(m.to[0] for m in refusal_mails) == ["second@example.com"]
    assert "Forged" in refusal_mails[0].body
    assert WebhookDelivery.objects.filter(
        endpoint=endpoint, declaration_id=declaration.pk, event="refused"
    ).exists()


def test_every_decision_writes_a_notification(anna, shipper, shipper_user):
    """Hold, request documents (naming them) and release each notify."""
    declaration = accepted(shipper)
    declaration_decide(declaration=declaration, decision="hold", by=anna, reason="Look")
    declaration_decide(
        declaration=declaration,
        decision="request_documents",
        by=anna,
        reason="Need the invoice",
        documents=["commercial_invoice"],
    )
    messages = list(
        Notification.objects.filter(declaration=declaration).values_list(
            "message", flat=True
        )
    )
    assert len(messages) == 2
    assert any("Commercial invoice" in m and "Need the invoice" in m for m in messages)


def test_a_release_proposal_does_not_notify(anna, shipper):
    """The declarant hears of the decision, not of the first officer's proposal."""
    declaration = accepted(shipper, consignor_name=SANCTIONED)
    declaration_decide(
        declaration=declaration, decision="release", by=anna, reason="ok"
    )
    assert not Notification.objects.filter(declaration=declaration).exists()


# Documents


@pytest.fixture
def pdf_document(shipper, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    declaration = accepted(shipper)
    document = Document(
        declaration=declaration,
        kind="commercial_invoice",
        original_name="invoice.pdf",
        size=20,
        content_type="application/pdf",
    )
    document.file.save("invoice.pdf", ContentFile(b"%PDF-1.4 test invoice"))
    return document


def test_officer_sees_the_document_inline_and_can_download_it(
    anna_client, pdf_document
):
    """The page embeds the PDF; the file is served inline, or as an attachment."""
    page = anna_client.get(change_url(pdf_document.declaration)).content.decode()
    url = reverse(
        "admin:declarations_declaration_document",
        args=[pdf_document.declaration_id, pdf_document.pk],
    )
    assert f'<object data="{url}" type="application/pdf"' in page
    assert "Download invoice.pdf" in page
    shown = anna_client.get(url)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content).startswith(b"%PDF")
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    download = anna_client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_an_image_document_is_shown_as_an_image_with_alt_text(
    anna_client, shipper, settings, tmp_path
):
    """A scanned invoice (PNG) appears as an <img> with a text alternative."""
    settings.MEDIA_ROOT = tmp_path
    declaration = accepted(shipper)
    document = Document(
        declaration=declaration,
        kind="commercial_invoice",
        original_name="scan.png",
        size=8,
        content_type="image/png",
    )
    document.file.save("scan.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    page = anna_client.get(change_url(declaration)).content.decode()
    url = reverse(
        "admin:declarations_declaration_document", args=[declaration.pk, document.pk]
    )
    assert f'<img src="{url}" alt="Commercial invoice: scan.png"' in page


def test_documents_are_not_served_to_traders_or_staff_without_rights(
    pdf_document, shipper_client, other_shipper
):
    """A trader is sent to the admin login; staff without officer rights get 403."""
    url = reverse(
        "admin:declarations_declaration_document",
        args=[pdf_document.declaration_id, pdf_document.pk],
    )
    assert shipper_client.get(url).status_code == 302
    staff = MembershipFactory(organisation=other_shipper).user
    staff.is_staff = True
    staff.save()
    assert logged_in(staff).get(url).status_code == 403


# The dashboard


def test_dashboard_shows_figures_computed_from_the_declarations(anna_client, shipper):
    """Median and p90 decision time, the top rejection rule, screening hits by
    kind and today's declarations by status, from known data."""
    now = timezone.now()
    for n, hours in enumerate((1, 2, 3)):
        d = accepted(shipper, lrn=f"T{n}", hawb=f"H-T{n}", consignee_name=f"B {n}")
        Declaration.objects.filter(pk=d.pk).update(
            status=Status.RELEASED,
            submitted_at=now - timedelta(hours=hours),
            decided_at=now,
        )
    rejected = accepted(
        shipper,
        lrn="REJ",
        hawb="H-REJ",
        items=[{"description": "Cotton T-shirt", "hs_code": "999999",
                "origin_country": "CN", "quantity": 1, "item_value": "5.00",
                "net_mass_kg": "0.2"}],
    )  # fmt: skip
    assert rejected.status == Status.REJECTED
    hit = accepted(shipper, lrn="HIT", hawb="H-HIT", consignor_name=SANCTIONED)
    kind = hit.screening_matches.get().kind

    url = reverse("admin:declarations_declaration_dashboard")
    assert url in anna_client.get(QUEUE).content.decode()
    assert url in anna_client.get(reverse("admin:index")).content.decode()
    html = anna_client.get(url).content.decode()
    times = html[html.index('id="decision-times"') :].split("</tr>")[0]
    assert "<td>3</td>" in times and "2.0 h" in times and "2.8 h" in times
    rules = html[html.index('id="rejection-rules"') :].split("</table>")[0]
    assert '<th scope="row">HS-EXISTS</th><td>1</td>' in rules
    hits = html[html.index('id="screening-hits"') :].split("</table>")[0]
    assert f'<th scope="row">{kind}</th><td>1</td><td>1</td><td>1</td>' in hits
    assert "<svg" in html and "Released" in html and "Under review" in html


def test_dashboard_is_for_officers_only(shipper_client):
    """A trader cannot open the dashboard."""
    url = reverse("admin:declarations_declaration_dashboard")
    assert shipper_client.get(url).status_code == 302


def test_bulk_release_leaves_held_and_unseen_declarations(anna_client, anna, shipper):
    """A declaration an officer holds is not released with its flight, nor is
    one the confirmation page did not show (arrived since)."""
    held = accepted(shipper, lrn="K1", hawb="H-K1", consignee_name="Buyer One")
    declaration_decide(declaration=held, decision="hold", by=anna, reason="Inspect")
    shown = accepted(shipper, lrn="K2", hawb="H-K2", consignee_name="Buyer Two")
    confirm = _bulk(anna_client, [shown.pk]).content.decode()
    assert "held by an officer" in confirm
    late = accepted(shipper, lrn="K3", hawb="H-K3", consignee_name="Buyer Three")
    _bulk(anna_client, [shown.pk], apply="1", reason="ok", confirmed=[shown.pk])
    status = dict(Declaration.objects.values_list("lrn", "status"))
    assert status == {
        "K1": Status.HELD,
        "K2": Status.RELEASED,
        "K3": Status.ACCEPTED,
    }
    assert late.pk not in (held.pk, shown.pk)


def test_a_declaration_held_by_one_officer_is_not_decided_by_another(
    anna, bram, shipper
):
    """Bram cannot hold what Anna is working on until he takes it over; the
    second officer's approval of a four-eyes release is the one exception."""
    from accounts.errors import ApplicationError
    from declarations.services.assignment import declaration_assign

    declaration = accepted(shipper, lrn="W1", hawb="H-W1")
    declaration_assign(declaration=declaration, by=anna)
    with pytest.raises(ApplicationError, match="is working on this declaration"):
        declaration_decide(
            declaration=declaration, decision="hold", by=bram, reason="Check"
        )
    declaration_assign(declaration=declaration, by=bram, take_over=True)
    declaration_decide(declaration=declaration, decision="hold", by=bram, reason="x")
    assert Declaration.objects.get(pk=declaration.pk).status == Status.HELD

    hit = accepted(shipper, lrn="W2", hawb="H-W2", consignor_name=SANCTIONED)
    declaration_assign(declaration=hit, by=anna)
    declaration_decide(declaration=hit, decision="release", by=anna, reason="ok")
    declaration_decide(declaration=hit, decision="release", by=bram, reason="ok")
    assert Declaration.objects.get(pk=hit.pk).status == Status.RELEASED


# The rule book officers read
def test_rule_book_lists_every_rule_with_its_source(anna_client):
    """Officers see every rule: code, severity, risk points, legal source, and a
    RuleSetting's date applied."""
    from declarations.models import RuleSetting
    from declarations.rules import registry

    RuleSetting.objects.create(code="ITEM-MANUFACTURER-ID", applies_from="2026-12-01")
    html = anna_client.get(reverse("admin:declarations_declaration_rules")).content
    html = html.decode()
    for rule in registry.rules:
        assert f'id="rule-{rule.code}"' in html, rule.code
    row = html[html.index('id="rule-RISK-MEDICINE"') :].split("</tr>")[0]
    assert "warning" in row and "50" in row and "2001/83/EC" in row
    row = html[html.index('id="rule-ITEM-MANUFACTURER-ID"') :].split("</tr>")[0]
    assert "2026-12-01" in row and "2026/1022" in row


def test_rule_book_is_for_officers_only(shipper_client):
    """A trader cannot open the rule book."""
    url = reverse("admin:declarations_declaration_rules")
    assert shipper_client.get(url).status_code == 302

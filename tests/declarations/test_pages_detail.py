"""A declaration's page after filing: history, issues, customs' messages,
notifications (with the count in the navigation) and printouts."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from declarations.models import Notification, Status, StatusChange
from declarations.services import declaration_validate
from tests.accounts.factories import MembershipFactory
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


def page(client: Client, declaration) -> str:
    response = client.get(reverse("declarations:detail", args=[declaration.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_timeline_shows_each_status_change_with_who_and_why(
    shipper_client, shipper, shipper_user
):
    """Submitted by the user, then checked by the portal: when, what, who, why."""
    declaration = make_declaration(
        organisation=shipper, by=shipper_user, consignee_postcode="", submit=True
    )
    declaration_validate(declaration_id=declaration.pk)
    html = page(shipper_client, declaration)
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert "By whom" in timeline and "Why" in timeline
    assert "Draft → <strong>Submitted</strong>" in timeline
    assert "Validating → <strong>Rejected</strong>" in timeline
    assert shipper_user.get_full_name() in timeline
    assert "Portal (automatic)" in timeline and "PTY-CONSIGNEE-ADDRESS" in timeline


def test_issues_are_listed_with_links_to_their_fields(shipper_client, shipper):
    """Each problem says how to fix it and links to the field to change."""
    declaration = make_declaration(
        organisation=shipper, consignee_postcode="", submit=True
    )
    declaration_validate(declaration_id=declaration.pk)
    html = page(shipper_client, declaration)
    issues = html.split('id="issues"')[1].split("</section>")[0]
    assert 'href="#id_consignee_postcode"' in issues
    assert "postcode is missing" in issues
    assert 'id="id_consignee_postcode"' in html


def test_officer_reason_is_shown_as_a_message_from_customs(shipper_client, shipper):
    """An officer's decision reason appears under Messages from customs."""
    declaration = make_declaration(organisation=shipper, submit=True)
    declaration_validate(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    officer = MembershipFactory().user
    StatusChange.objects.create(
        declaration=declaration,
        from_status=declaration.status,
        to_status=Status.HELD,
        reason="Invoice value looks low; we are checking it.",
        by_user=officer,
    )
    html = page(shipper_client, declaration)
    messages = html.split('id="officer-messages"')[1].split("</section>")[0]
    assert "Invoice value looks low" in messages and "Held" in messages


def test_unread_notifications_show_on_the_page_and_in_the_nav_count(
    shipper_client, shipper, other_shipper
):
    """Unread notifications are counted in the navigation and shown on their
    declaration's page; marking one read takes it off both."""
    declaration = make_declaration(organisation=shipper)
    mine = Notification.objects.create(
        organisation=shipper, declaration=declaration, message="Released by customs."
    )
    Notification.objects.create(organisation=shipper, message="Welcome aboard.")
    Notification.objects.create(
        organisation=shipper,
        message="Old news.",
        read_at=timezone.now(),
    )
    Notification.objects.create(organisation=other_shipper, message="Not yours.")
    html = page(shipper_client, declaration)
    nav = html.split('id="nav-notifications"')[1].split("</a>")[0]
    assert '<span class="count">2<' in nav
    assert "Released by customs." in html and "Welcome aboard." not in html

    response = shipper_client.post(
        reverse("declarations:notification-read", args=[mine.pk]),
        {"next": reverse("declarations:detail", args=[declaration.pk])},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("declarations:detail", args=[declaration.pk])
    html = page(shipper_client, declaration)
    assert "Released by customs." not in html
    nav = html.split('id="nav-notifications"')[1].split("</a>")[0]
    assert '<span class="count">1<' in nav


def test_notifications_page_lists_own_and_marks_all_read(
    shipper_client, shipper, other_shipper
):
    """The notifications page shows the organisation's own; 'mark all' clears
    the count, and another organisation's notification is untouched."""
    Notification.objects.create(organisation=shipper, message="Held for checks.")
    theirs = Notification.objects.create(
        organisation=other_shipper, message="Not yours."
    )
    html = shipper_client.get(reverse("declarations:notifications")).content.decode()
    assert "Held for checks." in html and "Not yours." not in html
    shipper_client.post(reverse("declarations:notifications-read-all"))
    assert not Notification.objects.filter(
        organisation=shipper, read_at__isnull=True
    ).exists()
    html = shipper_client.get(reverse("declarations:notifications")).content.decode()
    assert '<span class="count">' not in html
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_another_organisations_notification_changes_nothing(
    shipper_client, other_shipper
):
    theirs = Notification.objects.create(organisation=other_shipper, message="x")
    shipper_client.post(reverse("declarations:notification-read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_printout_links_appear_when_the_reports_exist(shipper_client, shipper):
    """The declaration PDF is linked always, the release note once released;
    the page renders whether or not the reports are wired yet."""
    declaration = make_declaration(organisation=shipper)
    html = page(shipper_client, declaration)
    try:
        pdf = reverse("reports:declaration-pdf", args=[declaration.pk])
    except NoReverseMatch:
        assert 'id="printouts"' not in html
        return
    assert f'href="{pdf}"' in html and "Release note (PDF)" not in html


def test_release_note_is_linked_once_released(shipper_client, shipper):
    """The release note's link appears only when customs has released the goods."""
    declaration = make_declaration(organisation=shipper, submit=True)
    declaration_validate(declaration_id=declaration.pk)
    try:
        note = reverse("reports:release-note", args=[declaration.pk])
    except NoReverseMatch:
        pytest.skip("The reports are not wired yet.")
    assert f'href="{note}"' not in page(shipper_client, declaration)
    type(declaration).objects.filter(pk=declaration.pk).update(status=Status.RELEASED)
    assert f'href="{note}"' in page(shipper_client, declaration)

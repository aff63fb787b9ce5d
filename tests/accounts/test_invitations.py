"""Invitations: an admin invites a colleague by e-mail; the link makes a member."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, Membership
from accounts.selectors import hash_invitation_token
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LINK = re.compile(r"http://testserver/invitations/([\w-]+)/")


@pytest.fixture
def admin_membership(shipper) -> Membership:
    return MembershipFactory(
        organisation=shipper,
        role="admin",
        user__first_name="Ada",
        user__last_name="Admin",
    )


@pytest.fixture
def admin(admin_membership) -> Client:
    client = Client()
    client.force_login(admin_membership.user)
    return client


def _invite(admin: Client, capture, email="colleague@example.com", role="member"):
    with capture(execute=True):
        return admin.post("/settings/team/invitations/", {"email": email, "role": role})


def _token(mailoutbox) -> str:
    return LINK.search(mailoutbox[-1].body).group(1)


def test_an_invitation_is_emailed_with_a_link_and_stored_as_a_hash(
    admin: Client, shipper, mailoutbox, django_capture_on_commit_callbacks
):
    """The e-mail carries an absolute link; the database only its SHA-256."""
    response = _invite(admin, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == "/settings/#team"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["colleague@example.com"]
    assert shipper.name in mail.subject and "Ada Admin" in mail.body
    token = _token(mailoutbox)
    invitation = Invitation.objects.get(organisation=shipper)
    assert invitation.token_hash == hash_invitation_token(token)
    assert token not in invitation.token_hash
    assert invitation.role == "member"
    assert timedelta(days=6) < invitation.expires_at - timezone.now() <= timedelta(7)
    page = admin.get("/settings/").content.decode()
    assert "colleague@example.com" in page and "Pending invitations" in page


def test_the_link_makes_a_member_with_the_invited_role(
    admin: Client, shipper, mailoutbox, django_capture_on_commit_callbacks
):
    """The invitee sets name and password and joins, signed in, with the role."""
    _invite(admin, django_capture_on_commit_callbacks, role="admin")
    url = f"/invitations/{_token(mailoutbox)}/"
    visitor = Client()
    page = visitor.get(url).content.decode()
    assert shipper.name in page and 'value="colleague@example.com"' in page
    assert "Administrator" in page
    response = visitor.post(
        url,
        {
            "first_name": "Chen",
            "last_name": "Li",
            "password1": "freight-hub-2026",
            "password2": "freight-hub-2026",
        },
    )
    assert response.status_code == 302 and response.url == "/declarations/"
    membership = Membership.objects.get(user__email="colleague@example.com")
    assert membership.organisation == shipper and membership.role == "admin"
    assert membership.user.get_full_name() == "Chen Li"
    assert visitor.get("/declarations/").context["user"] == membership.user
    assert Invitation.objects.get().accepted_at is not None
    # The link works once.
    again = Client().get(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_a_weak_password_on_the_invitation_page_is_refused_beside_it(
    admin: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """Django's password validators apply; nothing is created."""
    _invite(admin, django_capture_on_commit_callbacks)
    response = Client().post(
        f"/invitations/{_token(mailoutbox)}/",
        {
            "first_name": "Chen",
            "last_name": "Li",
            "password1": "password",
            "password2": "password",
        },
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not Membership.objects.filter(user__email="colleague@example.com").exists()


def test_a_revoked_link_shows_a_clear_page(
    admin: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """Revoked from the team section, the link says it was withdrawn."""
    _invite(admin, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    response = admin.post(
        f"/settings/team/invitations/{invitation.pk}/revoke/",
        {"confirm": "yes"},
        **HTMX,
    )
    assert "is revoked" in response.content.decode()
    assert "colleague@example.com" not in admin.get("/settings/").context[
        "invitations"
    ].values_list("email", flat=True)
    page = Client().get(f"/invitations/{_token(mailoutbox)}/")
    assert page.status_code == 410 and "withdrawn" in page.content.decode()


def test_an_expired_link_shows_a_clear_page(
    admin: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """After 7 days the link says it expired and what to do."""
    _invite(admin, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    token = _token(mailoutbox)
    page = Client().post(
        f"/invitations/{token}/",
        {"first_name": "A", "last_name": "B", "password1": "x", "password2": "x"},
    )
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert not Membership.objects.filter(user__email="colleague@example.com").exists()


def test_an_unknown_link_is_not_found(client: Client):
    """A made-up token is a 404 with an explanation."""
    page = client.get("/invitations/not-a-real-token/")
    assert page.status_code == 404
    assert "no invitation with this link" in page.content.decode()


def test_an_address_with_a_login_cannot_be_invited(
    admin: Client, other_shipper, mailoutbox, django_capture_on_commit_callbacks
):
    """One login per person: the admin is told, nothing is sent."""
    MembershipFactory(organisation=other_shipper, user__username="taken@example.com")
    response = _invite(
        admin, django_capture_on_commit_callbacks, email="Taken@Example.com"
    )
    assert response.status_code == 200
    assert "already has a login" in response.content.decode()
    assert not Invitation.objects.exists() and mailoutbox == []


def test_inviting_again_replaces_the_pending_invitation(
    admin: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """A lost e-mail is re-sent by inviting again; the old link stops working."""
    _invite(admin, django_capture_on_commit_callbacks)
    first = _token(mailoutbox)
    _invite(admin, django_capture_on_commit_callbacks, role="admin")
    assert Client().get(f"/invitations/{first}/").status_code == 410
    assert Client().get(f"/invitations/{_token(mailoutbox)}/").status_code == 200
    assert list(admin.get("/settings/").context["invitations"])[0].role == "admin"


def test_a_bad_email_is_refused_beside_the_field(admin: Client):
    """Invalid address: the error is under the e-mail field of the team section."""
    response = admin.post(
        "/settings/team/invitations/", {"email": "not-an-address", "role": "member"}
    )
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'id="id_email_error"' in page
    assert not Invitation.objects.exists()


def test_an_invitation_accepted_after_someone_took_the_address_is_refused(
    admin: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """If the address got a login meanwhile, the page says so, nothing is created."""
    _invite(admin, django_capture_on_commit_callbacks)
    MembershipFactory(user__username="colleague@example.com")
    response = Client().post(
        f"/invitations/{_token(mailoutbox)}/",
        {
            "first_name": "Chen",
            "last_name": "Li",
            "password1": "freight-hub-2026",
            "password2": "freight-hub-2026",
        },
    )
    assert "already has a login" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None

"""The team section: members' roles, removal, and who may manage them."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, Membership
from tests.accounts.factories import MembershipFactory, logged_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(membership: Membership) -> Client:
    return logged_in(membership.user)


@pytest.fixture
def admin_membership(shipper) -> Membership:
    return MembershipFactory(organisation=shipper, role="admin", user__first_name="Ada")


@pytest.fixture
def admin(admin_membership) -> Client:
    return _client(admin_membership)


@pytest.fixture
def member(shipper) -> Membership:
    return MembershipFactory(
        organisation=shipper,
        role="member",
        user__first_name="Mo",
        user__last_name="Member",
    )


def test_the_team_lists_members_with_their_roles(admin: Client, member, other_shipper):
    """This organisation's people only, each with a role control."""
    MembershipFactory(organisation=other_shipper, user__first_name="Stranger")
    response = admin.get("/settings/")
    page = response.content.decode()
    assert 'id="team"' in page and "Mo Member" in page
    assert "Stranger" not in page
    assert f'<label for="id_member{member.pk}_role"' in page
    assert '<option value="member" selected>Member</option>' in page


def test_an_admin_changes_a_members_role(admin: Client, member):
    """With htmx the section comes back saying so."""
    response = admin.post(
        f"/settings/team/members/{member.pk}/role/", {"role": "admin"}, **HTMX
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="team"')
    assert "Mo Member is now Administrator" in page
    member.refresh_from_db()
    assert member.role == "admin"


def test_the_last_admin_cannot_be_demoted(admin: Client, admin_membership):
    """The organisation keeps an administrator; the message says what to do."""
    response = admin.post(
        f"/settings/team/members/{admin_membership.pk}/role/", {"role": "member"}
    )
    assert response.status_code == 302
    page = admin.get(response.url).content.decode()
    assert "only administrator" in page and "Make another member" in page
    admin_membership.refresh_from_db()
    assert admin_membership.role == "admin"


def test_the_last_admin_cannot_be_removed(admin: Client, admin_membership):
    """Removal of the only active admin is refused."""
    response = admin.post(
        f"/settings/team/members/{admin_membership.pk}/remove/",
        {"confirm": "yes"},
        **HTMX,
    )
    assert "only administrator" in response.content.decode()
    admin_membership.user.refresh_from_db()
    assert admin_membership.user.is_active


def test_a_removed_admin_does_not_count_as_the_other_admin(
    admin: Client, admin_membership, shipper
):
    """An admin whose login is deactivated cannot keep the organisation managed."""
    gone = MembershipFactory(organisation=shipper, role="admin")
    gone.user.is_active = False
    gone.user.save()
    response = admin.post(
        f"/settings/team/members/{admin_membership.pk}/role/",
        {"role": "member"},
        **HTMX,
    )
    assert "only administrator" in response.content.decode()


def test_an_admin_may_step_down_when_another_admin_remains(
    admin: Client, admin_membership, member
):
    """With a second admin, the first may become a member and leaves the page."""
    member.role = "admin"
    member.save()
    response = admin.post(
        f"/settings/team/members/{admin_membership.pk}/role/", {"role": "member"}
    )
    assert response.status_code == 302 and response.url == "/"
    admin_membership.refresh_from_db()
    assert admin_membership.role == "member"
    assert admin.get("/settings/").status_code == 403


def test_removing_a_member_deactivates_their_login(admin: Client, member):
    """Asked to confirm without JavaScript; then the login stops working."""
    url = f"/settings/team/members/{member.pk}/remove/"
    confirm = admin.get(url)
    assert "Remove Mo Member" in confirm.content.decode()
    response = admin.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_active
    sign_in = Client().post(
        "/accounts/login/",
        {"username": member.user.username, "password": "pass-word-123"},
    )
    assert sign_in.status_code == 200  # the form again, not a redirect
    page = admin.get("/settings/").content.decode()
    assert "Removed" in page and "Restore access" in page
    admin.post(f"/settings/team/members/{member.pk}/restore/")
    member.user.refresh_from_db()
    assert member.user.is_active


def test_members_are_refused_team_management(shipper, member, admin_membership):
    """A member gets the 403 page for the team and every team action."""
    client = _client(member)
    invitation = Invitation.objects.create(
        organisation=shipper,
        email="x@example.com",
        token_hash="0" * 64,
        expires_at=timezone.now(),
    )
    target = admin_membership.pk
    for method, url, data in [
        ("get", "/settings/", {}),
        ("post", "/settings/team/invitations/", {"email": "y@example.com"}),
        ("post", f"/settings/team/invitations/{invitation.pk}/revoke/", {}),
        ("post", f"/settings/team/members/{target}/role/", {"role": "member"}),
        ("post", f"/settings/team/members/{target}/remove/", {"confirm": "yes"}),
        ("post", f"/settings/team/members/{target}/restore/", {}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "Only administrators" in response.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.role == "admin"
    assert not Invitation.objects.filter(email="y@example.com").exists()


def test_another_organisations_members_and_invitations_are_not_found(
    admin: Client, other_shipper
):
    """Ids of another organisation answer 404 and change nothing."""
    stranger = MembershipFactory(organisation=other_shipper, role="admin")
    invitation = Invitation.objects.create(
        organisation=other_shipper,
        email="x@example.com",
        token_hash="1" * 64,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    for url, data in [
        (f"/settings/team/members/{stranger.pk}/role/", {"role": "member"}),
        (f"/settings/team/members/{stranger.pk}/remove/", {"confirm": "yes"}),
        (f"/settings/team/members/{stranger.pk}/restore/", {}),
        (f"/settings/team/invitations/{invitation.pk}/revoke/", {"confirm": "yes"}),
    ]:
        assert admin.post(url, data).status_code == 404, url
    stranger.refresh_from_db()
    invitation.refresh_from_db()
    assert stranger.role == "admin" and stranger.user.is_active
    assert invitation.revoked_at is None

"""The settings page: an organisation's admins manage API keys and webhooks."""

import pytest
from django.test import Client

from accounts.models import ApiKey, Membership, WebhookDelivery, WebhookEndpoint
from accounts.services import api_key_issue, hash_api_key
from accounts.webhooks import webhook_endpoint_create, webhook_events_emit
from tests.accounts.factories import MembershipFactory, OrganisationFactory, logged_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(membership: Membership) -> Client:
    return logged_in(membership.user)


@pytest.fixture
def admin(shipper) -> Client:
    return _client(MembershipFactory(organisation=shipper, role="admin"))


def test_admin_sees_the_organisations_keys(admin: Client, shipper, other_shipper):
    """Name, prefix, last use and state of this organisation's keys only."""
    api_key_issue(organisation=shipper, name="TMS production")
    api_key_issue(organisation=other_shipper, name="Someone else's key")
    response = admin.get("/settings/")
    assert response.status_code == 200
    page = response.content.decode()
    key = ApiKey.objects.get(organisation=shipper)
    assert "TMS production" in page and key.prefix in page and "never" in page
    assert "Someone else" not in page
    assert '<label for="id_name">Key name</label>' in page


def test_creating_a_key_shows_it_once_and_stores_its_hash(admin: Client, shipper):
    """The raw key is on the answer to the creation only; the database has a hash."""
    response = admin.post("/settings/keys/", {"name": "Warehouse scanner"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "won't be shown again" in page
    raw_key = response.context["new_key"].raw_key
    assert raw_key in page
    key = ApiKey.objects.get(organisation=shipper, name="Warehouse scanner")
    assert key.key_hash == hash_api_key(raw_key) and raw_key not in key.key_hash
    assert key.created_by.membership.organisation == shipper
    assert raw_key not in admin.get("/settings/").content.decode()


def test_creating_a_key_with_htmx_answers_the_section(admin: Client):
    """With htmx only the keys section comes back, with the new key in it."""
    response = admin.post("/settings/keys/", {"name": "ERP"}, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="api-keys"')
    assert response.context["new_key"].raw_key in page


def test_a_key_needs_a_name(admin: Client, shipper):
    """An empty name is refused next to the field."""
    response = admin.post("/settings/keys/", {"name": ""})
    assert "This field is required." in response.content.decode()
    assert not ApiKey.objects.filter(organisation=shipper).exists()


def test_revoking_asks_for_confirmation_then_revokes(admin: Client, shipper):
    """Without JavaScript, revoke shows a confirmation; confirming revokes."""
    key = api_key_issue(organisation=shipper, name="Old TMS").api_key
    url = f"/settings/keys/{key.pk}/revoke/"
    confirm = admin.get(url)
    assert (
        confirm.status_code == 200 and "Revoke the API key" in confirm.content.decode()
    )
    admin.post(url)  # no confirmation given: still asks
    key.refresh_from_db()
    assert key.revoked_at is None

    response = admin.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "Revoked" in admin.get("/settings/").content.decode()


def test_revoking_with_htmx_answers_the_section(admin: Client, shipper):
    """The htmx button sends the confirmation and gets the updated list back."""
    key = api_key_issue(organisation=shipper, name="Old TMS").api_key
    response = admin.post(
        f"/settings/keys/{key.pk}/revoke/", {"confirm": "yes"}, **HTMX
    )
    assert "is revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_another_organisations_key_cannot_be_revoked(admin: Client, other_shipper):
    """Another organisation's key is not found."""
    key = api_key_issue(organisation=other_shipper, name="Theirs").api_key
    response = admin.post(f"/settings/keys/{key.pk}/revoke/", {"confirm": "yes"})
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_member_is_refused_with_a_clear_page(shipper):
    """Members who are not admins get 403 and are told who can help."""
    member = _client(MembershipFactory(organisation=shipper, role="member"))
    response = member.get("/settings/")
    assert response.status_code == 403
    assert "Only administrators" in response.content.decode()
    assert member.post("/settings/keys/", {"name": "x"}).status_code == 403
    assert not ApiKey.objects.filter(organisation=shipper).exists()


def test_customs_users_have_no_settings_page(db):
    """Even a customs administrator gets 403: customs has no keys or webhooks."""
    customs = OrganisationFactory(slug="customs-be", kind="customs", eori="")
    officer = _client(MembershipFactory(organisation=customs, role="admin"))
    response = officer.get("/settings/")
    assert response.status_code == 403
    assert "Customs officers have no settings page" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(db):
    """The page needs a sign-in."""
    response = Client().get("/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_adding_a_webhook_shows_its_secret_once(admin: Client, shipper):
    """The signing secret is on the answer to the creation only."""
    response = admin.post(
        "/settings/webhooks/",
        {
            "url": "https://tms.example.com/customs",
            "events": ["accepted", "refused"],
            "description": "TMS",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    endpoint = WebhookEndpoint.objects.get(organisation=shipper)
    assert endpoint.events == ["accepted", "refused"]
    assert endpoint.secret in page and "won't be shown again" in page
    later = admin.get("/settings/").content.decode()
    assert endpoint.secret not in later and "https://tms.example.com/customs" in later


def test_a_bad_webhook_url_is_explained(admin: Client, shipper):
    """Plain HTTP is refused with a message, and nothing is stored."""
    response = admin.post(
        "/settings/webhooks/",
        {"url": "http://tms.example.com/", "events": ["accepted"]},
        **HTMX,
    )
    assert "Use an https:// URL" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def _endpoint_with_deliveries(organisation, count: int) -> WebhookEndpoint:
    endpoint, _ = webhook_endpoint_create(
        organisation=organisation,
        url="https://tms.example.com/customs",
        events=["accepted"],
    )
    webhook_events_emit(
        organisation_id=organisation.pk,
        events=[(n, "accepted", {"n": n}) for n in range(count)],
    )
    return endpoint


def test_each_endpoint_shows_its_last_20_deliveries(admin: Client, shipper):
    """Newest first, at most 20 per endpoint."""
    _endpoint_with_deliveries(shipper, 25)
    response = admin.get("/settings/")
    [endpoint] = response.context["endpoints"]
    shown = [d.declaration_id for d in endpoint.recent_deliveries]
    assert shown == list(range(24, 4, -1))


def test_replay_from_the_page(
    admin: Client, shipper, django_capture_on_commit_callbacks
):
    """Replay queues a new delivery of the same payload."""
    endpoint = _endpoint_with_deliveries(shipper, 1)
    delivery = endpoint.deliveries.get()
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302 and len(callbacks) == 1
    replay = WebhookDelivery.objects.get(replay_of=delivery)
    assert replay.payload == delivery.payload and replay.status == "pending"


def test_deactivate_and_edit_events_from_the_page(admin: Client, shipper):
    """Deactivation is confirmed; events are changed with their checkboxes."""
    endpoint = _endpoint_with_deliveries(shipper, 0)
    response = admin.post(
        f"/settings/webhooks/{endpoint.pk}/events/",
        {"events": ["released", "refused"]},
        **HTMX,
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.events == ["released", "refused"]

    url = f"/settings/webhooks/{endpoint.pk}/deactivate/"
    assert "Deactivate" in admin.get(url).content.decode()
    admin.post(url, {"confirm": "yes"})
    endpoint.refresh_from_db()
    assert endpoint.is_active is False

"""Keys outlive no member: removing or demoting their issuer revokes them, with
an audit row (red-team issue 14, item 2)."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import ApiKey, AuditEntry, WebhookEndpoint
from tests.accounts.factories import MembershipFactory, logged_in

pytestmark = pytest.mark.django_db


def _issue_on_the_settings_page(client: Client, name: str) -> str:
    page = client.post("/settings/keys/", {"name": name}).content.decode()
    return re.search(r'id="new-api-key" type="text" value="([^"]+)"', page)[1]


@pytest.fixture
def founder(shipper):
    return MembershipFactory(organisation=shipper, role="admin", user__first_name="Ada")


@pytest.fixture
def colleague(shipper):
    return MembershipFactory(organisation=shipper, role="admin", user__first_name="Eve")


def test_red_team_a_removed_members_key_no_longer_lists_nor_registers_webhooks(
    founder, colleague
):
    """Replay: an admin issues a key, is removed; their key is refused at once
    (401), on listing and on registering a webhook. The audit says who and why."""
    eve = logged_in(colleague.user)
    key = _issue_on_the_settings_page(eve, "Eve's TMS")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/declarations/").status_code == 200
    ada = logged_in(founder.user)
    ada.post(f"/settings/team/members/{colleague.pk}/remove/", {"confirm": "yes"})
    assert api.get("/api/v1/declarations/").status_code == 401
    hook = api.post(
        "/api/v1/webhooks/",
        json.dumps({"url": "https://evil.example/h", "events": ["accepted"]}),
        content_type="application/json",
    )
    assert hook.status_code == 401
    assert not WebhookEndpoint.objects.exists()
    entry = AuditEntry.objects.get(action="api_keys_revoked")
    assert entry.actor == founder.user and entry.organisation == founder.organisation
    assert entry.data["keys"] == [ApiKey.objects.get().prefix]
    assert AuditEntry.objects.filter(action="member_removed").exists()


def test_demoting_an_admin_revokes_their_keys_but_not_their_colleagues(
    founder, colleague
):
    """Only the demoted member's keys stop; the founder's keep working."""
    eve_key = _issue_on_the_settings_page(logged_in(colleague.user), "Eve's")
    ada = logged_in(founder.user)
    ada_key = _issue_on_the_settings_page(ada, "Ada's")
    ada.post(f"/settings/team/members/{colleague.pk}/role/", {"role": "member"})
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {eve_key}")
        .get("/api/v1/declarations/")
        .status_code
        == 401
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {ada_key}")
        .get("/api/v1/declarations/")
        .status_code
        == 200
    )
    assert AuditEntry.objects.filter(action="api_keys_revoked").count() == 1


def test_command_keys_belong_to_no_member_and_survive_removals(
    shipper, founder, colleague, capsys
):
    """`issue_api_key` makes the operator's key: no member's removal revokes it,
    and the settings page shows each key's owner, creation date and last use."""
    call_command("issue_api_key", shipper.slug)
    key = capsys.readouterr().out.strip()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/declarations/").status_code == 200
    _issue_on_the_settings_page(logged_in(colleague.user), "Eve's")
    ada = logged_in(founder.user)
    ada.post(f"/settings/team/members/{colleague.pk}/remove/", {"confirm": "yes"})
    assert api.get("/api/v1/declarations/").status_code == 200
    page = ada.get("/settings/").content.decode()
    owners = re.findall(r'<td class="key-owner">([^<]+)</td>', page)
    assert sorted(owners) == ["Eve User", "The portal's operator"]
    assert "never" in page  # Eve's key was never used; the operator's was

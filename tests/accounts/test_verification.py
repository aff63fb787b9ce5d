"""Who may file: an organisation's e-mail and EORI are verified first, the EORI by
the operator, who decides between competing claims (red-team issue 14, item 1)."""

import json
import re
import time

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import ApiKey, AuditEntry, Organisation, WebhookEndpoint
from accounts.services_verification import email_verification_token
from declarations.models import Declaration
from declarations.tasks import screen_organisation
from tests.accounts.factories import (
    ApiKeyFactory,
    MembershipFactory,
    OrganisationFactory,
    logged_in,
)
from tests.declarations.factories import h7_payload, make_officer

pytestmark = pytest.mark.django_db

SQUATTED_EORI = "DE123456789012345"


def _sign_up(client: Client, *, email: str, name: str, capture) -> None:
    with capture(execute=True):
        response = client.post(
            "/signup/",
            {
                "organisation_name": name,
                "kind": "broker",
                "eori": SQUATTED_EORI,
                "first_name": "Sam",
                "last_name": "Claimant",
                "email": email,
                "password1": "liege-cargo-2026",
                "password2": "liege-cargo-2026",
            },
        )
    assert response.status_code == 302 and response.url == "/signup/sent/"


def _confirm(client: Client, mailoutbox, email: str) -> None:
    message = next(m for m in reversed(mailoutbox) if m.to == [email])
    link = re.search(r"https?://testserver(/verify-email/\S+/)", message.body)[1]
    assert client.get(link).url == "/pending/"


def _operator_decides(officer_client: Client, organisation, action: str, text: str):
    return officer_client.post(
        "/admin/accounts/organisation/",
        {
            "action": action,
            "_selected_action": [organisation.pk],
            "apply": "1",
            "evidence": text,
        },
        follow=True,
    )


def test_red_team_squatter_cannot_file_and_cannot_lock_out_the_real_holder(
    mailoutbox, django_capture_on_commit_callbacks
):
    """Replay: sign up with an unclaimed EORI and an unverified e-mail, then try
    to issue a key and file. Nothing works until the operator verifies; the real
    holder signs up with the same EORI, is verified, and the squatter refused."""
    squatter = Client()
    _sign_up(
        squatter,
        email="squat@evil.example",
        name="Squatter GmbH",
        capture=django_capture_on_commit_callbacks,
    )
    squatter.post(
        "/accounts/login/",
        {"username": "squat@evil.example", "password": "liege-cargo-2026"},
    )
    # Every filing surface sends it to the pending page; nothing is made.
    for url in ("/declarations/", "/declarations/new/", "/manifests/", "/settings/"):
        assert squatter.get(url).url == "/pending/", url
    assert squatter.post("/settings/keys/", {"name": "x"}).url == "/pending/"
    assert (
        squatter.post(
            "/settings/webhooks/",
            {"url": "https://evil.example/hook", "events": ["accepted"]},
        ).url
        == "/pending/"
    )
    assert squatter.post("/declarations/new/", {"type": "H7"}).url == "/pending/"
    page = squatter.get("/pending/").content.decode()
    assert "Confirm your e-mail address." in page
    assert "is checking that EORI DE123456789012345" in page
    squatter_org = Organisation.objects.get(name="Squatter GmbH")
    assert not ApiKey.objects.filter(organisation=squatter_org).exists()
    assert not WebhookEndpoint.objects.filter(organisation=squatter_org).exists()
    assert not Declaration.objects.filter(organisation=squatter_org).exists()

    # Confirming the e-mail is not enough.
    _confirm(squatter, mailoutbox, "squat@evil.example")
    assert squatter.get("/declarations/").url == "/pending/"

    # The real holder is not told "already registered".
    holder = Client()
    _sign_up(
        holder,
        email="ops@real-holder.example",
        name="Real Holder AG",
        capture=django_capture_on_commit_callbacks,
    )
    _confirm(holder, mailoutbox, "ops@real-holder.example")
    holder_org = Organisation.objects.get(name="Real Holder AG")

    # The operator sees the competing claims and decides.
    officer_user = make_officer()
    officer = logged_in(officer_user)
    contested = officer.get("/admin/accounts/organisation/?competing=yes")
    assert contested.status_code == 200
    listing = contested.content.decode()
    assert "Squatter GmbH" in listing and "Real Holder AG" in listing
    change = officer.get(f"/admin/accounts/organisation/{holder_org.pk}/change/")
    assert "Squatter GmbH" in change.content.decode()  # the rival claim
    evidence = "EU EORI validation: name and address match; certificate received."
    with django_capture_on_commit_callbacks(execute=True):
        answer = _operator_decides(officer, holder_org, "verify_eori", evidence)
    assert "1 organisation(s) verified." in answer.content.decode()
    # The squatter cannot be verified as well.
    answer = _operator_decides(officer, squatter_org, "verify_eori", "looks fine")
    assert "already verified for Real Holder AG" in answer.content.decode()
    _operator_decides(officer, squatter_org, "refuse_eori", "Not the EORI holder.")
    holder_org.refresh_from_db()
    squatter_org.refresh_from_db()
    assert holder_org.is_verified and holder_org.eori_evidence == evidence
    assert squatter_org.eori_status == "refused"
    audit = AuditEntry.objects.filter(action__in=["eori_verified", "eori_refused"])
    assert {(a.organisation_id, a.action, a.actor) for a in audit} == {
        (holder_org.pk, "eori_verified", officer_user),
        (squatter_org.pk, "eori_refused", officer_user),
    }
    assert holder_org.eori_checked_by == officer_user
    assert holder.get("/declarations/").status_code == 200
    assert squatter.get("/declarations/").url == "/pending/"
    assert "could not confirm" in squatter.get("/pending/").content.decode()


def test_an_unverified_organisations_api_key_gets_a_clear_403_problem():
    """A key of an organisation still pending (here issued by the operator's
    command) is refused on every endpoint with a problem+json naming what is
    pending."""
    organisation = OrganisationFactory(kind="broker", unverified=True)
    key = ApiKeyFactory.issue(organisation=organisation)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for response in (
        api.get("/api/v1/declarations/"),
        api.post(
            "/api/v1/declarations/",
            json.dumps(h7_payload(lrn="SQ-1")),
            content_type="application/json",
        ),
        api.post(
            "/api/v1/webhooks/",
            json.dumps({"url": "https://evil.example/h", "events": ["accepted"]}),
            content_type="application/json",
        ),
        api.post("/api/v1/manifests/", {}),
    ):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        detail = response.json()["detail"]
        assert "e-mail address is not confirmed" in detail
        assert "not yet verified its EORI" in detail
    assert not Declaration.objects.filter(organisation=organisation).exists()
    assert not WebhookEndpoint.objects.filter(organisation=organisation).exists()


def test_a_verified_organisation_files_by_api_and_pages():
    """The factories' default organisation is verified and files as before."""
    organisation = OrganisationFactory(kind="broker")
    key = ApiKeyFactory.issue(organisation=organisation)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(
        "/api/v1/declarations/",
        json.dumps(h7_payload(lrn="OK-1")),
        content_type="application/json",
    )
    assert response.status_code == 201
    member = logged_in(MembershipFactory(organisation=organisation).user)
    assert member.get("/declarations/").status_code == 200


def test_the_eori_is_unique_among_verified_organisations_only():
    """Any number of pending claims; a second verified holder is refused by the
    database itself."""
    OrganisationFactory(eori="BE0403170701")
    OrganisationFactory(eori="BE0403170701", unverified=True)
    OrganisationFactory(eori="BE0403170701", unverified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(eori="BE0403170701")


def test_verifying_needs_evidence_and_the_permission():
    """No evidence, no verification; a trader's admin cannot reach the action."""
    organisation = OrganisationFactory(unverified=True)
    officer = logged_in(make_officer())
    answer = _operator_decides(officer, organisation, "verify_eori", " ")
    assert "This field is required" in answer.content.decode()
    organisation.refresh_from_db()
    assert organisation.eori_status == "pending"
    trader = logged_in(MembershipFactory().user)
    _operator_decides(trader, organisation, "verify_eori", "x")
    organisation.refresh_from_db()
    assert organisation.eori_status == "pending"


class _SignedDaysAgo(signing.TimestampSigner):
    """Signs as if three days and a minute ago."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 3 * 86400 - 60)


def test_an_expired_or_altered_confirmation_link_is_refused():
    """Links are signed and expire after 3 days; a link for an old address
    stops working when the address changes."""
    membership = MembershipFactory(organisation=OrganisationFactory(unverified=True))
    user = membership.user
    token = email_verification_token(user)
    client = Client()
    assert client.get(f"/verify-email/{token}x/").status_code == 400
    user.email = "new@example.com"
    user.save()
    assert client.get(f"/verify-email/{token}/").status_code == 400
    data = {"u": user.pk, "e": user.email}
    expired = _SignedDaysAgo(salt="accounts.email-verification").sign_object(data)
    assert client.get(f"/verify-email/{expired}/").status_code == 400
    fresh = email_verification_token(user)
    membership.organisation.refresh_from_db()
    assert membership.organisation.email_verified_at is None
    assert client.get(f"/verify-email/{fresh}/").url == "/pending/"


def test_an_organisation_is_screened_when_it_signs_up_and_is_verified(
    mailoutbox, django_capture_on_commit_callbacks
):
    """The screening task stores what the name matched, for the operator only:
    the admin shows it, the trader's pending page does not."""
    organisation = OrganisationFactory(name="Rosoboroneksport OAO", unverified=True)
    screen_organisation(organisation.pk)
    organisation.refresh_from_db()
    assert organisation.screened_at is not None
    assert organisation.screening_hits
    assert organisation.screening_hits[0]["source"] == "OFAC-SDN"
    assert AuditEntry.objects.filter(
        organisation=organisation, action="screened"
    ).exists()
    officer = logged_in(make_officer())
    listing = officer.get("/admin/accounts/organisation/").content.decode()
    assert "possible match" in listing
    trader = logged_in(MembershipFactory(organisation=organisation).user)
    page = trader.get("/pending/").content.decode()
    assert "ROSOBORONEKSPORT" not in page.upper().replace(
        organisation.name.upper(), ""
    )
    assert "sanction" not in page.lower()
    clean = OrganisationFactory(name="Hoppa Trading BV", unverified=True)
    screen_organisation(clean.pk)
    clean.refresh_from_db()
    assert clean.screened_at is not None and clean.screening_hits == []


def test_organisations_of_an_existing_deployment_stay_verified_and_marked_so():
    """The migration keeps traders that already filed able to file, and says in
    their evidence where the verification came from, for the operator to review."""
    import importlib

    from django.apps import apps

    grandfather = importlib.import_module(
        "accounts.migrations.0007_organisation_verification_and_audit"
    ).grandfather_existing
    old = OrganisationFactory(unverified=True)
    grandfather(apps, None)
    old.refresh_from_db()
    assert old.is_verified
    assert "before e-mail and EORI verification existed" in old.eori_evidence

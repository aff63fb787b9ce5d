"""Sign-up: an SME registers its organisation and becomes its administrator."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Membership, Organisation
from tests.accounts.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "organisation_name": "Hoppa Trading BV",
    "kind": "shipper",
    "eori": "be 0403.170-701",
    "first_name": "Anna",
    "last_name": "Peeters",
    "email": "Anna@Hoppa.example",
    "password1": "liege-cargo-2026",
    "password2": "liege-cargo-2026",
}


def _post(client: Client, **changes):
    return client.post("/signup/", GOOD | changes)


def test_the_sign_up_page_explains_the_eori_and_names_its_fields(client: Client):
    """Labelled fields, the EORI explained, the password rules beside the field."""
    page = client.get("/signup/").content.decode()
    for name in GOOD:
        assert f'name="{name}"' in page
    assert '<label for="id_eori">EORI number</label>' in page
    assert "Economic Operators Registration and Identification" in page
    assert 'aria-describedby="id_eori_helptext"' in page
    assert "at least 8 characters" in page  # Django's password rules
    assert "Create account" in page
    assert 'value="customs"' not in page


def test_the_login_page_links_to_sign_up(client: Client):
    """A visitor without a login finds the sign-up from the sign-in page."""
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/signup/"' in page


def _link(message) -> str:
    return next(line for line in message.body.splitlines() if "/verify-email/" in line)


def test_sign_up_creates_a_pending_organisation_and_mails_a_confirmation_link(
    client: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """Organisation, login and admin membership are made, nobody is signed in,
    and the page says to check the e-mail; the link signs in to the page that
    says what is still pending."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    assert response.status_code == 302
    assert response.url == "/signup/sent/"
    assert "Check your e-mail" in client.get(response.url).content.decode()
    organisation = Organisation.objects.get(eori="BE0403170701")
    assert organisation.name == "Hoppa Trading BV" and organisation.kind == "shipper"
    assert not organisation.is_verified
    membership = Membership.objects.get(organisation=organisation)
    assert membership.role == "admin"
    user = membership.user
    assert user.username == user.email == "anna@hoppa.example"
    assert user.get_full_name() == "Anna Peeters" and not user.is_staff
    assert "_auth_user_id" not in client.session
    [message] = mailoutbox
    assert message.to == ["anna@hoppa.example"]
    page = client.get(_link(message).strip().split("testserver", 1)[1], follow=True)
    assert page.redirect_chain[-1][0] == "/pending/"
    text = page.content.decode()
    assert "E-mail confirmed." in text
    assert "is checking that EORI BE0403170701 is your organisation" in text
    organisation.refresh_from_db()
    assert organisation.email_verified_at is not None
    # Filing waits for the operator.
    assert client.get("/declarations/").url == "/pending/"


def test_a_new_login_signs_in_with_its_password(client: Client):
    """The e-mail and password chosen at sign-up work on the sign-in page."""
    _post(client)
    response = client.post(
        "/accounts/login/",
        {"username": "anna@hoppa.example", "password": "liege-cargo-2026"},
    )
    assert response.status_code == 302


def test_a_wrong_eori_check_digit_is_named_beside_the_field(client: Client):
    """The EORI error is under the EORI field; nothing is saved."""
    response = _post(client, eori="BE0403170702")
    assert response.status_code == 200
    page = response.content.decode()
    assert "check digits of Belgian EORI BE0403170702 are wrong" in page
    assert 'id="id_eori_error"' in page
    assert 'aria-describedby="id_eori_helptext id_eori_error"' in page
    assert 'aria-invalid="true"' in page
    assert not Organisation.objects.filter(name="Hoppa Trading BV").exists()
    assert not get_user_model().objects.filter(email="anna@hoppa.example").exists()


def test_an_eori_without_a_country_code_is_refused(client: Client):
    """A bare number is refused with the expected shape."""
    response = _post(client, eori="0403170701")
    assert "2-letter country code" in response.content.decode()
    assert not Organisation.objects.filter(name="Hoppa Trading BV").exists()


def test_an_eori_already_registered_gets_the_same_answer_and_becomes_a_rival_claim(
    client: Client,
):
    """Sign-up neither says the EORI is taken nor locks its claimant out: the
    answer is "check your e-mail", and the operator decides between claims."""
    OrganisationFactory(name="Secret Rival NV", eori="BE0403170701")
    response = _post(client)
    assert response.status_code == 302 and response.url == "/signup/sent/"
    page = client.get(response.url).content.decode()
    assert "Secret Rival" not in page and "already" not in page.lower().replace(
        "if you already have a login", ""
    )
    claims = Organisation.objects.filter(eori="BE0403170701")
    assert sorted(c.eori_status for c in claims) == ["pending", "verified"]


def test_an_email_that_has_a_login_gets_the_same_answer_and_its_holder_a_mail(
    client: Client, mailoutbox, django_capture_on_commit_callbacks
):
    """E-mail addresses are logins, one per person: nothing is created, the page
    is the one any sign-up gets, and the address's holder is told by e-mail."""
    MembershipFactory(user__username="anna@hoppa.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, email="ANNA@hoppa.example")
    assert response.status_code == 302 and response.url == "/signup/sent/"
    assert not Organisation.objects.filter(eori="BE0403170701").exists()
    [message] = mailoutbox
    assert message.to == ["anna@hoppa.example"]
    assert "already has a login" in message.body
    assert "/accounts/password_reset/" in message.body


def test_weak_or_mismatched_passwords_are_refused_beside_the_fields(client: Client):
    """Django's password validators speak beside the password field."""
    response = _post(client, password1="12345678", password2="12345678")
    page = response.content.decode()
    assert "too common" in page and 'id="id_password1_error"' in page
    response = _post(client, password2="something-else-2026")
    assert "two passwords differ" in response.content.decode()
    assert not Organisation.objects.filter(eori="BE0403170701").exists()


def test_customs_cannot_be_chosen_at_sign_up(client: Client):
    """Only the operator sets up a customs organisation."""
    response = _post(client, kind="customs")
    assert "Choose shipper, forwarder or customs broker" in response.content.decode()
    assert not Organisation.objects.filter(eori="BE0403170701").exists()


def test_two_organisations_with_the_same_name_get_distinct_slugs(client: Client):
    """Names are not unique; the slug is made so."""
    OrganisationFactory(name="Hoppa Trading BV", slug="hoppa-trading-bv")
    assert _post(client).status_code == 302
    assert Organisation.objects.get(eori="BE0403170701").slug == "hoppa-trading-bv-2"


def test_existing_demo_style_logins_still_work(client: Client):
    """A login made by seed_demo or the admin signs in as before."""
    MembershipFactory(user__username="shipper@demo.example")
    response = client.post(
        "/accounts/login/",
        {"username": "shipper@demo.example", "password": "pass-word-123"},
    )
    assert response.status_code == 302


def test_a_login_in_any_case_signs_in_whatever_case_it_was_stored_in(
    client: Client,
):
    """E-mails are compared without regard to case, also for logins stored
    with capitals before sign-up lower-cased them."""
    MembershipFactory(user__username="Anna.Peeters@Example.com")
    for typed in ("anna.peeters@example.com", "ANNA.PEETERS@EXAMPLE.COM"):
        response = Client().post(
            "/accounts/login/", {"username": typed, "password": "pass-word-123"}
        )
        assert response.status_code == 302, typed

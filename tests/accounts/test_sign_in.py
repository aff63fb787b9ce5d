"""Signing in: lockout after wrong passwords, throttled sign-up and reset,
password reset by e-mail, the second factor (red-team issue 14, item 3)."""

import re
import uuid

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry
from tests.accounts.factories import MembershipFactory, logged_in
from tests.declarations.factories import make_officer

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # the factories'


def _client() -> Client:
    """A client from an address of its own, so that counts of other tests (the
    limits are kept in the shared cache) do not reach it."""
    n = uuid.uuid4().int
    return Client(REMOTE_ADDR=f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}")


def _sign_in(client: Client, username: str, password: str):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_red_team_forty_wrong_passwords_then_the_right_one_does_not_sign_in():
    """Replay: the 5th wrong password locks the login (429, a page that says to
    wait), then even the right password is refused, from any address."""
    user = MembershipFactory().user
    attacker = _client()
    answers = [_sign_in(attacker, user.username, f"guess-{n}") for n in range(40)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[4:]} == {429}
    locked = _sign_in(attacker, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "Wait 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # Per account: another address is refused too.
    assert _sign_in(_client(), user.username, PASSWORD).status_code == 429


def test_one_address_trying_many_logins_is_locked_per_address():
    """Per address: five wrong passwords spread over five logins lock the address."""
    attacker = _client()
    users = [MembershipFactory().user for _ in range(6)]
    answers = [_sign_in(attacker, u.username, "wrong-one") for u in users[:5]]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert _sign_in(attacker, users[5].username, PASSWORD).status_code == 429
    assert _sign_in(_client(), users[5].username, PASSWORD).status_code == 302


def test_a_wrong_login_and_an_unknown_one_get_the_same_answer():
    """Sign-in does not say whether the e-mail has a login."""
    user = MembershipFactory().user
    def page(username: str) -> str:
        html = _sign_in(_client(), username, "wrong-pass-1").content.decode()
        return re.sub(r'[A-Za-z0-9]{64}', "TOKEN", html.replace(username, "EMAIL"))

    assert page(user.username) == page("nobody@example.com")


@override_settings(SIGN_UP_RATE_PER_IP="2/h", SIGN_UP_RATE_PER_ACCOUNT="100/h")
def test_sign_up_is_throttled_per_address():
    """A third sign-up from one address within the hour gets a 429 page."""
    client = _client()
    for n in range(2):
        response = client.post("/signup/", {"email": f"{n}{uuid.uuid4().hex}@x.ex"})
        assert response.status_code == 200  # the form with its errors
    response = client.post("/signup/", {"email": f"{uuid.uuid4().hex}@x.example"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


@override_settings(SIGN_UP_RATE_PER_IP="100/h", SIGN_UP_RATE_PER_ACCOUNT="2/h")
def test_sign_up_is_throttled_per_email_whatever_its_case_and_address():
    email = f"{uuid.uuid4().hex}@x.example"
    _client().post("/signup/", {"email": email})
    _client().post("/signup/", {"email": email.upper()})
    assert _client().post("/signup/", {"email": f" {email} "}).status_code == 429


@override_settings(
    PASSWORD_RESET_RATE_PER_IP="100/h", PASSWORD_RESET_RATE_PER_ACCOUNT="2/h"
)
def test_password_reset_is_throttled_per_email():
    """Whether or not the address has a login: the limit says nothing."""
    email = f"{uuid.uuid4().hex}@x.example"

    def reset() -> int:
        return _client().post("/accounts/password_reset/", {"email": email})

    assert [reset().status_code for _ in range(3)] == [302, 302, 429]


def test_red_team_password_reset_exists_and_tells_no_one_which_emails_have_logins(
    mailoutbox,
):
    """Replay: /accounts/password_reset/ was a 404. Now it is Django's reset: the
    same answer for a known and an unknown address, a mail only to the known."""
    user = MembershipFactory().user
    assert _client().get("/accounts/password_reset/").status_code == 200
    known = _client().post("/accounts/password_reset/", {"email": user.email})
    unknown = _client().post("/accounts/password_reset/", {"email": "no@x.example"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == "/accounts/password_reset/done/"
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_a_reset_password_meets_the_validators_and_ends_other_sessions(mailoutbox):
    """The link lets the member choose a password that passes Django's
    validators; afterwards their other sessions are signed out."""
    user = MembershipFactory().user
    elsewhere = logged_in(user)
    assert elsewhere.get("/declarations/").status_code == 200
    client = _client()
    client.post("/accounts/password_reset/", {"email": user.email})
    body = mailoutbox[0].body
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", body)[1]
    form_url = client.get(link).url  # Django hides the token behind a redirect
    weak = client.post(
        form_url, {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    done = client.post(
        form_url,
        {"new_password1": "river-barge-4471", "new_password2": "river-barge-4471"},
    )
    assert done.url == "/accounts/reset/done/"
    assert elsewhere.get("/declarations/").url.startswith("/accounts/login/")
    assert _sign_in(_client(), user.username, "river-barge-4471").status_code == 302
    assert AuditEntry.objects.filter(action="password_reset", actor=user).exists()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_an_organisation_admin_enrols_and_then_gives_a_code_at_each_sign_in():
    """With the setting on, an admin is sent to enrol an authenticator app (QR
    code and key), confirms it with a code, and is asked for a code in each new
    session; a wrong code is refused beside the field and lets nobody in."""
    user = MembershipFactory(role="admin").user
    client = logged_in(user)
    response = client.get("/declarations/")
    assert response.url == "/two-factor/?next=%2Fdeclarations%2F"
    page = client.get(response.url).content.decode()
    assert "Set up your authenticator app" in page and "<svg" in page
    assert "<script" not in page.split("</head>", 1)[1]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = TOTP(device.bin_key).token()
    ok = client.post("/two-factor/", {"token": f"{code:06d}", "next": "/declarations/"})
    assert ok.url == "/declarations/"
    assert client.get("/declarations/").status_code == 200
    # A new session asks for a code, not for a new enrolment.
    later = logged_in(user)
    assert later.get("/settings/").url.startswith("/two-factor/")
    assert "Enter your code" in later.get("/two-factor/").content.decode()
    wrong = later.post("/two-factor/", {"token": "000000", "next": "/settings/"})
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert later.get("/settings/").url.startswith("/two-factor/")
    # django-otp makes the device wait a second after a wrong code.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    totp = TOTP(device.bin_key)
    totp.drift = 1  # the next 30-second step: a code is accepted once
    code = f"{totp.token():06d}"
    ok = later.post("/two-factor/", {"token": code, "next": "/settings/"})
    assert ok.url == "/settings/"


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_officers_need_the_second_factor_and_plain_members_do_not():
    officer = logged_in(make_officer())
    assert officer.get("/admin/").url.startswith("/two-factor/")
    member = logged_in(MembershipFactory(role="member").user)
    assert member.get("/declarations/").status_code == 200


def test_the_second_factor_is_off_unless_the_setting_asks(settings):
    """Dev and tests: off by default. Production: on (see test_settings)."""
    assert settings.TWO_FACTOR_REQUIRED is False
    admin = logged_in(MembershipFactory(role="admin").user)
    assert admin.get("/declarations/").status_code == 200

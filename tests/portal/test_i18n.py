"""The interface in English, French, Dutch and Simplified Chinese."""

import pytest
from django.urls import reverse
from django.utils import translation

from declarations.models import Status

pytestmark = pytest.mark.django_db

SIGN_IN = {"en": "Sign in", "fr": "Se connecter", "nl": "Aanmelden", "zh-hans": "登录"}


@pytest.mark.parametrize("language", ["fr", "nl", "zh-hans"])
def test_the_switcher_changes_the_language_of_the_pages(client, language):
    """Choosing a language in the header's switcher: the next page is in it."""
    login = reverse("login")
    switched = client.post(
        reverse("set_language"), {"language": language, "next": login}
    )
    assert switched.status_code == 302 and switched["Location"] == login
    page = client.get(login).content.decode()
    assert f'<html lang="{language}"' in page
    assert f"<h1>{SIGN_IN[language]}</h1>" in page
    assert "<h1>Sign in</h1>" not in page


def test_the_browsers_language_is_used_until_one_is_chosen(client):
    page = client.get(reverse("login"), headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert "<h1>Aanmelden</h1>" in page.content.decode()


def test_the_switcher_is_a_labelled_form_on_every_page(client):
    page = client.get(reverse("login")).content.decode()
    assert '<label for="language-switch">Language</label>' in page
    for name in ("English", "français", "Nederlands", "简体中文"):
        assert name in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Acceptée"), ("nl", "Aanvaard"), ("zh-hans", "已接受")],
)
def test_status_labels_are_translated(language, expected):
    """Model choices (status badges, filters) come from the catalogues too."""
    with translation.override(language):
        assert str(Status.ACCEPTED.label) == expected


def test_admin_decision_actions_are_named_in_the_officers_language():
    """The actions' names are made when shown, not when the admin is imported."""
    from declarations.admin import DeclarationAdmin

    with translation.override("zh-hans"):
        assert str(DeclarationAdmin.release_selected.short_description) == (
            "放行：所选报关单"
        )

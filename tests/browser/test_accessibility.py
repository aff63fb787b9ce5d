"""axe-core on the main pages of the journeys: no serious or critical violation."""

import pytest
from django.urls import reverse

from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.browser.conftest import BROWSER, assert_accessible, sign_in
from tests.declarations.factories import make_declaration

pytestmark = BROWSER
PASSWORD = "pass-word-123"  # tests/accounts/factories.py


@pytest.fixture
def shipper_page(new_page):
    organisation = OrganisationFactory(slug="a11y-shipper", kind="shipper")
    user = MembershipFactory(organisation=organisation).user
    page = new_page()
    sign_in(page, user.email, PASSWORD)
    page.organisation = organisation
    return page


def test_login_page(new_page, shot):
    page = new_page()
    page.goto("/accounts/login/")
    shot(page, "login")
    assert_accessible(page, "the sign-in page")


def test_signup_page(new_page, shot):
    page = new_page()
    page.goto(reverse("public:signup"))
    shot(page, "signup")
    assert_accessible(page, "the sign-up page")


def test_declarations_list(shipper_page, shot):
    make_declaration(organisation=shipper_page.organisation, lrn="A11Y-LIST")
    shipper_page.goto(reverse("declarations:list"))
    shot(shipper_page, "declarations")
    assert_accessible(shipper_page, "the declarations list")


def test_declaration_page(shipper_page, shot):
    declaration = make_declaration(organisation=shipper_page.organisation)
    shipper_page.goto(reverse("declarations:detail", args=[declaration.pk]))
    shot(shipper_page, "declaration")
    assert_accessible(shipper_page, "a draft declaration's page")


def test_manifests_page(shipper_page, shot):
    shipper_page.goto(reverse("manifests:list"))
    shot(shipper_page, "manifests")
    assert_accessible(shipper_page, "the manifests page")


def test_dashboard(shipper_page, shot):
    shipper_page.goto(reverse("reports:dashboard"))
    shot(shipper_page, "dashboard")
    assert_accessible(shipper_page, "the dashboard")

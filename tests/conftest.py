"""Suite-wide fixtures: reference data in the test database, and common actors."""

import pytest
from django.test import Client
from django.utils import translation

from declarations.services.risk import unit_values_seed
from reference.charges import charges_load
from reference.sanctions import sanctions_load_shipped
from reference.selectors import reference_cache_clear, reference_is_loaded
from reference.services import reference_load_all
from tests.accounts.factories import (
    ApiKeyFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.declarations.factories import make_officer


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once per test database: HS nomenclature, countries,
    currencies, charge lines, the shipped OFAC list and typical unit values."""
    with django_db_blocker.unblock():
        reference_cache_clear()
        if not reference_is_loaded():
            reference_load_all()
        charges_load()
        sanctions_load_shipped()
        unit_values_seed()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request with Accept-Language
    activates its language for the rest of the thread, i.e. the next tests."""
    yield
    translation.deactivate()


@pytest.fixture
def shipper(db):
    return OrganisationFactory(slug="shipper-a", kind="shipper")


@pytest.fixture
def other_shipper(db):
    return OrganisationFactory(slug="shipper-b", kind="shipper")


@pytest.fixture
def shipper_user(shipper):
    return MembershipFactory(organisation=shipper).user


@pytest.fixture
def shipper_client(shipper_user) -> Client:
    client = Client()
    client.force_login(shipper_user)
    return client


@pytest.fixture
def officer(db):
    """A customs officer: staff, in the officers' group, of a customs authority."""
    return make_officer()


@pytest.fixture
def broker(db):
    return OrganisationFactory(slug="broker-a", kind="broker")


@pytest.fixture
def broker_key(broker) -> str:
    return ApiKeyFactory.issue(organisation=broker)


@pytest.fixture
def api(broker_key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {broker_key}")

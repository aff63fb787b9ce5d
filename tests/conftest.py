"""Suite-wide fixtures: reference data in the test database, and common actors."""

import pytest
from django.test import Client

from reference.selectors import reference_cache_clear, reference_is_loaded
from reference.services import reference_load_all
from tests.accounts.factories import (
    ApiKeyFactory,
    MembershipFactory,
    OrganisationFactory,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the HS nomenclature, countries and currencies once per test database."""
    with django_db_blocker.unblock():
        reference_cache_clear()
        if not reference_is_loaded():
            reference_load_all()


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
def broker(db):
    return OrganisationFactory(slug="broker-a", kind="broker")


@pytest.fixture
def broker_key(broker) -> str:
    return ApiKeyFactory.issue(organisation=broker)


@pytest.fixture
def api(broker_key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {broker_key}")

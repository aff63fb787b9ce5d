"""Fixtures for the reference tests: a loaded database and fresh caches."""

from collections.abc import Iterator

import pytest

from reference.models import ChargeLine, Country, Currency, HsCode, SanctionsList
from reference.selectors import reference_cache_clear
from reference.services import reference_load_all


@pytest.fixture(autouse=True)
def _fresh_reference_cache() -> Iterator[None]:
    """Each test starts and ends with empty per-process caches.

    Tests roll their rows back, so a set cached by one test would lie to the next.
    """
    reference_cache_clear()
    yield
    reference_cache_clear()


@pytest.fixture(autouse=True)
def _empty_reference(request: pytest.FixtureRequest) -> None:
    """Tests here start from empty reference tables, as on a new machine.

    The suite loads reference data once per test database; deleting it inside
    the test's transaction is rolled back afterwards.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    for model in (HsCode, Country, Currency, ChargeLine, SanctionsList):
        model.objects.all().delete()


@pytest.fixture
def loaded_reference(db: None) -> dict[str, int]:
    """The HS nomenclature, countries and currencies, loaded once for the test."""
    return reference_load_all()

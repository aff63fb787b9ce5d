"""Organisations, EORI checks and API keys."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.eori import eori_problem, normalise_eori
from accounts.models import ApiKey
from accounts.services import hash_api_key, organisation_create

pytestmark = pytest.mark.django_db


def test_eori_is_normalised_before_checking():
    """Spaces, dots, dashes and lower case are removed, not refused."""
    assert normalise_eori(" be 0403.170-701 ") == "BE0403170701"
    assert eori_problem("BE0403170701") is None


@pytest.mark.parametrize(
    "eori", ["BE0403170702", "BE12345", "1234567", "DE" + "1" * 16]
)
def test_bad_eori_is_refused(eori):
    """Wrong checksum, wrong length or no country code."""
    assert eori_problem(eori)


def test_organisation_stores_normalised_eori(db):
    """An organisation's EORI is stored in its normal form."""
    org = organisation_create(name="Acme", kind="shipper", eori="be 0403 170 701")
    assert org.eori == "BE0403170701"
    with pytest.raises(ValidationError):
        organisation_create(name="Bad", kind="shipper", eori="BE0403170702")


def test_issue_api_key_prints_only_the_key_and_stores_a_hash(broker, capsys):
    """The key is shown once on stdout; only its hash is stored."""
    call_command("issue_api_key", broker.slug)
    key = capsys.readouterr().out.strip()
    assert key.startswith("cpk_") and "\n" not in key
    stored = ApiKey.objects.get(organisation=broker)
    assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash


def test_issue_api_key_for_unknown_org_fails_clearly(db):
    """An unknown slug is an error naming the known ones."""
    with pytest.raises(CommandError, match="No organisation"):
        call_command("issue_api_key", "nope")

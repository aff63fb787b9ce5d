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


@pytest.mark.parametrize(
    "eori", ["DE123456789012345", "FR12345678900017", "XI123456789000", "IT01234567890"]
)
def test_eori_of_a_member_state_or_xi_is_accepted(eori):
    """Member states' and Northern Ireland's EORIs pass (Art. 9 UCC)."""
    assert eori_problem(eori) is None


@pytest.mark.parametrize(
    ("eori", "says"),
    [
        ("GB123456789000", "GB, not by an EU member state"),
        ("CN9144030071", "CN, not by an EU member state"),
        ("US123456789", "US, not by an EU member state"),
        ("XI12345", "XI followed by 12 digits"),
    ],
)
def test_eori_not_issued_in_the_eu_is_refused_with_the_fix(eori, says):
    """GB, CN and US EORIs are not valid for a declarant in the EU, nor a
    malformed XI number; the message says why and what to do."""
    problem = eori_problem(eori)
    assert problem and says in problem


def test_organisation_with_a_gb_eori_cannot_register(db):
    """A new organisation with a GB EORI is refused on the eori field."""
    with pytest.raises(ValidationError) as raised:
        organisation_create(name="UK Ltd", kind="broker", eori="GB123456789000")
    assert "eori" in raised.value.message_dict


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

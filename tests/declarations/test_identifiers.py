"""MRN check characters and IOSS numbers."""

from declarations.identifiers import (
    ioss_problem,
    iso6346_check_character,
    mrn_build,
    mrn_problem,
)


def test_check_character_follows_iso_6346():
    """The published ISO 6346 example CSQU305438 has check digit 3."""
    assert iso6346_check_character("CSQU305438") == "3"


def test_built_mrn_passes_its_own_check():
    """An MRN the portal builds is 18 characters and verifies."""
    mrn = mrn_build(year=2026, country="BE", serial="0000000000001")
    assert len(mrn) == 18 and mrn_problem(mrn) is None


def test_mrn_with_wrong_check_character_is_refused():
    """Changing the last character breaks the check."""
    mrn = mrn_build(year=2026, country="BE", serial="00000000000AB")
    wrong = mrn[:-1] + str((int(mrn[-1]) + 1) % 10)
    assert "check character" in mrn_problem(wrong)


def test_ioss_northern_ireland_is_accepted():
    """900 is Northern Ireland's code in IOSS numbers."""
    assert ioss_problem("IM9000000012") is None

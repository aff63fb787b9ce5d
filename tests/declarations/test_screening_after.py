"""Screening after filing: again after a list refresh, and namesake clearances."""

from datetime import date
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from declarations.models import (
    SanctionsRescreen,
    ScreeningClearance,
    ScreeningMatch,
    Status,
)
from declarations.services import declaration_decide, declaration_validate
from declarations.services.screening import (
    clearance_state,
    screening_clearance_withdraw,
    screening_match_clear,
)
from declarations.tasks import sanctions_rescreen
from reference.sanctions import (
    SHIPPED_OFAC_CSV,
    sanctions_import_eu_xml,
    sanctions_import_ofac_csv,
)
from tests.accounts.factories import logged_in
from tests.declarations.factories import make_declaration, make_officer

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
OFAC_SAMPLE = DATA / "ofac-sdn-sample.csv"
NEW_PARTY = "New Listed Trading Co Ltd"
NEW_ENTRY = (
    '99999,"NEW LISTED TRADING CO., LTD.",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,'
    "-0- ,-0- ,-0- \r\n"
)
PUTIN = "Vladimir Vladimirovich Putin"


def validated(organisation, **changes):
    declaration = make_declaration(organisation=organisation, submit=True, **changes)
    return declaration_validate(declaration_id=declaration.pk)


def is_hit(declaration) -> bool:
    return declaration.issues.filter(code="RISK-SANCTIONS").exists()


def ofac_list(tmp_path: Path, *lines: str, published_on=date(2026, 11, 30)):
    """An OFAC list of the sample file plus `lines`, made the active one."""
    path = tmp_path / f"sdn-{len(list(tmp_path.iterdir()))}.csv"
    text = OFAC_SAMPLE.read_text(encoding="utf-8").rstrip("\x1a")
    path.write_text(text + "".join(lines), encoding="utf-8")
    return sanctions_import_ofac_csv(path=path, published_on=published_on)


# After a list refresh


def test_a_refresh_that_adds_a_party_sends_its_unreleased_declarations_to_review(
    shipper, tmp_path
):
    """A newly listed consignee: the accepted declaration goes to review, the
    held one keeps its status and gains the match, the released one and the
    unrelated one are left alone. A second run changes nothing."""
    officer = make_officer()
    accepted = validated(shipper, lrn="R1", hawb="R1", consignee_name=NEW_PARTY)
    held = validated(shipper, lrn="R2", hawb="R2", consignee_name=NEW_PARTY)
    declaration_decide(declaration=held, decision="hold", by=officer, reason="Look")
    released = validated(shipper, lrn="R3", hawb="R3", consignee_name=NEW_PARTY)
    declaration_decide(
        declaration=released, decision="release", by=officer, reason="Fine"
    )
    other = validated(shipper, lrn="R4", hawb="R4", consignee_name="Anne Dupont")
    assert accepted.status == Status.ACCEPTED
    sanctions_rescreen()  # the lists loaded so far: nothing of these is listed
    assert not ScreeningMatch.objects.exists()

    new_list = ofac_list(tmp_path, NEW_ENTRY)
    assert sanctions_rescreen() == 2

    for declaration in (accepted, held, released, other):
        declaration.refresh_from_db()
    assert accepted.status == Status.UNDER_REVIEW
    assert held.status == Status.HELD
    assert released.status == Status.RELEASED
    assert other.status == Status.ACCEPTED
    matched = set(ScreeningMatch.objects.values_list("declaration__lrn", "external_id"))
    assert matched == {("R1", "99999"), ("R2", "99999")}
    assert accepted.risk_score == 100
    assert accepted.issues.filter(code="RISK-SANCTIONS").exists()
    run = SanctionsRescreen.objects.get(list=new_list)
    assert (run.added_entries, run.new_hits) == (1, 2)  # the sample is shipped

    assert sanctions_rescreen() == 0
    assert ScreeningMatch.objects.count() == 2


def test_a_refresh_without_new_entries_screens_nothing(shipper, tmp_path):
    """The same entries published again: recorded, no declaration screened."""
    ofac_list(tmp_path, NEW_ENTRY)
    sanctions_rescreen()
    validated(shipper, consignee_name=NEW_PARTY)  # screened at filing already
    again = ofac_list(tmp_path, NEW_ENTRY, "\r\n", published_on=date(2026, 12, 1))
    sanctions_rescreen()
    run = SanctionsRescreen.objects.get(list=again)
    assert (run.added_entries, run.declarations_screened) == (0, 0)


# Namesake clearances


@pytest.fixture
def hit(shipper):
    declaration = validated(shipper, lrn="C1", hawb="C1", consignee_name=PUTIN)
    assert declaration.status == Status.UNDER_REVIEW
    return ScreeningMatch.objects.get(declaration=declaration)


def test_a_cleared_namesake_is_not_raised_again_for_that_entry(shipper, hit):
    """The same party (name, country, address) is no longer a hit; the same
    name at another address still is. Clearing is in the officers' history."""
    officer = make_officer()
    clearance = screening_match_clear(
        match=hit, by=officer, reason="Born 1987 in Brussels, not the listed person"
    )
    assert clearance_state(clearance) == "applies"
    assert LogEntry.objects.filter(
        object_id=str(hit.declaration_id), change_message__contains="namesake"
    ).exists()

    again = validated(shipper, lrn="C2", hawb="C2", consignee_name=PUTIN.upper())
    assert not is_hit(again)

    elsewhere = validated(
        shipper,
        lrn="C3",
        hawb="C3",
        consignee_name=PUTIN,
        consignee_address="Kremlin 1",
    )
    assert is_hit(elsewhere)

    screening_clearance_withdraw(clearance=clearance, by=officer)
    assert is_hit(validated(shipper, lrn="C4", hawb="C4", consignee_name=PUTIN))


def test_a_clearance_is_reviewed_when_the_listed_entry_changes(shipper, hit, tmp_path):
    """Republished unchanged, the entry keeps the clearance; once its remarks
    change, the party is raised again and the clearance says why."""
    line = next(
        text
        for text in SHIPPED_OFAC_CSV.read_text(encoding="utf-8").splitlines(True)
        if text.startswith("35096,")
    )
    officer = make_officer()
    clearance = screening_match_clear(match=hit, by=officer, reason="Namesake")
    ofac_list(tmp_path, line)
    assert clearance_state(clearance) == "applies"
    assert not is_hit(validated(shipper, lrn="E1", hawb="E1", consignee_name=PUTIN))

    changed = line.replace("Gender Male;", "Gender Male; Website kremlin.ru;")
    ofac_list(tmp_path, changed, published_on=date(2026, 12, 1))
    assert clearance_state(clearance) == "entry changed since: review again"
    assert is_hit(validated(shipper, lrn="E2", hawb="E2", consignee_name=PUTIN))


def test_clearing_needs_an_officer_and_a_reason(hit, shipper_user):
    """A trader cannot clear; an empty reason is refused beside the field."""
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        screening_match_clear(match=hit, by=shipper_user, reason="mine")
    with pytest.raises(ValidationError):
        screening_match_clear(match=hit, by=make_officer(), reason="  ")
    assert not ScreeningClearance.objects.exists()


# The officers' admin


def test_officer_sees_the_listed_entry_whole_and_clears_from_the_page(hit):
    """The declaration's page shows matched name, score, entry, programme and
    remarks; the clear form records the clearance."""
    client = logged_in(make_officer())
    page = client.get(
        reverse("admin:declarations_declaration_change", args=[hit.declaration_id])
    ).content.decode()
    for text in (
        "PUTIN, Vladimir Vladimirovich",
        "35096",
        "RUSSIA-EO14024",
        "President of the Russian Federation",
        str(hit.score),
    ):
        assert text in page
    url = reverse(
        "admin:declarations_declaration_clear_match", args=[hit.declaration_id, hit.pk]
    )
    assert url in page
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and not ScreeningClearance.objects.exists()
    client.post(url, {"reason": "Different date of birth"})
    clearance = ScreeningClearance.objects.get()
    assert (clearance.external_id, clearance.country) == ("35096", "BE")


def test_officer_sees_aliases_and_addresses_of_an_eu_entry(shipper):
    """An EU entry's name variants and address are on the match."""
    sanctions_import_eu_xml(path=DATA / "eu-fsf-sample.xml")
    declaration = validated(shipper, consignor_name="Alfa Komponent LLC")
    match = ScreeningMatch.objects.get(declaration=declaration, source="EU-FSF")
    page = logged_in(make_officer()).get(
        reverse("admin:declarations_declaration_change", args=[match.declaration_id])
    )
    html = page.content.decode()
    assert "OOO Alfa Komponent" in html
    assert "Saint Petersburg" in html


def test_dashboard_says_which_lists_are_loaded_and_warns_when_old(settings):
    """'OFAC list of 3 May 2024; EU list not loaded', with a warning; within
    the allowed age and with both lists, no warning."""
    client = logged_in(make_officer())
    dashboard = reverse("admin:declarations_declaration_dashboard")
    html = client.get(dashboard).content.decode()
    assert "OFAC list of 3 May 2024" in html and "EU list not loaded" in html
    assert 'id="sanctions-warning"' in html
    assert (
        "OFAC list of 3 May 2024" in client.get(reverse("admin:index")).content.decode()
    )

    settings.SANCTIONS_MAX_AGE_DAYS = 100_000
    sanctions_import_eu_xml(path=DATA / "eu-fsf-sample.xml")
    html = client.get(dashboard).content.decode()
    assert "EU list of 2 May 2024" in html
    assert 'id="sanctions-warning"' not in html

"""The declarations list: filters, search, pagination and CSV / XLSX exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from declarations.models import Declaration, Status
from declarations.services import declaration_validate
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(shipper, other_shipper) -> dict[str, Declaration]:
    """Three of the shipper's declarations and one of another organisation."""
    accepted = make_declaration(
        organisation=shipper, lrn="LRN-ACCEPTED", hawb="HAWB-1", submit=True
    )
    declaration_validate(declaration_id=accepted.pk)
    export = make_declaration(
        organisation=shipper,
        lrn="LRN-EXPORT",
        hawb="HAWB-2",
        type="EX",
        consignee_name="Shanghai Buyer Co",
    )
    formula = make_declaration(
        organisation=shipper,
        lrn="LRN-FORMULA",
        hawb="HAWB-3",
        consignee_name="=cmd|' /C calc'!A0",
    )
    Declaration.objects.filter(pk=formula.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    theirs = make_declaration(
        organisation=other_shipper, lrn="LRN-THEIRS", consignee_name="Anne Dupont"
    )
    return {
        "accepted": Declaration.objects.get(pk=accepted.pk),
        "export": export,
        "formula": formula,
        "theirs": theirs,
    }


def lrns(client, **params) -> set[str]:
    html = client.get(reverse("declarations:list"), params).content.decode()
    return {lrn for lrn in ("ACCEPTED", "EXPORT", "FORMULA", "THEIRS") if lrn in html}


def test_filters_by_status_type_and_dates(shipper_client, filed):
    """Each filter narrows the list; another organisation's never shows."""
    assert lrns(shipper_client) == {"ACCEPTED", "EXPORT", "FORMULA"}
    assert lrns(shipper_client, status="accepted") == {"ACCEPTED"}
    assert lrns(shipper_client, type="EX") == {"EXPORT"}
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert lrns(shipper_client, created_to=month_ago) == {"FORMULA"}
    assert lrns(shipper_client, created_from=month_ago) == {"ACCEPTED", "EXPORT"}


def test_search_by_lrn_hawb_mrn_and_party_name(shipper_client, filed):
    """Search finds a declaration by LRN, house AWB, MRN or a party's name."""
    assert lrns(shipper_client, q="lrn-export") == {"EXPORT"}
    assert lrns(shipper_client, q="HAWB-3") == {"FORMULA"}
    assert lrns(shipper_client, q=filed["accepted"].mrn) == {"ACCEPTED"}
    assert lrns(shipper_client, q="shanghai buyer") == {"EXPORT"}
    # The same name on another organisation's declaration is not found.
    assert lrns(shipper_client, q="Anne Dupont") == {"ACCEPTED"}


def test_bad_filter_values_are_explained_not_a_500(shipper_client, filed):
    """Swapped dates and an unknown status get a message beside their field."""
    response = shipper_client.get(
        reverse("declarations:list"),
        {
            "status": "nonsense",
            "created_from": "2026-02-01",
            "created_to": "2026-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html and "swap them" in html


def test_status_badges_carry_text(shipper_client, filed):
    """A status is written out, not only coloured."""
    html = shipper_client.get(reverse("declarations:list")).content.decode()
    assert 'class="badge accepted" data-status="accepted">Accepted<' in html
    assert 'class="badge draft" data-status="draft">Draft<' in html


def test_list_is_paginated(shipper_client, shipper):
    """Beyond 25 declarations the list goes on to a next page."""
    for n in range(27):
        make_declaration(organisation=shipper, lrn=f"PAGE-{n:02d}", hawb=f"P{n}")
    first = shipper_client.get(reverse("declarations:list")).content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = shipper_client.get(reverse("declarations:list"), {"page": 2})
    assert second.content.decode().count("PAGE-") == 2


def test_csv_export_of_the_filtered_list_neutralises_formulas(shipper_client, filed):
    """The CSV holds the filtered declarations of the organisation only, and a
    party name starting with = is prefixed so a spreadsheet does not run it."""
    response = shipper_client.get(
        reverse("declarations:export", args=["csv"]), {"type": "H7"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["LRN"] for row in rows} == {"LRN-ACCEPTED", "LRN-FORMULA"}
    formula = next(row for row in rows if row["LRN"] == "LRN-FORMULA")
    assert formula["Consignee"] == "'=cmd|' /C calc'!A0"
    accepted = next(row for row in rows if row["LRN"] == "LRN-ACCEPTED")
    assert accepted["Status"] == "Accepted" and accepted["MRN"] == filed["accepted"].mrn
    assert "LRN-THEIRS" not in text


def test_xlsx_export_neutralises_formulas_and_keeps_amounts_numeric(
    shipper_client, filed
):
    """The XLSX has a header row and one row per declaration; no formula cell."""
    response = shipper_client.get(reverse("declarations:export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "LRN" and len(body) == 3
    by_lrn = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_lrn) == {"LRN-ACCEPTED", "LRN-EXPORT", "LRN-FORMULA"}
    assert by_lrn["LRN-FORMULA"]["Consignee"] == "'=cmd|' /C calc'!A0"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert isinstance(
        by_lrn["LRN-ACCEPTED"]["Total due at clearance (EUR)"], int | float
    )


def test_unknown_export_format_is_404(shipper_client):
    assert (
        shipper_client.get(reverse("declarations:export", args=["pdf"])).status_code
        == 404
    )


def test_accepted_declaration_shows_status_after_filtering(shipper_client, filed):
    """Status filter keeps its choice selected on the page."""
    html = shipper_client.get(
        reverse("declarations:list"), {"status": Status.ACCEPTED}
    ).content.decode()
    assert '<option value="accepted" selected>' in html


def test_xlsx_beyond_its_limit_sends_the_user_back_with_a_way_out(
    shipper_client, filed, monkeypatch
):
    """An XLSX larger than the bound is refused with a message naming CSV."""
    monkeypatch.setattr("declarations.exports.XLSX_ROW_LIMIT", 1)
    response = shipper_client.get(
        reverse("declarations:export", args=["xlsx"]), {"type": "H7"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?type=H7")
    assert "More than 1 declarations match" in html and "CSV" in html


def test_control_characters_and_far_dates_do_not_break_the_list(
    shipper_client, shipper
):
    """A pasted vertical tab in a name is dropped from the XLSX (which cannot
    hold it); the latest date a user can type is a valid filter."""
    make_declaration(organisation=shipper, lrn="LRN-VT", consignee_name="ACME\x0bLtd")
    sheet = load_workbook(
        io.BytesIO(
            shipper_client.get(reverse("declarations:export", args=["xlsx"])).content
        )
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["Consignee"] == "ACMELtd"
    page = shipper_client.get(
        reverse("declarations:list"), {"created_to": "9999-12-31"}
    )
    assert page.status_code == 200 and "LRN-VT" in page.content.decode()

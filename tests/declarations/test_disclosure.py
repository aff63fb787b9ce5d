"""No tipping off: a filer never learns that a party matched a sanctions list.

A real name of the shipped OFAC list (entry 35096, "PUTIN, Vladimir
Vladimirovich", programme RUSSIA-EO14024) is filed as a consignee, alone and in
a manifest, and every surface a trader reads is searched for the listed entry,
its number, its programme, its remarks and the score.
"""

import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import WebhookDelivery
from accounts.webhooks import webhook_endpoint_create
from declarations.disclosure import (
    NEUTRAL_CODE,
    neutral_reason,
    trader_findings,
    trader_reason,
)
from declarations.models import ScreeningMatch, Status, ValidationIssue
from declarations.rules.base import Issue
from declarations.services import declaration_decide, declaration_validate
from declarations.services.manifests import manifest_submit
from tests.accounts.factories import MembershipFactory, logged_in
from tests.declarations.factories import (
    make_declaration,
    make_officer,
    service_data,
)
from tests.declarations.manifests import manifest_csv, process, row, upload_file

pytestmark = pytest.mark.django_db

# As a filer would write the listed person: given names first, no comma.
FILED_NAME = "Vladimir Vladimirovich Putin"
LISTED = "PUTIN, Vladimir Vladimirovich"
ENTRY = "35096"
PROGRAMME = "RUSSIA-EO14024"
REMARKS = "President of the Russian Federation"
# Words that would say what the check was about.
TELLING = ("sanction", "screening", "OFAC", "SDN", "RISK-SANCTIONS", "score")
# The unit value of these T-shirts is far below the typical one: undervaluation
# would be a visible reason on its own, and must not show beside a hit.
CHEAP_ITEM = {"item_value": "0.40", "quantity": 2}


def assert_no_tipping_off(surface: str, text: str) -> None:
    lowered = text.lower()
    assert LISTED.lower() not in lowered, surface
    assert PROGRAMME.lower() not in lowered, surface
    assert REMARKS.lower() not in lowered, surface
    assert not re.search(rf"\b{ENTRY}\b", text), surface
    assert "RISK-UNDERVALUE" not in text, surface  # nothing by elimination
    for word in TELLING:
        assert word.lower() not in lowered, f"{surface}: {word}"


def pdf_text(response) -> str:
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def endpoint(broker, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    endpoint, _ = webhook_endpoint_create(
        organisation=broker,
        url="https://hooks.example.com/customs",
        events=["accepted", "under_review", "released"],
    )
    return endpoint


def test_no_trader_surface_discloses_a_hit_of_a_declaration(
    broker, api, endpoint, mailoutbox, django_capture_on_commit_callbacks
):
    """Page, status panel, list, notifications, API detail and list, both PDFs,
    e-mails and webhook payloads show the neutral sentence and nothing of the
    listed entry, while the officers' records hold the hit."""
    trader = logged_in(MembershipFactory(organisation=broker).user)
    declaration = make_declaration(
        organisation=broker,
        submit=True,
        consignee_name=FILED_NAME,
        items=[make_item(**CHEAP_ITEM)],
    )
    declaration = declaration_validate(declaration_id=declaration.pk)
    assert declaration.status == Status.UNDER_REVIEW
    # The hit and the undervaluation are there for the officers.
    match = ScreeningMatch.objects.get(declaration=declaration)
    assert (match.external_id, match.programmes) == (ENTRY, PROGRAMME)
    codes = set(declaration.issues.values_list("code", flat=True))
    assert {"RISK-SANCTIONS", "RISK-UNDERVALUE"} <= codes

    first, second = make_officer(first_name="Ann"), make_officer(first_name="Bo")
    with django_capture_on_commit_callbacks(execute=True):
        declaration_decide(
            declaration=declaration, decision="hold", by=first, reason="Inspection"
        )
    declaration_decide(
        declaration=declaration, decision="release", by=first, reason="Checked"
    )
    with django_capture_on_commit_callbacks(execute=True):
        declaration_decide(
            declaration=declaration, decision="release", by=second, reason="Checked"
        )
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED

    pk = declaration.pk
    pages = {
        "page": reverse("declarations:detail", args=[pk]),
        "status panel": reverse("declarations:status", args=[pk]),
        "list": reverse("declarations:list"),
        "notifications": reverse("declarations:notifications"),
    }
    for surface, url in pages.items():
        response = trader.get(url)
        assert response.status_code == 200, surface
        assert_no_tipping_off(surface, response.content.decode())
    page = trader.get(pages["page"]).content.decode()
    assert neutral_reason() in page

    for surface, url in {
        "API detail": reverse("api:declaration", args=[pk]),
        "API list": reverse("api:declarations"),
    }.items():
        answer = api.get(url)
        assert answer.status_code == 200, surface
        assert "risk_score" not in answer.content.decode(), surface
        assert_no_tipping_off(surface, answer.content.decode())
    detail = api.get(reverse("api:declaration", args=[pk])).json()
    assert [i["code"] for i in detail["issues"]] == [NEUTRAL_CODE]
    review = next(
        c for c in detail["status_history"] if c["to_status"] == "under_review"
    )
    assert review["reason"] == neutral_reason()

    for surface, url in {
        "declaration PDF": reverse("reports:declaration-pdf", args=[pk]),
        "release note": reverse("reports:release-note", args=[pk]),
    }.items():
        assert_no_tipping_off(surface, pdf_text(trader.get(url)))

    assert mailoutbox
    for mail in mailoutbox:
        assert_no_tipping_off("e-mail", f"{mail.subject}\n{mail.body}")

    payloads = list(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list(
            "event", "payload"
        )
    )
    assert {event for event, _ in payloads} >= {"under_review", "released"}
    for event, payload in payloads:
        assert_no_tipping_off(f"webhook {event}", json.dumps(payload))
    assert dict(payloads)["under_review"]["reason"] == neutral_reason()


def test_no_manifest_issue_list_discloses_a_hit(broker, api, settings, tmp_path):
    """The manifest's issues (page, API, both CSVs) carry the neutral finding
    for a parcel whose consignee is listed, and nothing of the entry."""
    settings.MEDIA_ROOT = tmp_path
    trader = logged_in(MembershipFactory(organisation=broker).user)
    data = manifest_csv(
        [row("T1"), row("T2", consignee_name=FILED_NAME, item_value="0.40")]
    )
    manifest, _ = manifest_submit(
        organisation=broker, upload=upload_file(data), by=None
    )
    process(manifest)
    hit = ScreeningMatch.objects.get(declaration__manifest=manifest)
    assert hit.external_id == ENTRY and hit.declaration.status == Status.UNDER_REVIEW

    surfaces = {
        "manifest page": trader.get(reverse("manifests:detail", args=[manifest.pk])),
        "manifest CSV": trader.get(reverse("manifests:issues-csv", args=[manifest.pk])),
        "API issues": api.get(reverse("api:manifest-issues", args=[manifest.pk])),
        "API issues CSV": api.get(
            reverse("api:manifest-issues", args=[manifest.pk]), {"format": "csv"}
        ),
    }
    for surface, response in surfaces.items():
        assert response.status_code == 200, surface
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else (response.content)
        )
        text = body.decode()
        assert_no_tipping_off(surface, text)
        assert neutral_reason() in text, surface
    issues = api.get(reverse("api:manifest-issues", args=[manifest.pk])).json()
    t2 = [i["code"] for i in issues["results"] if i["hawb"] == "T2"]
    assert t2 == [NEUTRAL_CODE]


def make_item(**changes) -> dict:
    return service_data()["items"][0] | changes


# The rules of disclosure, as pure functions


def issue(code: str, points: int = 0) -> Issue:
    return Issue(code, "warning", "", f"about {code}", risk_points=points)


def neutral() -> Issue:
    return Issue(NEUTRAL_CODE, "warning", "", "neutral")


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_findings_without_a_hit_are_all_shown():
    """Undervaluation and a split stay visible: they help fix the filing."""
    found = [issue("RISK-UNDERVALUE", 40), issue("RISK-SPLIT", 50), issue("DQ-DESC")]
    shown = trader_findings(
        found, code=lambda i: i.code, risk_points=lambda i: i.risk_points,
        neutral=neutral,
    )  # fmt: skip
    assert codes(shown) == ["RISK-UNDERVALUE", "RISK-SPLIT", "DQ-DESC"]


def test_a_hit_hides_every_risk_finding_behind_one_neutral_one():
    """With a hit, no risk finding is left to infer the hit by elimination;
    findings that are not risks (what to fix) stay."""
    found = [
        issue("RISK-SANCTIONS", 100),
        issue("RISK-UNDERVALUE", 40),
        issue("DG-BATTERY", 10),
        issue("DQ-DESC"),
    ]
    shown = trader_findings(
        found, code=lambda i: i.code, risk_points=lambda i: i.risk_points,
        neutral=neutral,
    )  # fmt: skip
    assert codes(shown) == [NEUTRAL_CODE, "DQ-DESC"]


def test_status_reasons_as_a_trader_reads_them():
    """Rule codes of a review become neutral on a declaration with a hit; a
    reason naming the screening code never passes; officers' words and a
    rejection's error codes stay."""

    def read(reason, to_status="under_review", automatic=True, screened=False):
        return trader_reason(
            reason=reason, to_status=to_status, automatic=automatic, screened=screened
        )

    assert read("RISK-SANCTIONS; RISK-UNDERVALUE") == neutral_reason()
    assert read("RISK-UNDERVALUE") == "RISK-UNDERVALUE"
    assert read("RISK-UNDERVALUE", screened=True) == neutral_reason()
    assert read("HS-EXISTS", to_status="rejected", screened=True) == "HS-EXISTS"
    assert read(
        "Invoice checked", to_status="held", automatic=False, screened=True
    ) == ("Invoice checked")


def test_an_officer_still_reads_the_stored_findings(broker):
    """What is stored is unchanged: the officer's records name the rule."""
    declaration = make_declaration(
        organisation=broker, submit=True, consignee_name=FILED_NAME
    )
    declaration_validate(declaration_id=declaration.pk)
    assert ValidationIssue.objects.filter(
        declaration=declaration, code="RISK-SANCTIONS"
    ).exists()


def test_an_officer_cannot_tell_the_filer_of_a_hit_in_a_reason(broker):
    """On a declaration with a hit, a decision whose reason speaks of sanctions
    is refused beside the reason; a plain request goes through, and the same
    words on a declaration without a hit are the officer's business."""
    from django.core.exceptions import ValidationError

    officer = make_officer()
    hit = make_declaration(organisation=broker, submit=True, consignee_name=FILED_NAME)
    hit = declaration_validate(declaration_id=hit.pk)
    with pytest.raises(ValidationError) as refused:
        declaration_decide(
            declaration=hit,
            decision="hold",
            by=officer,
            reason="The buyer matches a sanctions list",
        )
    assert "reason" in refused.value.message_dict
    declaration_decide(
        declaration=hit, decision="hold", by=officer, reason="Send the invoice"
    )
    clean = make_declaration(
        organisation=broker, submit=True, lrn="CLEAN", hawb="CLEAN"
    )
    clean = declaration_validate(declaration_id=clean.pk)
    declaration_decide(
        declaration=clean,
        decision="hold",
        by=officer,
        reason="Dual-use goods: export sanctions licence needed",
    )

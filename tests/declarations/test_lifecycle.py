"""A declaration's lifecycle through the services: submit, validate, decide, audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.errors import ApplicationError
from declarations.identifiers import mrn_problem
from declarations.models import Declaration, GoodsItem, Status, StatusChange
from declarations.services import (
    declaration_decide,
    declaration_submit,
    declaration_validate,
)
from tests.declarations.factories import make_declaration

pytestmark = pytest.mark.django_db


def submitted(shipper, **changes) -> Declaration:
    declaration = make_declaration(organisation=shipper, **changes)
    return declaration_submit(declaration=declaration, by=None)


def test_valid_h7_is_accepted_with_an_mrn(shipper):
    """A correct H7 goes submitted → validating → accepted, with a well-formed MRN."""
    declaration = declaration_validate(declaration_id=submitted(shipper).pk)
    assert declaration.status == Status.ACCEPTED
    assert mrn_problem(declaration.mrn) is None
    assert declaration.mrn.startswith("26BE")
    trail = list(declaration.status_changes.values_list("from_status", "to_status"))
    assert trail == [
        ("draft", "submitted"),
        ("submitted", "validating"),
        ("validating", "accepted"),
    ]


def test_h7_over_150_is_rejected_with_issue_on_the_field(shipper):
    """An H7 over EUR 150 is rejected; the issue names the field and says H1."""
    declaration = submitted(
        shipper,
        items=[
            {
                "description": "Gaming laptop",
                "hs_code": "847130",
                "origin_country": "CN",
                "quantity": 1,
                "item_value": "899.00",
            }
        ],
    )
    declaration = declaration_validate(declaration_id=declaration.pk)
    assert declaration.status == Status.REJECTED
    assert declaration.mrn is None
    issue = declaration.issues.get(code="H7-VAL-150")
    assert (issue.severity, issue.field) == ("error", "item_value")
    assert "H7-VAL-150" in declaration.status_changes.last().reason


def test_validation_twice_changes_nothing(shipper):
    """A redelivered validation task finds the declaration decided and leaves it."""
    declaration = declaration_validate(declaration_id=submitted(shipper).pk)
    again = declaration_validate(declaration_id=declaration.pk)
    assert again.mrn == declaration.mrn
    assert StatusChange.objects.filter(declaration=declaration).count() == 3


def test_rejected_declaration_can_be_fixed_and_resubmitted(shipper):
    """After a rejection the declarant edits and submits again."""
    declaration = submitted(shipper, hawb="")
    declaration = declaration_validate(declaration_id=declaration.pk)
    assert declaration.status == Status.REJECTED
    from declarations.services import declaration_update_field

    declaration_update_field(
        declaration=declaration, field="hawb", value="CN9", by=None
    )
    declaration_submit(declaration=declaration, by=None)
    assert declaration_validate(declaration_id=declaration.pk).status == Status.ACCEPTED


def test_submitted_declaration_cannot_be_edited(shipper):
    """Once submitted, the declarant's data is frozen."""
    from declarations.services import declaration_update_field

    declaration = submitted(shipper)
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        declaration_update_field(
            declaration=declaration, field="hawb", value="X", by=None
        )


def test_officer_releases_with_reason_and_audit_row(shipper, officer):
    """Release writes who, when, from, to and why."""
    declaration = declaration_validate(declaration_id=submitted(shipper).pk)
    declaration_decide(
        declaration=declaration,
        decision="release",
        by=officer,
        reason="Documents checked",
    )
    change = StatusChange.objects.filter(declaration=declaration).last()
    assert (change.from_status, change.to_status) == ("accepted", "released")
    assert change.by_user == officer and change.reason == "Documents checked"


def test_decision_needs_a_reason_and_an_officer(shipper, officer, shipper_user):
    """No reason, or a non-officer, and nothing changes."""
    declaration = declaration_validate(declaration_id=submitted(shipper).pk)
    with pytest.raises(ValidationError):
        declaration_decide(
            declaration=declaration, decision="hold", by=officer, reason=" "
        )
    with pytest.raises(PermissionDenied):
        declaration_decide(
            declaration=declaration, decision="hold", by=shipper_user, reason="x"
        )
    declaration.refresh_from_db()
    assert declaration.status == Status.ACCEPTED


def test_draft_cannot_be_released(shipper, officer):
    """The lifecycle refuses a transition it does not allow."""
    declaration = make_declaration(organisation=shipper)
    with pytest.raises(ApplicationError, match="draft cannot be released"):
        declaration_decide(
            declaration=declaration, decision="release", by=officer, reason="ok"
        )


def test_duplicate_lrn_is_refused_and_nothing_is_saved(shipper):
    """The same LRN twice: a field error, and no second consignment is left behind."""
    make_declaration(organisation=shipper, lrn="SAME-1")
    before = Declaration.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_declaration(organisation=shipper, lrn="SAME-1", hawb="OTHER")
    assert "lrn" in caught.value.message_dict
    assert Declaration.objects.count() == before


def test_same_lrn_in_two_organisations_is_fine(shipper, other_shipper):
    """LRNs are unique per declarant, not globally."""
    make_declaration(organisation=shipper, lrn="SHARED")
    make_declaration(organisation=other_shipper, lrn="SHARED")


def test_database_refuses_negative_value_and_zero_mass(shipper):
    """Constraints hold even when code is bypassed."""
    declaration = make_declaration(organisation=shipper)
    with pytest.raises(IntegrityError), transaction.atomic():
        GoodsItem.objects.filter(declaration=declaration).update(
            item_value=Decimal("-1")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        GoodsItem.objects.filter(declaration=declaration).update(net_mass_kg=0)


def test_database_refuses_accepted_without_mrn(shipper):
    """An accepted declaration always carries its MRN."""
    declaration = make_declaration(organisation=shipper)
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=declaration.pk).update(status="accepted")


def test_mawb_on_another_flight_is_refused(shipper):
    """A master AWB travels on one flight: a second flight for it is a field error."""
    declaration_validate(declaration_id=submitted(shipper).pk)
    with pytest.raises(ValidationError) as caught:
        make_declaration(organisation=shipper, hawb="CN2", flight_number="CK999")
    assert "flight_number" in caught.value.message_dict


def test_hawb_twice_under_one_mawb_is_refused(shipper):
    """A parcel is declared once per master AWB."""
    make_declaration(organisation=shipper)
    with pytest.raises(ValidationError) as caught:
        make_declaration(organisation=shipper, lrn="L2")
    assert "hawb" in caught.value.message_dict

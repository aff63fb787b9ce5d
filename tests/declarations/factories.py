"""Valid declaration payloads and stored declarations for tests."""

import copy
from datetime import date
from typing import Any

from accounts.models import Organisation
from declarations.api.serializers import EXAMPLE
from declarations.models import Declaration
from declarations.services import customs_officer_group_ensure, declaration_create
from tests.accounts.factories import MembershipFactory, OrganisationFactory

# The API schema's example (the worked H7 of manifest-format.md), with the
# optional fields spelt out and without an LRN: each test chooses its own.
H7_PAYLOAD: dict[str, Any] = {
    key: value for key, value in EXAMPLE.items() if key != "lrn"
} | {"insurance_cost": "0.00", "packages": 1}


def h7_payload(**changes: Any) -> dict[str, Any]:
    """The worked H7 of manifest-format.md, with `changes` applied."""
    payload = copy.deepcopy(H7_PAYLOAD)
    payload.update(changes)
    return payload


def service_data(**changes: Any) -> dict[str, Any]:
    """The payload as services receive it from a serializer (dates parsed)."""
    data = h7_payload(**changes)
    if isinstance(data.get("arrival_date"), str):
        data["arrival_date"] = date.fromisoformat(data["arrival_date"])
    return data


def make_declaration(
    *, organisation: Organisation, submit: bool = False, by=None, **changes: Any
) -> Declaration:
    return declaration_create(
        organisation=organisation, by=by, data=service_data(**changes), submit=submit
    )


def make_officer(**user_fields: Any):
    """A customs officer: staff, in the officers' group, of the customs
    authority (one organisation, however many officers are made)."""
    customs = OrganisationFactory(slug="customs", kind="customs", eori="")
    fields = {f"user__{name}": value for name, value in user_fields.items()}
    user = MembershipFactory(organisation=customs, **fields).user
    user.is_staff = True
    user.save()
    user.groups.add(customs_officer_group_ensure())
    return user

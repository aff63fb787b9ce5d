"""Amendments (new versions) and invalidation requests of filed declarations."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import ApplicationError
from accounts.models import Organisation
from declarations.models import Declaration, Status
from declarations.services.filing import (
    CONSIGNMENT_FIELDS,
    DECLARATION_FIELDS,
    SHIPMENT_FIELDS,
    check_hawb_free,
    declaration_create,
    goods_items_create,
    normalise,
    shipment_for,
)
from declarations.services.lifecycle import (
    Actor,
    declaration_lock,
    declaration_submit,
    transition,
    user_of,
)
from shipments.models import Consignment


@transaction.atomic
def declaration_amend(
    *, declaration: Declaration, by: Actor, data: Mapping[str, Any], submit: bool = True
) -> Declaration:
    """A new version of an accepted, unreleased declaration (Art. 173 UCC).

    The old version stays readable and accepted until the new one is accepted;
    then it is invalidated, pointing at its successor. The new version keeps
    the LRN; it gets its own MRN on acceptance.
    """
    old = declaration_lock(declaration)
    if old.status != Status.ACCEPTED:
        raise ApplicationError(
            _(
                "Only an accepted declaration that is not yet released can be "
                "amended; this one is %(status)s."
            )
            % {"status": old.get_status_display().lower()}
        )
    if Declaration.objects.filter(previous_version=old).exists():
        raise ApplicationError(
            _("This declaration already has an amendment: amend the newest version.")
        )
    data = {k: normalise(k, v) for k, v in data.items() if k != "items"} | {
        "items": data.get("items", [])
    }
    previous = old.consignment
    shipment = previous.shipment
    if data.get("mawb"):
        shipment = shipment_for(
            organisation=old.organisation,
            mawb=data["mawb"],
            values={f: data.get(f) for f in SHIPMENT_FIELDS[1:] if f in data},
            exclude=previous.pk,
        )
    Consignment.objects.filter(pk=previous.pk).update(superseded=True)
    check_hawb_free(shipment=shipment, hawb=data.get("hawb", ""))
    consignment = Consignment.objects.create(
        organisation=old.organisation,
        shipment=shipment,
        **{f: data[f] for f in CONSIGNMENT_FIELDS if f in data and data[f] is not None},
    )
    amended = Declaration.objects.create(
        organisation=old.organisation,
        created_by=user_of(by),
        consignment=consignment,
        lrn=old.lrn,
        version=old.version + 1,
        previous_version=old,
        manifest=old.manifest,
        declarant_eori=old.declarant_eori,
        **{f: data[f] for f in DECLARATION_FIELDS if f in data and f != "lrn"},
    )
    goods_items_create(declaration=amended, items=data["items"])
    if submit:
        declaration_submit(declaration=amended, by=by)
    return amended


@transaction.atomic
def declaration_invalidation_request(
    *, declaration: Declaration, by: Actor, reason: str
) -> Declaration:
    """The declarant asks for invalidation (Art. 174 UCC).

    Before release the portal invalidates at once; after release an officer
    decides, so the request is recorded for the review queue.
    """
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the declaration must be invalidated.")}
        )
    declaration = declaration_lock(declaration)
    if declaration.status == Status.ACCEPTED:
        return transition(declaration, "invalidate", by=by, reason=reason.strip())
    if declaration.status == Status.RELEASED:
        declaration.invalidation_requested_at = timezone.now()
        declaration.invalidation_reason = reason.strip()
        declaration.save(
            update_fields=[
                "invalidation_requested_at",
                "invalidation_reason",
                "updated_at",
            ]
        )
        return declaration
    raise ApplicationError(
        _(
            "Only an accepted or released declaration can be invalidated; this one "
            "is %(status)s."
        )
        % {"status": declaration.get_status_display().lower()}
    )


def declarations_create_bulk(
    *,
    organisation: Organisation,
    by: Actor,
    entries: Sequence[Mapping[str, Any]],
    submit: bool = True,
) -> list[dict[str, Any]]:
    """Create each entry on its own: one bad entry never stops the others.

    Returns one result per entry, in order: {"index", "created": Declaration}
    or {"index", "errors": {field: [messages]}}.
    """
    results = []
    for index, data in enumerate(entries):
        try:
            with transaction.atomic():
                created = declaration_create(
                    organisation=organisation, by=by, data=data, submit=submit
                )
            results.append({"index": index, "created": created})
        except ValidationError as exc:
            errors = (
                exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
            results.append({"index": index, "errors": errors})
        except ApplicationError as exc:
            results.append({"index": index, "errors": {exc.field: [exc.message]}})
    return results

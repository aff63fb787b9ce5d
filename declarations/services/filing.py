"""The declarant's writes: create a declaration, edit its fields and items."""

import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.eori import normalise_eori
from accounts.errors import ApplicationError
from accounts.models import Organisation
from declarations.identifiers import normalise_ioss
from declarations.models import Declaration, GoodsItem, Status
from declarations.services.lifecycle import (
    Actor,
    declaration_lock,
    declaration_submit,
    require_editable,
    user_of,
)
from declarations.validators import normalise_code, normalise_hs_code
from shipments.awb import normalise_mawb
from shipments.models import Consignment, Shipment

DECLARATION_FIELDS = ("type", "lrn", "vat_path", "ioss_number")
SHIPMENT_FIELDS = (
    "mawb",
    "flight_number",
    "departure_airport",
    "arrival_airport",
    "arrival_date",
)
# The consignor's and consignee's columns of a consignment.
PARTY_FIELDS = (
    "consignor_name", "consignor_address", "consignor_city", "consignor_postcode",
    "consignor_country", "consignee_name", "consignee_address", "consignee_city",
    "consignee_postcode", "consignee_country", "consignee_eori",
)  # fmt: skip
CONSIGNMENT_FIELDS = (
    "hawb", *PARTY_FIELDS, "currency", "transport_cost", "insurance_cost",
    "gross_mass_kg", "packages",
)  # fmt: skip
HEADER_FIELDS = DECLARATION_FIELDS + SHIPMENT_FIELDS + CONSIGNMENT_FIELDS
ITEM_FIELDS = (
    "description",
    "hs_code",
    "origin_country",
    "quantity",
    "item_value",
    "net_mass_kg",
    "product_id",
    "manufacturer_product_id",
)

_CODE_FIELDS = {
    "consignor_country",
    "consignee_country",
    "currency",
    "origin_country",
    "departure_airport",
    "arrival_airport",
    "flight_number",
}


_NULLABLE = {"gross_mass_kg", "arrival_date", "net_mass_kg"}
_DEFAULTS = {"transport_cost": Decimal(0), "insurance_cost": Decimal(0), "packages": 1}


def normalise(field: str, value: Any) -> Any:
    """The stored form of a declared value: users type spaces and lower case."""
    if value is None or (value == "" and (field in _NULLABLE or field in _DEFAULTS)):
        if field in _DEFAULTS:
            return _DEFAULTS[field]
        return None if field in _NULLABLE else ""
    if field == "mawb":
        return normalise_mawb(value)
    if field in ("consignee_eori", "declarant_eori"):
        return normalise_eori(value)
    if field == "ioss_number":
        return normalise_ioss(value)
    if field == "hs_code":
        return normalise_hs_code(value)
    if field in _CODE_FIELDS:
        return normalise_code(value)
    if isinstance(value, str):
        return value.strip()
    return value


def lrn_generate() -> str:
    """A fresh LRN for declarants who have no numbering of their own."""
    return f"LRN{timezone.localdate():%y%m%d}-{secrets.token_hex(4).upper()}"


def _check_lrn_free(
    *, organisation: Organisation, lrn: str, exclude: int | None = None
) -> None:
    taken = Declaration.objects.filter(organisation=organisation, lrn=lrn).exclude(
        pk=exclude
    )
    if taken.exists():
        raise ValidationError(
            {
                "lrn": _(
                    "LRN %(lrn)s is already used by another of your declarations: "
                    "choose another reference."
                )
                % {"lrn": lrn}
            }
        )


def shipment_for(
    *,
    organisation: Organisation,
    mawb: str,
    values: Mapping[str, Any],
    exclude: int | None = None,
) -> Shipment:
    """The shipment of a master AWB, created on first use.

    A master AWB travels on one flight: once one of its consignments is filed, a
    different flight for it is refused rather than silently changing the filing.
    """
    shipment, created = Shipment.objects.select_for_update().get_or_create(
        organisation=organisation, mawb=mawb, defaults=dict(values)
    )
    if created:
        return shipment
    changed = {
        f: v
        for f, v in values.items()
        if v not in ("", None) and getattr(shipment, f) != v
    }
    if not changed:
        return shipment
    if filed := _filed_declaration_on(shipment, exclude=exclude):
        field = next(iter(changed))
        message = _flight_taken(field) % {
            "mawb": mawb,
            "value": getattr(shipment, field),
            "lrn": filed.lrn,
        }
        raise ValidationError({field: message})
    for field, value in changed.items():
        setattr(shipment, field, value)
    shipment.save()
    return shipment


def _flight_taken(field: str) -> str:
    """Why a master AWB's flight cannot change, one whole sentence per field."""
    if field == "flight_number":
        return _(
            "Master AWB %(mawb)s is already filed with flight number %(value)s "
            "(declaration %(lrn)s); a master AWB travels on one flight. Check the "
            "air waybill."
        )
    if field == "departure_airport":
        return _(
            "Master AWB %(mawb)s is already filed with departure airport %(value)s "
            "(declaration %(lrn)s); a master AWB travels on one flight. Check the "
            "air waybill."
        )
    if field == "arrival_airport":
        return _(
            "Master AWB %(mawb)s is already filed with arrival airport %(value)s "
            "(declaration %(lrn)s); a master AWB travels on one flight. Check the "
            "air waybill."
        )
    return _(
        "Master AWB %(mawb)s is already filed with arrival date %(value)s "
        "(declaration %(lrn)s); a master AWB travels on one flight. Check the air "
        "waybill."
    )


def _filed_declaration_on(
    shipment: Shipment, *, exclude: int | None
) -> Declaration | None:
    return (
        Declaration.objects.filter(consignment__shipment=shipment)
        .exclude(status__in=[Status.DRAFT])
        .exclude(consignment_id=exclude)
        .first()
    )


def check_hawb_free(
    *, shipment: Shipment | None, hawb: str, exclude: int | None = None
) -> None:
    if not shipment or not hawb:
        return
    clash = Consignment.objects.filter(
        shipment=shipment, hawb=hawb, superseded=False
    ).exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {
                "hawb": _(
                    "House AWB %(hawb)s is already declared under master AWB "
                    "%(mawb)s: each parcel is declared once."
                )
                % {"hawb": hawb, "mawb": shipment.mawb}
            }
        )


@transaction.atomic
def declaration_create(
    *,
    organisation: Organisation,
    by: Actor,
    data: Mapping[str, Any],
    submit: bool = True,
) -> Declaration:
    """A whole declaration (consignment, parties, items) in one go: the API's create.

    Either everything is stored or nothing: a refused field raises before any
    row is kept.
    """
    data = {
        key: normalise(key, value) for key, value in data.items() if key != "items"
    } | {"items": data.get("items", [])}
    lrn = data.get("lrn") or lrn_generate()
    _check_lrn_free(organisation=organisation, lrn=lrn)
    shipment = None
    if data.get("mawb"):
        shipment = shipment_for(
            organisation=organisation,
            mawb=data["mawb"],
            values={f: data.get(f) for f in SHIPMENT_FIELDS[1:] if f in data},
        )
    check_hawb_free(shipment=shipment, hawb=data.get("hawb", ""))
    consignment = Consignment.objects.create(
        organisation=organisation,
        shipment=shipment,
        **{f: data[f] for f in CONSIGNMENT_FIELDS if f in data and data[f] is not None},
    )
    declaration = Declaration.objects.create(
        organisation=organisation,
        created_by=user_of(by),
        consignment=consignment,
        lrn=lrn,
        declarant_eori=organisation.eori,
        **{f: data[f] for f in DECLARATION_FIELDS if f in data and f != "lrn"},
    )
    goods_items_create(declaration=declaration, items=data["items"])
    if submit:
        declaration_submit(declaration=declaration, by=by)
    return declaration


def goods_items_create(
    *, declaration: Declaration, items: Sequence[Mapping[str, Any]]
) -> None:
    """The goods items of a declaration filed whole, numbered from 1."""
    GoodsItem.objects.bulk_create(
        GoodsItem(
            declaration=declaration,
            line=line,
            **{f: normalise(f, v) for f, v in item.items() if f in ITEM_FIELDS},
        )
        for line, item in enumerate(items, start=1)
    )


@transaction.atomic
def declaration_create_draft(
    *, organisation: Organisation, by: Actor, type: str = "H7"
) -> Declaration:
    """An empty draft the declarant fills in field by field on the page."""
    consignment = Consignment.objects.create(organisation=organisation)
    return Declaration.objects.create(
        organisation=organisation,
        created_by=user_of(by),
        consignment=consignment,
        type=type,
        lrn=lrn_generate(),
        declarant_eori=organisation.eori,
    )


@transaction.atomic
def declaration_update_field(
    *, declaration: Declaration, field: str, value: Any, by: Actor
) -> Declaration:
    """Save one header field of a draft (the page saves each field as it is left).

    Returns the declaration; raises ValidationError({field: message}) when the
    value cannot be stored, leaving the stored value as it was.
    """
    if field not in HEADER_FIELDS:
        raise ValidationError({field: _("This field cannot be changed here.")})
    declaration = declaration_lock(declaration)
    require_editable(declaration)
    value = normalise(field, value)
    consignment = declaration.consignment
    if field in DECLARATION_FIELDS:
        if field == "lrn":
            if not value:
                raise ValidationError({"lrn": _("The LRN cannot be empty.")})
            _check_lrn_free(
                organisation=declaration.organisation, lrn=value, exclude=declaration.pk
            )
        setattr(declaration, field, value)
        declaration.save(update_fields=[field, "updated_at"])
    elif field == "mawb":
        _move_to_shipment(consignment, mawb=value)
    elif field in SHIPMENT_FIELDS:
        _update_shipment(consignment, field=field, value=value)
    else:
        if field == "hawb":
            check_hawb_free(
                shipment=consignment.shipment, hawb=value, exclude=consignment.pk
            )
        setattr(consignment, field, value)
        consignment.save(update_fields=[field, "updated_at"])
    declaration.save(update_fields=["updated_at"])
    return declaration


def _move_to_shipment(consignment: Consignment, *, mawb: str) -> None:
    old = consignment.shipment
    if old and old.mawb == mawb:
        return
    values = {f: getattr(old, f) for f in SHIPMENT_FIELDS[1:]} if old else {}
    if mawb:
        target = Shipment.objects.filter(
            organisation=consignment.organisation, mawb=mawb
        ).first()
        if target is None:
            target = Shipment.objects.create(
                organisation=consignment.organisation, mawb=mawb, **values
            )
        check_hawb_free(shipment=target, hawb=consignment.hawb, exclude=consignment.pk)
    else:
        target = Shipment.objects.create(
            organisation=consignment.organisation, mawb="", **values
        )
    consignment.shipment = target
    consignment.save(update_fields=["shipment", "updated_at"])
    if old and not old.consignments.exists():
        old.delete()


def _update_shipment(consignment: Consignment, *, field: str, value: Any) -> None:
    shipment = consignment.shipment
    if shipment is None:
        consignment.shipment = Shipment.objects.create(
            organisation=consignment.organisation, mawb=""
        )
        consignment.save(update_fields=["shipment", "updated_at"])
        shipment = consignment.shipment
    if shipment.mawb:
        shipment_for(
            organisation=consignment.organisation,
            mawb=shipment.mawb,
            values={field: value},
            exclude=consignment.pk,
        )
        if value in ("", None):
            Shipment.objects.filter(pk=shipment.pk).update(**{field: value})
    else:
        setattr(shipment, field, value)
        shipment.save(update_fields=[field])


@transaction.atomic
def goods_item_add(
    *, declaration: Declaration, data: Mapping[str, Any], by: Actor
) -> GoodsItem:
    declaration = declaration_lock(declaration)
    require_editable(declaration)
    last = (
        declaration.items.order_by("-line").values_list("line", flat=True).first() or 0
    )
    declaration.save(update_fields=["updated_at"])
    return GoodsItem.objects.create(
        declaration=declaration,
        line=last + 1,
        **{f: normalise(f, v) for f, v in data.items() if f in ITEM_FIELDS},
    )


@transaction.atomic
def goods_item_remove(*, declaration: Declaration, line: int, by: Actor) -> None:
    """Remove an item and renumber the rest, so lines stay 1, 2, 3…"""
    declaration = declaration_lock(declaration)
    require_editable(declaration)
    declaration.save(update_fields=["updated_at"])
    deleted, _ = declaration.items.filter(line=line).delete()
    if not deleted:
        raise ApplicationError(
            _("Item %(line)s does not exist.") % {"line": line}, status=404
        )
    for item in declaration.items.filter(line__gt=line).order_by("line"):
        item.line -= 1
        item.save(update_fields=["line"])

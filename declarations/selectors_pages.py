"""Reads behind the shipper's pages: list filters, saved parties, the estimate,
notifications. Every read is scoped to the organisation that asks."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from accounts.models import Organisation
from declarations.models import Declaration, DeclarationType, Notification, Status
from declarations.pricing import (
    PricingError,
    PricingInput,
    PricingItem,
    Quote,
    consignment_price,
)
from declarations.rules.base import member_state_of_import
from declarations.selectors import declarations_of
from reference.rates import RateUnavailable
from reference.selectors import eu_vat_area_countries
from reference.territories import territory_of
from shipments.models import Consignment

# --- The list of declarations ----------------------------------------------------


def declaration_search(
    *,
    organisation: Organisation,
    status: str = "",
    type: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
    text: str = "",
    manifest: int | None = None,
) -> QuerySet[Declaration]:
    """The organisation's declarations, newest first, filtered as the list asks.

    `text` matches the LRN, house or master AWB, MRN, or a party's name.
    `created_to` includes the whole day.
    """
    queryset = declarations_of(organisation=organisation).order_by("-created_at", "-pk")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    if type in DeclarationType.values:
        queryset = queryset.filter(type=type)
    if created_from:
        queryset = queryset.filter(created_at__date__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__date__lte=created_to)
    if manifest:
        queryset = queryset.filter(manifest_id=manifest)
    text = text.strip()
    if text:
        queryset = queryset.filter(
            Q(lrn__icontains=text)
            | Q(mrn__iexact=text)
            | Q(consignment__hawb__icontains=text)
            | Q(consignment__shipment__mawb__icontains=text)
            | Q(consignment__consignee_name__icontains=text)
            | Q(consignment__consignor_name__icontains=text)
        )
    return queryset


# --- Saved parties ----------------------------------------------------------------

PARTY_ROLES = ("consignor", "consignee")
# The address block of each role, as Consignment columns without the role prefix.
PARTY_PARTS = {
    "consignor": ("name", "address", "city", "postcode", "country"),
    "consignee": ("name", "address", "city", "postcode", "country", "eori"),
}


@dataclass(frozen=True)
class SavedParty:
    """A consignor or consignee used on an earlier declaration of the organisation."""

    role: str
    consignment_id: int  # the latest consignment this party was used on
    values: dict[str, str] = field(default_factory=dict)  # full field name -> value

    @property
    def name(self) -> str:
        return self.values[f"{self.role}_name"]

    @property
    def summary(self) -> str:
        parts = [
            self.values.get(f"{self.role}_{p}", "")
            for p in ("address", "postcode", "city", "country")
        ]
        return ", ".join(p for p in parts if p)


def _party_consignments(organisation: Organisation) -> QuerySet[Consignment]:
    return Consignment.objects.filter(
        organisation=organisation, declarations__organisation=organisation
    )


def saved_parties(
    *,
    organisation: Organisation,
    role: str,
    text: str,
    exclude_consignment: int | None = None,
    limit: int = 8,
) -> list[SavedParty]:
    """Distinct parties (by name, address and country) of the organisation's
    declarations whose name holds `text`; the most recently used version of each."""
    text = text.strip()
    if role not in PARTY_ROLES or len(text) < 2:
        return []
    columns = [f"{role}_{part}" for part in PARTY_PARTS[role]]
    rows = (
        _party_consignments(organisation)
        .filter(**{f"{role}_name__icontains": text})
        .exclude(pk=exclude_consignment)
        .annotate(_name=Upper(f"{role}_name"), _address=Upper(f"{role}_address"))
        .order_by("_name", "_address", f"{role}_country", "-pk")
        .distinct("_name", "_address", f"{role}_country")
        .values("pk", "_name", "_address", *columns)[:limit]
    )
    return [
        SavedParty(
            role=role,
            consignment_id=row["pk"],
            values={c: row[c] or "" for c in columns},
        )
        for row in rows
    ]


def saved_party(
    *, organisation: Organisation, role: str, consignment_id: int
) -> SavedParty | None:
    """The party `role` of one of the organisation's consignments, or None."""
    if role not in PARTY_ROLES:
        return None
    columns = [f"{role}_{part}" for part in PARTY_PARTS[role]]
    row = (
        _party_consignments(organisation)
        .filter(pk=consignment_id)
        .exclude(**{f"{role}_name": ""})
        .values(*columns)
        .first()
    )
    if row is None:
        return None
    return SavedParty(
        role=role,
        consignment_id=consignment_id,
        values={c: row[c] or "" for c in columns},
    )


# --- The live estimate -------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """Duty, VAT and fees from what the declaration holds so far, or what is
    missing before they can be estimated."""

    quote: Quote | None = None
    missing: tuple[str, ...] = ()
    problem: str = ""


def declaration_estimate(declaration: Declaration) -> Estimate:
    """Price the declaration as it stands (a draft is priced at today's rates)."""
    consignment = declaration.consignment
    items = list(declaration.items.all())
    missing = []
    if not items:
        missing.append(_("at least one goods item (with its HS code and value)"))
    if not consignment.currency:
        missing.append(_("the invoice currency (section Value and VAT)"))
    if declaration.type != DeclarationType.EX and not consignment.consignee_country:
        missing.append(
            _("the consignee's country, where the goods go (section Consignee)")
        )
    if missing:
        return Estimate(missing=tuple(missing))
    shipment = consignment.shipment
    territory = territory_of(
        consignment.consignee_country,
        consignment.consignee_postcode,
        consignment.consignee_city,
    )
    try:
        quote = consignment_price(
            consignment=PricingInput(
                declaration_type=declaration.type,
                on=declaration.reference_date,
                destination_country=consignment.consignee_country,
                import_country=member_state_of_import(
                    shipment.arrival_airport if shipment else "",
                    eu_vat_area_countries(),
                ),
                outside_vat_area=(
                    territory.name if territory and not territory.in_vat_area else ""
                ),
                currency=consignment.currency,
                vat_path=declaration.vat_path or "STANDARD",
                transport_cost=consignment.transport_cost or Decimal(0),
                insurance_cost=consignment.insurance_cost or Decimal(0),
                items=tuple(
                    PricingItem(
                        hs_code=i.hs_code, item_value=i.item_value, quantity=i.quantity
                    )
                    for i in items
                ),
            )
        )
    except (RateUnavailable, PricingError, ValueError) as exc:
        return Estimate(problem=str(exc))
    return Estimate(quote=quote)


# --- Notifications -------------------------------------------------------------


def notifications_of(*, organisation: Organisation) -> QuerySet[Notification]:
    return Notification.objects.filter(organisation=organisation).select_related(
        "declaration"
    )


def unread_notification_count(*, organisation: Organisation) -> int:
    return Notification.objects.filter(
        organisation=organisation, read_at__isnull=True
    ).count()

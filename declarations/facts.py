"""Turns stored declarations into the plain facts the rule book judges.

A batch of declarations costs a fixed handful of queries, whatever its size:
reference sets are cached per process, rule settings and typical values are
read once per batch, and split-consignment siblings come from one query.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from declarations.models import (
    Declaration,
    RuleSetting,
    ScreeningClearance,
    Status,
    UnitValueReference,
)
from declarations.rules import rule_book
from declarations.rules.base import (
    ConsignmentFacts,
    ItemFacts,
    ReferenceData,
    RuleSettingData,
    SplitSibling,
)
from reference.models import SanctionsEntry
from reference.rates import CustomsRate, RateUnavailable, customs_rate
from reference.screening import screening_index
from reference.selectors import (
    countries_without_postcodes,
    country_codes,
    currency_codes,
    eu_vat_area_countries,
    hs_codes_in_force,
    iata_airport_codes,
)

LOW_VALUE_EUR = Decimal(150)
# Statuses whose declarations count as filed parcels for split detection.
FILED = [
    Status.ACCEPTED, Status.UNDER_REVIEW, Status.DOCUMENTS_REQUESTED, Status.HELD,
    Status.RELEASED,
]  # fmt: skip

_CONSIGNMENT_FIELDS = (
    "consignor_name", "consignor_address", "consignor_city", "consignor_postcode",
    "consignor_country", "consignee_name", "consignee_address", "consignee_city",
    "consignee_postcode", "consignee_country", "consignee_eori", "currency",
    "transport_cost", "insurance_cost", "gross_mass_kg", "packages",
)  # fmt: skip


def rule_settings() -> dict[str, RuleSettingData]:
    return {
        s.code: RuleSettingData(
            enabled=s.enabled,
            severity=s.severity,
            applies_from=s.applies_from,
            applies_to=s.applies_to,
            parameters=s.parameters or {},
        )
        for s in RuleSetting.objects.all()
    }


def typical_unit_values() -> dict[str, Decimal]:
    return dict(UnitValueReference.objects.values_list("hs_code", "unit_value_eur"))


def screening_clearances_in_force() -> frozenset[tuple[tuple[str, str, str], int]]:
    """Officers' namesake clearances that still apply, as (party key, id of the
    active entry): the entry must still read as it did when cleared (same
    digest), otherwise the clearance is under review and screening raises the
    party again."""
    current = SanctionsEntry.objects.filter(
        list__is_active=True,
        list__source=OuterRef("source"),
        external_id=OuterRef("external_id"),
        digest=OuterRef("entry_digest"),
    ).values("pk")[:1]
    rows = (
        ScreeningClearance.objects.filter(withdrawn_at__isnull=True)
        .annotate(current=Subquery(current))
        .filter(current__isnull=False)
        .values_list("name_key", "country", "address_key", "current")
    )
    return frozenset(
        ((name, country, address), pk) for name, country, address, pk in rows
    )


def reference_data(*, on: date) -> ReferenceData:
    index = screening_index()
    settings = rule_settings()
    return ReferenceData(
        hs_codes=hs_codes_in_force(on=on),
        countries=country_codes(),
        eu_vat_area=eu_vat_area_countries(),
        countries_without_postcodes=countries_without_postcodes(),
        currencies=currency_codes(),
        airports=iata_airport_codes(),
        typical_unit_values=typical_unit_values(),
        settings=settings,
        screen=index.screen,
        screening_cleared=screening_clearances_in_force(),
        rule_book=rule_book(settings),
    )


class RateBook:
    """Customs rates of one batch, looked up once per currency and month."""

    def __init__(self) -> None:
        self._rates: dict[tuple[str, int, int], CustomsRate | str] = {}

    def get(self, currency: str, on: date) -> CustomsRate | str:
        """The rate, or the reason there is none in the active language."""
        if not currency:
            return _(
                "The currency is missing: give the invoice's 3-letter code, e.g. EUR."
            )
        key = (currency, on.year, on.month)
        if key not in self._rates:
            try:
                self._rates[key] = customs_rate(currency=currency, on=on)
            except RateUnavailable as exc:
                self._rates[key] = str(exc)
        return self._rates[key]


def declarations_for_facts(ids: Sequence[int]):
    """The queryset facts need: two queries for any number of declarations."""
    return (
        Declaration.objects.filter(pk__in=ids)
        .select_related("consignment__shipment", "organisation", "previous_version")
        .prefetch_related("items")
    )


def consignment_facts_batch(
    declarations: Sequence[Declaration],
    *,
    reference: ReferenceData | None = None,
    rates: RateBook | None = None,
) -> list[ConsignmentFacts]:
    """Facts for each declaration (loaded with `declarations_for_facts`)."""
    rates = rates or RateBook()
    if not declarations:
        return []
    reference = reference or reference_data(on=declarations[0].reference_date)
    partial = [_facts(d, reference, rates) for d in declarations]
    siblings = split_siblings(
        [
            (
                d.pk,
                split_key(d.organisation_id, f),
                SplitSibling(f.hawb, f.intrinsic_value_eur),
            )
            for d, f in zip(declarations, partial, strict=True)
        ],
        exclude_declarations=[d.pk for d in declarations],
    )
    return [
        _with(facts, split_siblings=siblings.get(d.pk, ()))
        for d, facts in zip(declarations, partial, strict=True)
    ]


def _facts(
    d: Declaration, reference: ReferenceData, rates: RateBook
) -> ConsignmentFacts:
    consignment = d.consignment
    shipment = consignment.shipment
    on = d.reference_date
    rate = rates.get(consignment.currency, on)
    previous = d.previous_version
    return ConsignmentFacts(
        declaration_type=d.type,
        on=on,
        reference=reference,
        items=tuple(
            ItemFacts(
                line=i.line,
                description=i.description,
                hs_code=i.hs_code,
                origin_country=i.origin_country,
                quantity=i.quantity,
                item_value=i.item_value,
                net_mass_kg=i.net_mass_kg,
                product_id=i.product_id,
                manufacturer_product_id=i.manufacturer_product_id,
            )
            for i in d.items.all()
        ),
        lrn=d.lrn,
        declarant_name=d.organisation.name,
        declarant_eori=d.declarant_eori,
        mawb=shipment.mawb if shipment else "",
        hawb=consignment.hawb,
        flight_number=shipment.flight_number if shipment else "",
        departure_airport=shipment.departure_airport if shipment else "",
        arrival_airport=shipment.arrival_airport if shipment else "",
        arrival_date=shipment.arrival_date if shipment else None,
        vat_path=d.vat_path,
        ioss_number=d.ioss_number,
        additional_procedure_code=d.additional_procedure_code,
        previous_mrn=d.previous_mrn,
        released_ioss_number=(
            previous.ioss_number
            if previous and previous.status == Status.RELEASED
            else None
        ),
        eur_rate=rate.rate if isinstance(rate, CustomsRate) else None,
        rate_problem=rate if isinstance(rate, str) else "",
        cny_per_eur=_cny_per_eur(d, rates, on),
        **{f: getattr(consignment, f) for f in _CONSIGNMENT_FIELDS},
    )


def _cny_per_eur(d: Declaration, rates: RateBook, on: date) -> Decimal | None:
    """The CNY rate, only where it is used: advice on exports to China."""
    if d.type != "EX" or d.consignment.consignee_country != "CN":
        return None
    rate = rates.get("CNY", on)
    return rate.rate if isinstance(rate, CustomsRate) else None


def _with(facts: ConsignmentFacts, **changes) -> ConsignmentFacts:
    return replace(facts, **changes) if any(changes.values()) else facts


def _party(text: str) -> str:
    """A name or address as the split check compares it: case, spaces and
    punctuation do not count ("Rue St-Gilles 12" = "RUE ST GILLES 12")."""
    return re.sub(r"[\W_]+", "", text).upper()


@dataclass(frozen=True)
class SplitKey:
    """Who sends to whom on which day, for a low-value consignment.

    `lookup` is what the consignment index holds (organisation, consignee name,
    postcode, consignor, as upper(trim())), to find filed parcels in one query;
    `match` is the finer key parcels must share to count as one buyer's: the
    name, postcode and street normalised, so two buyers who share a common name
    are two buyers.
    """

    lookup: tuple
    match: tuple


def split_key(organisation_id: int, facts: ConsignmentFacts) -> SplitKey | None:
    """The split key of a low-value consignment with a named consignee, or None."""
    value = facts.intrinsic_value_eur
    day = facts.arrival_date or facts.on
    if value is None or value > LOW_VALUE_EUR or not facts.consignee_name.strip():
        return None
    return SplitKey(
        lookup=(
            organisation_id,
            facts.consignee_name.strip().upper(),
            facts.consignee_postcode.strip().upper(),
            facts.consignor_name.strip().upper(),
            day,
        ),
        match=_match(
            organisation_id,
            day,
            facts.consignee_name,
            facts.consignee_postcode,
            facts.consignee_address,
            facts.consignor_name,
        ),
    )


def _match(organisation_id, day, name, postcode, address, consignor) -> tuple:
    return (
        organisation_id,
        day,
        _party(name),
        _party(postcode),
        _party(address),
        _party(consignor),
    )


_SIBLINGS_SQL = """
WITH keys (organisation_id, consignee, postcode, consignor, day) AS (
    SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::date[])
)
SELECT c.hawb, d.intrinsic_value_eur, k.organisation_id, k.day, c.consignee_name,
       c.consignee_postcode, c.consignee_address, c.consignor_name
FROM keys k
JOIN shipments_consignment c
  ON c.organisation_id = k.organisation_id
 AND upper(btrim(c.consignee_name)) = k.consignee
 AND upper(btrim(c.consignee_postcode)) = k.postcode
 AND upper(btrim(c.consignor_name)) = k.consignor
JOIN declarations_declaration d ON d.consignment_id = c.id
LEFT JOIN shipments_shipment s ON s.id = c.shipment_id
WHERE coalesce(s.arrival_date, d.submitted_at::date) = k.day
  AND NOT c.superseded
  AND d.status = ANY(%s) AND d.intrinsic_value_eur <= 150
  AND NOT d.id = ANY(%s)
  AND (%s::bigint IS NULL OR d.manifest_id IS DISTINCT FROM %s::bigint)
"""


def split_siblings(
    entries: Sequence[tuple[object, tuple | None, SplitSibling]],
    *,
    exclude_declarations: Sequence[int] = (),
    exclude_manifest: int | None = None,
) -> dict[object, tuple[SplitSibling, ...]]:
    """Low-value parcels to the same consignee from the same consignor that day:
    the others of this batch, and filed ones, found with a single query.

    `entries` are (identity, split_key, sibling) per consignment of the batch.
    Parcels count as one buyer's when name, postcode and street agree once
    normalised (SplitKey.match), not on the name alone.
    A manifest's own parcels are excluded: the pipeline puts all of a
    consignee's parcels in one chunk, so they are already in the batch. The
    query is driven by the batch's keys through an expression index on the
    consignment's parties, so it costs the same however many are stored.
    """
    by_key: dict[tuple, list[tuple[object, SplitSibling]]] = defaultdict(list)
    keys: dict[object, tuple] = {}
    lookups: set[tuple] = set()
    for ident, key, sibling in entries:
        if key is not None:
            keys[ident] = key.match
            by_key[key.match].append((ident, sibling))
            lookups.add(key.lookup)
    if not keys:
        return {}
    distinct = list(lookups)
    with connection.cursor() as cursor:
        cursor.execute(
            _SIBLINGS_SQL,
            [
                *([k[i] for k in distinct] for i in range(5)),
                [str(s) for s in FILED],
                list(exclude_declarations),
                exclude_manifest,
                exclude_manifest,
            ],
        )
        for hawb, value, organisation_id, day, *parties in cursor.fetchall():
            match = _match(organisation_id, day, *parties)
            if match in by_key:
                by_key[match].append((None, SplitSibling(hawb, value)))
    return {
        ident: tuple(s for other, s in by_key[key] if other != ident)
        for ident, key in keys.items()
        if len(by_key[key]) > 1
    }

"""Turns stored declarations into the plain facts the rule book judges."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from declarations.models import Declaration
from declarations.rules.base import ConsignmentFacts, ItemFacts, ReferenceData
from reference.rates import RateUnavailable, to_eur
from reference.selectors import (
    countries_without_postcodes,
    country_codes,
    currency_codes,
    eu_vat_area_countries,
    hs_codes_in_force,
)


def reference_data(*, on: date) -> ReferenceData:
    return ReferenceData(
        hs_codes=hs_codes_in_force(on=on),
        countries=country_codes(),
        eu_vat_area=eu_vat_area_countries(),
        countries_without_postcodes=countries_without_postcodes(),
        currencies=currency_codes(),
    )


def consignment_facts(
    *, declaration: Declaration, reference: ReferenceData | None = None
) -> ConsignmentFacts:
    """Facts of one declaration; expects consignment, shipment and items loaded."""
    on = declaration.reference_date
    reference = reference or reference_data(on=on)
    consignment = declaration.consignment
    shipment = consignment.shipment
    items = tuple(
        ItemFacts(
            line=item.line,
            description=item.description,
            hs_code=item.hs_code,
            origin_country=item.origin_country,
            quantity=item.quantity,
            item_value=item.item_value,
            net_mass_kg=item.net_mass_kg,
            product_id=item.product_id,
        )
        for item in declaration.items.all()
    )
    value = sum((item.item_value for item in items), Decimal(0))
    value_eur, rate_problem = _in_eur(value, consignment.currency, on)
    return ConsignmentFacts(
        declaration_type=declaration.type,
        on=on,
        reference=reference,
        items=items,
        lrn=declaration.lrn,
        declarant_eori=declaration.declarant_eori,
        mawb=shipment.mawb if shipment else "",
        hawb=consignment.hawb,
        vat_path=declaration.vat_path,
        ioss_number=declaration.ioss_number,
        intrinsic_value_eur=value_eur,
        rate_problem=rate_problem,
        **{field: getattr(consignment, field) for field in _CONSIGNMENT_FIELDS},
    )


_CONSIGNMENT_FIELDS: Iterable[str] = (
    "consignor_name",
    "consignor_address",
    "consignor_city",
    "consignor_postcode",
    "consignor_country",
    "consignee_name",
    "consignee_address",
    "consignee_city",
    "consignee_postcode",
    "consignee_country",
    "consignee_eori",
    "currency",
    "transport_cost",
    "insurance_cost",
    "gross_mass_kg",
)


def _in_eur(amount: Decimal, currency: str, on: date) -> tuple[Decimal | None, str]:
    if not currency:
        return (
            None,
            "The currency is missing: give the 3-letter code of the invoice, e.g. EUR.",
        )
    try:
        return to_eur(amount=amount, currency=currency, on=on), ""
    except RateUnavailable as exc:
        return None, str(exc)

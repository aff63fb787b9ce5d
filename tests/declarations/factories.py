"""Valid declaration payloads and stored declarations for tests."""

import copy
from datetime import date
from typing import Any

from accounts.models import Organisation
from declarations.models import Declaration
from declarations.services import declaration_create

H7_PAYLOAD: dict[str, Any] = {
    "type": "H7",
    "mawb": "172-12345675",
    "hawb": "CN000000001BE",
    "flight_number": "CK251",
    "departure_airport": "CGO",
    "arrival_airport": "LGG",
    "arrival_date": "2026-11-20",
    "consignor_name": "Zhengzhou Bright Home Co. Ltd",
    "consignor_address": "88 Jingkai Rd",
    "consignor_city": "Zhengzhou",
    "consignor_postcode": "450000",
    "consignor_country": "CN",
    "consignee_name": "Anne Dupont",
    "consignee_address": "Rue Saint-Gilles 12",
    "consignee_city": "Liège",
    "consignee_postcode": "4000",
    "consignee_country": "BE",
    "vat_path": "IOSS",
    "ioss_number": "IM0560000012",
    "currency": "EUR",
    "transport_cost": "2.50",
    "insurance_cost": "0.00",
    "gross_mass_kg": "0.420",
    "packages": 1,
    "items": [
        {
            "description": "Cotton T-shirt for men",
            "hs_code": "610910",
            "origin_country": "CN",
            "quantity": 2,
            "item_value": "18.00",
            "net_mass_kg": "0.380",
            "product_id": "SKU-TS-001",
        }
    ],
}


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

"""Manifest files for tests, in the contract's format, and a way to process them."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from declarations.pipeline import manifest_chunk_process
from shipments.manifests import manifest_stage
from shipments.models import Manifest

HEADER = (
    "mawb,flight_number,departure_airport,arrival_airport,arrival_date,hawb,"
    "consignor_name,consignor_address,consignor_city,consignor_postcode,"
    "consignor_country,consignee_name,consignee_address,consignee_city,"
    "consignee_postcode,consignee_country,consignee_eori,ioss_number,vat_path,"
    "currency,transport_cost,insurance_cost,gross_mass_kg,packages,description,"
    "hs_code,origin_country,quantity,item_value,net_mass_kg,product_id,"
    "manufacturer_product_id"
).split(",")


def row(hawb: str, **changes) -> dict:
    base = {
        "mawb": "172-12345675", "flight_number": "CK251", "departure_airport": "CGO",
        "arrival_airport": "LGG", "arrival_date": "2026-11-20", "hawb": hawb,
        "consignor_name": "Zhengzhou Bright Home Co. Ltd",
        "consignor_address": "88 Jingkai Rd", "consignor_city": "Zhengzhou",
        "consignor_postcode": "450000", "consignor_country": "CN",
        "consignee_name": f"Buyer {hawb}", "consignee_address": "Rue Saint-Gilles 12",
        "consignee_city": "Liège", "consignee_postcode": "4000",
        "consignee_country": "BE", "consignee_eori": "", "ioss_number": "IM0560000012",
        "vat_path": "IOSS", "currency": "EUR", "transport_cost": "2.50",
        "insurance_cost": "0", "gross_mass_kg": "0.42", "packages": "1",
        "description": "Cotton T-shirt for men", "hs_code": "610910",
        "origin_country": "CN", "quantity": "2", "item_value": "18.00",
        "net_mass_kg": "0.38", "product_id": "SKU-TS-001",
        "manufacturer_product_id": "5412345000013",
    }  # fmt: skip
    return base | changes


def manifest_csv(rows: list[dict], *, header=HEADER, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(column, "") for column in header])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def upload_file(data: bytes, name: str = "manifest.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def process(manifest: Manifest, *, chunk_size: int = 5) -> Manifest:
    """Run the pipeline in-process, as the workers would."""
    for number in manifest_stage(manifest_id=manifest.pk, chunk_size=chunk_size):
        manifest_chunk_process(manifest_id=manifest.pk, number=number)
    manifest.refresh_from_db()
    return manifest

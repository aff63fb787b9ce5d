"""Benchmark of the rule book: consignments per second, with screening, on one core.

Run from the project root against a database with the reference data loaded
(`make dev` or `python manage.py seed_demo` loads it):

    DATABASE_URL=postgres://... .venv/bin/python bench/rules.py [--count 10000]

The reference data (nomenclature, countries, airports, typical values, rule
settings, the sanctions index) is read once, as a validation batch does; then
every rule, screening included, runs over synthetic consignments in memory. A
few per cent of them carry mistakes of many kinds, as real manifests do. Then
the whole verdict (declarations/verdict.py: rules, pricing, risk, outcome)
runs over the same batch.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from declarations.facts import RateBook, reference_data  # noqa: E402
from declarations.rules import registry, run_rules  # noqa: E402
from declarations.rules.base import ConsignmentFacts, ItemFacts  # noqa: E402
from declarations.verdict import verdict  # noqa: E402

ON = date(2026, 11, 20)
GOODS = [
    ("Cotton T-shirt for men", "610910", "8.50"),
    ("Wireless earphones with charging case", "851830", "19.90"),
    ("Silicone phone case", "392690", "3.20"),
    ("Women's denim trousers", "620462", "17.00"),
    ("Stainless steel wrist-watch", "910211", "24.00"),
    ("LED desk lamp", "851310", "12.40"),
    ("Plastic building blocks toy", "950300", "9.99"),
    ("Running shoes with textile uppers", "640419", "28.00"),
]
SELLERS = [
    "Zhengzhou Bright Home Co. Ltd",
    "Hangzhou Star Tech Ltd",
    "Shenzhen Sunrise Electronics Co., Ltd.",
    "Yiwu Happy Toys Trading Co",
]
BUYERS = ["Anne Dupont", "Jan Peeters", "Marie Lambert", "Luca Rossi", "Eva Novak",
          "Sofia Garcia", "Tom Janssens", "Lea Martin"]  # fmt: skip
MISTAKES = [
    {"mawb": "172-12345676"},
    {"consignee_postcode": ""},
    {"ioss_number": "IN0560000012"},
    {"consignor_name": "Rosoboroneksport OAO"},
    {"gross_mass_kg": Decimal("0.01")},
    {"currency": "RMB"},
    {"departure_airport": "XQX"},
]


def consignment(n: int, reference, rng: random.Random) -> ConsignmentFacts:
    items = tuple(
        ItemFacts(
            line=i + 1,
            description=d,
            hs_code=h,
            origin_country="CN",
            quantity=rng.randint(1, 3),
            item_value=Decimal(v),
            net_mass_kg=Decimal("0.2"),
            product_id=f"SKU-{n}-{i}",
            manufacturer_product_id=f"690{n:010d}",
        )  # fmt: skip
        for i, (d, h, v) in enumerate(rng.sample(GOODS, rng.randint(1, 3)))
    )
    facts = ConsignmentFacts(
        declaration_type="H7", on=ON, reference=reference, items=items,
        lrn=f"L{n}", declarant_name="Demo Forwarder NV", declarant_eori="BE0202239951",
        mawb="172-12345675", hawb=f"CN{n:09d}BE", flight_number="CK251",
        departure_airport="CGO", arrival_airport="LGG", arrival_date=ON,
        consignor_name=rng.choice(SELLERS), consignor_address="88 Jingkai Rd",
        consignor_city="Zhengzhou", consignor_country="CN",
        consignee_name=f"{rng.choice(BUYERS)} {n}", consignee_address="Meir 40",
        consignee_city="Antwerpen", consignee_postcode="2000", consignee_country="BE",
        vat_path="IOSS", ioss_number="IM0560000012", currency="EUR",
        eur_rate=Decimal(1), gross_mass_kg=Decimal("0.9"),
    )  # fmt: skip
    if rng.random() < 0.04:
        facts = replace(facts, **rng.choice(MISTAKES))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    reference = reference_data(on=ON)
    loaded = time.perf_counter() - started
    rng = random.Random(7)
    batch = [consignment(n, reference, rng) for n in range(args.count)]
    started = time.process_time()
    issues = [run_rules(facts) for facts in batch]
    cpu = time.process_time() - started
    # The whole verdict, as validation and the manifest pipeline run it: the
    # rule book again, plus pricing, the risk score and the outcome.
    rates = RateBook()
    verdict(batch[0], rates, review_threshold=40)  # charge lines read once
    started = time.process_time()
    for facts in batch:
        verdict(facts, rates, review_threshold=40)
    cpu_verdict = time.process_time() - started
    flagged = sum(1 for found in issues if found)
    print(f"rules in the book            {len(registry.rules)}")
    print(f"reference data load          {loaded:.2f} s (once per batch; cached after)")
    print(f"consignments                 {args.count}")
    print(f"with at least one issue      {flagged} ({flagged / args.count:.1%})")
    print(f"CPU time, one core           {cpu:.2f} s")
    print(f"consignments per second      {args.count / cpu:,.0f}")
    print(f"per consignment              {cpu / args.count * 1e6:,.0f} µs")
    print(f"verdict (rules + pricing)    {args.count / cpu_verdict:,.0f} per second, "
          f"{cpu_verdict / args.count * 1e6:,.0f} µs each")  # fmt: skip


if __name__ == "__main__":
    main()

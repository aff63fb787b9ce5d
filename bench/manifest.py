"""End-to-end benchmark of the manifest pipeline: upload, workers, PostgreSQL.

Run from the project root (PostgreSQL and Redis must be running):

    .venv/bin/python bench/manifest.py                      # 100,000 consignments
    .venv/bin/python bench/manifest.py --count 2000         # a quick check
    .venv/bin/python bench/manifest.py --scaling            # 10,000 then 100,000
    .venv/bin/python bench/manifest.py --counts 10000,50000,100000

What one run does:

1. Creates a fresh database `bench_manifest_<pid>` on DATABASE_URL's server
   (default postgres://postgres@127.0.0.1:5432/postgres is the admin
   connection), runs `manage.py migrate`, `manage.py seed_demo` (reference data,
   charge lines, the OFAC list, demo organisations) and
   `manage.py issue_api_key demo-forwarder` against it. Each measured count
   then gets its own copy of that database (CREATE DATABASE ... TEMPLATE), so
   every count starts from the same state and set-up is paid once.
2. Writes a realistic manifest CSV (streamed to a temporary file): about 1.5
   goods lines per consignment, Chinese sellers, EU buyers in BE/FR/NL/DE, real
   HS 2022 subheadings, IOSS on most, one master AWB per 10,000 consignments,
   and `--bad-rate` (default 3 %) of consignments with mistakes of many kinds.
3. Starts the web server (gunicorn with one worker process if it is importable,
   else `manage.py runserver --noreload`) on a free port of 127.0.0.1, and one
   Celery worker (`--concurrency --workers`, prefork) on a queue of its own,
   with the broker CELERY_BROKER_URL or redis://127.0.0.1:6379/15.
4. t0, multipart POST of the file to /api/v1/manifests/ (streamed), then GET
   /api/v1/manifests/{id}/ every 0.5 s; t1 when its status is `done`.
5. Reads every process's peak resident memory (VmHWM in /proc, Linux only),
   stops the processes, then times PostgreSQL's own COPY of the same rows into
   one plain table of text columns in the same database: the yardstick.
6. Prints the figures and the goals with PASS/MISS; drops the databases
   (unless --keep) and stops every process it started, also on Ctrl-C.

One worker of concurrency N rather than N workers of concurrency 1: the same
N processes do the work, but only one master process (about 100 MB, idle
while the children work) holds the broker connection and competes for the two
cores; with CELERY_WORKER_PREFETCH_MULTIPLIER = 1 and late acks each child
holds one chunk at a time, exactly as N single-process workers would.

Settings: portal.settings.base with DEBUG=false by default. (portal.settings.dev
sets DEBUG = True unconditionally, so DEBUG=false in the environment would not
reach it; --settings portal.settings.dev measures that instead.)

Standard library and psycopg only.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    DEFAULT_BROKER,
    PYTHON,
    ROOT,
    PeakMemory,
    Processes,
    admin_execute,
    database_url,
    drop_database,
    free_port,
    gunicorn_available,
    http_json,
    log,
    migrate_seed_and_issue_key,
    wait_http,
)

POLL_SECONDS = 0.5

# Goals of the issue, on the 2-core machine shared by web, workers, PostgreSQL
# and this script.
GOAL_SECONDS_PER_100K = 60.0
GOAL_COPY_RATIO = 200.0
GOAL_PEAK_BYTES = 1024**3
GOAL_LINEARITY = 1.25  # time per consignment at the largest count / smallest

COLUMNS = (
    "mawb", "flight_number", "departure_airport", "arrival_airport", "arrival_date",
    "hawb", "consignor_name", "consignor_address", "consignor_city",
    "consignor_postcode", "consignor_country", "consignee_name", "consignee_address",
    "consignee_city", "consignee_postcode", "consignee_country", "consignee_eori",
    "ioss_number", "vat_path", "currency", "transport_cost", "insurance_cost",
    "gross_mass_kg", "packages", "description", "hs_code", "origin_country",
    "quantity", "item_value", "net_mass_kg", "product_id", "manufacturer_product_id",
)  # fmt: skip


# ---------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------

# description, HS 2022 subheading, unit value range in EUR, net mass per unit (kg)
GOODS = [
    ("Cotton T-shirt for men", "610910", 6, 16, 0.18),
    ("Women's cotton T-shirt with print", "610910", 5, 14, 0.16),
    ("Wireless earphones with charging case", "851830", 9, 35, 0.08),
    ("Over-ear headphones with microphone", "851830", 12, 40, 0.30),
    ("Silicone phone case", "392690", 1.5, 6, 0.04),
    ("Plastic cable organiser clips", "392690", 1, 4, 0.03),
    ("Women's denim trousers", "620462", 14, 32, 0.50),
    ("Quartz wrist-watch with stainless steel strap", "910211", 10, 45, 0.09),
    ("Rechargeable LED torch", "851310", 4, 15, 0.15),
    ("Plastic building blocks toy set", "950300", 6, 25, 0.40),
    ("Plush toy bear", "950300", 4, 12, 0.20),
    ("Running shoes with textile uppers", "640419", 16, 45, 0.70),
    ("Canvas sneakers", "640419", 12, 30, 0.60),
    ("Handbag with textile outer surface", "420222", 9, 30, 0.40),
    ("Necklace of base metal, imitation jewellery", "711719", 2, 9, 0.03),
    ("Earrings of base metal, imitation jewellery", "711719", 1.5, 6, 0.02),
    ("Sweater of acrylic fibres", "611030", 10, 25, 0.35),
    ("Wi-Fi router", "851762", 18, 45, 0.35),
    ("Sunglasses with plastic frame", "900410", 4, 15, 0.05),
    ("Lipstick set", "330499", 4, 12, 0.10),
    ("Plastic hair clips", "961519", 1, 5, 0.03),
    ("Plastic kitchen utensil set", "392410", 3, 12, 0.30),
    ("LED strip light, 5 m", "940542", 6, 18, 0.20),
    ("Toothbrush heads, pack of 8", "960321", 3, 10, 0.06),
    ("A5 paper notebook", "482010", 2, 6, 0.20),
    ("Polyester backpack", "420292", 8, 25, 0.45),
]

# Sellers are many, as on a marketplace: names are made from these parts, each
# with one address. City (English, Chinese), postcode, streets (English, Chinese).
SELLER_CITIES = [
    (
        "Shenzhen",
        "深圳",
        "518000",
        ["Huaqiang North Rd", "Keji South Rd", "Shennan Ave"],
        ["华强北路", "科技南路", "深南大道"],
    ),
    (
        "Guangzhou",
        "广州",
        "510000",
        ["Zhongshan 5th Rd", "Tianhe Rd", "Huangpu Ave"],
        ["中山五路", "天河路", "黄埔大道"],
    ),
    (
        "Yiwu",
        "义乌",
        "322000",
        ["Chouzhou North Rd", "Futian Rd", "Jiangbin Rd"],
        ["稠州北路", "福田路", "江滨路"],
    ),
    (
        "Hangzhou",
        "杭州",
        "310000",
        ["Binjiang Ave", "Wensan Rd", "Jianguo Rd"],
        ["滨江大道", "文三路", "建国路"],
    ),
    (
        "Zhengzhou",
        "郑州",
        "450000",
        ["Jingkai Rd", "Airport Economy Zone Rd", "Huayuan Rd"],
        ["经开路", "航空港路", "花园路"],
    ),
    (
        "Dongguan",
        "东莞",
        "523000",
        ["Houjie Ave", "Dongcheng Rd"],
        ["厚街大道", "东城路"],
    ),
    (
        "Ningbo",
        "宁波",
        "315000",
        ["Jiangdong North Rd", "Zhongshan East Rd"],
        ["江东北路", "中山东路"],
    ),
    (
        "Xiamen",
        "厦门",
        "361000",
        ["Hubin South Rd", "Lianqian West Rd"],
        ["湖滨南路", "莲前西路"],
    ),
    ("Suzhou", "苏州", "215000", ["Renmin Rd", "Ganjiang Rd"], ["人民路", "干将路"]),
    (
        "Shanghai",
        "上海",
        "200000",
        ["Century Ave", "Nanjing West Rd"],
        ["世纪大道", "南京西路"],
    ),
    (
        "Wenzhou",
        "温州",
        "325000",
        ["Lucheng Rd", "Liming West Rd"],
        ["鹿城路", "黎明西路"],
    ),
    (
        "Foshan",
        "佛山",
        "528000",
        ["Jihua 1st Rd", "Fenjiang Rd"],
        ["季华一路", "汾江路"],
    ),
    ("Quanzhou", "泉州", "362000", ["Jinjiang Rd", "Fengze St"], ["晋江路", "丰泽街"]),
    (
        "Huizhou",
        "惠州",
        "516000",
        ["Huifeng East Rd", "Yanda Ave"],
        ["惠风东路", "演达大道"],
    ),
    (
        "Jinhua",
        "金华",
        "321000",
        ["Bayi North St", "Binhong Rd"],
        ["八一北街", "宾虹路"],
    ),
]
SELLER_WORDS = ["Bright", "Star", "Sunrise", "Happy", "Golden", "Lucky", "Ocean",
                "Victory", "Jade", "Blue Sky", "Smart", "Little Star", "Rainbow",
                "Harmony", "Everbright", "Dragon", "Phoenix", "Silk Road", "Orient",
                "Green Leaf", "Evergreen", "Longteng", "Huamei", "Xinyu"]  # fmt: skip
SELLER_TRADES = [
    "Electronics",
    "Home",
    "Toys",
    "Garment",
    "Shoes",
    "Household Products",
    "Jewellery",
    "Textile",
    "E-commerce",
    "Leather Goods",
    "Lighting",
    "Sports",
    "Audio Technology",
    "Stationery",
    "Trading",
    "Accessories",
]
SELLER_SUFFIXES = ["Co. Ltd", "Co., Ltd.", "Trading Co", "Technology Co., Ltd."]
SELLER_WORDS_ZH = ["华强", "快乐", "星辰", "海洋", "时尚", "金龙", "彩虹", "旭日",
                   "长城", "东方", "绿叶", "凤凰"]  # fmt: skip
SELLER_TRADES_ZH = ["电子", "玩具", "服装", "家居用品", "科技", "贸易", "鞋业",
                    "饰品"]  # fmt: skip
SELLER_POOL = 4000

FIRST = {
    "BE": ["Anne", "Jan", "Marie", "Lucas", "Emma", "Noah", "Louise", "Arthur", "Élise",
           "Thibault", "Anaïs", "Jérôme", "Wouter", "Liesbeth", "Geneviève", "Maël"],
    "FR": ["Camille", "Léa", "Hugo", "Chloé", "Théo", "Inès", "Raphaël", "Zoé",
           "François", "Hélène", "Benoît", "Maëlys", "Joël", "Cécile", "Noé", "Gaëlle"],
    "NL": ["Daan", "Sanne", "Bram", "Fleur", "Sem", "Julia", "Thijs", "Lotte",
           "Joëlle", "Ruben", "Noë", "Femke", "Sjoerd", "Ilse", "Maarten", "Eline"],
    "DE": ["Lukas", "Mia", "Jonas", "Hannah", "Leon", "Lea", "Jürgen", "Sören",
           "Jörg", "Käthe", "Björn", "Lena", "Günther", "Anja", "Felix", "Zoë"],
}  # fmt: skip
LAST = {
    "BE": ["Dupont", "Peeters", "Janssens", "Maes", "Lambert", "Dubois", "Wouters",
           "Goossens", "Lefèvre", "Vandenbroucke", "De Smet", "Mertens", "Claes",
           "Hermans", "Dumoulin", "Noël"],
    "FR": ["Martin", "Bernard", "Lefèbvre", "Moreau", "Girard", "Rousseau", "Fournier",
           "Mercier", "Bonnet", "Chevalier", "Garnier", "Faure", "Gauthier", "Perrin",
           "Benoît", "Lefèvre-Durand"],
    "NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker",
           "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
           "Vos", "Peters", "Hendriks"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
           "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
           "Klein", "Wolf"],
}  # fmt: skip
# city, postcode generator range / format, streets
PLACES = {
    "BE": [("Liège", "4000"), ("Bruxelles", "1000"), ("Antwerpen", "2000"),
           ("Gent", "9000"), ("Namur", "5000"), ("Leuven", "3000"),
           ("Schaerbeek", "1030"), ("Mons", "7000"), ("Brugge", "8000")],
    "FR": [("Paris", "75011"), ("Lyon", "69003"), ("Marseille", "13001"),
           ("Lille", "59000"), ("Nantes", "44000"), ("Bordeaux", "33000"),
           ("Strasbourg", "67000"), ("Toulouse", "31000"), ("Besançon", "25000")],
    "NL": [("Amsterdam", "1012 AB"), ("Rotterdam", "3011 BN"), ("Utrecht", "3511 LK"),
           ("Den Haag", "2511 CV"), ("Eindhoven", "5611 AZ"), ("Groningen", "9711 LM"),
           ("Maastricht", "6211 CT")],
    "DE": [("Köln", "50667"), ("München", "80331"), ("Düsseldorf", "40213"),
           ("Aachen", "52062"), ("Berlin", "10115"), ("Hamburg", "20095"),
           ("Frankfurt am Main", "60311"), ("Nürnberg", "90402")],
}  # fmt: skip
STREETS = {
    "BE": ["Rue Saint-Gilles", "Chaussée de Louvain", "Rue de l'Église", "Meir",
           "Korenmarkt", "Avenue Louise", "Rue des Guillemins", "Bondgenotenlaan"],
    "FR": ["Rue de la République", "Boulevard Voltaire", "Rue du Général-Leclerc",
           "Avenue Jean-Jaurès", "Rue de l'Hôtel-de-Ville", "Place Bellecour"],
    "NL": ["Damrak", "Coolsingel", "Oudegracht", "Lange Voorhout", "Stratumseind",
           "Vrijthof", "Prinsengracht"],
    "DE": ["Hauptstraße", "Schloßallee", "Königsallee", "Bahnhofstraße",
           "Müllerstraße", "Friedrichstraße", "Pontstraße"],
}  # fmt: skip
COUNTRY_WEIGHTS = [("BE", 40), ("FR", 25), ("NL", 20), ("DE", 15)]
IOSS_NUMBERS = ["IM0560000012", "IM5280001234", "IM2500012345", "IM2760004321",
                "IM3720000987", "IM4420001122", "IM0560004567"]  # fmt: skip
# currency, rate to EUR (units of the currency per euro), share of consignments
CURRENCIES = [("EUR", Decimal("1"), 85), ("CNY", Decimal("7.80"), 10),
              ("USD", Decimal("1.08"), 5)]  # fmt: skip
AIRLINE_PREFIX = "112"  # China Cargo Airlines (CK)

# Mistakes a consignment may carry (each bad consignment gets one).
MISTAKES = [
    "comma_decimal",  # item_value "18,50"
    "hs_unknown",  # 999999
    "hs_chapter_77",  # chapter 77 is reserved in the HS
    "postcode_missing",
    "gross_below_net",
    "vague_description",  # "gift"
    "column_count",  # a row with a field too many or too few
    "ioss_intermediary",  # IN... instead of IM...
    "formula_description",  # =HYPERLINK(...)
    "sanctioned_consignor",  # Rosoboroneksport OAO (OFAC SDN)
    "split",  # same buyer and seller, several house AWBs
    "quantity_zero",
    "currency_unknown",  # "RMB"
    "consignee_outside_eu",  # CH
    "product_id_missing",  # no merchant's product identifier (from 1 Nov 2026)
]
MISTAKE_WEIGHTS = [10, 8, 5, 8, 8, 8, 6, 6, 4, 3, 8, 5, 5, 4, 5]


def gtin13(rng: random.Random) -> str:
    """A GTIN-13 (EAN) with its check digit, prefix 690-699 (GS1 China)."""
    body = f"69{rng.randrange(10**10):010d}"
    total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(body))
    return body + str(-total % 10)


def mawb_number(serial7: int) -> str:
    """A master AWB with its mod-7 check digit (IATA Resolution 600a)."""
    return f"{AIRLINE_PREFIX}-{serial7:07d}{serial7 % 7}"


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def mass(value: float) -> str:
    return f"{value:.3f}"


@dataclass
class Manifest:
    path: Path  # the file uploaded
    copy_path: Path  # the same rows, every one with the right column count
    consignments: int
    rows: int
    bad: dict[str, int] = field(default_factory=dict)
    size: int = 0


def weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[-1] for p in pairs])[0]


def write_manifest(directory: Path, count: int, seed: int, bad_rate: float) -> Manifest:
    """Write the manifest CSV (and its COPY twin) for `count` consignments."""
    rng = random.Random(seed)
    today = date.today().isoformat()
    run_tag = f"{seed % 1000:03d}"
    path = directory / f"manifest-{count}.csv"
    copy_path = directory / f"manifest-{count}-copy.csv"
    bad: dict[str, int] = {}
    rows = 0
    mawb_base = 1000000 + rng.randrange(8000000)
    conflict_at = rng.randrange(count) if count >= 100 else -1
    sellers = make_sellers(rng)
    with (
        path.open("w", newline="", encoding="utf-8") as out,
        copy_path.open("w", newline="", encoding="utf-8") as twin,
    ):
        writer, copier = csv.writer(out), csv.writer(twin)
        writer.writerow(COLUMNS)
        copier.writerow(COLUMNS)
        split_left = 0  # house AWBs still to write for the current split group
        split_parties = None
        for index in range(count):
            mawb = mawb_number(mawb_base + index // 10_000)
            country = weighted(rng, COUNTRY_WEIGHTS)
            hawb = f"CN{run_tag}{index:08d}{country}"
            mistake = ""
            if split_left:
                parties = split_parties
                split_left -= 1
            else:
                if rng.random() < bad_rate:
                    mistake = rng.choices(MISTAKES, weights=MISTAKE_WEIGHTS)[0]
                parties = _parties(rng, country, sellers)
                if mistake == "split":
                    # A split matters when the parcels are together over EUR 150
                    # (RISK-SPLIT): each of these is worth EUR 80-140.
                    parties = parties | {"split": "yes"}
                    split_parties, split_left = parties, rng.randint(1, 3)
            if mistake:
                bad[mistake] = bad.get(mistake, 0) + 1
            lines = _consignment(rng, mawb, hawb, today, parties, mistake)
            if index == conflict_at:  # one house AWB whose rows disagree
                bad["consignee_conflict"] = 1
                if len(lines) == 1:
                    lines.append(dict(lines[0]))
                lines[-1]["consignee_name"] = lines[-1]["consignee_name"] + " Jr"
            for n, line in enumerate(lines):
                row = [line[c] for c in COLUMNS]
                copier.writerow(row)
                if mistake == "column_count" and n == 0:
                    row = row + ["stray"] if rng.random() < 0.5 else row[:-3]
                writer.writerow(row)
                rows += 1
    return Manifest(path, copy_path, count, rows, bad, path.stat().st_size)


def make_sellers(rng: random.Random, count: int = SELLER_POOL) -> list[tuple]:
    """(name, street and number, city, postcode) of `count` distinct sellers;
    about one in six written in Chinese characters."""
    sellers, seen = [], set()
    while len(sellers) < count:
        city, city_zh, postcode, streets, streets_zh = rng.choice(SELLER_CITIES)
        postcode = f"{postcode[:4]}{rng.randrange(100):02d}"
        number = rng.randint(1, 1500)
        if rng.random() < 0.17:
            name = (f"{city_zh}市{rng.choice(SELLER_WORDS_ZH)}"
                    f"{rng.choice(SELLER_TRADES_ZH)}有限公司")  # fmt: skip
            seller = (name, f"{rng.choice(streets_zh)}{number}号", city_zh, postcode)
        else:
            name = (f"{city} {rng.choice(SELLER_WORDS)} {rng.choice(SELLER_TRADES)} "
                    f"{rng.choice(SELLER_SUFFIXES)}")  # fmt: skip
            seller = (name, f"{number} {rng.choice(streets)}", city, postcode)
        if name not in seen:
            seen.add(name)
            sellers.append(seller)
    return sellers


def _parties(rng: random.Random, country: str, sellers: list[tuple]) -> dict[str, str]:
    seller = rng.choice(sellers)
    city, postcode = rng.choice(PLACES[country])
    name = f"{rng.choice(FIRST[country])} {rng.choice(LAST[country])}"
    street = f"{rng.choice(STREETS[country])} {rng.randint(1, 240)}"
    if rng.random() < 0.1:
        street += f" bte {rng.randint(1, 12)}" if country == "BE" else ""
    ioss = rng.random() < 0.8
    currency = weighted(rng, CURRENCIES)
    return {
        "consignor_name": seller[0],
        "consignor_address": seller[1],
        "consignor_city": seller[2],
        "consignor_postcode": seller[3],
        "consignor_country": "CN",
        "consignee_name": name,
        "consignee_address": street,
        "consignee_city": city,
        "consignee_postcode": postcode,
        "consignee_country": country,
        "consignee_eori": "",
        "ioss_number": rng.choice(IOSS_NUMBERS) if ioss else "",
        "vat_path": "IOSS" if ioss else "STANDARD",
        "currency": currency,
    }


def _consignment(rng, mawb, hawb, today, parties, mistake) -> list[dict[str, str]]:
    currency = parties["currency"]
    rate = next(r for c, r, _ in CURRENCIES if c == currency)
    split = parties.get("split", "")
    n_lines = 1 if split else rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    high_value = rng.random() < 0.005  # over EUR 150: needs an H1
    items, net_total = [], 0.0
    for _ in range(n_lines):
        description, hs, low, high, unit_mass = rng.choice(GOODS)
        quantity = 1 if split or rng.random() < 0.75 else rng.randint(2, 3)
        unit_eur = Decimal(str(round(rng.uniform(low, high), 2)))
        if split:
            unit_eur = Decimal(str(round(rng.uniform(80, 140), 2)))
        if high_value:
            unit_eur *= 4
        value = unit_eur * quantity * rate
        net = round(unit_mass * quantity * rng.uniform(0.9, 1.1), 3)
        net_total += net
        items.append({
            "description": description,
            "hs_code": hs,
            "origin_country": "CN",
            "quantity": str(quantity),
            "item_value": money(value),
            "net_mass_kg": mass(net),
            "product_id": f"SKU-{hs[:4]}-{rng.randrange(100000):05d}",
            "manufacturer_product_id": gtin13(rng),
        })  # fmt: skip
    ioss_path = parties["vat_path"] == "IOSS"
    total_eur = sum(Decimal(i["item_value"]) for i in items) / rate
    vat_path, ioss = parties["vat_path"], parties["ioss_number"]
    if total_eur > 150 and ioss_path:  # a real seller would not use IOSS here
        vat_path, ioss = "STANDARD", ""
    consignment = {
        "mawb": mawb,
        "flight_number": "CK251",
        "departure_airport": "CGO",
        "arrival_airport": "LGG",
        "arrival_date": today,
        "hawb": hawb,
        **parties,
        "vat_path": vat_path,
        "ioss_number": ioss,
        "transport_cost": money(Decimal(rng.choice((0, 0, 1.5, 2.5, 3.9, 5))) * rate),
        "insurance_cost": "0",
        "gross_mass_kg": mass(net_total + rng.uniform(0.03, 0.25)),
        "packages": "1",
    }
    # Consignment-level mistakes go on every row, item-level ones on one row.
    if mistake == "postcode_missing":
        consignment["consignee_postcode"] = ""
    elif mistake == "gross_below_net":
        consignment["gross_mass_kg"] = mass(max(net_total / 2, 0.001))
    elif mistake == "ioss_intermediary":
        consignment["vat_path"], consignment["ioss_number"] = "IOSS", "IN0560000012"
    elif mistake == "sanctioned_consignor":
        consignment["consignor_name"] = "Rosoboroneksport OAO"
        consignment["consignor_address"] = "27 Stromynka St"
        consignment["consignor_city"] = "Moscow"
        consignment["consignor_postcode"] = "107076"
        consignment["consignor_country"] = "RU"
    elif mistake == "currency_unknown":
        consignment["currency"] = "RMB"
    elif mistake == "consignee_outside_eu":
        consignment["consignee_country"] = "CH"
        consignment["consignee_city"], consignment["consignee_postcode"] = (
            "Genève",
            "1201",
        )
    item = items[rng.randrange(len(items))]
    if mistake == "comma_decimal":
        item["item_value"] = item["item_value"].replace(".", ",")
    elif mistake == "hs_unknown":
        item["hs_code"] = "999999"
    elif mistake == "hs_chapter_77":
        item["hs_code"] = "770100"
    elif mistake == "vague_description":
        item["description"] = "gift"
    elif mistake == "formula_description":
        item["description"] = '=HYPERLINK("http://example.invalid/x","Click here")'
    elif mistake == "quantity_zero":
        item["quantity"] = "0"
    elif mistake == "product_id_missing":
        item["product_id"] = ""
    return [{**consignment, **i} for i in items]


# ---------------------------------------------------------------------------
# Database and HTTP (processes, databases and requests are in bench/_stack.py)
# ---------------------------------------------------------------------------


def copy_yardstick(url: str, path: Path) -> tuple[float, int]:
    """Seconds PostgreSQL's COPY takes to load the CSV into one plain text table."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} text").format(sql.Identifier(c)) for c in COLUMNS
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(sql.SQL("CREATE TABLE bench_copy ({})").format(columns))
        conn.execute("CHECKPOINT")
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cursor:
            with (
                cursor.copy(
                    "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
    return seconds, rows


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class MultipartBody(io.RawIOBase):
    """multipart/form-data with one file field, read from disk as it is sent."""

    def __init__(self, path: Path, field_name: str, filename: str, content_type: str):
        self.boundary = f"----bench{uuid.uuid4().hex}"
        head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; '
            f'filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.length = len(head) + path.stat().st_size + len(tail)
        self._parts = [io.BytesIO(head), path.open("rb"), io.BytesIO(tail)]

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while self._parts:
            data = self._parts[0].read(size if size and size > 0 else 1 << 20)
            if data:
                return data
            self._parts.pop(0).close()
        return b""

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []
        super().close()


def wait_worker(
    env: dict, node: str, proc: subprocess.Popen, timeout: float = 120
) -> None:
    """Until the worker answers a ping (its consumer is up)."""
    deadline = time.monotonic() + timeout
    cmd = [PYTHON, "-m", "celery", "-A", "portal", "inspect", "ping", "-d", node,
           "--timeout", "2"]  # fmt: skip
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {proc.returncode}")
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode == 0 and "pong" in done.stdout:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the Celery worker {node} did not answer in {timeout:.0f} s")


# ---------------------------------------------------------------------------
# One measured run
# ---------------------------------------------------------------------------


@dataclass
class Result:
    count: int
    rows: int
    size: int
    elapsed: float = 0.0
    upload: float = 0.0
    staged: float | None = None
    status: str = ""
    manifest: dict = field(default_factory=dict)
    web: str = ""
    web_peak: int = 0
    web_children: tuple[int, int] = (0, 0)
    worker_peak: int = 0
    worker_children: tuple[int, int] = (0, 0)
    copy_seconds: float = 0.0
    copy_rows: int = 0
    bad: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def ratio(self) -> float:
        return self.elapsed / self.copy_seconds if self.copy_seconds else 0.0

    @property
    def max_peak(self) -> int:
        return max(self.web_peak, self.web_children[1], self.worker_peak,
                   self.worker_children[1])  # fmt: skip


def measure(args, count: int, template: str, key: str, base_env: dict,
            work: Path, procs: Processes) -> Result:  # fmt: skip
    name = f"{template}_{count}"
    admin = args.admin_url
    manifest = write_manifest(work, count, args.seed + count, args.bad_rate)
    log(f"{count:,} consignments: {manifest.rows:,} rows, "
        f"{manifest.size / 1e6:.1f} MB ({manifest.path})")  # fmt: skip
    drop_database(admin, name)
    admin_execute(admin, sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(name), sql.Identifier(template)))  # fmt: skip
    result = Result(count, manifest.rows, manifest.size, bad=manifest.bad)
    web = worker = None
    try:
        env = dict(base_env)
        env["DATABASE_URL"] = database_url(admin, name)
        env["MEDIA_ROOT"] = str(work / f"media-{count}")
        queue = f"bench-manifest-{os.getpid()}-{count}-{uuid.uuid4().hex[:6]}"
        env["CELERY_QUEUE"] = queue
        port = free_port()
        if args.web == "gunicorn" or (args.web == "auto" and gunicorn_available()):
            result.web = "gunicorn, 1 worker process"
            web_cmd = [PYTHON, "-m", "gunicorn", "portal.wsgi:application",
                       "--bind", f"127.0.0.1:{port}", "--workers", "1",
                       "--timeout", "600", "--log-level", "warning"]  # fmt: skip
        else:
            result.web = "runserver --noreload"
            web_cmd = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}",
                       "--noreload", "--skip-checks"]  # fmt: skip
        node = f"{queue}@bench"
        worker_cmd = [PYTHON, "-m", "celery", "-A", "portal", "worker",
                      "--concurrency", str(args.workers), "--pool", "prefork",
                      "-Q", queue, "--hostname", node, "--without-gossip",
                      "--without-mingle", "--without-heartbeat",
                      "--loglevel", "warning"]  # fmt: skip
        web = procs.start("web", web_cmd, env, work / f"web-{count}.log")
        worker = procs.start("worker", worker_cmd, env, work / f"worker-{count}.log")
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/api/v1/manifests/0/", web)
        wait_worker(env, node, worker)
        memory = PeakMemory()
        memory.sample("web", web.pid)
        memory.sample("worker", worker.pid)
        log(f"web ({result.web}) on port {port} and worker "
            f"(concurrency {args.workers}) ready; uploading")  # fmt: skip

        body = MultipartBody(manifest.path, "file", f"manifest-{count}.csv", "text/csv")
        headers = {
            "Content-Type": f"multipart/form-data; boundary={body.boundary}",
            "Content-Length": str(body.length),
            "Accept": "application/json",
        }
        t0 = time.perf_counter()
        status, data = http_json(f"{base}/api/v1/manifests/", key, body, headers)
        result.upload = time.perf_counter() - t0
        body.close()
        if status not in (200, 202) or not isinstance(data, dict) or "id" not in data:
            raise RuntimeError(f"upload answered {status}: {str(data)[:2000]}")
        url = f"{base}/api/v1/manifests/{data['id']}/"
        deadline = t0 + args.timeout
        last_report = 0.0
        while True:
            now = time.perf_counter()
            if data.get("status") in ("done", "failed"):
                result.elapsed = now - t0
                break
            if now > deadline:
                raise RuntimeError(f"not done after {args.timeout:.0f} s: {data}")
            if worker.poll() is not None or web.poll() is not None:
                raise RuntimeError("the web server or the worker exited")
            if result.staged is None and data.get("status") == "processing":
                result.staged = now - t0
            if now - last_report > 10:
                last_report = now
                log(f"  {now - t0:5.1f} s: {data.get('status')} rows "
                    f"{data.get('rows_processed')}/{data.get('rows_total')}, "
                    f"validated {data.get('consignments_validated')}"
                    f"/{data.get('consignments_total')}")  # fmt: skip
            memory.sample("web", web.pid)
            memory.sample("worker", worker.pid)
            time.sleep(POLL_SECONDS)
            status, data = http_json(url, key, timeout=60)
            if status != 200 or not isinstance(data, dict):
                raise RuntimeError(f"GET {url} answered {status}: {str(data)[:2000]}")
        memory.sample("web", web.pid)
        memory.sample("worker", worker.pid)
        result.status = data.get("status", "")
        result.manifest = data
        result.web_peak = memory.leader("web", web.pid)
        result.web_children = memory.children("web", web.pid)
        result.worker_peak = memory.leader("worker", worker.pid)
        result.worker_children = memory.children("worker", worker.pid)
        if result.status == "failed":
            raise RuntimeError(f"the manifest failed: {data.get('error')}")
        if os.environ.get("BENCH_ISSUES_SUMMARY", "1") == "1":
            result.manifest["issue_codes"] = _issue_codes(url, key)
    finally:
        for proc in (worker, web):
            if proc is not None:
                procs.stop(proc)
    log("timing PostgreSQL's COPY of the same rows")
    result.copy_seconds, result.copy_rows = copy_yardstick(
        database_url(admin, name), manifest.copy_path
    )
    if not args.keep:
        drop_database(admin, name)
        shutil.rmtree(work / f"media-{count}", ignore_errors=True)
        manifest.path.unlink(missing_ok=True)
        manifest.copy_path.unlink(missing_ok=True)
    return result


def _issue_codes(url: str, key: str) -> dict[str, int]:
    """Issues by code (first pages only, for a sanity check of the bad rows)."""
    codes: dict[str, int] = {}
    next_url = f"{url}issues/"
    for _ in range(30):
        status, data = http_json(next_url, key, timeout=60)
        if status != 200 or not isinstance(data, dict):
            break
        for issue in data.get("results", []):
            codes[issue.get("code", "?")] = codes.get(issue.get("code", "?"), 0) + 1
        next_url = data.get("next")
        if not next_url:
            break
    return codes


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def mib(value: int) -> str:
    return f"{value / 1024**2:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(result: Result, args) -> None:
    m = result.manifest
    print(f"\n== manifest of {result.count:,} consignments ==")
    print(
        f"consignments      {result.count:,} (server counted "
        f"{m.get('consignments_total')})"
    )
    print(f"rows              {result.rows:,} (server read {m.get('rows_total')}); "
          f"file {result.size / 1e6:.1f} MB")  # fmt: skip
    bad = ", ".join(f"{k} {v}" for k, v in sorted(result.bad.items()))
    print(f"bad consignments  {sum(result.bad.values()):,} ({bad})")
    print(
        f"elapsed           {result.elapsed:.2f} s from upload to '{result.status}' "
        f"(upload answered in {result.upload:.2f} s"
        + (f", staged by {result.staged:.1f} s" if result.staged else "")
        + ")"
    )
    print(f"parcels/s         {result.rate:,.0f}")
    print(f"outcome           accepted {m.get('consignments_accepted')}, rejected "
          f"{m.get('consignments_rejected')}, under_review "
          f"{m.get('consignments_under_review')}, unchanged "
          f"{m.get('consignments_unchanged')}")  # fmt: skip
    if m.get("issue_codes"):
        codes = ", ".join(f"{k} {v}" for k, v in sorted(m["issue_codes"].items()))
        print(f"issues (first 3,000) {codes}")
    print(f"peak RSS web      {result.web}: leader {mib(result.web_peak)}"
          + (f", worker process {mib(result.web_children[1])}"
             if result.web_children[0] else ""))  # fmt: skip
    n, child = result.worker_children
    print(
        f"peak RSS workers  master {mib(result.worker_peak)}, "
        f"max of {n} children {mib(child)}"
    )
    copy_rate = result.copy_rows / result.copy_seconds
    print(f"COPY yardstick    {result.copy_seconds:.2f} s for {result.copy_rows:,} "
          f"rows ({copy_rate:,.0f} rows/s); "
          f"pipeline/COPY = {result.ratio:.0f}x")  # fmt: skip
    goal_seconds = GOAL_SECONDS_PER_100K * result.count / 100_000
    scaled = "" if result.count == 100_000 else (
        f" (scaled to {result.count:,}: {goal_seconds:.1f} s, "
        f">= {100_000 / GOAL_SECONDS_PER_100K:,.0f} parcels/s)")  # fmt: skip
    print("goals:")
    print(f"  {verdict(result.elapsed <= goal_seconds)}  100,000 consignments in "
          f"<= 60 s with {args.workers} worker processes{scaled}: "
          f"{result.elapsed:.1f} s")  # fmt: skip
    print(
        f"  {verdict(result.ratio <= GOAL_COPY_RATIO)}  <= 200x the raw COPY time: "
        f"{result.ratio:.0f}x"
    )
    print(
        f"  {verdict(result.max_peak < GOAL_PEAK_BYTES)}  < 1 GiB peak RSS per "
        f"process: largest {mib(result.max_peak)}"
    )


def report_scaling(results: list[Result]) -> None:
    print("\n== scaling ==")
    print(
        f"{'consignments':>12} {'elapsed s':>10} {'ms/consignment':>15} "
        f"{'parcels/s':>10} {'COPY s':>8} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r.count:>12,} {r.elapsed:>10.2f} {1000 * r.elapsed / r.count:>15.3f} "
            f"{r.rate:>10,.0f} {r.copy_seconds:>8.2f} {r.ratio:>5.0f}x"
        )
    if len(results) < 2:
        return
    xs = [r.count for r in results]
    ys = [r.elapsed for r in results]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    intercept = mean_y - slope * mean_x
    print(
        f"least squares: elapsed = {intercept:.2f} s + {1000 * slope:.3f} ms "
        "x consignments"
    )
    small, large = (
        min(results, key=lambda r: r.count),
        max(results, key=lambda r: r.count),
    )
    growth = (large.elapsed / large.count) / (small.elapsed / small.count)
    print(
        f"  {verdict(growth <= GOAL_LINEARITY)}  linear from {small.count:,} to "
        f"{large.count:,}: time per consignment x{growth:.2f} "
        f"(goal <= x{GOAL_LINEARITY})"
    )


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--counts", help="comma-separated counts, e.g. 10000,100000")
    parser.add_argument(
        "--scaling", action="store_true", help="run 10,000 and 100,000 (or --counts)"
    )
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--bad-rate", type=float, default=0.03)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes (one Celery worker, prefork concurrency)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        help="MANIFEST_CHUNK_SIZE for the run (default: the project's)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and files"
    )
    parser.add_argument(
        "--web", choices=("auto", "gunicorn", "runserver"), default="auto"
    )
    parser.add_argument("--settings", default="portal.settings.base")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds to wait for one manifest"
    )
    args = parser.parse_args()
    args.admin_url = os.environ.get("DATABASE_URL") or DEFAULT_ADMIN_URL
    if args.counts:
        counts = [int(c) for c in args.counts.split(",") if c.strip()]
    elif args.scaling:
        counts = [10_000, 100_000]
    else:
        counts = [args.count]

    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER,
    })  # fmt: skip
    if args.chunk_size:
        env["MANIFEST_CHUNK_SIZE"] = str(args.chunk_size)
    template = f"bench_manifest_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bench-manifest-"))
    procs = Processes()
    created: list[str] = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    results: list[Result] = []
    code = 0
    try:
        log(f"database {template} on {urllib.parse.urlsplit(args.admin_url).netloc}; "
            f"files in {work}")  # fmt: skip
        drop_database(args.admin_url, template)
        admin_execute(
            args.admin_url,
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)),
        )
        created.append(template)
        created.extend(f"{template}_{c}" for c in counts)
        env["DATABASE_URL"] = database_url(args.admin_url, template)
        env["MEDIA_ROOT"] = str(work / "media-setup")
        key = migrate_seed_and_issue_key(env, "demo-forwarder")
        chunk = args.chunk_size or "project default"
        print(f"bench/manifest.py: {os.cpu_count()} CPUs, {args.workers} worker "
              f"processes, chunk size {chunk}, settings {args.settings}, "
              f"bad rate {args.bad_rate:.1%}, seed {args.seed}")  # fmt: skip
        for count in counts:
            result = measure(args, count, template, key, env, work, procs)
            results.append(result)
            report(result, args)
            sys.stdout.flush()
        if len(results) > 1:
            report_scaling(results)
    except KeyboardInterrupt as exc:
        log(f"interrupted ({str(exc) or 'SIGINT'}); cleaning up")
        code = 130
    except (RuntimeError, psycopg.Error, OSError) as exc:
        log(f"failed: {exc}")
        for log_file in sorted(work.glob("*.log")):
            text = log_file.read_text(errors="replace")
            if text.strip():
                log(f"--- last lines of {log_file.name} ---")
                sys.stderr.write(text[-6000:] + "\n")
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        procs.stop_all()
        if args.keep:
            log(f"kept: databases {', '.join(created)}; files in {work}")
        else:
            for name in reversed(created):
                drop_database(args.admin_url, name)
            shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return code


if __name__ == "__main__":
    sys.exit(main())

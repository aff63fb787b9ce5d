"""Held-out Europe-wide manifest check: buyers in every member state and XI,
seeded bad consignments of labelled kinds, amounts checked to the cent.

    .venv/bin/python bench/manifest_eu.py                 # 100,000 parcels
    .venv/bin/python bench/manifest_eu.py --count 2000    # a quick check

Written without reading the portal's rules or pricing: the expectations come
from the law (see bench/_expect.py for the amounts and the kinds below).

What one run does: creates `bench_manifest_eu_<pid>` on DATABASE_URL's server
(migrate, seed_demo, an API key of demo-forwarder), writes one manifest of
`--count` consignments (CSV, the contract's columns with
manufacturer_product_id), starts a web server and a Celery worker
(bench/_stack.py), uploads it through the API and waits for `done`; then
queries the database:

- every seeded bad consignment is stopped: rejected or under review, or no
  declaration at all because its rows were refused;
- at least 99.5 % of the clean consignments are accepted;
- duty, import VAT and fees of every accepted declaration equal the amounts
  computed here, to the cent;
- no accepted declaration (in the whole database) has a null amount.

The clean parcels: mostly IOSS (as real flights are) to buyers all over the EU
and XI, Belgian buyers also on STANDARD and SPECIAL (some books at 6 %), EUR,
a merchant and a manufacturer product identifier on every line, values of EUR
150 or less, buyers with common names (many share a name, never a name and an
address with the same seller), so no split should fire. The bad kinds:

  non_ioss_foreign   STANDARD/SPECIAL for a buyer outside Belgium (Art. 221(4)
                     IA 2015/2447, Art. 369y VAT Directive)
  excise_h7          beer, spirits, cigarettes or perfume on an H7 (Reg.
                     1186/2009 Art. 23-24)
  wine_ioss          wine on IOSS (VAT Directive Art. 369l)
  territory          buyer in Ceuta, Melilla, the Canary Islands, Heligoland,
                     Büsingen, Livigno, Åland, Mount Athos or Réunion (VAT
                     Directive Art. 6, UCC Art. 4)
  consignee_eori_gb  a business buyer declared with a GB EORI: an EORI must be
                     issued by a member state (UCC Art. 9; since 2021 UK
                     numbers are not valid in the EU, XI excepted)
  vague_description  "Toys", "Footwear", "As per invoice", "Parts", "Gift"
                     (ICS2 list of unacceptable descriptions)
  placeholder_buyer  consignee "N/A", "Unknown" or "TBA"
  missing_mpid       no manufacturer_product_id on a line (Delegated Reg.
                     2026/1022, from 1 Nov 2026)
  over_150           intrinsic value over EUR 150 on an H7 (Reg. 1186/2009
                     Art. 23)
  hs_unknown         an HS code that is not an HS 2022 subheading
  restricted         medicines, seeds, fireworks, power banks (to an officer)
  split              one seller, one buyer, one day, 2-3 parcels together over
                     EUR 150 (each parcel of the group must be stopped)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _expect import DESTINATIONS, gtin13, h7_amounts, money  # noqa: E402
from _stack import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    Processes,
    admin_execute,
    bench_env,
    database_url,
    drop_database,
    dump_logs,
    log,
    migrate_seed_and_issue_key,
    start_portal,
    upload_manifest,
)
from verdicts import MANIFEST_COLUMNS  # noqa: E402

GOAL_CLEAN_ACCEPTED = 0.995
# Buyers by destination, weighted roughly by e-commerce parcels (BE more: LGG).
WEIGHTS = {
    "DE": 15, "FR": 13, "IT": 9, "ES": 9, "PL": 6, "NL": 6, "BE": 10, "RO": 3,
    "SE": 3, "AT": 3, "CZ": 3, "PT": 2, "HU": 2, "GR": 2, "DK": 2, "FI": 2,
    "IE": 2, "SK": 1, "BG": 1, "HR": 1, "LT": 1, "SI": 1, "LV": 1, "EE": 1,
    "CY": 1, "LU": 1, "MT": 1, "XI": 1,
}  # fmt: skip
assert set(WEIGHTS) == set(DESTINATIONS)
# country -> (first names, last names (split on "|" when a name has spaces),
# streets, (city, postcode) pairs)
PEOPLE = {
    "AT": ("Lukas Anna Maria David", "Gruber Huber Wagner Bauer",
           "Hauptstraße|Mariahilfer Straße|Landstraße", [("Wien", "1060"),
           ("Graz", "8010"), ("Linz", "4020")]),
    "BE": ("Anne Jan Marie Luc Sofie", "Peeters Janssens Dupont Maes Claes",
           "Rue Neuve|Meir|Veldstraat|Rue Saint-Gilles", [("Liège", "4000"),
           ("Antwerpen", "2000"), ("Gent", "9000"), ("Bruxelles", "1000")]),
    "BG": ("Georgi Maria Ivan", "Ivanov Petrova Dimitrov", "ul. Vitosha|ul. Rakovski",
           [("Sofia", "1000"), ("Plovdiv", "4000")]),
    "CY": ("Andreas Maria", "Georgiou Christou", "Makariou Avenue|Ledra Street",
           [("Nicosia", "1065"), ("Limassol", "3036")]),
    "CZ": ("Jan Petra Tomáš", "Novák Svobodová Dvořák", "Národní|Václavské náměstí",
           [("Praha", "11000"), ("Brno", "60200")]),
    "DE": ("Thomas Anna Maria Michael Laura", "Müller Schmidt Schneider Fischer",
           "Hauptstraße|Bahnhofstraße|Schulstraße|Gartenstraße", [("Berlin", "10115"),
           ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")]),
    "DK": ("Mette Lars Anne", "Nielsen Jensen Hansen", "Nørrebrogade|Vesterbrogade",
           [("København N", "2200"), ("Aarhus C", "8000")]),
    "EE": ("Kadri Jaan", "Tamm Saar", "Narva mnt|Pärnu mnt", [("Tallinn", "10117"),
           ("Tartu", "51003")]),
    "ES": ("Maria Jose Lucía Antonio", "Garcia Fernández González Rodríguez",
           "Calle Mayor|Calle Real|Avenida de la Constitución", [("Madrid", "28013"),
           ("Sevilla", "41001"), ("Valencia", "46002"), ("Barcelona", "08013")]),
    "FI": ("Mikko Anna Juha", "Korhonen Virtanen Nieminen",
           "Mannerheimintie|Hämeenkatu", [("Helsinki", "00100"), ("Tampere", "33100")]),
    "FR": ("Marie Jean Camille Pierre", "Martin Bernard Dubois Thomas",
           "rue de la République|rue Victor Hugo|avenue Jean Jaurès",
           [("Paris", "75011"), ("Lyon", "69002"), ("Marseille", "13001"),
            ("Toulouse", "31000")]),
    "GR": ("Eleni Giorgos Maria", "Papadopoulou Papadopoulos Nikolaou",
           "Ermou|Egnatia", [("Athina", "10563"), ("Thessaloniki", "54625")]),
    "HR": ("Ivan Ana Marko", "Horvat Kovačević Babić", "Ilica|Vukovarska",
           [("Zagreb", "10000"), ("Split", "21000")]),
    "HU": ("Péter Anna László", "Nagy Kovács Tóth", "Váci utca|Andrássy út",
           [("Budapest", "1052"), ("Debrecen", "4024")]),
    "IE": ("Siobhán Sean Mary", "Murphy Kelly Byrne", "Grafton Street|Main Street",
           [("Dublin", "D02 VF25"), ("Cork", "T12 X70A")]),
    "IT": ("Giulia Marco Maria Luca", "Rossi Russo Ferrari Esposito",
           "Via Roma|Via Garibaldi|Corso Italia", [("Milano", "20121"),
           ("Roma", "00184"), ("Napoli", "80133"), ("Torino", "10121")]),
    "LT": ("Tomas Rūta", "Kazlauskas Jankauskienė", "Gedimino pr.|Laisvės al.",
           [("Vilnius", "LT-01103"), ("Kaunas", "LT-44240")]),
    "LU": ("Claude Marie", "Schmit Muller", "Grand-Rue|Avenue de la Gare",
           [("Luxembourg", "L-1660"), ("Esch-sur-Alzette", "L-4131")]),
    "LV": ("Anna Jānis", "Bērziņa Kalniņš", "Brīvības iela|Elizabetes iela",
           [("Rīga", "LV-1011")]),
    "MT": ("Maria Joseph", "Borg Camilleri", "Republic Street|Merchants Street",
           [("Valletta", "VLT 1117"), ("Sliema", "SLM 1549")]),
    "NL": ("Daan Emma Sophie Jan", "de Jong|Jansen|de Vries|van den Berg",
           "Kalverstraat|Dorpsstraat|Kerkstraat", [("Amsterdam", "1012 PH"),
           ("Rotterdam", "3011 AD"), ("Utrecht", "3511 AZ")]),
    "PL": ("Anna Piotr Katarzyna Jan", "Kowalska Nowak Wiśniewski Wójcik",
           "ul. Marszałkowska|ul. Długa|ul. Floriańska", [("Warszawa", "00-590"),
           ("Kraków", "31-019"), ("Gdańsk", "80-831")]),
    "PT": ("João Maria Ana", "Silva Santos Ferreira",
           "Rua Augusta|Rua de Santa Catarina",
           [("Lisboa", "1100-053"), ("Porto", "4000-447")]),
    "RO": ("Andrei Maria Elena", "Popescu Ionescu Popa",
           "Calea Victoriei|Strada Lipscani",
           [("București", "010063"), ("Cluj-Napoca", "400001")]),
    "SE": ("Erik Anna Lars", "Andersson Johansson Karlsson",
           "Drottninggatan|Kungsgatan",
           [("Stockholm", "111 21"), ("Göteborg", "411 19")]),
    "SI": ("Luka Maja", "Novak Horvat", "Slovenska cesta|Celovška cesta",
           [("Ljubljana", "1000"), ("Maribor", "2000")]),
    "SK": ("Peter Jana", "Horváth Kováčová", "Obchodná|Hlavná",
           [("Bratislava", "81106"),
           ("Košice", "04001")]),
    "XI": ("Ciaran Siobhan Patrick", "O'Neill Murphy Kelly",
           "Royal Avenue|Lisburn Road|Ormeau Road", [("Belfast", "BT1 1DA"),
           ("Derry", "BT48 6AT")]),
}  # fmt: skip

# description, HS 2022 subheading, unit value range EUR, net kg: standard-rated
GOODS = [
    ("Men's cotton T-shirt, crew neck", "610910", 6, 18, 0.18),
    ("Women's knitted cotton dress", "610442", 12, 35, 0.30),
    ("Wireless earphones with charging case", "851830", 9, 35, 0.08),
    ("Silicone phone case", "392690", 2, 8, 0.04),
    ("Plush teddy bear soft toy", "950300", 5, 20, 0.25),
    ("LED desk lamp", "940521", 10, 30, 0.60),
    ("Polyester backpack", "420292", 8, 25, 0.50),
    ("Sunglasses with plastic frame", "900410", 4, 15, 0.05),
    ("Men's running shoes with textile upper", "640411", 20, 50, 0.70),
    ("Stainless steel kitchen knife", "821191", 5, 15, 0.15),
    ("Women's quartz wrist watch", "910211", 10, 40, 0.09),
    ("Knitted wool scarf", "611710", 6, 20, 0.12),
]  # fmt: skip
BOOKS = [("Printed paperback novel", "490199", 6, 20, 0.35),
         ("Children's picture book, printed", "490300", 5, 15, 0.30)]  # fmt: skip
EXCISE = [("Lager beer, 6 x 33 cl bottles", "220300"), ("Whisky, 70 cl bottle",
          "220830"), ("Cigarettes, carton of 200", "240220"),
          ("Eau de parfum for women, 50 ml", "330300")]  # fmt: skip
RESTRICTED = [("Ibuprofen tablets 400 mg, 100 pieces", "300490"),
              ("Tomato seeds for sowing", "120991"),
              ("Fireworks rockets assortment", "360410"),
              ("Power bank 10000 mAh, lithium-ion", "850760")]  # fmt: skip
TERRITORIES = [
    ("ES", "Calle Real 12", "Ceuta", "51001"),
    ("ES", "Avenida Juan Carlos I 5", "Melilla", "52001"),
    ("ES", "Calle Triana 40", "Las Palmas de Gran Canaria", "35002"),
    ("ES", "Calle del Castillo 20", "Santa Cruz de Tenerife", "38002"),
    ("DE", "Lung Wai 12", "Helgoland", "27498"),
    ("DE", "Junkerstraße 3", "Büsingen am Hochrhein", "78266"),
    ("IT", "Via Ostaria 20", "Livigno", "23041"),
    ("FI", "Torggatan 10", "Mariehamn", "22100"),
    ("GR", "Odos Protatou 3", "Karyes", "63086"),
    ("FR", "12 rue de Paris", "Saint-Denis", "97400"),
]  # fmt: skip
KINDS = ["non_ioss_foreign", "excise_h7", "wine_ioss", "territory",
         "consignee_eori_gb", "vague_description", "placeholder_buyer",
         "missing_mpid", "over_150", "hs_unknown", "restricted", "split"]  # fmt: skip
IOSS_NUMBERS = ["IM0560000012", "IM5280000012", "IM2760000013", "IM3720000019"]
CITIES_CN = ["Shenzhen", "Guangzhou", "Yiwu", "Hangzhou", "Dongguan", "Ningbo"]
WORDS = ["Bright", "Lianhua", "Golden", "Everwin", "Sunrise", "Jade", "Harmony",
         "Greenleaf", "Oriental", "Hongda", "Tianyu", "Starway", "Bluesky"]  # fmt: skip
TRADES = ["Trading", "Electronics", "Apparel", "Home Goods", "Technology", "Import "
          "Export", "Commerce", "Supply Chain"]  # fmt: skip


@dataclass
class Written:
    path: Path
    rows: int = 0
    kinds: dict[str, list[str]] = field(default_factory=dict)  # kind -> hawbs
    clean: set[str] = field(default_factory=set)
    expected: dict[str, tuple[str, str, str]] = field(default_factory=dict)


class Writer:
    def __init__(self, rng: random.Random, path: Path, count: int) -> None:
        self.rng, self.count = rng, count
        self.today = date.today()
        self.mawb_base = 4100000 + rng.randrange(800000)
        self.sellers = [self._seller(i) for i in range(max(50, count // 40))]
        self.pairs: set[tuple] = set()  # (seller, buyer name, street, city) used
        self.out = Written(path)
        self.index = 0

    def _seller(self, i: int) -> dict:
        r = self.rng
        city = r.choice(CITIES_CN)
        return {"consignor_name": f"{city} {r.choice(WORDS)} {r.choice(TRADES)} Co., "
                f"Ltd. {i:04d}", "consignor_address": f"{r.randint(1, 999)} "
                f"{r.choice(['Industrial Road', 'Keji Road', 'Huaqiang North Road'])}",
                "consignor_city": city,
                "consignor_postcode": f"5{r.randrange(10**5):05d}",
                "consignor_country": "CN"}  # fmt: skip

    def buyer(self, country: str) -> dict:
        r = self.rng
        firsts, lasts, streets, places = PEOPLE[country]
        city, postcode = r.choice(places)
        last = r.choice(lasts.split("|") if "|" in lasts else lasts.split())
        name = f"{r.choice(firsts.split())} {last}"
        street = f"{r.choice(streets.split('|'))} {r.randint(1, 400)}"
        return {"consignee_name": name, "consignee_address": street,
                "consignee_city": city, "consignee_postcode": postcode,
                "consignee_country": country, "consignee_eori": ""}  # fmt: skip

    def items(self, *, books: bool = False, budget: float = 140.0) -> list[dict]:
        r = self.rng
        pool = BOOKS if books else GOODS
        lines, total = [], 0.0
        for _ in range(r.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            desc, hs, low, high, kg = r.choice(pool)
            qty = 1 if r.random() < 0.75 else r.randint(2, 3)
            value = round(r.uniform(low, high) * qty, 2)
            if total + value > budget:
                break
            total += value
            lines.append(self.line(desc, hs, qty, value, kg * qty))
        return lines or [self.line(*pool[0][:2], 1, 10.0, pool[0][4])]

    def line(self, desc, hs, qty, value, kg) -> dict:
        return {"description": desc, "hs_code": hs, "origin_country": "CN",
                "quantity": str(qty), "item_value": money(Decimal(str(value))),
                "net_mass_kg": f"{max(kg, 0.01):.3f}",
                "product_id": f"SKU-{hs[:4]}-{self.rng.randrange(10**6):06d}",
                "manufacturer_product_id": gtin13(self.rng.randrange(10**9)),
                }  # fmt: skip

    def consignment(self, *, seller, buyer, path, lines, transport=None) -> str:
        self.index += 1
        r = self.rng
        country = buyer["consignee_country"]
        hawb = f"EU{self.mawb_base % 1000:03d}{self.index:08d}{country}"
        serial = self.mawb_base + self.index // 10_000
        net = sum(float(i["net_mass_kg"]) for i in lines)
        transport = transport if transport is not None else r.choice(
            ["0.00", "0.00", "1.50", "2.50", "3.90", "5.00"])
        head = {
            "mawb": f"172-{serial:07d}{serial % 7}", "flight_number": "CK251",
            "departure_airport": "CGO", "arrival_airport": "LGG",
            "arrival_date": self.today.isoformat(), "hawb": hawb, **seller, **buyer,
            "ioss_number": r.choice(IOSS_NUMBERS) if path == "IOSS" else "",
            "vat_path": path, "currency": "EUR", "transport_cost": transport,
            "insurance_cost": "0.00",
            "gross_mass_kg": f"{net + r.uniform(0.05, 0.3):.3f}",
            "packages": "1",
        }  # fmt: skip
        self._rows = [{**head, **line} for line in lines]
        self._head = head
        return hawb

    def write(self, writer: csv.DictWriter, kind: str = "") -> str:
        for row in self._rows:
            writer.writerow({c: row.get(c, "") for c in MANIFEST_COLUMNS})
            self.out.rows += 1
        hawb = self._head["hawb"]
        if kind:
            self.out.kinds.setdefault(kind, []).append(hawb)
        return hawb

    def parties(self, country: str) -> tuple[dict, dict]:
        """A seller and a buyer that no other parcel of the manifest pairs."""
        while True:
            seller, buyer = self.rng.choice(self.sellers), self.buyer(country)
            pair = (seller["consignor_name"], buyer["consignee_name"],
                    buyer["consignee_address"], buyer["consignee_city"])  # fmt: skip
            if pair not in self.pairs:
                self.pairs.add(pair)
                return seller, buyer

    def clean(self, writer: csv.DictWriter) -> None:
        r = self.rng
        country = r.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        seller, buyer = self.parties(country)
        path, books = "IOSS", False
        if country == "BE":
            path = r.choices(["IOSS", "STANDARD", "SPECIAL"], weights=(70, 20, 10))[0]
            books = path == "STANDARD" and r.random() < 0.15
        lines = self.items(books=books)
        hawb = self.consignment(seller=seller, buyer=buyer, path=path, lines=lines)
        head = self._head
        self.out.expected[hawb] = h7_amounts(
            [(i["hs_code"], i["item_value"]) for i in lines], vat_path=path,
            on=self.today, transport=head["transport_cost"],
            insurance=head["insurance_cost"])  # fmt: skip
        self.out.clean.add(self.write(writer))

    def bad(self, writer: csv.DictWriter, kind: str) -> None:
        r = self.rng
        country = r.choice([c for c in WEIGHTS if c != "BE"])
        path, lines = "IOSS", self.items()
        if kind in ("excise_h7", "consignee_eori_gb") or (
            kind == "over_150" and r.random() < 0.5
        ):
            country, path = "BE", "STANDARD"
        seller, buyer = self.parties(country)
        if kind == "non_ioss_foreign":
            path = r.choice(["STANDARD", "SPECIAL"])
        elif kind == "excise_h7":
            desc, hs = r.choice(EXCISE)
            lines = [self.line(desc, hs, 1, round(r.uniform(15, 60), 2), 1.0)]
        elif kind == "wine_ioss":
            lines = [self.line("Red wine, 75 cl bottle", "220421", 2,
                               round(r.uniform(20, 60), 2), 2.4)]  # fmt: skip
        elif kind == "territory":
            tc, street, city, postcode = r.choice(TERRITORIES)
            buyer = self.buyer(tc)
            buyer.update(consignee_address=street, consignee_city=city,
                         consignee_postcode=postcode)  # fmt: skip
        elif kind == "consignee_eori_gb":
            buyer["consignee_name"] = f"{buyer['consignee_name'].split()[-1]} Retail BV"
            buyer["consignee_eori"] = f"GB{r.randrange(10**9):09d}000"
        elif kind == "vague_description":
            r.choice(lines)["description"] = r.choice(
                ["Toys", "Footwear", "As per invoice", "Parts", "Gift"])
        elif kind == "placeholder_buyer":
            buyer["consignee_name"] = r.choice(["N/A", "Unknown", "TBA"])
        elif kind == "missing_mpid":
            r.choice(lines)["manufacturer_product_id"] = ""
        elif kind == "over_150":
            desc, hs, _, _, kg = r.choice(GOODS)
            lines = [self.line(desc, hs, 1, round(r.uniform(151, 400), 2), kg)]
        elif kind == "hs_unknown":
            r.choice(lines)["hs_code"] = r.choice(["610999", "999999", "770100",
                                                   "851899"])  # fmt: skip
        elif kind == "restricted":
            desc, hs = r.choice(RESTRICTED)
            lines = [self.line(desc, hs, 1, round(r.uniform(8, 40), 2), 0.3)]
        elif kind == "split":
            for _ in range(r.randint(2, 3)):
                desc, hs, _, _, kg = r.choice(GOODS)
                lines = [self.line(desc, hs, 1, round(r.uniform(80, 140), 2), kg)]
                self.consignment(seller=seller, buyer=buyer, path=path, lines=lines)
                self.write(writer, kind)
            return
        self.consignment(seller=seller, buyer=buyer, path=path, lines=lines)
        self.write(writer, kind)


def write_manifest(directory: Path, count: int, seed: int, bad_rate: float) -> Written:
    rng = random.Random(seed)
    path = directory / f"manifest-eu-{count}.csv"
    gen = Writer(rng, path, count)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        # Every kind at least a few times, then at the bad rate.
        plan = [k for k in KINDS for _ in range(3)]
        while gen.index < count:
            if plan and rng.random() < max(bad_rate, 0.05):
                gen.bad(writer, plan.pop(rng.randrange(len(plan))))
            elif rng.random() < bad_rate:
                gen.bad(writer, rng.choice(KINDS))
            else:
                gen.clean(writer)
    return gen.out


# ---------------------------------------------------------------------------


def query(url: str, manifest_id: int):
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT c.hawb, d.id, d.status, d.customs_duty_eur, d.import_vat_eur,
                      d.fees_eur
               FROM declarations_declaration d
               JOIN shipments_consignment c ON c.id = d.consignment_id
               WHERE d.manifest_id = %s""",
            (manifest_id,),
        ).fetchall()
        null_accepted = conn.execute(
            """SELECT count(*) FROM declarations_declaration WHERE status = 'accepted'
               AND (customs_duty_eur IS NULL OR import_vat_eur IS NULL
                    OR fees_eur IS NULL)"""
        ).fetchone()[0]
        issue_codes = dict(conn.execute(
            """SELECT c.hawb, string_agg(DISTINCT i.code, ',')
               FROM declarations_validationissue i
               JOIN declarations_declaration d ON d.id = i.declaration_id
               JOIN shipments_consignment c ON c.id = d.consignment_id
               WHERE d.manifest_id = %s AND i.severity IN ('error', 'warning')
               GROUP BY c.hawb""",
            (manifest_id,),
        ).fetchall())  # fmt: skip
    return rows, null_accepted, issue_codes


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(written: Written, rows, null_accepted, issue_codes, manifest) -> int:
    by_hawb = {}
    for hawb, _pk, status, duty, vat, fees in rows:
        by_hawb[hawb] = (status, duty, vat, fees)
    stopped = {"rejected", "under_review"}
    misses = 0
    bad_total = sum(len(h) for h in written.kinds.values())
    print(f"\nbench/manifest_eu.py: {len(written.clean) + bad_total:,} consignments, "
          f"{written.rows:,} rows; manifest {manifest['status']}: accepted "
          f"{manifest.get('consignments_accepted')}, rejected "
          f"{manifest.get('consignments_rejected')}, under review "
          f"{manifest.get('consignments_under_review')}")  # fmt: skip
    print("\nSeeded bad consignments (stopped = rejected, under review or refused "
          "rows):")
    all_stopped = True
    for kind in KINDS:
        hawbs = written.kinds.get(kind, [])
        through = [h for h in hawbs if h in by_hawb and by_hawb[h][0] not in stopped]
        all_stopped &= not through
        example = ""
        if through:
            example = f"  e.g. {through[0]}: {by_hawb[through[0]][0]}"
        print(f"  {kind:20} {len(hawbs) - len(through):6,}/{len(hawbs):<6,} stopped "
              f"{verdict(not through)}{example}")  # fmt: skip
    misses += not all_stopped
    clean_ok = [h for h in written.clean if by_hawb.get(h, ("",))[0] == "accepted"]
    share = len(clean_ok) / len(written.clean) if written.clean else 0
    print(f"\nClean consignments accepted: {len(clean_ok):,}/{len(written.clean):,} "
          f"= {share:.2%} (goal >= {GOAL_CLEAN_ACCEPTED:.1%}) "
          f"{verdict(share >= GOAL_CLEAN_ACCEPTED)}")  # fmt: skip
    misses += share < GOAL_CLEAN_ACCEPTED
    why: dict[str, int] = {}
    for hawb in written.clean:
        status = by_hawb.get(hawb, ("no declaration",))[0]
        if status != "accepted":
            key = f"{status}: {issue_codes.get(hawb, '-')}"
            why[key] = why.get(key, 0) + 1
    for key, n in sorted(why.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {n:7,}  {key}")
    wrong: dict[str, int] = {}
    checked = exact = 0
    example = {}
    for hawb in clean_ok:
        status, *got = by_hawb[hawb]
        checked += 1
        got = tuple("None" if v is None else money(v) for v in got)
        want = written.expected[hawb]
        if got == want:
            exact += 1
            continue
        for name, g, w in zip(("duty", "VAT", "fees"), got, want, strict=True):
            if g != w:
                wrong[name] = wrong.get(name, 0) + 1
                example.setdefault(name, f"{hawb}: got {g}, expected {w}")
    print(f"\nAmounts of accepted declarations equal to the independent computation: "
          f"{exact:,}/{checked:,} {verdict(checked and exact == checked)}")  # fmt: skip
    for name in ("duty", "VAT", "fees"):
        print(f"    {name:5} wrong on {wrong.get(name, 0):,}"
              + (f"  e.g. {example[name]}" if name in example else ""))  # fmt: skip
    misses += not (checked and exact == checked)
    print(f"\nAccepted declarations with a null amount (whole database): "
          f"{null_accepted:,} {verdict(null_accepted == 0)}")  # fmt: skip
    misses += null_accepted != 0
    return misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--bad-rate", type=float, default=0.03)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--web", choices=("auto", "gunicorn", "runserver"),
                        default="auto")  # fmt: skip
    parser.add_argument("--settings", default="portal.settings.base")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    admin = os.environ.get("DATABASE_URL") or DEFAULT_ADMIN_URL
    env = bench_env(args.settings)
    name = f"bench_manifest_eu_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bench-manifest-eu-"))
    procs = Processes()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        drop_database(admin, name)
        admin_execute(admin, sql.SQL("CREATE DATABASE {}").format(
            sql.Identifier(name)))  # fmt: skip
        env["DATABASE_URL"] = url = database_url(admin, name)
        env["MEDIA_ROOT"] = str(work / "media")
        key = migrate_seed_and_issue_key(env, "demo-forwarder")
        written = write_manifest(work, args.count, args.seed, args.bad_rate)
        bad = sum(len(h) for h in written.kinds.values())
        log(f"manifest: {len(written.clean):,} clean + {bad:,} bad consignments, "
            f"{written.rows:,} rows")  # fmt: skip
        base, web, worker = start_portal(env, work, procs, tag="eu", web=args.web,
                                         workers=args.workers)  # fmt: skip
        started = time.perf_counter()
        manifest = upload_manifest(base, key, written.path, args.timeout)
        log(f"manifest {manifest['status']} in {time.perf_counter() - started:.0f} s")
        procs.stop_all()
        rows, null_accepted, issue_codes = query(url, manifest["id"])
        code = 1 if report(written, rows, null_accepted, issue_codes, manifest) else 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        code = 130
    except (RuntimeError, OSError, psycopg.Error) as exc:
        log(f"failed: {exc}")
        dump_logs(work)
        code = 2
    finally:
        procs.stop_all()
        if args.keep:
            log(f"kept: database {name}; files in {work}")
        else:
            drop_database(admin, name)
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())

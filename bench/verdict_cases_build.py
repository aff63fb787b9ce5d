"""Write bench/data/verdict_cases.json: the held-out verdict cases.

    .venv/bin/python bench/verdict_cases_build.py

Each case is written from the law (the source is named on the case, with [H]
for an official text and [M] for a secondary source), never from the portal's
code. Amounts come from bench/_expect.py. The JSON is what bench/verdicts.py
runs; this script only keeps the 100-odd cases readable and consistent.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _expect import DESTINATIONS, gtin13, h7_amounts  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "verdict_cases.json"
DAY = date(2026, 11, 30)
MAWB = "172-40000015"

# One realistic consumer per destination: name, street, city, postcode.
BUYERS = {
    "AT": ("Lukas Gruber", "Mariahilfer Straße 45", "Wien", "1060"),
    "BE": ("Anne Dupont", "Rue Saint-Gilles 12", "Liège", "4000"),
    "BG": ("Georgi Ivanov", "ul. Vitosha 15", "Sofia", "1000"),
    "CY": ("Andreas Georgiou", "Makariou Avenue 30", "Nicosia", "1065"),
    "CZ": ("Jan Novák", "Národní 20", "Praha", "11000"),
    "DE": ("Thomas Müller", "Hauptstraße 5", "Berlin", "10115"),
    "DK": ("Mette Nielsen", "Nørrebrogade 12", "København N", "2200"),
    "EE": ("Kadri Tamm", "Narva mnt 7", "Tallinn", "10117"),
    "ES": ("Lucía García", "Calle Mayor 10", "Madrid", "28013"),
    "FI": ("Mikko Korhonen", "Mannerheimintie 10", "Helsinki", "00100"),
    "FR": ("Camille Martin", "12 rue de Rivoli", "Paris", "75001"),
    "GR": ("Eleni Papadopoulou", "Ermou 20", "Athina", "10563"),
    "HR": ("Ivan Horvat", "Ilica 25", "Zagreb", "10000"),
    "HU": ("Péter Nagy", "Váci utca 10", "Budapest", "1052"),
    "IE": ("Siobhán Murphy", "15 Grafton Street", "Dublin", "D02 VF25"),
    "IT": ("Giulia Rossi", "Via Roma 10", "Milano", "20121"),
    "LT": ("Tomas Kazlauskas", "Gedimino pr. 9", "Vilnius", "LT-01103"),
    "LU": ("Claude Schmit", "Grand-Rue 20", "Luxembourg", "L-1660"),
    "LV": ("Anna Bērziņa", "Brīvības iela 50", "Rīga", "LV-1011"),
    "MT": ("Maria Borg", "Republic Street 50", "Valletta", "VLT 1117"),
    "NL": ("Daan de Vries", "Kalverstraat 92", "Amsterdam", "1012 PH"),
    "PL": ("Anna Kowalska", "ul. Marszałkowska 10", "Warszawa", "00-590"),
    "PT": ("João Silva", "Rua Augusta 100", "Lisboa", "1100-053"),
    "RO": ("Andrei Popescu", "Calea Victoriei 25", "București", "010063"),
    "SE": ("Erik Andersson", "Drottninggatan 50", "Stockholm", "111 21"),
    "SI": ("Luka Novak", "Slovenska cesta 30", "Ljubljana", "1000"),
    "SK": ("Peter Horváth", "Obchodná 20", "Bratislava", "81106"),
    "XI": ("Ciaran O'Neill", "12 Royal Avenue", "Belfast", "BT1 1DA"),
}
BE_BUYERS = [
    ("Jan Peeters", "Meir 40", "Antwerpen", "2000"),
    ("Sofie Claes", "Veldstraat 10", "Gent", "9000"),
    ("Marc Lambert", "Rue Neuve 5", "Bruxelles", "1000"),
    ("Nathalie Renard", "Rue de Fer 8", "Namur", "5000"),
    ("Pieter Wouters", "Bondgenotenlaan 22", "Leuven", "3000"),
    ("Elise Dubois", "Boulevard Tirou 30", "Charleroi", "6000"),
    ("Koen Maes", "Steenstraat 14", "Brugge", "8000"),
    ("Julie Lejeune", "Rue Grétry 45", "Liège", "4020"),
]

# description, 6-digit HS 2022 subheading, unit value EUR, net kg
GOODS = {
    "tshirt": ("Men's cotton T-shirt, crew neck", "610910", "12.00", "0.180"),
    "watch": ("Men's quartz wrist watch with steel case", "910211", "40.00", "0.090"),
    "silk": ("Women's silk blouse", "620610", "35.00", "0.150"),
    "wool": ("Women's wool blouse", "620620", "28.00", "0.200"),
    "earphones": ("Wireless earphones with charging case", "851830", "25.00", "0.080"),
    "case": ("Silicone phone case", "392690", "6.00", "0.040"),
    "book": ("Printed paperback novel", "490199", "14.00", "0.350"),
    "picturebook": ("Children's picture book, printed", "490300", "9.00", "0.300"),
    "plush": ("Plush teddy bear soft toy", "950300", "15.00", "0.250"),
    "shoes": ("Men's running shoes with textile upper", "640411", "45.00", "0.700"),
    "lamp": ("LED desk lamp", "940521", "22.00", "0.600"),
    "backpack": ("Polyester backpack", "420292", "19.00", "0.500"),
    "sunglasses": ("Sunglasses with plastic frame", "900410", "11.00", "0.050"),
    "charger": ("USB wall charger 20 W", "850440", "8.00", "0.060"),
    "lipstick": ("Lipstick", "330410", "7.00", "0.020"),
    "margarine": ("Vegetable margarine, 500 g tub", "151710", "4.00", "0.500"),
    "water": ("Mineral water, still, 6 x 0.5 l", "220110", "6.00", "3.000"),
    "softdrink": ("Lemon soft drink, sweetened, 6 cans", "220210", "7.00", "2.000"),
    "wine": ("Red wine, 75 cl bottle", "220421", "18.00", "1.200"),
    "beer": ("Lager beer, 6 x 33 cl bottles", "220300", "12.00", "2.000"),
    "whisky": ("Whisky, 70 cl bottle", "220830", "35.00", "1.100"),
    "cigarettes": ("Cigarettes, carton of 200", "240220", "40.00", "0.250"),
    "perfume": ("Eau de parfum for women, 50 ml", "330300", "30.00", "0.150"),
    "medicine": ("Ibuprofen tablets 400 mg, 100 pieces", "300490", "12.00", "0.100"),
    "seeds": ("Tomato seeds for sowing", "120991", "5.00", "0.020"),
    "bonsai": ("Live bonsai tree in pot", "060290", "30.00", "1.500"),
    "honey": ("Natural honey, 500 g jar", "040900", "9.00", "0.600"),
    "ivory": ("Carved ivory figurine", "960110", "80.00", "0.200"),
    "fireworks": ("Fireworks rockets assortment", "360410", "25.00", "1.000"),
    "hairspray": ("Hairspray in pressurised aerosol can, 300 ml", "330530", "6.00",
                  "0.300"),
    "powerbank": ("Power bank 10000 mAh, lithium-ion", "850760", "18.00", "0.250"),
    "toothbrush": ("Electric toothbrush with built-in lithium-ion battery",
                   "850980", "25.00", "0.200"),
}  # fmt: skip

SELLER_CITIES = [("Shenzhen", "518000"), ("Guangzhou", "510000"),
                 ("Yiwu", "322000"), ("Hangzhou", "310000"), ("Dongguan", "523000"),
                 ("Ningbo", "315000"), ("Xiamen", "361000"), ("Suzhou", "215000")]
SELLER_WORDS = ["Bright", "Lianhua", "Golden", "Everwin", "Sunrise", "Jade",
                "Harmony", "Silverline", "Greenleaf", "Oriental", "Hongda",
                "Tianyu", "Starway", "Bluesky"]  # fmt: skip


class Book:
    def __init__(self) -> None:
        self.cases: list[dict] = []
        self.n = 0

    def seller(self) -> dict:
        city, postcode = SELLER_CITIES[self.n % len(SELLER_CITIES)]
        word = SELLER_WORDS[self.n % len(SELLER_WORDS)]
        return {
            "consignor_name": f"{city} {word} Trading Co., Ltd. {self.n:03d}",
            "consignor_address": f"{100 + self.n} Industrial Road",
            "consignor_city": city,
            "consignor_postcode": postcode,
            "consignor_country": "CN",
        }

    def items(self, goods, *, ids=True) -> list[dict]:
        out = []
        for spec in goods:
            key, qty, value = (spec + (None, None))[:3] if isinstance(spec, tuple) \
                else (spec, None, None)  # fmt: skip
            desc, hs, unit, net = GOODS[key]
            qty = qty or 1
            value = value or f"{float(unit) * qty:.2f}"
            item = {"description": desc, "hs_code": hs, "origin_country": "CN",
                    "quantity": qty, "item_value": value,
                    "net_mass_kg": f"{float(net) * qty:.3f}"}  # fmt: skip
            if ids:
                item["product_id"] = f"SKU-{hs[:4]}-{self.n:03d}{len(out)}"
                item["manufacturer_product_id"] = gtin13(self.n * 10 + len(out))
            out.append(item)
        return out

    def h7(self, cid, category, description, source, official, *, goods,
           country="DE", vat_path="IOSS", status="accepted", day=DAY,
           transport="0.00", insurance="0.00", buyer=None, ids=True,
           amounts=True, manifest=True, overrides=None, items=None,
           manifest_status=None, mawb=MAWB, org=None) -> dict:  # fmt: skip
        self.n += 1
        name, street, city, postcode = buyer or BUYERS[country]
        items = items or self.items(goods, ids=ids)
        data = {
            "type": "H7", "mawb": mawb, "hawb": f"HV{self.n:04d}",
            "flight_number": "CK251", "departure_airport": "CGO",
            "arrival_airport": "LGG", "arrival_date": day.isoformat(),
            **self.seller(),
            "consignee_name": name, "consignee_address": street,
            "consignee_city": city, "consignee_postcode": postcode,
            "consignee_country": country, "vat_path": vat_path,
            "ioss_number": "IM0560000012" if vat_path == "IOSS" else "",
            "currency": "EUR", "transport_cost": transport,
            "insurance_cost": insurance,
            "gross_mass_kg": f"{sum(float(i['net_mass_kg']) for i in items) + 0.1:.3f}",
            "packages": 1, "items": items,
        }  # fmt: skip
        data.update(overrides or {})
        expected = {"status": status}
        if amounts and status != "rejected":
            pairs = [(i["hs_code"], i["item_value"]) for i in data["items"]]
            duty, vat, fees = h7_amounts(
                pairs, vat_path=data["vat_path"], on=date.fromisoformat(
                    data["arrival_date"]), transport=transport, insurance=insurance)
            expected.update(customs_duty_eur=duty, import_vat_eur=vat,
                            fees_eur=fees)  # fmt: skip
        return self.add(cid, category, description, source, official, data,
                        expected, manifest=manifest, manifest_status=manifest_status,
                        org=org)  # fmt: skip

    def add(self, cid, category, description, source, official, data, expected,
            *, manifest=False, manifest_status=None, org=None, info=False) -> dict:
        case = {
            "id": cid, "category": category, "description": description,
            "source": source, "official": official,
            "confidence": "H" if official else "M", "input": data,
            "expected": expected,
            "paths": ["api", "manifest"] if manifest else ["api"],
        }  # fmt: skip
        if manifest_status:
            case["expected_manifest_status"] = manifest_status
        if org:
            case["organisation_eori"] = org
        if info:
            case["expect_info_issue"] = True
        self.cases.append(case)
        return case


IOSS_SRC = ("VAT Directive 2006/112/EC Art. 143(1)(ca) (IOSS import exempt); "
            "Implementing Reg. 2015/2447 Art. 221(4) (IOSS may be declared in any "
            "member state); Council Reg. (EU) 2026/382 (EUR 3 per subheading)")
WHERE_SRC = ("Implementing Reg. 2015/2447 Art. 221(4); VAT Directive Art. 369y "
             "(special arrangements only where transport ends in the member state "
             "of import); Commission guidance on low-value consignments")  # fmt: skip
BE_VAT_SRC = ("VAT Directive Art. 60-61, 85-86 (Belgian VAT on customs value + "
              "duty + transport); Belgian VAT Code art. 37, Royal Decree No. 20 "
              "(21 %); Council Reg. (EU) 2026/382")  # fmt: skip
RATE_SRC = ("Royal Decree No. 20 tables A/B via becompliant.tax, thevatman.eu, "
            "marosavat.com (Belgian reduced rates)")  # fmt: skip
DUTY_SRC = ("Council Reg. (EU) 2026/382: EUR 3 per distinct tariff subheading; the "
            "Council's example: a silk blouse and two wool blouses = EUR 6")
EXCISE_SRC = ("Council Reg. 1186/2009 Art. 23-24 (no low-value relief); "
              "DA 2015/2446 Art. 143a")
IOSS_EXCISE_SRC = "VAT Directive Art. 369l(1)(a) (excise goods excluded from IOSS)"
RESTRICTED_SRC = ("DA 2015/2446 Art. 143a (no H7 for prohibited/restricted goods); "
                  "domain.md restricted goods list")  # fmt: skip
TERR_SRC = "VAT Directive Art. 6; UCC (Reg. 952/2013) Art. 4 (customs territory)"
ICS2_SRC = ("European Commission ICS2 guidance: list of unacceptable goods "
            "descriptions; placeholder party names")  # fmt: skip
PID_SRC = "Delegated Regulation (EU) 2026/1022 (product identifiers from 1 Nov 2026)"
EORI_SRC = "UCC Art. 9; DA 2015/2446 Art. 6-7; EORI issued by a member state or XI"
EXPORT_SRC = "Council Reg. 833/2014 Art. 3h and Annex XVIII (luxury goods > EUR 300)"
LV_SRC = "Council Reg. 1186/2009 Art. 23; DA 2015/2446 Art. 1(48), Art. 143a"


def build() -> list[dict]:
    b = Book()
    goods_cycle = ["tshirt", "earphones", "case", "plush", "lamp", "backpack",
                   "sunglasses", "charger", "shoes", "lipstick", "watch", "book"]
    # 1. IOSS to every member state and XI: accepted, EUR 3 per subheading, no VAT.
    for i, country in enumerate(DESTINATIONS):
        first = goods_cycle[i % len(goods_cycle)]
        goods = [first] if i % 3 else [first, goods_cycle[(i + 5) % len(goods_cycle)]]
        b.h7(f"ioss-{country}", "destination-ioss",
             f"IOSS parcel for a consumer in {country}: accepted at LGG, duty EUR 3 "
             f"x {len(set(goods))}, no import VAT, no national fee of {country}",
             IOSS_SRC, True, goods=goods, country=country,
             transport="2.50" if i % 2 else "0.00")  # fmt: skip
    # 2. SPECIAL / STANDARD for every other destination: stopped.
    for i, country in enumerate(c for c in DESTINATIONS if c != "BE"):
        path = "SPECIAL" if i % 2 else "STANDARD"
        b.h7(f"{path.lower()}-{country}", "destination-non-ioss",
             f"{path} path for a consumer in {country}: may only be released in "
             f"{country} (where transport ends); use IOSS or declare it there",
             WHERE_SRC, True, goods=["tshirt"], country=country, vat_path=path,
             status="rejected")  # fmt: skip
    # 3. Belgian consignee on STANDARD / SPECIAL: Belgian VAT.
    be = iter(BE_BUYERS)
    b.h7("be-standard-worked-example", "worked-example",
         "domain.md worked example: T-shirt 20 + watch 40, transport 5, STANDARD: "
         "duty 6.00, VAT 21 % x 71 = 14.91", BE_VAT_SRC, True,
         items=None, goods=[("tshirt", 1, "20.00"), ("watch", 1, "40.00")],
         country="BE", vat_path="STANDARD", transport="5.00", buyer=next(be))
    b.h7("ioss-worked-example", "worked-example",
         "domain.md worked example on IOSS: duty 6.00, no import VAT", IOSS_SRC, True,
         goods=[("tshirt", 1, "20.00"), ("watch", 1, "40.00")], country="BE",
         transport="5.00", buyer=next(be))  # fmt: skip
    b.h7("be-special-tshirt", "be-vat", "SPECIAL path, Belgian consignee: Belgian "
         "standard rate 21 % on value + duty + transport", BE_VAT_SRC, True,
         goods=[("tshirt", 2, "24.00")], country="BE", vat_path="SPECIAL",
         transport="3.10", buyer=next(be))  # fmt: skip
    b.h7("be-standard-insurance", "be-vat", "STANDARD, Belgian consignee: insurance "
         "is in the VAT base: 21 % x (40 + 3 + 4 + 1) = 10.08", BE_VAT_SRC, True,
         goods=[("shoes", 1, "40.00")], country="BE", vat_path="STANDARD",
         transport="4.00", insurance="1.00", buyer=next(be))  # fmt: skip
    b.h7("be-rounding-half-up", "rounding", "21 % x (9.50 + 3) = 2.625 -> 2.63 "
         "(half up, not half even)", BE_VAT_SRC, True,
         goods=[("case", 1, "9.50")], country="BE", vat_path="STANDARD",
         buyer=next(be))  # fmt: skip
    b.h7("be-rounding-cents", "rounding", "21 % x (19.99 + 3 + 2.37) = 5.3256 -> "
         "5.33", BE_VAT_SRC, True, goods=[("tshirt", 1, "19.99")], country="BE",
         vat_path="STANDARD", transport="2.37", buyer=next(be))  # fmt: skip
    b.h7("be-rate-book-6", "be-reduced-rate", "Printed book, STANDARD, Belgian "
         "consignee: 6 % x (14 + 3 + 2) = 1.14", RATE_SRC, False,
         goods=["book"], country="BE", vat_path="STANDARD", transport="2.00",
         buyer=next(be))  # fmt: skip
    b.h7("be-rate-picturebook-6", "be-reduced-rate", "Two children's picture "
         "books (one subheading): 6 % x (18 + 3)", RATE_SRC, False,
         goods=[("picturebook", 2, None)], country="BE", vat_path="STANDARD",
         buyer=next(be))  # fmt: skip
    b.h7("be-rate-margarine-12", "be-reduced-rate", "Margarine, STANDARD, Belgian "
         "consignee: 12 %", RATE_SRC, False, goods=[("margarine", 3, None)],
         country="BE", vat_path="STANDARD", transport="1.50",
         buyer=("Hugo Jacobs", "Kerkstraat 3", "Mechelen", "2800"))  # fmt: skip
    b.h7("be-rate-water-6", "be-reduced-rate", "Still mineral water (not an excise "
         "good), STANDARD, Belgian consignee: 6 %", RATE_SRC, False,
         goods=["water"], country="BE", vat_path="STANDARD", transport="4.00",
         buyer=("Lotte Willems", "Grote Markt 7", "Hasselt", "3500"))  # fmt: skip
    b.h7("be-special-book-21", "be-reduced-rate", "Book on the SPECIAL path: "
         "Belgium applies its standard rate 21 % under special arrangements",
         "VAT Directive Art. 369zb; Belgian option (domain.md [M])", False,
         goods=["book"], country="BE", vat_path="SPECIAL",
         buyer=("Bram Smets", "Lange Nieuwstraat 9", "Antwerpen", "2000"))  # fmt: skip
    # 4. EUR 3 per distinct subheading.
    b.h7("duty-five-tshirts", "duty-per-subheading", "Five T-shirts, one line: "
         "one subheading = EUR 3", DUTY_SRC, True, goods=[("tshirt", 5, "60.00")])
    b.h7("duty-tshirt-watch", "duty-per-subheading", "T-shirt and watch: two "
         "subheadings = EUR 6", DUTY_SRC, True, goods=["tshirt", "watch"],
         country="FR")  # fmt: skip
    b.h7("duty-council-blouses", "duty-per-subheading", "Council's example: a silk "
         "blouse and two wool blouses = EUR 6", DUTY_SRC, True,
         goods=["silk", ("wool", 2, None)], country="IT")  # fmt: skip
    b.h7("duty-same-subheading-two-lines", "duty-per-subheading", "Two T-shirt "
         "lines (colours), one subheading = EUR 3", DUTY_SRC, True,
         goods=["tshirt", ("tshirt", 2, "22.00")], country="NL")  # fmt: skip
    b.h7("duty-three-subheadings-standard-be", "duty-per-subheading", "Three "
         "subheadings on STANDARD, Belgian consignee: duty 9 in the VAT base",
         BE_VAT_SRC, True, goods=["case", "charger", "sunglasses"], country="BE",
         vat_path="STANDARD", transport="3.00",
         buyer=("Tom Hermans", "Diestsestraat 50", "Leuven", "3000"))  # fmt: skip
    # 5. Excise and relief exclusions.
    for key, cid in [("wine", "h7-wine"), ("beer", "h7-beer"),
                     ("whisky", "h7-spirits"), ("cigarettes", "h7-tobacco"),
                     ("perfume", "h7-perfume")]:  # fmt: skip
        b.h7(cid, "excise-h7", f"{GOODS[key][0]} on H7 (STANDARD, Belgian "
             "consignee): excluded from the low-value relief, needs an H1",
             EXCISE_SRC, True, goods=[key], country="BE", vat_path="STANDARD",
             status="rejected", buyer=("Luc Mertens", "Stationsstraat 2",
                                       "Aalst", "9300"))  # fmt: skip
    b.h7("ioss-wine", "excise-ioss", "Wine on IOSS for a German consumer: excise "
         "goods may not use IOSS", IOSS_EXCISE_SRC, True, goods=["wine"],
         status="rejected", country="DE",
         buyer=("Sabine Weber", "Lindenallee 4", "Köln", "50668"))  # fmt: skip
    b.h7("ioss-water", "excise-not", "Mineral water on IOSS: not an excise good",
         "Directive (EU) 2020/262 (excise goods: energy, alcohol, tobacco); "
         "Council Directive 92/83/EEC (alcohol)", True, goods=["water"],
         country="DE", buyer=("Jonas Becker", "Bahnhofstraße 8", "Hamburg",
                              "20095"))  # fmt: skip
    b.h7("ioss-softdrink", "excise-not", "Sweetened soft drink on IOSS: not an "
         "excise good", "Directive (EU) 2020/262; Council Directive 92/83/EEC",
         True, goods=["softdrink"], country="FR",
         buyer=("Hugo Lefebvre", "8 rue Nationale", "Lille", "59000"))  # fmt: skip
    b.h7("ioss-lipstick", "excise-not", "Lipstick (3304, not a perfume of 3303) on "
         "IOSS: H7 is fine", EXCISE_SRC, True, goods=["lipstick"], country="PL",
         buyer=("Katarzyna Nowak", "ul. Floriańska 3", "Kraków", "31-019"))  # fmt: skip
    # 6. Restricted goods: to an officer.
    restricted = [
        ("medicine", "restricted-medicine", "Medicines (3004): Directive 2001/83/EC "
         "Art. 85c; DA 2015/2446 Art. 143a"),
        ("seeds", "restricted-seeds", "Seeds for sowing: Regulation (EU) 2016/2031 "
         "Art. 72-73, Implementing Reg. 2019/2072 Annex XI"),
        ("bonsai", "restricted-plants", "Plants for planting: Regulation (EU) "
         "2016/2031; Implementing Reg. 2019/2072"),
        ("honey", "restricted-animal", "Products of animal origin: Regulation (EU) "
         "2017/625 Art. 47; Commission Reg. 2019/2122"),
        ("ivory", "restricted-cites", "CITES: Council Regulation (EC) 338/97"),
        ("fireworks", "restricted-fireworks", "Pyrotechnic articles by air: ICAO "
         "Technical Instructions, Directive 2013/29/EU"),
        ("hairspray", "restricted-aerosol", "Pressurised aerosols by air (UN 1950): "
         "ICAO Technical Instructions"),
        ("powerbank", "restricted-battery", "Lithium batteries by air (UN 3480): "
         "ICAO Technical Instructions"),
        ("toothbrush", "restricted-battery-equipment", "Lithium batteries inside "
         "equipment (UN 3481): ICAO Technical Instructions"),
    ]
    names = ["Felix Wagner", "Léa Bernard", "Sanne Bakker", "Anna Huber",
             "Marco Bianchi", "Pablo Fernández", "Piotr Wiśniewski",
             "Karin Lindqvist", "Aoife Byrne"]  # fmt: skip
    for i, (key, cid, src) in enumerate(restricted):
        country = ["DE", "FR", "NL", "AT", "IT", "ES", "PL", "SE", "IE"][i]
        case = b.h7(cid, "restricted", f"{GOODS[key][0]} on IOSS: restricted "
                    "goods go to an officer (a rejection asking for an H1 is also "
                    "right: Art. 143a bars H7)", f"{src}; domain.md [M]", False,
                    goods=[key], country=country, status="under_review",
                    buyer=(names[i], f"{BUYERS[country][1]}, {i + 2}",
                           BUYERS[country][2], BUYERS[country][3]))  # fmt: skip
        case["also_right"] = ["rejected"]
    # 7. Territories.
    territories = [
        ("terr-canary", "ES", "Ana Pérez", "Calle Triana 40", "Las Palmas de Gran "
         "Canaria", "35002", "Canary Islands: customs territory, outside the VAT "
         "area; IOSS impossible"),
        ("terr-ceuta", "ES", "Mohamed Ahmed", "Calle Real 12", "Ceuta", "51001",
         "Ceuta: outside the EU customs territory"),
        ("terr-aland", "FI", "Johan Eriksson", "Torggatan 10", "Mariehamn", "22100",
         "Åland: outside the VAT area"),
        ("terr-athos", "GR", "Nikolaos Dimitriou", "Odos Protatou 3", "Karyes", "63086",
         "Mount Athos: outside the VAT area"),
        ("terr-heligoland", "DE", "Hauke Petersen", "Lung Wai 12", "Helgoland",
         "27498", "Heligoland: outside the customs territory"),
        ("terr-busingen", "DE", "Stefan Keller", "Junkerstraße 3", "Büsingen am "
         "Hochrhein", "78266", "Büsingen: outside the customs territory"),
        ("terr-reunion", "FR", "Marie Payet", "12 rue de Paris", "Saint-Denis",
         "97400", "Réunion (French overseas department): outside the VAT area"),
        ("terr-livigno", "IT", "Paolo Bormolini", "Via Ostaria 20", "Livigno",
         "23041", "Livigno: outside the customs territory"),
        ("terr-campione", "IT", "Elena Ferrari", "Piazza Roma 1", "Campione "
         "d'Italia", "22061", "Campione d'Italia: outside the VAT area"),
    ]  # fmt: skip
    for cid, country, name, street, city, postcode, why in territories:
        b.h7(cid, "territory", f"IOSS parcel to {why}: stopped", TERR_SRC, True,
             goods=["tshirt"], country=country, status="rejected",
             buyer=(name, street, city, postcode))  # fmt: skip
    b.h7("gb-consignee", "territory", "Consignee in Great Britain: not an EU "
         "import at all", "UCC Art. 4; Withdrawal Agreement", True,
         goods=["tshirt"], country="GB", status="rejected",
         buyer=("Oliver Smith", "10 High Street", "London", "SW1A 1AA"))  # fmt: skip
    # 8. ICS2 descriptions and placeholder names.
    for text in ("Toys", "Footwear", "As per invoice", "Parts", "Gift"):
        item = b.items(["plush"])[0]
        item["description"] = text
        b.h7(f"ics2-{text.lower().replace(' ', '-')}", "ics2-description",
             f'Goods description "{text}" alone is on the Commission\'s list of '
             "unacceptable descriptions", ICS2_SRC, False, goods=[],
             items=[item], country="NL", status="rejected",
             buyer=("Ruben Jansen", f"Oudegracht {len(text)}", "Utrecht",
                    "3511 AZ"))  # fmt: skip
    for text in ("N/A", "Unknown", "TBA"):
        b.h7(f"placeholder-{text.lower().replace('/', '')}", "ics2-placeholder",
             f'Consignee name "{text}" is a placeholder, not a party', ICS2_SRC,
             False, goods=["tshirt"], country="FR", status="rejected",
             buyer=(text, "4 place Bellecour", "Lyon", "69002"))  # fmt: skip
    b.h7("ics2-specific-ok", "ics2-description", "A specific description "
         "(plush teddy bear soft toy) passes", ICS2_SRC, False, goods=["plush"],
         country="BE", buyer=("Wim Goossens", "Korenmarkt 1", "Gent", "9000"))
    # 9. Product identifiers.
    item = b.items(["earphones"])[0]
    del item["manufacturer_product_id"]
    b.h7("pid-missing-manufacturer", "product-id", "No manufacturer product "
         "identifier after 1 Nov 2026: error on the item", PID_SRC, False,
         goods=[], items=[item], status="rejected", country="DE",
         buyer=("Laura Schulz", "Königstraße 20", "Stuttgart", "70173"))  # fmt: skip
    item = b.items(["backpack"])[0]
    del item["product_id"]
    b.h7("pid-missing-merchant", "product-id", "No merchant product identifier "
         "after 1 Nov 2026: error on the item", PID_SRC, False, goods=[],
         items=[item], status="rejected", country="AT",
         buyer=("Julia Steiner", "Herrengasse 6", "Graz", "8010"))  # fmt: skip
    b.h7("pid-before-date", "product-id", "No identifiers on 20 Oct 2026, before "
         "the identifiers are required: accepted (duty EUR 3 already due)",
         PID_SRC, False, goods=["lamp"], ids=False, day=date(2026, 10, 20),
         mawb="172-40000030", country="BE",
         buyer=("Inge Vermeulen", "Markt 12", "Brugge", "8000"))  # fmt: skip
    # 10. Dates before 1 July 2026: no EUR 3 duty.
    b.h7("date-before-july-ioss", "dates", "IOSS parcel of 25 Jun 2026: before "
         "the EUR 3 duty: duty 0, no import VAT", LV_SRC + "; Council Reg. (EU) "
         "2026/382 (from 1 Jul 2026)", True, goods=["tshirt", "watch"], ids=False,
         day=date(2026, 6, 25), mawb="172-40000026", country="DE",
         buyer=("Moritz Braun", "Marktplatz 1", "Leipzig", "04109"))  # fmt: skip
    b.h7("date-before-july-standard-be", "dates", "STANDARD, Belgian consignee, "
         "25 Jun 2026: no duty, VAT 21 % x (30 + 2)", BE_VAT_SRC, True,
         goods=[("shoes", 1, "30.00")], ids=False, day=date(2026, 6, 25),
         mawb="172-40000026", country="BE", vat_path="STANDARD", transport="2.00",
         buyer=("Eva Martens", "Kouter 3", "Gent", "9000"))  # fmt: skip
    # 11. Value limits and nomenclature.
    b.h7("value-150-exact", "value-limit", "Intrinsic value exactly EUR 150: "
         "still H7", LV_SRC, True, goods=[("shoes", 2, "150.00")], country="SE",
         buyer=("Oskar Nilsson", "Kungsgatan 8", "Göteborg", "411 19"))  # fmt: skip
    b.h7("value-150-01", "value-limit", "Intrinsic value EUR 150.01: not H7, "
         "needs an H1", LV_SRC, True, goods=[("shoes", 2, "150.01")],
         country="DK", status="rejected",
         buyer=("Rasmus Jensen", "Strøget 20", "København K", "1160"))  # fmt: skip
    b.h7("value-transport-excluded", "value-limit", "Goods EUR 145 + transport EUR "
         "10: the intrinsic value excludes transport, H7 is fine", LV_SRC, True,
         goods=[("watch", 1, "145.00")], transport="10.00", country="CZ",
         buyer=("Tereza Dvořáková", "Masarykova 15", "Brno", "60200"))  # fmt: skip
    item = b.items(["tshirt"])[0]
    item["hs_code"] = "610999"
    b.h7("hs-not-in-nomenclature", "nomenclature", "610999 has the right shape but "
         "is not an HS 2022 subheading", "HS 2022 nomenclature (WCO); DA 2015/2446 "
         "Annex B", True, goods=[], items=[item], country="PT", status="rejected",
         buyer=("Inês Costa", "Rua de Santa Catarina 50", "Porto", "4000-447"))
    # 12. Common names, and a real split (one seller, one buyer, one day, > 150).
    for i in range(2):
        b.h7(f"common-name-{i + 1}", "split", "Two parcels for two different "
             "'Maria Garcia' from two sellers, EUR 100 each: no split",
             "Splitting is about one seller and one buyer over EUR 150 "
             "(Council Reg. 1186/2009 Art. 23; domain.md [M])", False,
             goods=[("shoes", 1, "100.00")], country="ES",
             buyer=("Maria Garcia", ["Calle Alcalá 50", "Avenida Diagonal 300"][i],
                    ["Madrid", "Barcelona"][i], ["28014", "08013"][i]))  # fmt: skip
    split_seller = None
    for i in range(2):
        case = b.h7(f"split-{i + 1}", "split", "One seller, one buyer, one day, "
                    "EUR 80 + EUR 80 in two parcels: together over EUR 150, to an "
                    "officer (the first is alone when filed by API)",
                    "Council Reg. 1186/2009 Art. 23 (split consignments); "
                    "domain.md [M]", False, goods=[("watch", 1, "80.00")],
                    country="LU", status="accepted" if i == 0 else "under_review",
                    manifest_status="under_review",
                    buyer=("Paul Weber", "Avenue de la Gare 10", "Esch-sur-Alzette",
                           "L-4131"))  # fmt: skip
        if split_seller is None:
            split_seller = {k: v for k, v in case["input"].items()
                            if k.startswith("consignor_")}  # fmt: skip
        case["input"].update(split_seller)
    # 13. EORI of the declarant (filed by an organisation with that EORI).
    eoris = [
        ("BE0403170701", "accepted", "Belgian EORI with correct check digits", True),
        ("DE4711123456789", "accepted", "German EORI", False),
        ("FR73282932000074", "accepted", "French EORI (SIRET, Luhn-valid)", False),
        ("XI980780684000", "accepted", "Northern Ireland XI EORI", False),
        ("GB980780684000", "rejected", "GB EORI: not issued in the EU", False),
        ("CN1234567890123", "rejected", "Chinese number: not an EU EORI", False),
        ("US123456789", "rejected", "US number: not an EU EORI", False),
        ("BE0403170702", "rejected", "Belgian EORI with wrong check digits", True),
    ]
    for eori, status, what, official in eoris:
        b.h7(f"eori-{eori[:2].lower()}-{status}", "eori", f"Declarant with {what}: "
             f"{status}", EORI_SRC + ("; BE check: 97 - (n mod 97)" if official
                                      else ""), official,
             goods=["sunglasses"], country="DE", status=status, manifest=False,
             org=eori, buyer=("Nina Hoffmann", f"Goethestraße {len(b.cases)}",
                              "Frankfurt am Main", "60313"))  # fmt: skip
    # 14. H1.
    laptop = {"description": "Laptop computer 14 inch", "hs_code": "8471300000",
              "origin_country": "CN", "quantity": 1, "item_value": "600.00",
              "net_mass_kg": "1.400", "product_id": "SKU-LAPTOP-14",
              "manufacturer_product_id": gtin13(999001)}  # fmt: skip
    b.h7("h1-laptop-be", "h1", "H1 for a EUR 600 laptop, Belgian consignee on "
         "STANDARD: accepted (amounts of an H1 are not checked: indicative)",
         "UCC Art. 162; DA 2015/2446 Annex B (H1)", True, goods=[], items=[laptop],
         country="BE", vat_path="STANDARD", amounts=False, manifest=False,
         overrides={"type": "H1"},
         buyer=("Sarah Claeys", "Avenue Louise 100", "Bruxelles", "1050"))  # fmt: skip
    # 15. Export.
    exporter = {"consignor_name": "Atelier Lemaire SRL",
                "consignor_address": "Rue de la Station 5", "consignor_city": "Liège",
                "consignor_postcode": "4000", "consignor_country": "BE"}  # fmt: skip
    exports = [
        ("ex-ru-perfume-350", "RU", "33030010", "Eau de parfum, 100 ml", 1, "350.00",
         "rejected", EXPORT_SRC, True, "Perfume at EUR 350 per unit to Russia: "
         "luxury good over EUR 300"),
        ("ex-ru-perfume-90", "RU", "33030010", "Eau de parfum, 50 ml", 1, "90.00",
         "accepted", EXPORT_SRC, True, "Perfume at EUR 90 per unit to Russia: under "
         "the Annex XVIII threshold"),
        ("ex-ru-handbag-600", "RU", "42022100", "Leather handbag", 1, "600.00",
         "rejected", EXPORT_SRC, True, "Leather handbag at EUR 600 to Russia: "
         "luxury good"),
        ("ex-ru-processor", "RU", "85423190", "Microprocessor units", 10, "200.00",
         "rejected", "Council Reg. 833/2014 Art. 2a, Annex VII / common high "
         "priority items (secondary listing)", False, "Processors to Russia: "
         "banned advanced technology"),
        ("ex-cn-laptop", "CN", "84713000", "Laptop computer 14 inch", 1, "900.00",
         "accepted", "No EU ban; China's cross-border e-commerce limits are advice "
         "(MOF announcement 2018 No. 49)", True, "Laptop of EUR 900 (over CNY "
         "5,000) to China: accepted, with advice"),
        ("ex-us-tshirts", "US", "61091000", "Men's cotton T-shirts", 5, "75.00",
         "accepted", "UCC Art. 269 (export)", True, "T-shirts to the US: accepted"),
    ]  # fmt: skip
    places = {"RU": ("Ivan Petrov", "Tverskaya ul. 10", "Moskva", "125009", "SVO",
                     "172-40000041"),
              "CN": ("Li Wei", "88 Nanjing Road", "Shanghai", "200001", "PVG",
                     "172-40000052"),
              "US": ("John Miller", "350 Fifth Avenue", "New York", "10118", "JFK",
                     "172-40000063")}  # fmt: skip
    for cid, country, hs, desc, qty, value, status, src, official, what in exports:
        b.n += 1
        name, street, city, postcode, airport, mawb = places[country]
        data = {
            "type": "EX", "mawb": mawb, "hawb": f"HV{b.n:04d}",
            "flight_number": "CK252", "departure_airport": "LGG",
            "arrival_airport": airport, "arrival_date": DAY.isoformat(),
            **exporter, "consignee_name": name, "consignee_address": street,
            "consignee_city": city, "consignee_postcode": postcode,
            "consignee_country": country, "currency": "EUR",
            "transport_cost": "0.00", "insurance_cost": "0.00",
            "gross_mass_kg": "2.000", "packages": 1,
            "items": [{"description": desc, "hs_code": hs, "origin_country": "BE",
                       "quantity": qty, "item_value": value, "net_mass_kg": "1.000",
                       "product_id": f"SKU-EX-{b.n}",
                       "manufacturer_product_id": gtin13(b.n * 10)}],
        }  # fmt: skip
        expected = {"status": status}
        if status == "accepted":
            expected.update(customs_duty_eur="0.00", import_vat_eur="0.00",
                            fees_eur="0.00")  # fmt: skip
        b.add(cid, "export", what, src, official, data, expected,
              info=country == "CN")  # fmt: skip
    for cid, country, city in [("ex-exporter-gb", "GB", "London"),
                               ("ex-exporter-cn", "CN", "Shenzhen")]:  # fmt: skip
        b.n += 1
        data = json.loads(json.dumps(b.cases[-1]["input"]))
        data.update(hawb=f"HV{b.n:04d}", consignor_name=f"{city} Export Ltd",
                    consignor_address="1 Dock Road", consignor_city=city,
                    consignor_postcode="E16 1AA" if country == "GB" else "518000",
                    consignor_country=country)  # fmt: skip
        b.add(cid, "export", f"Exporter established in {country}, not in the EU "
              "customs territory: refused", "DA 2015/2446 Art. 1(19) (exporter: "
              "established in the customs territory)", True, data,
              {"status": "rejected"})  # fmt: skip
    return b.cases


def main() -> None:
    cases = build()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    OUT.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n",
                   encoding="utf-8")  # fmt: skip
    by_category: dict[str, int] = {}
    for case in cases:
        by_category[case["category"]] = by_category.get(case["category"], 0) + 1
    print(f"{len(cases)} cases -> {OUT}")
    for name, count in sorted(by_category.items()):
        print(f"  {name:24} {count}")


if __name__ == "__main__":
    main()

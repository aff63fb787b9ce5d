"""The development set of sanctions screening: one row per evasion treatment of
issue 11, and unlisted names from many cultures and scripts.

This is the set the matcher was tuned on (an evaluation set must be built by
someone else). Run from the project root, no database needed:

    .venv/bin/python bench/screening_dev.py              # evaluate and time
    .venv/bin/python bench/screening_dev.py --rebuild    # rewrite the set
    .venv/bin/python bench/screening_dev.py --matcher /tmp/old_screening.py

`--matcher` evaluates another version of reference/screening.py (e.g. the one
on main, `git show main:reference/screening.py > /tmp/old_screening.py`), for a
before/after comparison on the same rows.
"""

import argparse
import csv
import importlib.util
import random
import re
import time
from collections import defaultdict
from pathlib import Path

from screening import ROOT, ofac_names  # bench/screening.py

from reference.sanctions import sanctions_parse_eu_xml  # noqa: I001

DEV_CSV = Path(__file__).resolve().parent / "data" / "screening_dev.csv"
EU_SAMPLE = ROOT / "tests" / "reference" / "data" / "eu-fsf-sample.xml"
FIELDS = ("name", "expected", "source", "external_id", "treatment")
PER_TREATMENT = 60
NEGATIVES_PER_LOCALE = 130
# Faker locales: Latin, Cyrillic, Arabic, Persian, Devanagari, Chinese,
# Japanese, Korean, Thai, Greek, Hebrew, Bengali scripts.
LOCALES = [
    "zh_CN", "ar_AA", "ru_RU", "hi_IN", "fa_IR", "uk_UA", "ja_JP", "ko_KR",
    "tr_TR", "vi_VN", "en_US", "de_DE", "es_ES", "fr_FR", "pl_PL", "pt_BR",
    "it_IT", "id_ID", "el_GR", "bn_BD",
]  # fmt: skip
LEGAL_SWAPS = [
    (r"^JOINT STOCK COMPANY ", ["AO ", "JSC ", "ZAO ", "PAO ", "OAO "]),
    (r"^PUBLIC JOINT STOCK COMPANY ", ["PAO ", "PJSC "]),
    (r"^OPEN JOINT STOCK COMPANY ", ["OAO ", "OJSC "]),
    (r"^CLOSED JOINT STOCK COMPANY ", ["ZAO ", "CJSC "]),
    (r"^LIMITED LIABILITY COMPANY ", ["OOO ", "LLC "]),
    (r"\bLIMITED LIABILITY COMPANY$", ["LLC", "OOO"]),
    (r"\bCO\.?,? LTD\.?$", ["Company Limited", "Co Ltd", "Limited"]),
    (r"\bCOMPANY LIMITED$", ["Co., Ltd.", "Co. Ltd"]),
    (r"\bLIMITED$", ["Ltd.", "Ltd"]),
    (r"\bLTD\.?$", ["Limited"]),
    (r"\bGMBH$", ["G.m.b.H.", "Gesellschaft mit beschrankter Haftung"]),
    (r"\bS\.A\.$", ["Sociedad Anonima", "SA"]),
]
SPACES = ["\u00a0", "\u202f", "\u2007", "\u3000", "\u2009"]
DASHES = ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
ACCENTED = {"A": "Á", "E": "É", "I": "Í", "O": "Ö", "U": "Ü", "C": "Ç", "N": "Ñ"}
VOWELS = "AEIOU"


def _display(name: str) -> str:
    """OFAC's "SURNAME, Given Names" as a person writes it: Given Names Surname."""
    if "," in name:
        surname, given = name.split(",", 1)
        return f"{given.strip()} {surname.strip()}"
    return name


def _long_word(rng: random.Random, name: str, minimum: int = 7) -> int | None:
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= minimum and w.isalpha()]
    return rng.choice(long) if long else None


def _change_word(rng: random.Random, name: str, change, minimum: int = 7):
    words = name.split()
    i = _long_word(rng, name, minimum)
    if i is None:
        return None
    changed = change(words[i].upper())
    if changed is None:
        return None
    words[i] = changed
    return " ".join(words)


def _swap(rng):
    def change(w):
        i = rng.randrange(1, len(w) - 2)
        if w[i] == w[i + 1]:
            return None
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]

    return change


def _double(rng):
    return lambda w: (lambda i: w[:i] + w[i] + w[i:])(rng.randrange(1, len(w) - 1))


def _drop(rng):
    return lambda w: (lambda i: w[:i] + w[i + 1 :])(rng.randrange(1, len(w) - 1))


def _vowel(rng):
    def change(w):
        spots = [i for i in range(1, len(w) - 1) if w[i] in VOWELS]
        if not spots:
            return None
        i = rng.choice(spots)
        return w[:i] + rng.choice(VOWELS.replace(w[i], "")) + w[i + 1 :]

    return change


def _non_ascii_removed(rng):
    def change(w):
        spots = [i for i, c in enumerate(w) if c in ACCENTED and 0 < i < len(w) - 1]
        if not spots:
            return None
        i = rng.choice(spots)
        accented = w[:i] + ACCENTED[w[i]] + w[i + 1 :]
        return accented.encode("ascii", "ignore").decode()

    return change


def _fullwidth(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c
        for c in text
    )


def _treatments(rng: random.Random, entry, kind: str) -> dict[str, str | None]:
    """Each treatment's variant of one listed name, or None where it does not
    apply."""
    name = _display(entry)
    upper = name.upper()
    words = re.sub(r"[,.]", " ", upper).split()
    out: dict[str, str | None] = {}
    out["glued"] = "".join(words) if 2 <= len(words) <= 4 else None
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        out["two_words_glued"] = " ".join(
            [*words[:i], words[i] + words[i + 1], *words[i + 2 :]]
        )
        out["zero_width"] = rng.choice(INVISIBLE).join(words)
        out["nbsp"] = "".join(
            w + (rng.choice(SPACES) if j < len(words) - 1 else "")
            for j, w in enumerate(words)
        )
    i = _long_word(rng, upper, 5)
    if i is not None:
        spaced = words.copy() if len(words) > i else None
        if spaced is not None and i < len(spaced):
            spaced[i] = " ".join(spaced[i])
            out["spaced_out"] = " ".join(spaced)
    i = _long_word(rng, " ".join(words), 8)
    if i is not None:
        at = rng.randrange(3, len(words[i]) - 3)
        hyphenated = words.copy()
        hyphenated[i] = words[i][:at] + rng.choice(DASHES) + words[i][at:]
        out["hyphen_inside"] = " ".join(hyphenated)
        split = words.copy()
        split[i] = words[i][:at] + " " + words[i][at:]
        out["word_split"] = " ".join(split)
    out["swapped_letters"] = _change_word(rng, upper, _swap(rng))
    out["doubled_letter"] = _change_word(rng, upper, _double(rng))
    out["dropped_letter"] = _change_word(rng, upper, _drop(rng))
    out["vowel_change"] = _change_word(rng, upper, _vowel(rng))
    out["non_ascii_removed"] = _change_word(rng, upper, _non_ascii_removed(rng), 5)
    out["fullwidth"] = _fullwidth(name) if rng.random() < 0.5 else None
    if kind == "individual" and "," in entry:
        surname, given = (p.split() for p in entry.upper().split(",", 1))
        out["surname_first"] = " ".join([*surname, *given])
        if len(given) >= 2:
            out["given_and_surname"] = " ".join([given[0], *surname]).title()
    if kind == "entity":
        for pattern, replacements in LEGAL_SWAPS:
            if re.search(pattern, entry.upper()):
                changed = re.sub(pattern, rng.choice(replacements), entry.upper())
                out["legal_form"] = changed
                break
    return out


def _listed(names):
    primary = [
        n for n in names if n.is_strong and n.name == n.listed_name
        and n.kind in ("individual", "entity")
    ]  # fmt: skip
    return primary


def eu_names():
    """The names of the EU list's test sample (main names and aliases)."""
    from reference.screening import ScreenedName

    names = []
    for entry in sanctions_parse_eu_xml(path=EU_SAMPLE):
        entry_id = 10_000_000 + int(entry.external_id)
        for alias in [entry.name, *(a.name for a in entry.aliases)]:
            names.append(
                ScreenedName(
                    entry_id, "EU-FSF", entry.external_id, entry.kind, entry.name,
                    alias, entry.programmes,
                )
            )  # fmt: skip
    return names


def _clean(name: str, kind: str) -> dict[str, str]:
    return {
        "name": name,
        "expected": "clean",
        "source": "",
        "external_id": "",
        "treatment": f"clean:{kind}",
    }


def rebuild(names) -> list[dict[str, str]]:
    """The dev set, deterministically (seeds fixed; Faker's own data may change
    between its versions)."""
    from faker import Faker

    from reference.screening import name_tokens

    rng = random.Random(1111)
    rows = []
    by_treatment: dict[str, int] = defaultdict(int)
    primary = _listed(names)
    rng.shuffle(primary)
    for entry in primary:
        if len(name_tokens(entry.name)) < 2 and rng.random() < 0.7:
            continue
        for treatment, variant in _treatments(rng, entry.name, entry.kind).items():
            if variant is None or by_treatment[treatment] >= PER_TREATMENT:
                continue
            if treatment == "given_and_surname" and rng.random() < 0.5:
                continue
            by_treatment[treatment] += 1
            rows.append(
                {
                    "name": variant,
                    "expected": "hit",
                    "source": entry.source,
                    "external_id": entry.external_id,
                    "treatment": treatment,
                }
            )
    aliases = [
        n for n in names if n.name != n.listed_name and len(name_tokens(n.name)) >= 2
    ]
    for alias in rng.sample(aliases, PER_TREATMENT):
        rows.append(
            {
                "name": _display(alias.name).title(),
                "expected": "hit",
                "source": alias.source,
                "external_id": alias.external_id,
                "treatment": "eu_name_variant" if alias.source == "EU-FSF" else "alias",
            }
        )
    for variant in (n for n in names if n.source == "EU-FSF"):
        rows.append(
            {
                "name": variant.name,
                "expected": "hit",
                "source": variant.source,
                "external_id": variant.external_id,
                "treatment": "eu_name_variant",
            }
        )

    listed_keys = {tuple(sorted(name_tokens(n.name))) for n in names}
    excluded = 0
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(2222)
        made = 0
        while made < NEGATIVES_PER_LOCALE:
            name = fake.company() if rng.random() < 0.25 else fake.name()
            if tuple(sorted(name_tokens(name))) in listed_keys:
                excluded += 1  # the very name of a listed party: a namesake
                continue
            made += 1
            rows.append(_clean(name, locale))
    # Namesakes: a listed person's given name with another listed person's
    # surname, a pair no listed person bears.
    people = [n for n in primary if n.kind == "individual" and "," in n.name]
    listed_sets = [frozenset(name_tokens(n.name)) for n in names]
    made = 0
    while made < 200:
        one, other = rng.sample(people, 2)
        given = one.name.split(",", 1)[1].split()
        surname = other.name.split(",", 1)[0]
        if not given:
            continue
        name = f"{given[0]} {surname}".title()
        tokens = frozenset(name_tokens(name))
        if len(tokens) < 2 or any(tokens <= listed for listed in listed_sets):
            continue
        made += 1
        rows.append(_clean(name, "namesake_listed_parts"))
    print(f"{excluded} generated names left out: exactly a listed name")
    return rows


def load_matcher(path: str | None):
    if not path:
        import reference.screening as module

        return module
    spec = importlib.util.spec_from_file_location("other_screening", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate(index, rows) -> None:
    found_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, false = [], []
    for row in rows:
        hits = index.screen(row["name"], threshold=88.0)
        bucket = found_by[row["treatment"]]
        bucket[1] += 1
        if row["expected"] == "hit":
            found = any(
                h.external_id == row["external_id"] and h.source == row["source"]
                for h in hits
            )
            bucket[0] += found
            if not found:
                misses.append(row)
        else:
            bucket[0] += bool(hits)
            if hits:
                false.append((row, hits[0]))
    hit_rows = [r for r in rows if r["expected"] == "hit"]
    clean_rows = [r for r in rows if r["expected"] == "clean"]
    found = len(hit_rows) - len(misses)
    print(f"recall {found / len(hit_rows):.3f} ({found}/{len(hit_rows)})")
    print(
        f"false-positive rate {len(false) / len(clean_rows):.4f} "
        f"({len(false)}/{len(clean_rows)})"
    )
    print("per treatment (found / rows; clean: flagged / rows)")
    for treatment, (n, total) in sorted(found_by.items()):
        print(f"  {treatment:22} {n:4}/{total:<4} {n / total:.3f}")
    return misses, false


def throughput(module, index, names: list[str]) -> tuple[float, float]:
    """Distinct names a second on one core (CPU time of this process), with
    the per-word caches cold and warm."""
    rates = []
    for cold in (True, False):
        if cold:
            for cache in ("token_key", "_spelling"):
                if hasattr(getattr(module, cache, None), "cache_clear"):
                    getattr(module, cache).cache_clear()
            for attribute in ("_blocking", "_glued"):
                getattr(index, attribute, {}).clear()
        module.normalise_name.cache_clear()
        started = time.process_time()
        for name in names:
            index.screen(name, threshold=88.0)
        rates.append(len(names) / (time.process_time() - started))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--matcher", help="another reference/screening.py")
    parser.add_argument("--verbose", action="store_true", help="list misses")
    args = parser.parse_args()
    names = [*ofac_names(), *eu_names()]
    module = load_matcher(args.matcher)
    index = module.ScreeningIndex.build(names)
    if args.rebuild:
        rows = rebuild(names)
        with DEV_CSV.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    with DEV_CSV.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    misses, false = evaluate(index, rows)
    if args.verbose:
        for row in misses:
            print(f"  miss {row['name']!r} [{row['treatment']}] {row['external_id']}")
        for row, hit in false:
            print(f"  false {row['name']!r} -> {hit.matched_name!r} {hit.score}")
    sample = [row["name"] for row in rows]
    cold, warm = throughput(module, index, sample)
    print(f"speed on {len(sample)} names: {cold:.0f}/s cold, {warm:.0f}/s warm")


if __name__ == "__main__":
    main()

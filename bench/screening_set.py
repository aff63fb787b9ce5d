"""The main labelled set of bench/screening.py, generated at run time.

Built independently of the matcher (nothing here imports reference.screening):
listed names are changed the way filers and evaders change them, and unlisted
names come from Faker's locales. The same seed and the same Faker version give
the same set, row for row.

Positives: names (main names and a.k.a. aliases) of individuals and entities
of the shipped OFAC list, and every name of the EU list's test sample, under one
labelled treatment each. Names too short to tell apart from an unrelated one
(under 8 letters in all, or one word of under 6 letters, such as "BNC") are not
sampled. Letter-level typos (swapped, doubled, dropped, vowel change, non-ASCII
removed) only change a word of 8 letters or more, so that an analyst would still
call the result the same name.

Negatives: persons and companies of 15 Faker locales in their own scripts, and
romanised Chinese, Russian and Indian names, less every name whose normalised
full name (any word order) is a listed name or alias, or a listed person's
given name and surname: those are namesakes, and a hit on them is right.
"""

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from anyascii import anyascii

SEED = 20261201
PER_TREATMENT = 200  # OFAC names sampled per treatment (EU names come on top)
PERSONS_PER_LOCALE = 120
COMPANIES_PER_LOCALE = 60
MIN_TYPO_WORD = 8  # letters in the word a typo treatment changes

# Faker locales of the negatives. ar_EG has no person names of its own in
# Faker 40 (it falls back to English ones), so ar_PS joins ar_SA for Arabic.
LOCALES = (
    "zh_CN", "ar_SA", "ar_PS", "ru_RU", "hi_IN", "en_US", "fr_FR", "de_DE",
    "es_ES", "it_IT", "pl_PL", "tr_TR", "vi_VN", "id_ID", "pt_BR",
)  # fmt: skip


@dataclass(frozen=True)
class Listed:
    """One name of a listed party, as the generator sees it."""

    source: str
    external_id: str
    kind: str  # "individual" or "entity"
    name: str
    is_alias: bool
    programmes: str = ""


def listed_from_parsed(entries: Iterable, source: str) -> Iterator[Listed]:
    """Listed names of individuals and entities from the importer's entries."""
    for entry in entries:
        if entry.kind not in ("individual", "entity"):
            continue
        names = dict.fromkeys([entry.name, *(alias.name for alias in entry.aliases)])
        for name in names:
            yield Listed(
                source,
                entry.external_id,
                entry.kind,
                name,
                is_alias=name != entry.name,
                programmes=entry.programmes,
            )


# --- treatments -----------------------------------------------------------------

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
ODD_SPACES = ("\u00a0", "\u202f", "\u2007", "\u2009", "\u3000", "  ")
VOWELS = "AEIOU"
ACCENTS = {
    "A": "ÁÄÀÂ", "E": "ÉÈËÊ", "I": "ÍÏ", "O": "ÓÖÔ", "U": "ÚÜÛ", "N": "Ñ",
    "C": "ÇČ", "S": "ŞŠ", "G": "Ğ", "Z": "Ž", "Y": "Ý",
}  # fmt: skip

# Equivalent legal forms; a treatment writes another member of the group.
LEGAL_FORMS = [
    ["PUBLIC JOINT STOCK COMPANY", "PJSC", "PAO"],
    ["OPEN JOINT STOCK COMPANY", "OJSC", "OAO"],
    ["CLOSED JOINT STOCK COMPANY", "CJSC", "ZAO"],
    ["JOINT STOCK COMPANY", "JSC", "AO", "J.S.C."],
    ["LIMITED LIABILITY COMPANY", "LLC", "L.L.C.", "OOO"],
    ["LIMITED LIABILITY PARTNERSHIP", "LLP"],
    ["COMPANY LIMITED", "CO., LTD.", "CO LTD", "CO. LIMITED"],
    ["PRIVATE LIMITED", "PVT. LTD.", "PVT LTD"],
    ["LIMITED", "LTD", "LTD."],
    ["CORPORATION", "CORP.", "CORP"],
    ["INCORPORATED", "INC.", "INC"],
    ["GMBH", "G.M.B.H.", "GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG"],
    ["S.A.", "SA", "SOCIEDAD ANONIMA"],
    ["FZE", "F.Z.E.", "FREE ZONE ESTABLISHMENT"],
    ["FZCO", "FZ CO", "FREE ZONE COMPANY"],
    ["COMPANY", "CO.", "CO"],
]
_FORMS = sorted(
    ((form, group) for group in LEGAL_FORMS for form in group),
    key=lambda pair: -len(pair[0]),
)

# Russian names back into Cyrillic, from the BGN/PCGN romanisation OFAC uses.
_TO_CYRILLIC = [
    ("SHCH", "Щ"), ("IY", "ИЙ"), ("YY", "ЫЙ"), ("ZH", "Ж"), ("KH", "Х"),
    ("TS", "Ц"), ("CH", "Ч"), ("SH", "Ш"), ("YU", "Ю"), ("YA", "Я"),
    ("YE", "Е"), ("YO", "Ё"), ("A", "А"), ("B", "Б"), ("V", "В"), ("G", "Г"),
    ("D", "Д"), ("E", "Е"), ("Z", "З"), ("I", "И"), ("K", "К"), ("L", "Л"),
    ("M", "М"), ("N", "Н"), ("O", "О"), ("P", "П"), ("R", "Р"), ("S", "С"),
    ("T", "Т"), ("U", "У"), ("F", "Ф"), ("H", "Х"), ("C", "К"), ("W", "В"),
    ("X", "КС"), ("Q", "К"), ("J", "Дж"), ("'", "Ь"),
]  # fmt: skip
# A Russian patronymic ("Vladimirovich", "Sergeyevna") marks a Russian name.
_RUSSIAN = re.compile(r"[A-Z](OVICH|EVICH|OVNA|EVNA|ICH|ICHNA)\b")
# Words of legal forms, in Latin and Russian, letters only: word treatments
# change the other words, and namesakes are compared without them.
LEGAL_WORDS = frozenset(
    re.sub(r"[^A-Z]", "", word)
    for group in LEGAL_FORMS
    for form in group
    for word in form.split()
) | frozenset(
    "SRL SARL BV NV AG KG PLC PTE SPA SAS EOOD OBSHCHESTVO OGRANICHENNOY "
    "OGRANICHENNOI OTVETSTVENNOSTYU AKTSIONERNOE PUBLICHNOE OTKRYTOE ZAKRYTOE "
    "ОБЩЕСТВО ОБЩЕСТВO ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ АКЦИОНЕРНОЕ ПУБЛИЧНОЕ "
    "ОТКРЫТОЕ ЗАКРЫТОЕ ООО АО ПАО ОАО ЗАО".split()
) - {""}
# Particles that belong to the surname that follows them.
PARTICLES = frozenset(
    "AL EL ABU BIN BEN IBN BINT DE DA DI DU DEL LA LE VAN VON DER".split()
)
# Legal forms written before or after the name alike (Russian and CIS forms).
MOVABLE_FORMS = frozenset(["JSC", "PJSC", "OJSC", "CJSC", "LLC", "OOO", "AO", "PAO"])
_TITLES = frozenset(
    "MR MRS MS MISS DR PROF SIR HERR FRAU PAN PANI SR SRA DRA SIG SIGRA MME MLLE "
    "M MBA".split()
)


def _words(name: str) -> list[str]:
    return name.split()


def _display(item: Listed) -> str:
    """Given names first: "PUTIN, Vladimir" -> "Vladimir PUTIN"."""
    if item.kind == "individual" and "," in item.name:
        surname, given = item.name.split(",", 1)
        return f"{given.strip()} {surname.strip()}".strip()
    return item.name


def _base(rng: random.Random, item: Listed) -> str:
    """The name as a filer starts from: as listed, or given names first."""
    return _display(item) if rng.random() < 0.5 else item.name


def _long_word(rng: random.Random, words: list[str], minimum: int) -> int | None:
    """Index of a random word of at least `minimum` letters, letters only."""
    fit = [
        i
        for i, w in enumerate(words)
        if len(w) >= minimum and w.isalpha() and w.upper() not in LEGAL_WORDS
    ]
    return rng.choice(fit) if fit else None


def _change_word(rng, name, minimum, change):
    words = _words(name)
    i = _long_word(rng, words, minimum)
    if i is None:
        return None
    changed = change(rng, words[i])
    if changed is None or changed == words[i]:
        return None
    words[i] = changed
    return " ".join(words)


def t_as_listed(rng, item):
    return item.name


def t_case_punct(rng, item):
    base = re.sub(r"['`]", "", _base(rng, item))  # "Sa'id" -> "Said"
    bare = " ".join(re.sub(r"[.,\"()-]", " ", base).split())
    style = rng.choice(["lower", "title", "upper"])
    out = {"lower": bare.lower(), "title": bare.title(), "upper": bare.upper()}[style]
    return out if out != item.name else None


def t_zero_width_between(rng, item):
    words = _words(_base(rng, item))
    if len(words) < 2:
        return None
    out = words[0]
    for word in words[1:]:
        out += rng.choice(ZERO_WIDTH) + word
    return out


def t_zero_width_inside(rng, item):
    def change(rng, word):
        i = rng.randrange(1, len(word))
        return word[:i] + rng.choice(ZERO_WIDTH) + word[i:]

    return _change_word(rng, _base(rng, item), 4, change)


def t_glued(rng, item):
    words = _words(_base(rng, item).replace(",", " "))
    return "".join(words) if len(words) >= 2 else None


def t_spaced_letters(rng, item):
    return _change_word(rng, _base(rng, item), 4, lambda rng, w: " ".join(w))


def t_hyphen_inside(rng, item):
    def change(rng, word):
        i = rng.randrange(3, len(word) - 2)
        return f"{word[:i]}-{word[i:]}"

    return _change_word(rng, _base(rng, item), 6, change)


def t_odd_spaces(rng, item):
    words = _words(_base(rng, item))
    if len(words) < 2:
        return None
    out = words[0]
    for word in words[1:]:
        out += rng.choice(ODD_SPACES) + word
    return out


def _person_parts(item: Listed) -> tuple[list[str], list[str]] | None:
    """(given names, surname words) of a listed person's name, or None."""
    if item.kind != "individual":
        return None
    if "," in item.name:
        surname, given = item.name.split(",", 1)
        return given.split(), surname.split()
    words = item.name.split()
    if len(words) < 2:
        return None
    # EU style: "Sergey Viktorovich LAVROV"; otherwise the last word.
    upper = [i for i, w in enumerate(words) if w.isupper() and len(w) > 1]
    cut = len(words) - 1
    if upper and upper[0] > 0 and not all(w.isupper() for w in words):
        cut = upper[0]
    while cut > 0 and words[cut - 1].upper() in PARTICLES:
        cut -= 1  # "Abu Sulaiyman al Fransi": the surname is "al Fransi"
    return words[:cut], words[cut:]


def _capitalise(word: str) -> str:
    return "-".join(part.capitalize() for part in word.split("-"))


def t_drop_middle(rng, item):
    parts = _person_parts(item)
    if parts is None or len(parts[0]) < 2 or not parts[1]:
        return None
    given, surname = parts
    out = [given[0], *surname] if rng.random() < 0.7 else [*surname, given[0]]
    return " ".join(_capitalise(w) if w.isupper() else w for w in out)


def t_reordered(rng, item):
    parts = _person_parts(item)
    if parts is None or not parts[0] or not parts[1]:
        return None
    given, surname = parts
    if "," in item.name:
        return " ".join(given + surname)  # listed surname first: given first
    return " ".join(surname + given)


def _typo(change):
    def treatment(rng, item):
        return _change_word(rng, _base(rng, item), MIN_TYPO_WORD, change)

    treatment.__doc__ = change.__doc__
    return treatment


def _swap(rng, word):
    """Two adjacent, different letters swapped."""
    spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _double(rng, word):
    """One letter typed twice."""
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def _drop(rng, word):
    """One letter left out (not the first)."""
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def _vowel(rng, word):
    """One vowel written as another."""
    spots = [i for i, c in enumerate(word) if c.upper() in VOWELS]
    if not spots:
        return None
    i = rng.choice(spots)
    other = rng.choice([v for v in VOWELS if v != word[i].upper()])
    return word[:i] + (other if word[i].isupper() else other.lower()) + word[i + 1 :]


def _non_ascii_removed(rng, word):
    """A letter written with a diacritic, then lost to an ASCII-only system.

    The shipped OFAC file is all ASCII, so the native spelling is made first
    (one letter accented), then its non-ASCII letter is dropped: "MÜLLER" ->
    "MLLER".
    """
    spots = [i for i in range(1, len(word)) if word[i].upper() in ACCENTS]
    if not spots:
        return None
    i = rng.choice(spots)
    return word[:i] + word[i + 1 :]


def t_diacritics(rng, item):
    def change(rng, word):
        spots = [i for i, c in enumerate(word) if c.upper() in ACCENTS]
        if not spots:
            return None
        for i in rng.sample(spots, min(2, len(spots))):
            accented = rng.choice(ACCENTS[word[i].upper()])
            word = (
                word[:i]
                + (accented if word[i].isupper() else accented.lower())
                + (word[i + 1 :])
            )
        return word

    return _change_word(rng, _base(rng, item), 3, change)


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text)


def t_legal_form(rng, item):
    if item.kind != "entity":
        return None
    upper = item.name.upper()
    for form, group in _FORMS:
        for at_start in (True, False):
            pattern = (
                rf"^{re.escape(form)}\s+" if at_start else rf"[\s,]+{re.escape(form)}$"
            )
            match = re.search(pattern, upper)
            if not match:
                continue
            rest = upper[match.end() :] if at_start else upper[: match.start()]
            # Another spelling, not the same letters ("LTD." -> "LTD").
            other = rng.choice([f for f in group if _letters(f) != _letters(form)])
            if rng.random() < 0.3 and group[1] in MOVABLE_FORMS:
                at_start = not at_start  # "JSC SBERBANK" -> "SBERBANK PJSC"
            out = f"{other} {rest}" if at_start else f"{rest} {other}"
            return out if rng.random() < 0.5 else out.title()
    return None


def to_cyrillic(latin: str) -> str:
    """A romanised Russian name back in Cyrillic (reverse BGN/PCGN)."""
    out = []
    for word in re.split(r"([\s,-]+)", latin.upper()):
        i, letters = 0, []
        while i < len(word):
            # YE and E: "YE" at the start or after a vowel is Е; E elsewhere too.
            prev = word[i - 1] if i else ""
            if (
                word[i] == "Y"
                and prev
                and prev not in "AEIOUY"
                and (word[i + 1 : i + 2] in ("A", "E", "U"))
            ):
                letters.append("Ь")  # "VASILYEVNA": Васильевна
            for latin_part, cyrillic in _TO_CYRILLIC:
                if word.startswith(latin_part, i):
                    if latin_part == "IY" and i + 2 < len(word):
                        continue  # ИЙ only at the end of a word
                    if latin_part == "YY" and i + 2 < len(word):
                        continue
                    if latin_part == "E" and i == 0:
                        cyrillic = "Э"
                    letters.append(cyrillic)
                    i += len(latin_part)
                    break
            else:
                if word[i] == "Y":
                    letters.append("Й" if prev in "AEIOU" else "Ы")
                else:
                    letters.append(word[i])
                i += 1
        out.append("".join(letters).capitalize() if word.strip(" ,-") else word)
    return "".join(out)


def t_cyrillic(rng, item):
    if item.kind != "individual" or not re.fullmatch(r"[A-Za-z ,'-]+", item.name):
        return None
    if not _RUSSIAN.search(item.name.upper()):
        return None
    return to_cyrillic(_base(rng, item)).replace(",", "")


TREATMENTS = {
    "as_listed": t_as_listed,
    "case_punct": t_case_punct,
    "zero_width_between": t_zero_width_between,
    "zero_width_inside": t_zero_width_inside,
    "glued": t_glued,
    "spaced_letters": t_spaced_letters,
    "hyphen_inside": t_hyphen_inside,
    "odd_spaces": t_odd_spaces,
    "drop_middle": t_drop_middle,
    "reordered": t_reordered,
    "swapped_letters": _typo(_swap),
    "doubled_letter": _typo(_double),
    "dropped_letter": _typo(_drop),
    "vowel_change": _typo(_vowel),
    "non_ascii_removed": _typo(_non_ascii_removed),
    "diacritics": t_diacritics,
    "legal_form": t_legal_form,
    "cyrillic": t_cyrillic,
}


def _samplable(item: Listed) -> bool:
    letters = sum(c.isalpha() for c in item.name)
    words = item.name.replace(",", " ").split()
    return letters >= 8 and (len(words) >= 2 or letters >= 6)


def positives(listed: list[Listed], seed: int = SEED) -> list[dict[str, str]]:
    """Per treatment, PER_TREATMENT OFAC names it applies to, and all EU names.

    Half individuals and half entities where the treatment applies to both.
    """
    rows = []
    for treatment, change in TREATMENTS.items():
        rng = random.Random(f"{seed}:{treatment}")
        changed: list[tuple[Listed, str]] = []
        for kind in ("individual", "entity"):
            pool = [
                item
                for item in listed
                if item.source == "OFAC-SDN" and item.kind == kind and _samplable(item)
            ]
            rng.shuffle(pool)
            found = []
            for item in pool:
                if len(found) == PER_TREATMENT // 2:
                    break
                variant = change(rng, item)
                if variant:
                    found.append((item, variant))
            changed += found
        # Top up from the other kind when a treatment fits only one kind.
        taken = {id(item) for item, _ in changed}
        if len(changed) < PER_TREATMENT:
            pool = [i for i in listed if i.source == "OFAC-SDN" and _samplable(i)]
            rng.shuffle(pool)
            for item in pool:
                if len(changed) == PER_TREATMENT:
                    break
                if id(item) not in taken:
                    variant = change(rng, item)
                    if variant:
                        changed.append((item, variant))
        for item in listed:
            if item.source != "OFAC-SDN":
                variant = change(rng, item)
                if variant:
                    changed.append((item, variant))
        for item, variant in changed:
            rows.append(
                {
                    "name": variant,
                    "expected": "hit",
                    "source": item.source,
                    "external_id": item.external_id,
                    "kind": item.kind,
                    "treatment": treatment,
                    "listed_name": item.name,
                    "locale": "",
                }
            )
    return rows


# --- negatives ------------------------------------------------------------------

_BGN = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
        (
            "A B V G D E E ZH Z I Y K L M N O P R S T U F KH TS CH SH SHCH "
            "_ Y _ E YU YA"
        ).split(),
        strict=True,
    )
)


def _romanise_russian(text: str) -> str:
    """Cyrillic in OFAC's romanisation (BGN/PCGN): Сергей -> SERGEY."""
    out = []
    for i, char in enumerate(text.upper()):
        latin = _BGN.get(char)
        if latin is None:
            out.append(char)
        elif latin == "_":
            continue
        elif char == "Е" and (i == 0 or text.upper()[i - 1] in "АЕЁИОУЫЭЮЯ "):
            out.append("YE")
        else:
            out.append(latin)
    return "".join(out)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def name_keys(name: str) -> set[str]:
    """The generator's own normalised forms of a full name, any word order.

    Compatibility forms, no diacritics, Cyrillic in BGN/PCGN, other scripts
    through anyascii, upper case, letters and digits only, titles and legal
    forms dropped ("Globaltrans" is a namesake of "GLOBALTRANS LIMITED").
    """
    name = unicodedata.normalize("NFKC", name)
    if any(_is_cjk(c) for c in name):
        syllables = [anyascii(c).upper() for c in name if _is_cjk(c)]
        words_list = [[syllables[0], "".join(syllables[1:])], ["".join(syllables)]]
    else:
        text = _romanise_russian(name)
        text = "".join(
            c
            for c in unicodedata.normalize("NFKD", text)
            if not unicodedata.combining(c)
        )
        text = anyascii(text).upper()
        words = [
            w
            for w in re.split(r"[^A-Z0-9]+", text)
            if w and w not in _TITLES and w not in LEGAL_WORDS
        ]
        words_list = [words]
    return {" ".join(sorted(words)) for words in words_list if words}


def listed_keys(listed: list[Listed]) -> tuple[set[str], set[str]]:
    """(full-name keys, given-name-and-surname keys of persons) of the lists."""
    full, short = set(), set()
    for item in listed:
        full |= name_keys(item.name)
        parts = _person_parts(item)
        if parts and len(parts[0]) >= 2:
            short |= name_keys(" ".join([parts[0][0], *parts[1]]))
    return full, short


def _faker_names(seed: int) -> Iterator[tuple[str, str, str]]:
    """(name, locale, person|company) from every locale, romanised ones too."""
    from faker import Faker

    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(f"{seed}:{locale}")
        for _ in range(PERSONS_PER_LOCALE):
            yield fake.name(), locale, "person"
        for _ in range(COMPANIES_PER_LOCALE):
            yield fake.company(), locale, "company"
    # Chinese sellers and Russian or Indian parties often write their names in
    # Latin letters: the riskier case for a matcher full of romanised names.
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:zh_CN-latin")
    for _ in range(PERSONS_PER_LOCALE):
        yield fake.romanized_name(), "zh_CN-latin", "person"
    fake = Faker("ru_RU")
    fake.seed_instance(f"{seed}:ru_RU-latin")
    for _ in range(PERSONS_PER_LOCALE):
        yield _romanise_russian(fake.name()).title(), "ru_RU-latin", "person"
    fake = Faker("en_IN")
    fake.seed_instance(f"{seed}:en_IN")
    for _ in range(PERSONS_PER_LOCALE):
        yield fake.name(), "en_IN", "person"
    for _ in range(COMPANIES_PER_LOCALE):
        yield fake.company(), "en_IN", "company"


def negatives(listed: list[Listed], seed: int = SEED) -> tuple[list[dict], Counter]:
    """Unlisted names from Faker, less namesakes; and what was removed, by why."""
    full, short = listed_keys(listed)
    rows, removed, seen = [], Counter(), set()
    for name, locale, kind in _faker_names(seed):
        if name in seen:
            removed["duplicate"] += 1
            continue
        seen.add(name)
        keys = name_keys(name)
        if keys & full:
            removed["namesake: listed full name"] += 1
            continue
        if keys & short:
            removed["namesake: listed given name and surname"] += 1
            continue
        rows.append(
            {
                "name": name,
                "expected": "clean",
                "source": "",
                "external_id": "",
                "kind": kind,
                "treatment": "",
                "listed_name": "",
                "locale": locale,
            }
        )
    return rows, removed

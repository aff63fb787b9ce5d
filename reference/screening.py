"""Fuzzy screening of party names against the active sanctions lists, in memory.

How a name is matched:

1. Both sides are normalised (`normalise_name`): Unicode compatibility forms
   folded (NFKC: full-width letters, ligatures), invisible characters dropped
   (zero-width spaces and joiners, soft hyphens, byte-order marks: every Cf
   character), every kind of space and dash made one, every script
   transliterated to ASCII (anyascii), upper case, punctuation dropped, and
   abbreviations and legal forms written one way ("JOINT STOCK COMPANY", "AO",
   "OAO", "PAO" and "ZAO" are all JSC; "CO., LTD." is COMPANY LIMITED).
   Legal-form words and name particles ("LIMITED", "LLC", "AL", "DE") are kept
   in the normalised name but never count towards a match; a legal-form word
   with a letter missing ("JONT STOCK", "LIMITD") is still one.
2. A name is read several ways: as its words; with two words joined again when
   the joined word is listed ("SBER-BANK", "TECHNO LOGIES"); with a glued word
   split into listed words ("0DAYTECHNOLOGIES", "BENAZIRAHMED"); letters typed
   one by one ("S B E R B A N K") are one word.
3. Candidates come from an inverted index of the listed names' rarest tokens
   (prefix filtering: each listed name is filed under its rarest words, as many
   as a match cannot do without), looked up exactly and, for a word no list
   holds, through a one-edit deletion neighbourhood (a letter missing, added,
   changed or two swapped), so a name is compared with a handful of listed
   names, not all ~30,000.
4. A candidate scores the smaller of two coverages, each weighted by how rare a
   token is in the lists (IDF), with tokens matched in any order and allowing
   small typos: how much of the listed name the party name covers, and how much
   of the party name the listed name explains. So a party sharing one common
   word ("STAR") with a long listed name scores low both ways.
5. A listed person is also found from part of their names: a given name and the
   surname, without middle names or the patronymic ("Vladimir Putin" for
   "PUTIN, Vladimir Vladimirovich"). The names left out do not count then, but
   only when the names that matched are rare enough together in the lists
   (`SUBSET_MIN_RARITY`): "Mohammed Ali" does not hit every listed Mohammed Ali
   with a third name.

The score is 0-100 and a name is a hit from SANCTIONS_MATCH_THRESHOLD (88):
100 is the listed name or one of its aliases in other words (another order,
legal form, script, spacing), a subset of a person's names included; below 100,
typos. Vessels and aircraft are indexed but matched only when asked for
(`kinds=("vessel",)`), never against parties. OFAC's weak aliases (the
nicknames in the SDN Remarks) count only when they have two words or more.
"""

import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from anyascii import anyascii
from django.conf import settings
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from reference.models import SanctionsAlias, SanctionsEntry, SanctionsList

PARTY_KINDS = ("individual", "entity")
DEFAULT_THRESHOLD = 88.0

# Token spellings made one, so that either form matches the other.
# fmt: off
ABBREVIATIONS = {
    "CO": "COMPANY", "COS": "COMPANY", "CIE": "COMPANY", "CPY": "COMPANY",
    "LTD": "LIMITED", "LTDA": "LIMITADA", "LIMITEDS": "LIMITED",
    "CORP": "CORPORATION", "CORPN": "CORPORATION", "INC": "INCORPORATED",
    "INTL": "INTERNATIONAL", "INTERNATL": "INTERNATIONAL", "INTNL": "INTERNATIONAL",
    "INTERNATIONALE": "INTERNATIONAL", "INTERNACIONAL": "INTERNATIONAL",
    "GRP": "GROUP", "HLDG": "HOLDING", "HLDGS": "HOLDING", "HOLDINGS": "HOLDING",
    "MFG": "MANUFACTURING", "TRDG": "TRADING", "SHPG": "SHIPPING",
    "BROS": "BROTHERS", "NATL": "NATIONAL", "MGMT": "MANAGEMENT",
    "ENTERPRISES": "ENTERPRISE", "ENT": "ENTERPRISE", "INDUSTRIES": "INDUSTRY",
    "IND": "INDUSTRY", "INDS": "INDUSTRY", "SVCS": "SERVICE", "SERVICES": "SERVICE",
    "TECH": "TECHNOLOGY", "TECHNOLOGIES": "TECHNOLOGY", "SYSTEMS": "SYSTEM",
    "PRODUCTS": "PRODUCT", "INVESTMENTS": "INVESTMENT", "RESOURCES": "RESOURCE",
    "LINES": "LINE", "ASSN": "ASSOCIATION", "DEPT": "DEPARTMENT",
    "ST": "SAINT", "MT": "MOUNT",
    # Arabic and Persian given names, each written in several ways.
    "MOHAMMAD": "MUHAMMAD", "MOHAMMED": "MUHAMMAD", "MUHAMMED": "MUHAMMAD",
    "MOHAMED": "MUHAMMAD", "MOHAMAD": "MUHAMMAD", "MUHAMAD": "MUHAMMAD",
    "MOHD": "MUHAMMAD", "MOHAMMEDE": "MUHAMMAD", "MOUHAMED": "MUHAMMAD",
    "MEHMET": "MUHAMMAD", "MAHOMED": "MUHAMMAD",
    "HUSSEIN": "HUSAYN", "HUSEIN": "HUSAYN", "HUSAIN": "HUSAYN", "HOSSEIN": "HUSAYN",
    "HOSEIN": "HUSAYN", "HUSSAIN": "HUSAYN", "HOSSAIN": "HUSAYN", "HUSEYIN": "HUSAYN",
    "HASSAN": "HASAN", "AHMED": "AHMAD", "AHMET": "AHMAD", "UMAR": "OMAR",
    "USAMA": "OSAMA", "YOUSEF": "YUSUF", "YOUSSEF": "YUSUF", "YOUSUF": "YUSUF",
    "YUSEF": "YUSUF", "MAHMOUD": "MAHMUD", "MAHMOOD": "MAHMUD",
    "MOSTAFA": "MUSTAFA", "MOUSTAFA": "MUSTAFA", "MUSTAPHA": "MUSTAFA",
    "EBRAHIM": "IBRAHIM", "ABDUL": "ABD", "ABDEL": "ABD", "ABDOL": "ABD",
    "ABDAL": "ABD", "ABDOUL": "ABD",
    # Legal forms written as initials in some countries and in words in others:
    # every joint-stock form is JSC, every limited-liability one LLC.
    "OOO": "LLC", "TOV": "LLC", "TOO": "LLC", "MCHJ": "LLC",
    "AO": "JSC", "OAO": "JSC", "ZAO": "JSC", "PAO": "JSC", "OJSC": "JSC",
    "CJSC": "JSC", "PJSC": "JSC", "PAT": "JSC", "PRAT": "JSC", "AAT": "JSC",
    "ZAT": "JSC", "VAT": "JSC", "AD": "JSC", "AG": "JSC",
    "GESMBH": "GMBH", "PVT": "PRIVATE", "PTY": "PROPRIETARY",
}
# Legal forms written in words, made the initials above (longest first).
LEGAL_PHRASES = {
    ("PUBLIC", "JOINT", "STOCK", "COMPANY"): "JSC",
    ("OPEN", "JOINT", "STOCK", "COMPANY"): "JSC",
    ("CLOSED", "JOINT", "STOCK", "COMPANY"): "JSC",
    ("PRIVATE", "JOINT", "STOCK", "COMPANY"): "JSC",
    ("JOINT", "STOCK", "COMPANY"): "JSC",
    ("JOINT", "STOCK", "BANK"): "JSC BANK",
    ("JOINTSTOCK", "COMPANY"): "JSC",
    ("AKTSIONERNOE", "OBSHCHESTVO"): "JSC",
    ("PUBLICHNOE", "AKTSIONERNOE", "OBSHCHESTVO"): "JSC",
    ("LIMITED", "LIABILITY", "COMPANY"): "LLC",
    ("LIMITED", "LIABILITY", "PARTNERSHIP"): "LLP",
    ("OBSHCHESTVO", "S", "OGRANICHENNOY", "OTVETSTVENNOSTYU"): "LLC",
    ("OBSHCHESTVO", "S", "OGRANICHENNOI", "OTVETSTVENNOSTIU"): "LLC",
    ("TOVARYSTVO", "Z", "OBMEZHENOYU", "VIDPOVIDALNISTYU"): "LLC",
    ("PUBLIC", "LIMITED", "COMPANY"): "PLC",
    ("PRIVATE", "LIMITED", "COMPANY"): "COMPANY LIMITED",
    ("PRIVATE", "LIMITED"): "LIMITED",
    ("GESELLSCHAFT", "MIT", "BESCHRANKTER", "HAFTUNG"): "GMBH",
    ("SOCIEDAD", "ANONIMA"): "SA", ("SOCIETE", "ANONYME"): "SA",
    ("SOCIETA", "PER", "AZIONI"): "SPA",
    ("SOCIETE", "A", "RESPONSABILITE", "LIMITEE"): "SARL",
    ("SOCIEDAD", "DE", "RESPONSABILIDAD", "LIMITADA"): "SRL",
    ("SP", "Z", "OO"): "SPZOO", ("SP", "ZOO"): "SPZOO",
}

# Words that say what legal form a company has, or join the words of a name:
# they are kept in the normalised name but never count towards a match.
LEGAL_FORM_WORDS = frozenset({
    "COMPANY", "LIMITED", "CORPORATION", "INCORPORATED", "GROUP", "HOLDING",
    "LLC", "LLP", "LP", "PLC", "PLLC", "GMBH", "MBH", "AG", "KG", "KGAA", "SE",
    "SA", "SAS", "SARL", "SRL", "SL", "SPA", "SAPI", "SAB", "CV", "BV", "NV",
    "AB", "AS", "ASA", "OY", "OYJ", "APS", "KFT", "ZRT", "SRO", "DOO", "DD",
    "JSC", "PT", "TBK", "BHD", "BERHAD", "SDN", "SPZOO",
    "PTE", "PTY", "FZE", "FZC", "FZCO", "DMCC", "EIRL", "LIMITADA", "LIABILITY",
    "JOINT", "STOCK", "PUBLIC", "PRIVATE", "CLOSED", "OPEN", "SOCIEDAD", "SOCIETE",
    "ANONIMA", "ANONYME", "SPOLKA", "ZOO", "SP", "OBSHCHESTVO", "OGRANICHENNOY",
    "OGRANICHENNOI", "OTVETSTVENNOSTYU", "AKTSIONERNOE", "ZAKRYTOE", "OTKRYTOE",
    "PUBLICHNOE", "TOVARYSTVO", "OBMEZHENOYU", "VIDPOVIDALNISTYU", "ADDITIONAL",
    "EOOD", "OOD", "EAD", "OO", "SHERKAT", "SHERKATE", "SIRKETI", "TICARET",
    "ANONIM", "YOUXIAN", "GONGSI", "ZEREN",
})
PARTICLES = frozenset({
    "AND", "OF", "THE", "FOR", "AL", "EL", "UL", "UD", "BIN", "BEN", "IBN", "BINT",
    "DE", "DA", "DI", "DO", "DOS", "DAS", "DEL", "DELLA", "DER", "DEN", "DES", "DU",
    "LA", "LE", "LES", "LOS", "LAS", "Y", "E", "VAN", "VON", "S", "Z", "I", "A",
})
# fmt: on
IGNORED_WORDS = LEGAL_FORM_WORDS | PARTICLES

# Apostrophes are dropped (O'NEILL is ONEILL), "&" is AND.
_APOSTROPHES = str.maketrans(
    {quote: "" for quote in "'`\u00b4\u2018\u2019\u02bc\u02bb"} | {"&": " AND "}
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


def _format_characters() -> re.Pattern[str]:
    """Every invisible formatting character (Unicode category Cf): zero-width
    space, joiners, soft hyphen, word joiner, byte-order mark, bidi marks..."""
    ranges = [*range(0x10000), *range(0x1BCA0, 0x1BCA4), *range(0xE0000, 0xE0080)]
    chars = "".join(chr(c) for c in ranges if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(chars)}]")


_INVISIBLE = _format_characters()
# Every space (no-break, thin, ideographic...) is whitespace to str.split();
# every dash (Unicode Pd and the minus sign) is written "-".
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\u2e3a\u2e3b\ufe58\ufe63\uff0d]")

# Blocking: each listed name is filed under its rarest words, enough of them
# that a name missing them all scores below this (a threshold set lower than it
# may miss candidates).
INDEX_MIN_THRESHOLD = 80.0
# Shorter tokens are matched exactly only: one edit in "LI" or "ALI" is a
# different name.
MIN_FUZZY_TOKEN = 4
# Two words are alike with at most one edit in four letters (OSA distance
# against the longer word's length).
OSA_MIN_SIMILARITY = 0.75
# A one-word name must be nearer still: one typo in seven letters (see
# _similarity: 1 - 1 / (7 + 3)).
MIN_SINGLE_TOKEN_SIMILARITY = 0.9
# A person found from part of their names (given name and surname without the
# middle names) only when the names that matched are together this rare in the
# lists: the sum of their IDF weights (ln(N / n) + 1 each, n of the N listed
# names holding the word), so with N ~ 17,000 the two counts must multiply to
# under ~1,700. A common given name with a rare surname passes (VLADIMIR PUTIN:
# 6.1 + 10.7); a common given name with a common surname (MUHAMMAD ALI) does
# not, and neither does any pair in a list of a few hundred names.
SUBSET_MIN_RARITY = 14.0
# Glued words are split again only when this long (shorter ones are words),
# into so many words at most.
MIN_GLUED_TOKEN = 6
MAX_GLUED_WORDS = 8
# Token work cached per process (keys, blocking neighbourhoods), and names
# screened through `screener()`.
TOKEN_CACHE_SIZE = 200_000
RESULT_CACHE_SIZE = 200_000


@dataclass(frozen=True, slots=True)
class ScreenedName:
    """One name of a listed party (its main name or an alias), to be indexed."""

    entry_id: int
    source: str
    external_id: str
    kind: str
    listed_name: str
    name: str
    programmes: str = ""
    is_strong: bool = True


@dataclass(frozen=True, slots=True)
class ScreeningHit:
    """A party name that matches a listed party at or above the threshold."""

    entry_id: int
    source: str
    external_id: str
    listed_name: str
    matched_name: str
    kind: str
    programmes: str
    score: float
    screened_name: str


# "S.A.", "K.A.S" and "L.L.C." are written SA, KAS and LLC as well.
_INITIALS = re.compile(r"\b[A-Z](?:\.[A-Z])+\b\.?")

# Legal-form words long enough that a one-letter slip ("COMPNY", "LIABILTY")
# is still recognised; shorter ones, and HOLDING (GOLDING is a surname), are not.
# fmt: off
_FUZZY_LEGAL_WORDS = frozenset({
    "COMPANY", "LIMITED", "LIABILITY", "CORPORATION", "INCORPORATED", "LIMITADA",
    "SOCIEDAD", "OBSHCHESTVO", "AKTSIONERNOE", "OTVETSTVENNOSTYU", "OGRANICHENNOY",
    "OGRANICHENNOI", "TOVARYSTVO", "ZAKRYTOE", "OTKRYTOE", "PUBLICHNOE", "SIRKETI",
    "TICARET", "SOCIETE", "ANONIMA", "ANONYME", "OBMEZHENOYU",
    "VIDPOVIDALNISTYU", "SHERKATE", "PRIVATE", "PUBLIC",
})
# Five-letter ones recognised with a letter missing only ("JONT STOCK"; POINT
# is a word of its own).
_SHORT_LEGAL_WORDS = frozenset({"JOINT", "STOCK", "CLOSED", "GROUP"})
# fmt: on


def _deletions(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


_LEGAL_NEIGHBOURS = {
    deleted: word for word in _FUZZY_LEGAL_WORDS for deleted in _deletions(word)
}
_SHORT_LEGAL_NEIGHBOURS = {
    deleted: word for word in _SHORT_LEGAL_WORDS for deleted in _deletions(word)
}
_PHRASE_STARTS: dict[str, list[tuple[tuple[str, ...], list[str]]]] = defaultdict(list)
for _phrase, _initials in sorted(LEGAL_PHRASES.items(), key=lambda p: -len(p[0])):
    _PHRASE_STARTS[_phrase[0]].append((_phrase, _initials.split()))


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _spelling(token: str) -> str:
    """The canonical spelling of a word: abbreviations out, legal forms mended."""
    # KS and X stand for the same sound in transliterations (ALEKSANDR, ALEXANDER).
    token = ABBREVIATIONS.get(token, token).replace("KS", "X")
    if token in IGNORED_WORDS:
        return token
    if len(token) < 6:
        return _SHORT_LEGAL_NEIGHBOURS.get(token, token)
    if token in _LEGAL_NEIGHBOURS:  # a letter missing
        return _LEGAL_NEIGHBOURS[token]
    for deleted in _deletions(token):
        if deleted in _FUZZY_LEGAL_WORDS:  # a letter too many
            return deleted
        word = _LEGAL_NEIGHBOURS.get(deleted)
        if word is not None and len(word) == len(token):  # one changed or swapped
            return word
    return token


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def token_key(token: str) -> str:
    """The key a word of a normalised name is compared by: its canonical
    spelling ("MOHAMMED" is MUHAMMAD, "CORP" CORPORATION)."""
    return ABBREVIATIONS.get(token, token)


class _Transliteration(dict):
    """anyascii's table for str.translate, filled as characters are met (each
    character is transliterated on its own, so this is the same, faster)."""

    def __missing__(self, code: int) -> str:
        self[code] = ascii_text = anyascii(chr(code))
        return ascii_text


_TRANSLITERATION = _Transliteration()


def _ascii(name: str) -> str:
    """The name in ASCII: compatibility forms folded, invisible characters out,
    spaces and dashes unified, other scripts transliterated."""
    if name.isascii():
        return name
    text = unicodedata.normalize("NFKC", name)
    text = _DASHES.sub("-", _INVISIBLE.sub("", text))
    return text.translate(_TRANSLITERATION)


@functools.lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Return a name in the one spelling both sides are compared in.

    ASCII upper case, words separated by one space, no punctuation, with
    abbreviations and legal forms written out one way ("Co., Ltd." and
    "Company Limited" both give "COMPANY LIMITED"; "Joint Stock Company", "AO"
    and "PAO" give "JSC").
    """
    return " ".join(_normalised_tokens(name))


def _normalised_tokens(name: str) -> list[str]:
    text = _ascii(name).upper().translate(_APOSTROPHES)
    if "." in text:
        text = _INITIALS.sub(lambda match: match[0].replace(".", ""), text)
    tokens = _merge_initials(_NOT_ALNUM.sub(" ", text).split())
    return _legal_phrases([_spelling(token) for token in tokens])


def _legal_phrases(tokens: list[str]) -> list[str]:
    """Legal forms in words ("JOINT STOCK COMPANY") written as initials (JSC)."""
    if not any(token in _PHRASE_STARTS for token in tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, initials in _PHRASE_STARTS.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.extend(initials)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _merge_initials(tokens: list[str]) -> list[str]:
    # Initials or letters typed with spaces ("P C C", "S B E R B A N K") are one
    # word too.
    if not any(len(token) == 1 for token in tokens):
        return tokens
    merged: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if len(run) > 1:
            merged.append("".join(run))
        else:
            merged.extend(run)
        run = []
        if token:
            merged.append(token)
    return merged


def name_tokens(name: str) -> tuple[str, ...]:
    """The keys of the words of a name that count towards a match (no legal
    forms, particles). A name made only of such words keeps them all, so it can
    still be matched."""
    return _core(normalise_name(name).split())


def _core(tokens: Iterable[str]) -> tuple[str, ...]:
    keys = [token_key(t) for t in tokens]
    core = tuple(dict.fromkeys(k for k in keys if k not in IGNORED_WORDS))
    return core or tuple(dict.fromkeys(keys))


def _similarity(a: str, b: str) -> float:
    """How alike two different words are, 0, or about 0.75 to 1.

    Edits (a letter missing, added, changed, two swapped) are counted against
    the length plus 3, so that one slip in a long word (SBERBNK, 7 letters)
    still scores 0.9 and a one-word name with it is a hit at 88."""
    longest = max(len(a), len(b))
    if min(len(a), len(b)) < MIN_FUZZY_TOKEN or abs(len(a) - len(b)) > 2:
        return 0.0
    edits = OSA.distance(a, b)
    if edits > longest * (1.0 - OSA_MIN_SIMILARITY):
        return 0.0
    return 1.0 - edits / (longest + 3)


@dataclass(frozen=True, slots=True)
class _Listed:
    name: ScreenedName
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    total_weight: float
    joined: str
    token_set: frozenset[str]
    # Per token: may a person be found without it (a middle name, a patronymic)?
    optional: tuple[bool, ...]
    required_weight: float
    positions: dict[str, int]


def _person_parts(entry: ScreenedName) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """A listed person's name keys, and which of them may be left out.

    "PUTIN, Vladimir Vladimirovich" (surname, given names): the whole surname
    and the first given name are needed, the middle names or patronymic may be
    left out. A surname of two ("GARCIA DURAN, Maria Del Rosario") is needed
    whole: "Maria Garcia" is one of Spain's commonest names, not this person.
    "Vladimir Vladimirovich Putin" (no comma): the first and the last name are
    needed.
    """
    if "," in entry.name:
        surname, given = entry.name.split(",", 1)
        parts = [name_tokens(surname), name_tokens(given)]
        tokens = tuple(dict.fromkeys(t for part in parts for t in part))
        needed = set(parts[0]) | ({parts[1][0]} if parts[1] else set())
    else:
        tokens = name_tokens(entry.name)
        needed = {tokens[0], tokens[-1]} if tokens else set()
    return tokens, tuple(t not in needed for t in tokens)


def _prefix(listed: _Listed) -> list[str]:
    """The rarest of a listed name's needed tokens without which it cannot score
    INDEX_MIN_THRESHOLD: a match has one of them at least."""
    needed = sorted(
        (
            (weight, token)
            for token, weight, optional in zip(
                listed.tokens, listed.weights, listed.optional, strict=True
            )
            if not optional
        ),
        reverse=True,
    )
    room = (1.0 - INDEX_MIN_THRESHOLD / 100.0) * listed.required_weight
    prefix, weight = [], 0.0
    for token_weight, token in needed:
        prefix.append(token)
        weight += token_weight
        if weight > room:
            break
    return prefix


class ScreeningIndex:
    """Listed names ready to be screened against; build once, screen many."""

    def __init__(
        self,
        *,
        listed: list[_Listed],
        postings: dict[str, list[int]],
        neighbours: dict[str, set[str]],
        idf: dict[str, float],
        unknown_idf: float,
        joined: dict[str, tuple[str, ...]],
        surface: dict[str, str],
    ) -> None:
        self._listed = listed
        self._postings = postings
        self._neighbours = neighbours
        self._idf = idf
        self._unknown_idf = unknown_idf
        self._joined = joined
        self._surface = surface
        self._blocking: dict[str, tuple[dict[str, float], float]] = {}
        self._glued: dict[str, list[str] | None] = {}
        self._results: dict[tuple, list[ScreeningHit]] = {}

    def __len__(self) -> int:
        return len(self._listed)

    @classmethod
    def build(cls, entries: Iterable[ScreenedName]) -> "ScreeningIndex":
        """Index the names of listed parties (main names and aliases)."""
        listed_tokens: list[tuple[ScreenedName, tuple[str, ...], tuple[bool, ...]]] = []
        seen: set[tuple[int, str, tuple[str, ...]]] = set()
        surface: dict[str, str] = {}
        for entry in entries:
            if entry.kind == "individual":
                tokens, optional = _person_parts(entry)
            else:
                tokens = name_tokens(entry.name)
                optional = (False,) * len(tokens)
            if not tokens or (not entry.is_strong and len(tokens) < 2):
                continue  # a weak one-word alias ("PAT", "MIKE") is noise
            key = (entry.entry_id, entry.source, tuple(sorted(tokens)))
            if key not in seen:
                seen.add(key)
                listed_tokens.append((entry, tokens, optional))
                for word in normalise_name(entry.name).split():
                    if len(word) > 2:
                        surface[word] = token_key(word)

        frequency: dict[str, int] = defaultdict(int)
        for _entry, tokens, _optional in listed_tokens:
            for token in tokens:
                frequency[token] += 1
        count = len(listed_tokens) + 1
        idf = {token: math.log(count / n) + 1.0 for token, n in frequency.items()}
        unknown_idf = math.log(count) + 1.0
        # Other spellings of listed words ("AHMED" for AHMAD), legal forms and
        # particles ("OOOGAZPROM", "DELUNA") split glued words too.
        for word, canonical in ABBREVIATIONS.items():
            if token_key(canonical) in idf or canonical in IGNORED_WORDS:
                surface.setdefault(word, token_key(canonical))
        for word in IGNORED_WORDS:
            if len(word) > 1:
                surface.setdefault(word, word)

        listed: list[_Listed] = []
        postings: dict[str, list[int]] = defaultdict(list)
        joined: dict[str, tuple[str, ...]] = {}
        for position, (entry, tokens, optional) in enumerate(listed_tokens):
            weights = tuple(idf[token] for token in tokens)
            listed.append(
                _Listed(
                    entry,
                    tokens,
                    weights,
                    sum(weights),
                    "".join(tokens),
                    frozenset(tokens),
                    optional,
                    sum(w for w, o in zip(weights, optional, strict=True) if not o),
                    {token: index for index, token in enumerate(tokens)},
                )
            )
            if len(tokens) > 1:
                joined.setdefault("".join(tokens), tokens)
                joined.setdefault("".join(reversed(tokens)), tokens)
            for token in _prefix(listed[-1]):
                postings[token].append(position)

        neighbours: dict[str, set[str]] = defaultdict(set)
        for token in frequency:
            if len(token) >= MIN_FUZZY_TOKEN:
                for deleted in _deletions(token):
                    neighbours[deleted].add(token)
        return cls(
            listed=listed,
            postings=dict(postings),
            neighbours=dict(neighbours),
            idf=idf,
            unknown_idf=unknown_idf,
            joined=joined,
            surface=surface,
        )

    def _blocking_tokens(self, token: str) -> tuple[dict[str, float], float]:
        """Listed tokens equal to `token` or one edit away from it, with their
        IDF, and the largest IDF among them; cached, since the words of party
        names repeat."""
        found = self._blocking.get(token)
        if found is not None:
            return found
        idf = self._idf
        near = {token} if token in idf else set()
        # A listed word is taken as written; only an unknown one may be a typo.
        if not near and len(token) >= MIN_FUZZY_TOKEN:
            neighbours = self._neighbours
            near |= neighbours.get(token, set())  # a letter missing
            for deleted in _deletions(token):
                if deleted in idf:  # a letter too many
                    near.add(deleted)
                near |= neighbours.get(deleted, set())  # changed, or two swapped
        weights = {listed_token: idf[listed_token] for listed_token in near}
        found = (weights, max(weights.values(), default=0.0))
        if len(self._blocking) > TOKEN_CACHE_SIZE:
            self._blocking.clear()
        self._blocking[token] = found
        return found

    def _candidates(self, tokens: tuple[str, ...], threshold: float) -> list[int]:
        """Listed names that could still score `threshold` against `tokens`.

        Each is reached through one of its rarest tokens and bounded from above
        by the weight of its tokens that were reached: a long listed name
        sharing one word with the party name is dropped here.
        """
        reached: dict[str, float] = {}
        unmatched = matched = 0.0
        for token in tokens:
            found, weight = self._blocking_tokens(token)
            if not found:
                unmatched += self._idf.get(token, self._unknown_idf)
                continue
            matched += weight
            reached.update(found)
        limit = threshold / 100.0
        if not matched or matched / (matched + unmatched) < limit:
            return []  # too much of the party name is in no list at all
        postings = self._postings
        positions: set[int] = set()
        for listed_token in reached:
            positions.update(postings.get(listed_token, ()))
        candidates = []
        for position in positions:
            listed = self._listed[position]
            weight = sum(
                w
                for t, w in zip(listed.tokens, listed.weights, strict=True)
                if t in reached
            )
            if weight >= limit * listed.required_weight:
                candidates.append(position)
        return candidates

    def _score(self, tokens: tuple[str, ...], listed: _Listed) -> float:
        """The smaller of the two IDF-weighted coverages, 0 to 100."""
        query_total = 0.0
        query_covered = 0.0
        best_for_listed = [0.0] * len(listed.tokens)
        positions = listed.positions
        for token in tokens:
            best_index = positions.get(token, -1)
            if best_index >= 0:
                best = 1.0
            else:
                best = 0.0
                for index, listed_token in enumerate(listed.tokens):
                    similarity = _similarity(token, listed_token)
                    if similarity > best:
                        best, best_index = similarity, index
            if best_index >= 0:
                weight = listed.weights[best_index]
                if best > best_for_listed[best_index]:
                    best_for_listed[best_index] = best
            else:
                weight = self._idf.get(token, self._unknown_idf)
            query_total += weight
            query_covered += weight * best
        if len(listed.tokens) == 1:
            if best_for_listed[0] < MIN_SINGLE_TOKEN_SIMILARITY:
                return 0.0
            if query_covered < query_total * MIN_SINGLE_TOKEN_SIMILARITY:
                return 0.0  # "MUHAMMAD O" is not the one-word "MUHAMMAD"
        covered = 0.0
        left_out = 0.0  # the weight of optional names not given at all
        for weight, best, optional in zip(
            listed.weights, best_for_listed, listed.optional, strict=True
        ):
            covered += weight * best
            if optional and not best:
                left_out += weight
        listed_total = listed.total_weight
        if left_out and covered >= SUBSET_MIN_RARITY and len(tokens) >= 2:
            listed_total -= left_out  # "Vladimir Putin": the patronymic may go
        coverage = min(covered / listed_total, query_covered / query_total)
        score = 100.0 * coverage
        if score < 100.0 and len(tokens) != len(listed.tokens):
            # Words run together or split differently ("ABUMARZOOK" for "ABU
            # MARZOOK"): the same letters in the same order, give or take a typo.
            query_letters = "".join(tokens)
            listed_letters = listed.joined
            if (
                len(listed_letters) >= 8
                and abs(len(query_letters) - len(listed_letters)) <= 1
            ):
                score = max(
                    score, fuzz.ratio(query_letters, listed_letters, score_cutoff=score)
                )
        return score

    def screen(
        self,
        name: str,
        *,
        kinds: Iterable[str] = PARTY_KINDS,
        threshold: float | None = None,
    ) -> list[ScreeningHit]:
        """Listed parties whose name matches `name`, best first, one hit each.

        `threshold` (0-100) defaults to the SANCTIONS_MATCH_THRESHOLD setting;
        below INDEX_MIN_THRESHOLD (80) some weaker matches may not be found.
        """
        if threshold is None:
            threshold = screening_threshold()
        kinds = frozenset(kinds)
        best: dict[tuple[str, int], ScreeningHit] = {}
        for tokens in self._readings(name):
            self._screen_tokens(name, tokens, kinds, threshold, best)
        return sorted(best.values(), key=lambda hit: (-hit.score, hit.listed_name))

    def screener(
        self, *, kinds: Iterable[str] = PARTY_KINDS, threshold: float | None = None
    ) -> Callable[[str], list[ScreeningHit]]:
        """`screen` for a batch (a manifest chunk, a validation batch): each
        distinct name is screened once, spellings that normalise the same too.

        The results are kept on the index, for the life of the index (until a
        list changes), at most RESULT_CACHE_SIZE of them: the same consignors
        and consignees come back in every chunk of a manifest and in the next
        manifests, and so does the declarant.
        """
        if threshold is None:
            threshold = screening_threshold()
        kinds = frozenset(kinds)
        results = self._results

        def screen(name: str) -> list[ScreeningHit]:
            # Invisible characters are also read as spaces: keep such names apart.
            invisible = not name.isascii() and _INVISIBLE.search(name)
            key = (name if invisible else normalise_name(name), kinds, threshold)
            hits = results.get(key)
            if hits is None:
                if len(results) >= RESULT_CACHE_SIZE:
                    results.clear()
                hits = self.screen(name, kinds=kinds, threshold=threshold)
                results[key] = hits
            if hits and hits[0].screened_name != name:
                hits = [replace(hit, screened_name=name) for hit in hits]
            return hits

        return screen

    def _readings(self, name: str) -> list[tuple[str, ...]]:
        """The ways of reading a name's words, as tuples of keys.

        As written; with two words joined when the joined word is listed ("SBER
        BANK", "SA ID"); with a glued word split into listed words
        ("0DAYTECHNOLOGIES", "BENAZIRAHMED"); and the words all glued when that
        is a listed name's letters.
        """
        words = normalise_name(name).split()
        first = _core(words)
        readings = [first] if first else []
        if not name.isascii() and _INVISIBLE.search(name):
            # A zero-width character may have stood for a space as well.
            readings.extend(self._readings(_INVISIBLE.sub(" ", name)))
        vocabulary, surface = self._idf, self._surface
        known = [token_key(word) in vocabulary for word in words]
        joined_up: list[str] = []  # every such pair joined ("0 DAY TECHNO LOGIES")
        for i, word in enumerate(words):
            if i + 1 < len(words) and word + words[i + 1] in surface:
                # SBER-BANK, PEOPLE S, SA ID
                glued = [*words[:i], word + words[i + 1], *words[i + 2 :]]
                readings.append(_core(glued))
            if joined_up and joined_up[-1] + word in surface:
                joined_up[-1] += word
            else:
                joined_up.append(word)
        if len(joined_up) < len(words) - 1:
            readings.append(_core(joined_up))
        for i, word in enumerate(words):
            if (
                len(word) >= MIN_GLUED_TOKEN
                and not known[i]
                and not self._blocking_tokens(token_key(word))[0]  # no typo
            ):
                split = self._split_glued(word)
                if split:
                    readings.append(_core([*words[:i], *split, *words[i + 1 :]]))
        if len(first) > 1 or (first and first[0] not in vocabulary):
            listed = self._joined.get("".join(first))
            if listed:
                readings.append(listed)
        return list(dict.fromkeys(reading for reading in readings if reading))

    def _split_glued(self, word: str) -> list[str] | None:
        """`word` as two or more listed words run together ("0DAYTECHNOLOGIES"
        is 0DAY TECHNOLOGIES), the longest first word first; or None. Cached."""
        if word in self._glued:
            return self._glued[word]
        split = _split(word, self._surface, depth=MAX_GLUED_WORDS)
        if len(self._glued) > TOKEN_CACHE_SIZE:
            self._glued.clear()
        self._glued[word] = split if split and len(split) > 1 else None
        return self._glued[word]

    def _screen_tokens(
        self,
        name: str,
        tokens: tuple[str, ...],
        kinds: frozenset[str],
        threshold: float,
        best: dict[tuple[str, int], ScreeningHit],
    ) -> None:
        for position in self._candidates(tokens, threshold):
            listed = self._listed[position]
            entry = listed.name
            if entry.kind not in kinds:
                continue
            score = self._score(tokens, listed)
            if score < threshold:
                continue
            key = (entry.source, entry.entry_id)
            if key in best and best[key].score >= score:
                continue
            best[key] = ScreeningHit(
                entry_id=entry.entry_id,
                source=entry.source,
                external_id=entry.external_id,
                listed_name=entry.listed_name,
                matched_name=entry.name,
                kind=entry.kind,
                programmes=entry.programmes,
                score=round(score, 1),
                screened_name=name,
            )


def _split(
    word: str, words: dict[str, str], *, depth: int, failed: set | None = None
) -> list[str] | None:
    """`word` spelt as words of `words` (at most `depth` of them), longest
    first word first; or None."""
    if word in words:
        return [word]
    failed = set() if failed is None else failed
    if depth == 1 or (word, depth) in failed:
        return None
    for end in range(len(word) - 2, 1, -1):
        if word[:end] in words:
            rest = _split(word[end:], words, depth=depth - 1, failed=failed)
            if rest:
                return [word[:end], *rest]
    failed.add((word, depth))
    return None


def screening_threshold() -> float:
    """The score from which a name is a hit: SANCTIONS_MATCH_THRESHOLD or 88."""
    if not settings.configured:
        return DEFAULT_THRESHOLD
    return float(getattr(settings, "SANCTIONS_MATCH_THRESHOLD", DEFAULT_THRESHOLD))


def _screened_names(list_ids: tuple[int, ...]) -> Iterable[ScreenedName]:
    entries = {
        pk: (source, external_id, kind, name, programmes)
        for pk, source, external_id, kind, name, programmes in (
            SanctionsEntry.objects.filter(list_id__in=list_ids).values_list(
                "pk", "list__source", "external_id", "kind", "name", "programmes"
            )
        )
    }
    for pk, (source, external_id, kind, name, programmes) in entries.items():
        yield ScreenedName(pk, source, external_id, kind, name, name, programmes)
    aliases = SanctionsAlias.objects.filter(entry__list_id__in=list_ids).values_list(
        "entry_id", "name", "is_strong"
    )
    for entry_id, alias, is_strong in aliases.iterator(chunk_size=5000):
        source, external_id, kind, name, programmes = entries[entry_id]
        yield ScreenedName(
            entry_id, source, external_id, kind, name, alias, programmes, is_strong
        )


@functools.lru_cache(maxsize=1)
def _index_of_lists(list_ids: tuple[int, ...]) -> ScreeningIndex:
    return ScreeningIndex.build(_screened_names(list_ids))


def screening_index() -> ScreeningIndex:
    """The index of the active sanctions lists, built once per process.

    One query finds which lists are active; the index is rebuilt only when they
    change (a new import), so screening thousands of parties costs that query.
    """
    list_ids = tuple(
        SanctionsList.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _index_of_lists(list_ids)


def screening_cache_clear() -> None:
    """Forget the cached index in this process (after an import)."""
    _index_of_lists.cache_clear()


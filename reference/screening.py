"""Fuzzy screening of party names against the active sanctions lists, in memory.

How a name is matched:

1. Both sides are normalised (`normalise_name`): transliterated to ASCII, upper
   case, punctuation dropped, abbreviations unified ("INTL" = "INTERNATIONAL",
   "CO., LTD." = "COMPANY LIMITED"). Legal-form words and name particles
   ("LIMITED", "LLC", "OOO", "AL", "DE") are then left out: they do not count.
2. Candidates come from an inverted index of the listed names' rare tokens,
   looked up exactly and through a one-edit deletion neighbourhood (typos), so
   a name is compared with a handful of listed names, not all ~30,000. Listed
   names made only of common tokens are found through pairs of tokens.
3. A candidate scores the smaller of two coverages, each weighted by how rare a
   token is in the lists (IDF), with tokens matched in any order and allowing
   small typos: how much of the listed name the party name covers, and how much
   of the party name the listed name explains. So a party sharing one common
   word ("STAR") with a long listed name scores low both ways.

Vessels and aircraft are indexed but matched only when asked for
(`kinds=("vessel",)`), never against parties. OFAC's weak aliases (the
nicknames in the SDN Remarks) count only when they have two words or more.
"""

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

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
    # Legal forms written as initials in some countries and in words in others.
    "OOO": "LLC", "TOV": "LLC", "ZAO": "CJSC", "OAO": "OJSC", "PAO": "PJSC",
}

# Words that say what legal form a company has, or join the words of a name:
# they are kept in the normalised name but never count towards a match.
LEGAL_FORM_WORDS = frozenset({
    "COMPANY", "LIMITED", "CORPORATION", "INCORPORATED", "GROUP", "HOLDING",
    "LLC", "LLP", "LP", "PLC", "PLLC", "GMBH", "MBH", "AG", "KG", "KGAA", "SE",
    "SA", "SAS", "SARL", "SRL", "SL", "SPA", "SAPI", "SAB", "CV", "BV", "NV",
    "AB", "AS", "ASA", "OY", "OYJ", "APS", "KFT", "ZRT", "SRO", "DOO", "DD",
    "JSC", "OJSC", "CJSC", "PJSC", "AO", "PT", "TBK", "BHD", "BERHAD", "SDN",
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

_APOSTROPHES = re.compile(r"['`\u00b4\u2018\u2019\u02bc\u02bb]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")

# Blocking: a token in more listed names than this is "common" and is not used
# on its own to find candidates (a pair of common tokens is).
COMMON_TOKEN_POSTINGS = 100
# Shorter tokens are matched exactly only: one edit in "LI" or "ALI" is a
# different name.
MIN_FUZZY_TOKEN = 4
MIN_TOKEN_SIMILARITY = 0.75
# A one-word name must be nearer still: one typo in seven letters.
MIN_SINGLE_TOKEN_SIMILARITY = 0.85


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
    "OGRANICHENNOI", "TOVARYSTVO",
})
# fmt: on


def _deletions(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


_LEGAL_NEIGHBOURS = {
    deleted: word for word in _FUZZY_LEGAL_WORDS for deleted in _deletions(word)
}


def _spelling(token: str) -> str:
    """The canonical spelling of a word: abbreviations out, legal forms mended."""
    # KS and X stand for the same sound in transliterations (ALEKSANDR, ALEXANDER).
    token = ABBREVIATIONS.get(token, token).replace("KS", "X")
    if len(token) < 6 or token in IGNORED_WORDS:
        return token
    if token in _LEGAL_NEIGHBOURS:  # a letter missing
        return _LEGAL_NEIGHBOURS[token]
    for deleted in _deletions(token):
        if deleted in _FUZZY_LEGAL_WORDS:  # a letter too many
            return deleted
        word = _LEGAL_NEIGHBOURS.get(deleted)
        if word is not None and len(word) == len(token):  # one changed or swapped
            return word
    return token


@functools.lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Return a name in the one spelling both sides are compared in.

    ASCII upper case, words separated by one space, no punctuation, with
    abbreviations and legal forms written out one way ("Co., Ltd." and
    "Company Limited" both give "COMPANY LIMITED").
    """
    text = _APOSTROPHES.sub("", anyascii(name).upper()).replace("&", " AND ")
    text = _INITIALS.sub(lambda match: match[0].replace(".", ""), text)
    tokens = _merge_initials(_NOT_ALNUM.sub(" ", text).split())
    return " ".join(_spelling(token) for token in tokens)


def _merge_initials(tokens: list[str]) -> list[str]:
    # Initials typed with spaces ("P C C", "S A DE C V") are one word too.
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
    """The words of a name that count towards a match (no legal forms, particles).

    A name made only of such words keeps them all, so it can still be matched.
    """
    return _core(normalise_name(name).split())


def _core(tokens: list[str]) -> tuple[str, ...]:
    core = tuple(dict.fromkeys(t for t in tokens if t not in IGNORED_WORDS))
    return core or tuple(dict.fromkeys(tokens))


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) < MIN_FUZZY_TOKEN or len(b) < MIN_FUZZY_TOKEN or abs(len(a) - len(b)) > 2:
        return 0.0
    similarity = OSA.normalized_similarity(a, b)
    return similarity if similarity >= MIN_TOKEN_SIMILARITY else 0.0


@dataclass(frozen=True, slots=True)
class _Listed:
    name: ScreenedName
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    total_weight: float
    joined: str
    token_set: frozenset[str]


class ScreeningIndex:
    """Listed names ready to be screened against; build once, screen many."""

    def __init__(
        self,
        *,
        listed: list[_Listed],
        postings: dict[str, list[int]],
        pair_postings: dict[tuple[str, str], list[int]],
        neighbours: dict[str, set[str]],
        idf: dict[str, float],
        unknown_idf: float,
    ) -> None:
        self._listed = listed
        self._postings = postings
        self._pair_postings = pair_postings
        self._neighbours = neighbours
        self._idf = idf
        self._unknown_idf = unknown_idf

    def __len__(self) -> int:
        return len(self._listed)

    @classmethod
    def build(cls, entries: Iterable[ScreenedName]) -> "ScreeningIndex":
        """Index the names of listed parties (main names and aliases)."""
        listed_tokens: list[tuple[ScreenedName, tuple[str, ...]]] = []
        seen: set[tuple[int, str, tuple[str, ...]]] = set()
        for entry in entries:
            tokens = name_tokens(entry.name)
            if not tokens or (not entry.is_strong and len(tokens) < 2):
                continue  # a weak one-word alias ("PAT", "MIKE") is noise
            key = (entry.entry_id, entry.source, tuple(sorted(tokens)))
            if key not in seen:
                seen.add(key)
                listed_tokens.append((entry, tokens))

        frequency: dict[str, int] = defaultdict(int)
        for _entry, tokens in listed_tokens:
            for token in tokens:
                frequency[token] += 1
        count = len(listed_tokens) + 1
        idf = {token: math.log(count / n) + 1.0 for token, n in frequency.items()}
        unknown_idf = math.log(count) + 1.0

        listed: list[_Listed] = []
        postings: dict[str, list[int]] = defaultdict(list)
        pair_postings: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, (entry, tokens) in enumerate(listed_tokens):
            weights = tuple(idf[token] for token in tokens)
            listed.append(
                _Listed(
                    entry,
                    tokens,
                    weights,
                    sum(weights),
                    " ".join(tokens),
                    frozenset(tokens),
                )
            )
            rare = [t for t in tokens if frequency[t] <= COMMON_TOKEN_POSTINGS]
            for token in rare:
                postings[token].append(position)
            if not rare:
                for pair in combinations(sorted(tokens), 2):
                    pair_postings[pair].append(position)
                if len(tokens) == 1:
                    pair_postings[(tokens[0], "")].append(position)

        neighbours: dict[str, set[str]] = defaultdict(set)
        for token in frequency:
            if len(token) >= MIN_FUZZY_TOKEN:
                for deleted in _deletions(token):
                    neighbours[deleted].add(token)
        return cls(
            listed=listed,
            postings=dict(postings),
            pair_postings=dict(pair_postings),
            neighbours=dict(neighbours),
            idf=idf,
            unknown_idf=unknown_idf,
        )

    def _blocking_tokens(self, token: str) -> set[str]:
        """Listed tokens equal to `token` or one edit away from it."""
        found = {token} if token in self._idf else set()
        if len(token) >= MIN_FUZZY_TOKEN:
            idf, neighbours = self._idf, self._neighbours
            found |= neighbours.get(token, set())  # a letter missing
            for deleted in _deletions(token):
                if deleted in idf:  # a letter too many
                    found.add(deleted)
                found |= neighbours.get(deleted, set())  # a letter changed
        return found

    def _candidates(self, tokens: tuple[str, ...], threshold: float) -> list[int]:
        """Listed names that could still score `threshold` against `tokens`.

        Each is reached through a rare token (or a pair of common ones) and
        bounded from above by the weight of its tokens that were reached: a long
        listed name sharing one word with the party name is dropped here.
        """
        reached: dict[int, float] = defaultdict(float)
        common: list[str] = []
        unmatched = matched = 0.0
        for token in tokens:
            found = self._blocking_tokens(token)
            if not found:
                unmatched += self._idf.get(token, self._unknown_idf)
                continue
            matched += max(self._idf[listed_token] for listed_token in found)
            for listed_token in found:
                if listed_token not in self._postings:
                    common.append(listed_token)
                    continue
                weight = self._idf[listed_token]
                for position in self._postings[listed_token]:
                    reached[position] += weight
        limit = threshold / 100.0
        if not matched or matched / (matched + unmatched) < limit:
            return []  # too much of the party name is in no list at all
        common = sorted(set(common))
        for pair in [*combinations(common, 2), *((token, "") for token in common)]:
            for position in self._pair_postings.get(pair, ()):
                reached.setdefault(position, 0.0)
        candidates = []
        for position, weight in reached.items():
            listed = self._listed[position]
            for token in common:
                if token in listed.token_set:
                    weight += self._idf[token]
            if weight >= limit * listed.total_weight:
                candidates.append(position)
        return candidates

    def _score(self, tokens: tuple[str, ...], listed: _Listed) -> float:
        """The smaller of the two IDF-weighted coverages, 0 to 100."""
        covered = 0.0
        query_total = 0.0
        query_covered = 0.0
        best_for_listed = [0.0] * len(listed.tokens)
        for token in tokens:
            best, best_index = 0.0, -1
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
        if len(tokens) == 1 and len(listed.tokens) == 1:
            if best_for_listed[0] < MIN_SINGLE_TOKEN_SIMILARITY:
                return 0.0
        for weight, best in zip(listed.weights, best_for_listed, strict=True):
            covered += weight * best
        coverage = min(covered / listed.total_weight, query_covered / query_total)
        score = 100.0 * coverage
        if score < 100.0 and len(tokens) != len(listed.tokens):
            # Words run together or split differently ("ABUMARZOOK" for "ABU
            # MARZOOK"): the same letters in the same order, give or take a typo.
            query_letters = "".join(tokens)
            listed_letters = listed.joined.replace(" ", "")
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

        `threshold` (0-100) defaults to the SANCTIONS_MATCH_THRESHOLD setting.
        """
        if threshold is None:
            threshold = screening_threshold()
        kinds = frozenset(kinds)
        best: dict[tuple[str, int], ScreeningHit] = {}
        for tokens in self._readings(name):
            self._screen_tokens(name, tokens, kinds, threshold, best)
        return sorted(best.values(), key=lambda hit: (-hit.score, hit.listed_name))

    def _readings(self, name: str) -> list[tuple[str, ...]]:
        """The name's tokens, and also with a word split in two joined again.

        "SA ID" (an apostrophe typed as a space in SA'ID) is read as SAID too,
        when SAID is a listed word and "SA" or "ID" is not.
        """
        tokens = normalise_name(name).split()
        readings = [name_tokens(name)]
        vocabulary = self._idf
        for i in range(len(tokens) - 1):
            joined = tokens[i] + tokens[i + 1]
            if joined in vocabulary and not (
                tokens[i] in vocabulary and tokens[i + 1] in vocabulary
            ):
                words = [*tokens[:i], joined, *tokens[i + 2 :]]
                readings.append(_core(words))
        return [reading for reading in readings if reading]

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

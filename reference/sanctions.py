"""Importers of the OFAC SDN (CSV) and EU consolidated (FSF XML) sanctions lists."""

import csv
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.db import DatabaseError, transaction

from reference.models import SanctionsAlias, SanctionsEntry, SanctionsList
from reference.screening import screening_cache_clear

logger = logging.getLogger(__name__)

SANCTIONS_DIR = Path(__file__).resolve().parent / "data" / "sanctions"
SHIPPED_OFAC_CSV = SANCTIONS_DIR / "ofac-sdn-2024-05-03.csv"
SHIPPED_OFAC_PUBLISHED_ON = date(2024, 5, 3)

BATCH_SIZE = 2000

OFAC_COLUMNS = 12
OFAC_EMPTY = "-0-"
OFAC_KINDS = {
    "individual": SanctionsEntry.Kind.INDIVIDUAL,
    "vessel": SanctionsEntry.Kind.VESSEL,
    "aircraft": SanctionsEntry.Kind.AIRCRAFT,
    "": SanctionsEntry.Kind.ENTITY,
}
# "a.k.a. 'NAME'" (also f.k.a., n.k.a.) as one ";"-separated part of Remarks;
# the name itself may hold apostrophes (a.k.a. 'ABU-'UMAR').
OFAC_ALIAS = re.compile(r"^[afn]\.k\.a\.\s*'(?P<name>.+)'\.?$")

EU_NS = "{http://eu.europa.ec/fpi/fsd/export}"
EU_KINDS = {
    "person": SanctionsEntry.Kind.INDIVIDUAL,
    "enterprise": SanctionsEntry.Kind.ENTITY,
}


class SanctionsImportError(Exception):
    """A sanctions file that cannot be read; the active list stays as it was."""


@dataclass
class ParsedAlias:
    name: str
    is_strong: bool


@dataclass
class ParsedEntry:
    """One listed party as read from a file, before it is stored."""

    external_id: str
    kind: str
    name: str
    programmes: str = ""
    remarks: str = ""
    reference: str = ""
    aliases: list[ParsedAlias] = field(default_factory=list)
    addresses: str = ""

    @property
    def digest(self) -> str:
        return entry_digest(
            kind=self.kind,
            name=self.name,
            aliases=[a.name for a in self.aliases],
            addresses=self.addresses,
            programmes=self.programmes,
            remarks=self.remarks,
        )


def entry_digest(
    *,
    kind: str,
    name: str,
    aliases: list[str],
    addresses: str,
    programmes: str,
    remarks: str,
) -> str:
    """A fingerprint of what a listed entry says, stable across imports."""
    names = sorted({" ".join(a.split()).upper() for a in aliases} - {name.upper()})
    text = "\x1f".join(
        [kind, " ".join(name.split()).upper(), *names, "\x1e", addresses,
         programmes, remarks]
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _ofac_value(raw: str) -> str:
    value = raw.strip()
    return "" if value == OFAC_EMPTY else value


def _ofac_aliases(remarks: str) -> list[ParsedAlias]:
    # The a.k.a. names kept in the SDN file's Remarks are OFAC's "weak" aliases
    # (nicknames, short forms); the strong ones live in its separate ALT file.
    aliases = []
    for part in remarks.split(";"):
        match = OFAC_ALIAS.match(part.strip())
        if match:
            name = match["name"].strip().strip("'").strip()
            if name:
                aliases.append(ParsedAlias(name=name, is_strong=False))
    return aliases


def sanctions_parse_ofac_csv(*, path: Path) -> Iterator[ParsedEntry]:
    """Read the OFAC SDN CSV (no header, 12 columns) entry by entry.

    Raises SanctionsImportError on a row that is not in the SDN layout.
    """
    with path.open(newline="", encoding="utf-8") as file:
        for line_no, row in enumerate(csv.reader(file), start=1):
            # The file ends with a DOS end-of-file mark (Ctrl-Z) on its own line.
            if not row or (len(row) == 1 and row[0].strip("\x1a \r\n") == ""):
                continue
            if len(row) != OFAC_COLUMNS or not row[0].strip().isdigit():
                raise SanctionsImportError(
                    f"{path.name}, line {line_no}: not an OFAC SDN row "
                    f"({len(row)} columns, expected {OFAC_COLUMNS})."
                )
            sdn_type = _ofac_value(row[2]).lower()
            if sdn_type not in OFAC_KINDS:
                raise SanctionsImportError(
                    f"{path.name}, line {line_no}: unknown SDN_Type {row[2]!r}."
                )
            remarks = _ofac_value(row[11])
            yield ParsedEntry(
                external_id=row[0].strip(),
                kind=OFAC_KINDS[sdn_type],
                name=_ofac_value(row[1]),
                # Several programmes are written "SDGT] [IRGC" inside one column.
                programmes="; ".join(
                    p.strip() for p in _ofac_value(row[3]).split("] [") if p.strip()
                ),
                remarks=remarks,
                aliases=_ofac_aliases(remarks),
            )


def _eu_generation_date(path: Path) -> date:
    for _event, element in iterparse(str(path), events=("start",)):
        generated = element.get("generationDate", "")[:10]
        try:
            return date.fromisoformat(generated)
        except ValueError as exc:
            raise SanctionsImportError(
                f"{path.name}: the <export> element has no generationDate."
            ) from exc
    raise SanctionsImportError(f"{path.name}: empty file.")


def _eu_entry(element: Element) -> ParsedEntry:
    subject = element.find(f"{EU_NS}subjectType")
    code = subject.get("code", "") if subject is not None else ""
    aliases = [
        ParsedAlias(
            name=alias.get("wholeName", "").strip(),
            is_strong=alias.get("strong", "true").lower() == "true",
        )
        for alias in element.findall(f"{EU_NS}nameAlias")
        if alias.get("wholeName", "").strip()
    ]
    main = next((a for a in aliases if a.is_strong), aliases[0] if aliases else None)
    programmes = dict.fromkeys(
        regulation.get("programme", "").strip()
        for regulation in element.findall(f"{EU_NS}regulation")
    )
    remarks = [
        (remark.text or "").strip() for remark in element.findall(f"{EU_NS}remark")
    ]
    addresses = [
        ", ".join(
            part
            for part in (
                address.get(key, "").strip()
                for key in ("street", "poBox", "zipCode", "city", "region",
                            "place", "countryDescription")
            )
            if part
        )
        for address in element.findall(f"{EU_NS}address")
    ]  # fmt: skip
    return ParsedEntry(
        external_id=element.get("logicalId", "").strip(),
        kind=EU_KINDS.get(code, SanctionsEntry.Kind.ENTITY),
        name=main.name if main else "",
        programmes="; ".join(p for p in programmes if p),
        remarks="\n".join(r for r in remarks if r),
        reference=element.get("euReferenceNumber", "").strip(),
        aliases=aliases,
        addresses="\n".join(a for a in addresses if a),
    )


def sanctions_parse_eu_xml(*, path: Path) -> Iterator[ParsedEntry]:
    """Stream the EU FSF XML (v1.1) one sanctionEntity at a time.

    Each entity is cleared once read, so the 25 MB file never sits in memory.
    """
    root: Element | None = None
    for event, element in iterparse(str(path), events=("start", "end")):
        if event == "start":
            if root is None:
                root = element
            continue
        if element.tag == f"{EU_NS}sanctionEntity":
            entry = _eu_entry(element)
            element.clear()
            root.clear()  # drop the emptied entity from the root as well
            if not entry.external_id or not entry.name:
                raise SanctionsImportError(
                    f"{path.name}: a sanctionEntity has no logicalId or no name."
                )
            yield entry


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store(
    *,
    source: str,
    published_on: date,
    sha256: str,
    entries: Iterator[ParsedEntry],
) -> SanctionsList:
    """Write a new list and make it the active one of its source, atomically."""
    with transaction.atomic():
        sanctions_list = SanctionsList.objects.create(
            source=source, published_on=published_on, sha256=sha256
        )
        count = 0
        while batch := list(islice(entries, BATCH_SIZE)):
            rows = SanctionsEntry.objects.bulk_create(
                SanctionsEntry(
                    list=sanctions_list,
                    external_id=parsed.external_id,
                    kind=parsed.kind,
                    name=parsed.name,
                    programmes=parsed.programmes,
                    remarks=parsed.remarks,
                    reference=parsed.reference,
                    addresses=parsed.addresses,
                    digest=parsed.digest,
                )
                for parsed in batch
            )
            SanctionsAlias.objects.bulk_create(
                (
                    SanctionsAlias(
                        entry=row, name=alias.name, is_strong=alias.is_strong
                    )
                    for row, parsed in zip(rows, batch, strict=True)
                    for alias in parsed.aliases
                    if alias.name != parsed.name
                ),
                batch_size=BATCH_SIZE,
            )
            count += len(rows)
        if not count:
            raise SanctionsImportError(f"The {source} file lists nobody.")
        # Deactivate first: at most one active list per source (unique index).
        SanctionsList.objects.filter(source=source, is_active=True).update(
            is_active=False
        )
        sanctions_list.entry_count = count
        sanctions_list.is_active = True
        sanctions_list.save(update_fields=["entry_count", "is_active"])
        # The index is keyed on the active lists, so it is rebuilt anyway; this
        # frees the old one in this process at once.
        transaction.on_commit(screening_cache_clear)
    logger.info("Imported %s of %s: %d entries", source, published_on, count)
    return sanctions_list


def _import(
    *,
    source: str,
    path: Path,
    published_on: date | None,
    entries: Iterator[ParsedEntry],
) -> SanctionsList:
    try:
        sha256 = _sha256(path)
        unchanged = SanctionsList.objects.filter(
            source=source, is_active=True, sha256=sha256
        ).first()
        if unchanged is not None:
            return unchanged  # the same file again: nothing to do
        if published_on is None:
            published_on = _eu_generation_date(path)
        return _store(
            source=source, published_on=published_on, sha256=sha256, entries=entries
        )
    except SanctionsImportError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SanctionsImportError(f"Cannot read {source} file {path}: {exc}") from exc
    except (ParseError, DefusedXmlException) as exc:
        raise SanctionsImportError(
            f"{source} file {path} is not valid XML: {exc}"
        ) from exc
    except DatabaseError as exc:  # e.g. the same external id twice in one file
        raise SanctionsImportError(f"Cannot store {source} file {path}: {exc}") from exc


def sanctions_import_ofac_csv(*, path: Path, published_on: date) -> SanctionsList:
    """Import an OFAC SDN CSV as the new active OFAC list.

    All or nothing: on an unreadable file SanctionsImportError is raised and the
    previous list stays active. The same file imported twice is stored once.
    """
    return _import(
        source=SanctionsList.Source.OFAC_SDN,
        path=path,
        published_on=published_on,
        entries=sanctions_parse_ofac_csv(path=path),
    )


def sanctions_import_eu_xml(*, path: Path) -> SanctionsList:
    """Import an EU consolidated list (FSF XML v1.1) as the new active EU list.

    Its publication date is the file's generationDate. All or nothing, as for
    OFAC.
    """
    return _import(
        source=SanctionsList.Source.EU_FSF,
        path=path,
        published_on=None,
        entries=sanctions_parse_eu_xml(path=path),
    )


def sanctions_load_shipped() -> SanctionsList | None:
    """Import the shipped OFAC file unless an OFAC list is already active.

    Returns the new list, or None when there was nothing to do.
    """
    if SanctionsList.objects.filter(
        source=SanctionsList.Source.OFAC_SDN, is_active=True
    ).exists():
        return None
    return sanctions_import_ofac_csv(
        path=SHIPPED_OFAC_CSV, published_on=SHIPPED_OFAC_PUBLISHED_ON
    )

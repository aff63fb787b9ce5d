"""The manifest pipeline: a chunk of staged rows becomes validated declarations.

One chunk is one transaction: its consignments are built from the staged rows,
judged by the rule book, priced, and written with PostgreSQL's COPY (ids are
drawn from the sequences first, so rows can reference each other). A worker
killed mid-chunk leaves nothing of it; the redelivered task does it again. A
chunk already done is skipped, so nothing is ever written twice.

Re-uploads: a house AWB already declared and not rejected is left as it is
(reported, not duplicated); a rejected one is replaced by its corrected
version, keeping its history.
"""

import itertools
import json
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.webhooks import webhook_events_emit
from declarations.disclosure import (
    NEUTRAL_CODE,
    neutral_reason,
    trader_findings,
    trader_reason,
)
from declarations.facts import RateBook, reference_data, split_key, split_siblings
from declarations.models import (
    Declaration,
    GoodsItem,
    ScreeningMatch,
    Severity,
    Status,
    ValidationIssue,
)
from declarations.rules.base import (
    ConsignmentFacts,
    Issue,
    ItemFacts,
    ReferenceData,
    SplitSibling,
)
from declarations.services.filing import PARTY_FIELDS
from declarations.services.validation import AMOUNT_FIELDS, mrns_issue
from declarations.verdict import status_reason, verdict
from shipments.manifest_parsing import conflicting_fields
from shipments.manifests import ISSUE_COLUMNS, copy_rows
from shipments.models import (
    Consignment,
    Manifest,
    ManifestChunk,
    ManifestRow,
    Shipment,
)

CENT = Decimal("0.01")
SHIPMENT_FIELDS = ("flight_number", "departure_airport", "arrival_airport")
REPLACEABLE = (Status.DRAFT, Status.REJECTED)


@dataclass
class Line:
    """One goods line of a consignment as read from its row."""

    row: int
    item: ItemFacts | None  # None when a value cannot be stored
    errors: list[Issue] = field(default_factory=list)


@dataclass(eq=False)
class Candidate:
    """One house AWB of the chunk on its way to becoming a declaration."""

    hawb: str
    first_row: int
    values: dict[str, str]
    lines: list[Line]
    conflicts: tuple[str, ...]
    mawbs: set[str]
    errors: list[Issue] = field(default_factory=list)
    existing: dict[str, Any] | None = None  # the declaration it replaces
    facts: ConsignmentFacts | None = None
    issues: list[Issue] = field(default_factory=list)
    quote: Any = None
    procedure_code: str = ""
    outcome: str = ""
    mrn: str | None = None
    consignment_id: int | None = None
    declaration_id: int | None = None


def manifest_chunk_process(
    *, manifest_id: int, number: int, language: str | None = None
) -> bool:
    """Process one chunk; True when this call did the work, False if already done.

    Issues are written in `language` (the uploader's), or in the active
    language when it is None.
    """
    with transaction.atomic():
        # Lock this chunk's row only (of=self, no ordering join): chunks of one
        # manifest must run side by side on every worker.
        chunk = (
            ManifestChunk.objects.select_for_update(of=("self",))
            .filter(manifest_id=manifest_id, number=number)
            .order_by()
            .first()
        )
        if chunk is None or chunk.status == ManifestChunk.Status.DONE:
            return False
        manifest = Manifest.objects.select_related("organisation").get(pk=manifest_id)
        rows = (
            ManifestRow.objects.filter(manifest_id=manifest_id, chunk=number)
            .order_by("hawb", "row")
            .values_list("row", "hawb", "data", "errors")
        )
        candidates = [
            _candidate(hawb, list(group))
            for hawb, group in itertools.groupby(rows.iterator(), key=lambda r: r[1])
        ]
        with translation.override(language) if language else nullcontext():
            counts = _file(manifest, candidates)
        for name, value in counts.items():
            setattr(chunk, name, value)
        chunk.status = ManifestChunk.Status.DONE
        chunk.finished_at = timezone.now()
        chunk.save()
    manifest_finish(manifest_id=manifest_id)
    return True


def manifest_finish(*, manifest_id: int) -> bool:
    """Close the manifest once its last chunk is done: totals, time, staged rows."""
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update().get(pk=manifest_id)
        if manifest.status != Manifest.Status.PROCESSING:
            return False
        if manifest.chunks.filter(status=ManifestChunk.Status.PENDING).exists():
            return False
        totals = manifest_progress(manifest=manifest)
        for name, value in totals.items():
            setattr(manifest, name, value)
        manifest.status = Manifest.Status.DONE
        manifest.finished_at = timezone.now()
        manifest.save()
        ManifestRow.objects.filter(manifest_id=manifest_id).delete()
    return True


def manifest_progress(*, manifest: Manifest) -> dict[str, int]:
    """Consignments validated, accepted, rejected, under review so far."""
    if manifest.status == Manifest.Status.DONE:
        return {
            "consignments_validated": manifest.consignments_validated,
            "consignments_accepted": manifest.consignments_accepted,
            "consignments_rejected": manifest.consignments_rejected,
            "consignments_under_review": manifest.consignments_under_review,
            "consignments_unchanged": manifest.consignments_unchanged,
        }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(consignments), 0), coalesce(sum(accepted), 0), "
            "coalesce(sum(rejected), 0), coalesce(sum(under_review), 0), "
            "coalesce(sum(unchanged), 0) FROM shipments_manifestchunk "
            "WHERE manifest_id = %s AND status = 'done'",
            [manifest.pk],
        )
        validated, accepted, rejected, review, unchanged = cursor.fetchone()
    return {
        "consignments_validated": validated,
        "consignments_accepted": accepted,
        "consignments_rejected": rejected,
        "consignments_under_review": review,
        "consignments_unchanged": unchanged,
    }


# Reading the staged rows ----------------------------------------------------


def _candidate(hawb: str, rows: list[tuple]) -> Candidate:
    values = rows[0][2]
    lines = [_line(row, data, errors) for row, _, data, errors in rows]
    parsed = [_Values(data) for _, _, data, _ in rows]
    conflicts = tuple(f for f in conflicting_fields(parsed) if f != "mawb")
    return Candidate(
        hawb=hawb,
        first_row=rows[0][0],
        values=values,
        lines=lines,
        conflicts=conflicts,
        mawbs={data.get("mawb", "") for _, _, data, _ in rows},
    )


@dataclass(frozen=True)
class _Values:
    """What `conflicting_fields` reads of a staged row."""

    values: dict[str, str]


def _line(row: int, data: dict[str, str], errors: list[dict]) -> Line:
    issues = [
        Issue(
            code=e["code"],
            severity=Severity.ERROR,
            field=e["column"],
            message=e["message"],
        )
        for e in errors
    ]
    bad = {e["column"] for e in errors}
    if "" in bad:  # the whole row is unreadable (e.g. a wrong column count)
        return Line(row, None, issues)
    try:
        quantity = int(data.get("quantity") or 0)
        value = Decimal(data.get("item_value") or "0")
        net = _decimal(data.get("net_mass_kg"))
    except (ValueError, InvalidOperation):
        return Line(row, None, issues)
    if bad & {"quantity", "item_value", "net_mass_kg", "hs_code", "description"}:
        return Line(row, None, issues)
    item = ItemFacts(
        line=0,
        description=data.get("description", ""),
        hs_code=data.get("hs_code", ""),
        origin_country=data.get("origin_country", ""),
        quantity=quantity,
        item_value=value,
        net_mass_kg=net,
        product_id=data.get("product_id", ""),
        manufacturer_product_id=data.get("manufacturer_product_id", ""),
    )
    return Line(row, item, issues)


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# Judging -------------------------------------------------------------------


def _file(manifest: Manifest, candidates: list[Candidate]) -> dict[str, int]:
    organisation = manifest.organisation
    shipments = _shipments(organisation, candidates)
    _existing(candidates, shipments)
    fresh, unchanged = [], []
    for c in candidates:
        replaceable = not c.existing or c.existing["status"] in REPLACEABLE
        (fresh if replaceable else unchanged).append(c)
    today = timezone.localdate()
    reference = reference_data(on=today)
    rates = RateBook()
    for candidate in fresh:
        candidate.facts = _facts(candidate, organisation, reference, rates, today)
    siblings = split_siblings(
        [
            (
                c.hawb,
                split_key(organisation.pk, c.facts),
                SplitSibling(c.hawb, c.facts.intrinsic_value_eur),
            )
            for c in fresh
        ],
        exclude_declarations=[c.existing["id"] for c in fresh if c.existing],
        exclude_manifest=manifest.pk,
    )
    for candidate in fresh:
        if found := siblings.get(candidate.hawb):
            candidate.facts = replace(candidate.facts, split_siblings=found)
        _judge(candidate, shipments, rates)
    _write(manifest, fresh, unchanged, shipments)
    return {
        "consignments": len(candidates),
        "accepted": sum(c.outcome == Status.ACCEPTED for c in fresh),
        "rejected": sum(c.outcome == Status.REJECTED for c in fresh),
        "under_review": sum(c.outcome == Status.UNDER_REVIEW for c in fresh),
        "unchanged": len(unchanged),
    }


def _shipments(organisation, candidates: list[Candidate]) -> dict[str, Shipment]:
    """The shipment of every master AWB in the chunk, created when new."""
    wanted: dict[str, dict[str, Any]] = {}
    for c in candidates:
        mawb = c.values.get("mawb", "")
        if mawb and mawb not in wanted and len(c.mawbs) == 1:
            wanted[mawb] = {
                **{
                    f: c.values.get(f, "")[: 8 if f == "flight_number" else 3]
                    for f in SHIPMENT_FIELDS
                },
                "arrival_date": _date(c.values.get("arrival_date")),
            }
    valid = {m: v for m, v in wanted.items() if _mawb_storable(m)}
    Shipment.objects.bulk_create(
        [Shipment(organisation=organisation, mawb=m, **v) for m, v in valid.items()],
        ignore_conflicts=True,
    )
    return {
        s.mawb: s
        for s in Shipment.objects.filter(organisation=organisation, mawb__in=valid)
    }


def _mawb_storable(mawb: str) -> bool:
    return len(mawb) == 12 and mawb[3] == "-" and (mawb[:3] + mawb[4:]).isdigit()


def _existing(candidates: list[Candidate], shipments: dict[str, Shipment]) -> None:
    """Attach to each candidate the declaration an earlier upload made of it."""
    keys = {
        (shipments[c.values["mawb"]].pk, c.hawb): c
        for c in candidates
        if c.values.get("mawb") in shipments
    }
    if not keys:
        return
    found = (
        Declaration.objects.filter(
            consignment__shipment_id__in={k[0] for k in keys},
            consignment__hawb__in={k[1] for k in keys},
            next_version__isnull=True,
        )
        .order_by("pk")
        .values(
            "id",
            "status",
            "mrn",
            "lrn",
            "consignment_id",
            "consignment__shipment_id",
            "consignment__hawb",
        )
    )
    for row in found:
        candidate = keys.get(
            (row["consignment__shipment_id"], row["consignment__hawb"])
        )
        if candidate is not None:
            candidate.existing = row


def _facts(
    c: Candidate, organisation, reference: ReferenceData, rates: RateBook, today: date
) -> ConsignmentFacts:
    v = c.values
    currency = v.get("currency", "")
    rate = rates.get(currency, today)
    items = tuple(
        replace(line.item, line=n)
        for n, line in enumerate((ln for ln in c.lines if ln.item), start=1)
    )
    return ConsignmentFacts(
        declaration_type="H7",
        on=today,
        reference=reference,
        items=items,
        declarant_name=organisation.name,
        declarant_eori=organisation.eori,
        mawb=v.get("mawb", ""),
        hawb=c.hawb,
        flight_number=v.get("flight_number", ""),
        departure_airport=v.get("departure_airport", ""),
        arrival_airport=v.get("arrival_airport", ""),
        arrival_date=_date(v.get("arrival_date")),
        vat_path=v.get("vat_path") or ("IOSS" if v.get("ioss_number") else "STANDARD"),
        ioss_number=v.get("ioss_number", ""),
        currency=currency,
        transport_cost=_decimal_or_zero(v.get("transport_cost")),
        insurance_cost=_decimal_or_zero(v.get("insurance_cost")),
        gross_mass_kg=_safe_decimal(v.get("gross_mass_kg")),
        packages=_safe_int(v.get("packages"), default=1),
        eur_rate=getattr(rate, "rate", None),
        rate_problem=rate if isinstance(rate, str) else "",
        hawb_duplicates=len(c.mawbs) - 1,
        line_conflicts=c.conflicts,
        **{f: v.get(f, "") for f in PARTY_FIELDS},
    )


def _safe_decimal(text: str | None) -> Decimal | None:
    try:
        return _decimal(text)
    except InvalidOperation:
        return None


def _decimal_or_zero(text: str | None) -> Decimal:
    return _safe_decimal(text) or Decimal(0)


def _safe_int(text: str | None, *, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _judge(c: Candidate, shipments: dict[str, Shipment], rates: RateBook) -> None:
    # Row errors: each line's own, attached to the item it would have been.
    row_errors = []
    numbered = iter(range(1, len(c.lines) + 1))
    for line in c.lines:
        item_no = next(numbered) if line.item else None
        row_errors.extend(replace(e, item_line=item_no) for e in line.errors)
    judged = verdict(
        c.facts,
        rates,
        review_threshold=settings.REVIEW_RISK_THRESHOLD,
        extra_issues=[*row_errors, *_flight_mismatch(c, shipments)],
    )
    c.issues = list(judged.issues)
    c.quote = judged.quote
    c.procedure_code = judged.procedure_code
    c.outcome = judged.outcome


def _flight_mismatch(c: Candidate, shipments: dict[str, Shipment]) -> list[Issue]:
    shipment = shipments.get(c.values.get("mawb", ""))
    if shipment is None:
        return []
    for name in SHIPMENT_FIELDS:
        declared = c.values.get(name, "")
        if declared and getattr(shipment, name) and getattr(shipment, name) != declared:
            return [
                Issue(
                    code="ID-MAWB-FLIGHT",
                    severity=Severity.ERROR,
                    field=name,
                    message=_(
                        "Master AWB %(mawb)s travels with %(field)s %(value)s, not "
                        "%(declared)s: one master AWB is one flight. Correct the row "
                        "or the master AWB."
                    )
                    % {
                        "mawb": shipment.mawb,
                        "field": name,
                        "value": getattr(shipment, name),
                        "declared": declared,
                    },
                )
            ]
    return []


# Writing -------------------------------------------------------------------


def _ids(table: str, count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _write(
    manifest: Manifest,
    fresh: list[Candidate],
    unchanged: list[Candidate],
    shipments: dict[str, Shipment],
) -> None:
    now = timezone.now()
    organisation = manifest.organisation
    user_id = manifest.uploaded_by_id
    new = [c for c in fresh if not c.existing]
    replaced = [c for c in fresh if c.existing]
    accepted = [c for c in fresh if c.outcome != Status.REJECTED]
    mrns = iter(mrns_issue(count=len(accepted)))
    for c in accepted:
        c.mrn = next(mrns)
    consignment_ids = iter(_ids("shipments_consignment", len(new)))
    declaration_ids = iter(_ids("declarations_declaration", len(new)))
    for c in new:
        c.consignment_id = next(consignment_ids)
        c.declaration_id = next(declaration_ids)
    for c in replaced:
        c.consignment_id = c.existing["consignment_id"]
        c.declaration_id = c.existing["id"]
    _replace_old(replaced, shipments, now)
    item_count = sum(1 for c in fresh for line in c.lines if _storable(line))
    item_ids = iter(_ids("declarations_goodsitem", item_count))

    consignments, declarations, items, issues, changes, matches, found = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for c in fresh:
        f = c.facts
        shipment = shipments.get(f.mawb)
        if not c.existing:
            consignments.append(_consignment_row(c, organisation.pk, shipment, now))
            declarations.append(_declaration_row(c, manifest, user_id, now))
            changes.append(
                (
                    c.declaration_id,
                    Status.DRAFT,
                    Status.SUBMITTED,
                    f"Filed by manifest {manifest.pk}",
                    now,
                    user_id,
                )
            )
        else:
            changes.append(
                (
                    c.declaration_id,
                    c.existing["status"],
                    Status.SUBMITTED,
                    f"Corrected by manifest {manifest.pk}",
                    now,
                    user_id,
                )
            )
        changes.append(
            (c.declaration_id, Status.SUBMITTED, Status.VALIDATING, "", now, None)
        )
        verdict = Status.REJECTED if c.outcome == Status.REJECTED else Status.ACCEPTED
        reason = status_reason(c.issues)
        changes.append(
            (
                c.declaration_id,
                Status.VALIDATING,
                verdict,
                reason if verdict == Status.REJECTED else "",
                now,
                None,
            )
        )
        if c.outcome == Status.UNDER_REVIEW:
            changes.append(
                (
                    c.declaration_id,
                    Status.ACCEPTED,
                    Status.UNDER_REVIEW,
                    reason,
                    now,
                    None,
                )
            )
        item_of_line: dict[int, int] = {}
        for n, line in enumerate((ln for ln in c.lines if ln.item), start=1):
            if _storable(line):
                item_id = next(item_ids)
                item_of_line[n] = item_id
                i = line.item
                items.append(
                    (
                        item_id,
                        c.declaration_id,
                        n,
                        i.description[:512],
                        i.hs_code[:10],
                        i.origin_country[:2],
                        i.quantity,
                        i.item_value,
                        i.net_mass_kg,
                        i.product_id[:70],
                        i.manufacturer_product_id[:70],
                        line.row,
                    )
                )
        rows_of_item = {
            n: line.row for n, line in enumerate((ln for ln in c.lines if ln.item), 1)
        }
        # The manifest's issue list is the filer's: what it may see of them.
        for issue in trader_findings(
            c.issues,
            code=lambda i: i.code,
            risk_points=lambda i: i.risk_points,
            neutral=lambda: Issue(
                NEUTRAL_CODE, Severity.WARNING, "", neutral_reason()
            ),
        ):
            if issue.code.startswith("ROW-"):
                continue  # listed with its own row when the file was staged
            row = rows_of_item.get(issue.item_line, c.first_row)
            found.append(
                (
                    manifest.pk,
                    row,
                    c.hawb[:64],
                    issue.code,
                    issue.severity,
                    issue.field[:64],
                    issue.message,
                )
            )
        for issue in c.issues:
            issues.append(
                (
                    c.declaration_id,
                    item_of_line.get(issue.item_line),
                    issue.code,
                    issue.severity,
                    issue.field[:64],
                    issue.message,
                    issue.risk_points,
                    now,
                )
            )
            if hit := issue.screening:
                matches.append(
                    (
                        c.declaration_id,
                        hit.party,
                        hit.screened_name[:300],
                        hit.listed_name[:500],
                        hit.matched_name[:500],
                        hit.source,
                        hit.external_id,
                        hit.kind,
                        hit.programmes[:300],
                        Decimal(str(round(hit.score, 1))),
                        hit.entry_id,
                        now,
                    )
                )
    for c in unchanged:
        found.append(
            (
                manifest.pk,
                c.first_row,
                c.hawb[:64],
                "MAN-UNCHANGED",
                "info",
                "hawb",
                f"House AWB {c.hawb} was already declared "
                f"({c.existing['mrn'] or c.existing['lrn']}, "
                f"{c.existing['status']}): kept as it is, not duplicated.",
            )
        )
    with connection.cursor() as cursor:
        copy_rows(cursor, "shipments_consignment", CONSIGNMENT_COLUMNS, consignments)
        copy_rows(cursor, "declarations_declaration", DECLARATION_COLUMNS, declarations)
        copy_rows(cursor, "declarations_goodsitem", ITEM_COLUMNS, items)
        copy_rows(cursor, "declarations_validationissue", ISSUE_ROW_COLUMNS, issues)
        copy_rows(cursor, "declarations_statuschange", CHANGE_COLUMNS, changes)
        copy_rows(cursor, "declarations_screeningmatch", MATCH_COLUMNS, matches)
        copy_rows(cursor, "shipments_manifestissue", ISSUE_COLUMNS, found)
    _update_replaced(replaced, manifest, now)
    _announce(manifest, fresh, now)


def _lrn(manifest: Manifest, c: Candidate) -> str:
    """A manifest parcel's LRN: the manifest and the row it starts on."""
    return f"M{manifest.pk}-{c.first_row}"[:22]


def _announce(manifest: Manifest, fresh: list[Candidate], now) -> None:
    """The webhooks hear of each outcome as for a declaration filed alone."""
    events = []
    for c in fresh:
        steps = [(Status.VALIDATING, Status.REJECTED)]
        if c.outcome != Status.REJECTED:
            steps = [(Status.VALIDATING, Status.ACCEPTED)]
        if c.outcome == Status.UNDER_REVIEW:
            steps.append((Status.ACCEPTED, Status.UNDER_REVIEW))
        for from_status, to_status in steps:
            events.append(
                (
                    c.declaration_id,
                    to_status,
                    {
                        "id": c.declaration_id,
                        "lrn": c.existing["lrn"]
                        if c.existing
                        else f"M{manifest.pk}-{c.first_row}",
                        "mrn": c.mrn,
                        "hawb": c.hawb,
                        "status": to_status,
                        "from_status": from_status,
                        "reason": trader_reason(
                            reason=status_reason(c.issues),
                            to_status=to_status,
                            automatic=True,
                            screened=False,  # the reason names a hit's code
                        ),
                        "at": now.isoformat(),
                        "manifest": manifest.pk,
                    },
                )
            )
    webhook_events_emit(organisation_id=manifest.organisation_id, events=events)


def _storable(line: Line) -> bool:
    """Whether the item satisfies the database's constraints (else only its issue
    is kept, on the row it came from)."""
    i = line.item
    return bool(
        i
        and i.quantity >= 1
        and i.item_value >= 0
        and (i.net_mass_kg is None or i.net_mass_kg > 0)
        and i.item_value < Decimal("1e10")
    )


CONSIGNMENT_COLUMNS = (
    "id",
    "organisation_id",
    "shipment_id",
    "hawb",
    *PARTY_FIELDS,
    "currency",
    "transport_cost",
    "insurance_cost",
    "gross_mass_kg",
    "packages",
    "created_at",
    "updated_at",
    "superseded",
)
# The columns a corrected consignment takes over from its new rows.
CONSIGNMENT_DATA = slice(4, -3)


def _consignment_row(c: Candidate, organisation_id: int, shipment, now) -> tuple:
    f = c.facts
    gross = f.gross_mass_kg if f.gross_mass_kg and f.gross_mass_kg > 0 else None
    return (
        c.consignment_id,
        organisation_id,
        shipment.pk if shipment else None,
        c.hawb[:35],
        *(getattr(f, p)[: _LIMITS.get(p, 150)] for p in PARTY_FIELDS),
        f.currency[:3],
        max(f.transport_cost, 0),
        max(f.insurance_cost, 0),
        gross,
        max(f.packages, 1),
        now,
        now,
        False,
    )


_LIMITS = {
    "consignor_city": 100,
    "consignee_city": 100,
    "consignor_postcode": 17,
    "consignee_postcode": 17,
    "consignor_country": 2,
    "consignee_country": 2,
    "consignee_eori": 17,
}

DECLARATION_COLUMNS = (
    "id",
    "organisation_id",
    "created_by_id",
    "consignment_id",
    "manifest_id",
    "type",
    "lrn",
    "mrn",
    "status",
    "vat_path",
    "ioss_number",
    "declarant_eori",
    "additional_procedure_code",
    "previous_mrn",
    "version",
    "risk_score",
    "exchange_rate",
    "exchange_rate_date",
    "intrinsic_value_eur",
    "customs_value_eur",
    "computation",
    "requested_documents",
    "customs_duty_eur",
    "import_vat_eur",
    "fees_eur",
    "total_due_eur",
    "submitted_at",
    "created_at",
    "updated_at",
)


def _declaration_row(c: Candidate, manifest: Manifest, user_id, now) -> tuple:
    values = _outcome_values(c)
    return (
        c.declaration_id,
        manifest.organisation_id,
        user_id,
        c.consignment_id,
        manifest.pk,
        "H7",
        _lrn(manifest, c),
        values["mrn"],
        values["status"],
        values["vat_path"],
        values["ioss_number"],
        manifest.organisation.eori,
        values["additional_procedure_code"],
        "",
        1,
        values["risk_score"],
        values["exchange_rate"],
        values["exchange_rate_date"],
        values["intrinsic_value_eur"],
        values["customs_value_eur"],
        json.dumps(values["computation"]) if values["computation"] else None,
        "[]",
        values["customs_duty_eur"],
        values["import_vat_eur"],
        values["fees_eur"],
        values["total_due_eur"],
        now,
        now,
        now,
    )


def _outcome_values(c: Candidate) -> dict[str, Any]:
    f = c.facts
    quote = c.quote
    value = f.intrinsic_value_eur
    vat_path = (
        f.vat_path if f.vat_path in ("IOSS", "SPECIAL", "STANDARD") else "STANDARD"
    )
    return {
        "mrn": c.mrn,
        "status": c.outcome,
        "vat_path": vat_path,
        "ioss_number": f.ioss_number[:12],
        "additional_procedure_code": c.procedure_code,
        "risk_score": min(sum(i.risk_points for i in c.issues), 100),
        "exchange_rate": quote.rate.rate if quote else f.eur_rate,
        "exchange_rate_date": quote.rate.ecb_date if quote else None,
        "intrinsic_value_eur": value.quantize(CENT) if value is not None else None,
        "computation": quote.as_dict() if quote else None,
        **{name: getattr(quote, name) if quote else None for name in AMOUNT_FIELDS},
    }


ITEM_COLUMNS = (
    "id",
    "declaration_id",
    "line",
    "description",
    "hs_code",
    "origin_country",
    "quantity",
    "item_value",
    "net_mass_kg",
    "product_id",
    "manufacturer_product_id",
    "manifest_row",
)
ISSUE_ROW_COLUMNS = (
    "declaration_id",
    "item_id",
    "code",
    "severity",
    "field",
    "message",
    "risk_points",
    "created_at",
)
CHANGE_COLUMNS = (
    "declaration_id",
    "from_status",
    "to_status",
    "reason",
    "at",
    "by_user_id",
)
MATCH_COLUMNS = (
    "declaration_id",
    "party",
    "screened_name",
    "listed_name",
    "matched_name",
    "source",
    "external_id",
    "kind",
    "programmes",
    "score",
    "entry_id",
    "created_at",
)


def _replace_old(replaced: list[Candidate], shipments, now) -> None:
    """Clear what a corrected consignment replaces: its items and findings."""
    if not replaced:
        return
    ids = [c.declaration_id for c in replaced]
    GoodsItem.objects.filter(declaration_id__in=ids).delete()
    ValidationIssue.objects.filter(declaration_id__in=ids).delete()
    ScreeningMatch.objects.filter(declaration_id__in=ids).delete()
    consignments = Consignment.objects.in_bulk([c.consignment_id for c in replaced])
    for c in replaced:
        consignment = consignments[c.consignment_id]
        row = _consignment_row(c, consignment.organisation_id, None, now)
        for name, value in zip(
            CONSIGNMENT_COLUMNS[CONSIGNMENT_DATA], row[CONSIGNMENT_DATA], strict=True
        ):
            setattr(consignment, name, value)
    Consignment.objects.bulk_update(
        consignments.values(), [*CONSIGNMENT_COLUMNS[CONSIGNMENT_DATA], "updated_at"]
    )


def _update_replaced(replaced: list[Candidate], manifest: Manifest, now) -> None:
    if not replaced:
        return
    declarations = Declaration.objects.in_bulk([c.declaration_id for c in replaced])
    fields = [
        "manifest",
        "submitted_at",
        "updated_at",
        "status",
        "mrn",
        "vat_path",
        "ioss_number",
        "additional_procedure_code",
        "risk_score",
        "exchange_rate",
        "exchange_rate_date",
        "intrinsic_value_eur",
        "computation",
        *AMOUNT_FIELDS,
    ]
    for c in replaced:
        declaration = declarations[c.declaration_id]
        for name, value in _outcome_values(c).items():
            setattr(declaration, name, value)
        declaration.manifest = manifest
        declaration.submitted_at = declaration.updated_at = now
    Declaration.objects.bulk_update(declarations.values(), fields)


__all__ = ["manifest_chunk_process", "manifest_finish", "manifest_progress"]

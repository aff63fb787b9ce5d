"""Screening after the fact: again when a list changes, and officers' clearances.

A list refresh can add the party of a parcel still in customs' hands; such
declarations are screened again (`sanctions_rescreen_pending`, queued after
every refresh and swept by the beat) and a new hit sends them to review. An
officer who finds a matched party to be a namesake records it
(`screening_match_clear`), so that party is not raised again for that entry
while the entry reads the same.
"""

from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.errors import ApplicationError
from declarations.facts import (
    RateBook,
    consignment_facts_batch,
    declarations_for_facts,
    reference_data,
)
from declarations.models import (
    Declaration,
    SanctionsRescreen,
    ScreeningClearance,
    ScreeningMatch,
    Status,
    ValidationIssue,
)
from declarations.rules.base import party_key, screened_party
from declarations.services.assignment import officer_log
from declarations.services.lifecycle import SANCTIONS_CODE
from declarations.services.validation import screening_match, transition_many
from reference.models import SanctionsEntry, SanctionsList

# In customs' hands and not yet decided for good: a new hit still matters.
UNRELEASED = (
    Status.ACCEPTED,
    Status.UNDER_REVIEW,
    Status.DOCUMENTS_REQUESTED,
    Status.HELD,
)
RESCREEN_BATCH = 2000


def _added_entries(sanctions_list: SanctionsList) -> int:
    """Entries of `sanctions_list` that its source's previous list did not have
    as they read now (new, or changed)."""
    previous = (
        SanctionsList.objects.filter(
            source=sanctions_list.source, imported_at__lt=sanctions_list.imported_at
        )
        .order_by("-imported_at")
        .first()
    )
    entries = SanctionsEntry.objects.filter(list=sanctions_list)
    if previous is None:
        return entries.count()
    same = SanctionsEntry.objects.filter(
        list=previous, external_id=OuterRef("external_id"), digest=OuterRef("digest")
    )
    return entries.exclude(Exists(same)).count()


def sanctions_rescreen_pending() -> list[SanctionsRescreen]:
    """Screen unreleased declarations again for each active list not yet done.

    Cheap when nothing changed (one query); safe to run twice (one row per
    list, written with the work in one transaction).
    """
    done = []
    pending = SanctionsList.objects.filter(is_active=True).exclude(
        Exists(SanctionsRescreen.objects.filter(list=OuterRef("pk")))
    )
    for sanctions_list in pending.order_by("imported_at"):
        with transaction.atomic():
            SanctionsList.objects.select_for_update().get(pk=sanctions_list.pk)
            if SanctionsRescreen.objects.filter(list=sanctions_list).exists():
                continue
            added = _added_entries(sanctions_list)
            screened, hits = declarations_rescreen() if added else (0, 0)
            done.append(
                SanctionsRescreen.objects.create(
                    list=sanctions_list,
                    added_entries=added,
                    declarations_screened=screened,
                    new_hits=hits,
                )
            )
    return done


def declarations_rescreen() -> tuple[int, int]:
    """Screen every unreleased declaration's parties against the active lists.

    A match not recorded before is stored (finding and match, for the officer);
    an accepted declaration goes to review, one already with an officer stays
    where it is with the new match added. Returns (declarations screened,
    declarations with a new hit).
    """
    ids = list(
        Declaration.objects.filter(status__in=UNRELEASED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    hits = 0
    for start in range(0, len(ids), RESCREEN_BATCH):
        hits += _rescreen_batch(ids[start : start + RESCREEN_BATCH])
    return len(ids), hits


def _rescreen_batch(ids: list[int]) -> int:
    declarations = list(
        declarations_for_facts(ids)
        .select_for_update(of=("self",))
        .filter(status__in=UNRELEASED)
        .order_by("pk")
    )
    if not declarations:
        return 0
    known = defaultdict(set)
    for declaration_id, party, source, external_id in ScreeningMatch.objects.filter(
        declaration__in=declarations
    ).values_list("declaration_id", "party", "source", "external_id"):
        known[declaration_id].add((party, source, external_id))
    # The officers read these findings: in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        reference = reference_data(on=timezone.localdate())
        rule = next(r for r in reference.rule_book if r.code == SANCTIONS_CODE)
        facts = consignment_facts_batch(
            declarations, reference=reference, rates=RateBook()
        )
        found = {
            d.pk: [
                issue
                for issue in (rule.check(f) if rule.applies(f) else ())
                if (
                    issue.screening.party,
                    issue.screening.source,
                    issue.screening.external_id,
                )
                not in known[d.pk]
            ]
            for d, f in zip(declarations, facts, strict=True)
        }
    hit = [d for d in declarations if found[d.pk]]
    ValidationIssue.objects.bulk_create(
        ValidationIssue(
            declaration=d,
            code=issue.code,
            severity=issue.severity,
            field=issue.field,
            message=issue.message,
            risk_points=issue.risk_points,
        )
        for d in hit
        for issue in found[d.pk]
    )
    ScreeningMatch.objects.bulk_create(
        screening_match(d, s)
        for d in hit
        for s in (issue.screening for issue in found[d.pk])
    )
    for d in hit:
        d.risk_score = min(d.risk_score + rule.risk_points, 100)
    Declaration.objects.bulk_update(hit, ["risk_score"])
    to_review = [d for d in hit if d.status == Status.ACCEPTED]
    transition_many(
        to_review,
        "send_to_review",
        reasons={d.pk: SANCTIONS_CODE for d in to_review},
    )
    return len(hit)


def _parties_of(declaration: Declaration) -> SimpleNamespace:
    """The declaration's parties with the attribute names of the rule book's facts."""
    consignment = declaration.consignment
    return SimpleNamespace(
        **{
            f"{role}_{part}": getattr(consignment, f"{role}_{part}")
            for role in ("consignor", "consignee")
            for part in ("name", "country", "address")
        },
        declarant_name=declaration.organisation.name,
        declarant_eori=declaration.declarant_eori,
    )


@transaction.atomic
def screening_match_clear(
    *, match: ScreeningMatch, by: AbstractBaseUser, reason: str
) -> ScreeningClearance:
    """Record that the matched party is a namesake, not the listed party.

    Remembered for the party (name, country, address) and the entry as it
    reads now; written to the officers' history of the declaration. Clearing
    the same party and entry again returns the clearance already in force.
    """
    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers clear screening matches."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why this party is not the listed one.")}
        )
    declaration = (
        Declaration.objects.select_related("consignment", "organisation")
        .select_for_update(of=("self",))
        .get(pk=match.declaration_id)
    )
    entry = match.entry
    if entry is None:
        raise ApplicationError(
            _(
                "The listed entry of this match is no longer stored: screen the "
                "declaration again before clearing it."
            )
        )
    _name, country, address = screened_party(_parties_of(declaration), match.party)
    name_key, country, address_key = party_key(match.screened_name, country, address)
    clearance, created = ScreeningClearance.objects.get_or_create(
        name_key=name_key,
        country=country,
        address_key=address_key,
        source=match.source,
        external_id=match.external_id,
        entry_digest=entry.digest,
        withdrawn_at=None,
        defaults={
            "party_name": match.screened_name[:300],
            "entry": entry,
            "declaration": declaration,
            "reason": reason.strip(),
            "cleared_by": by,
        },
    )
    if created:
        officer_log(
            declaration=declaration,
            by=by,
            message=_(
                "Screening: %(party)s “%(name)s” cleared as a namesake of "
                "%(source)s entry %(entry)s (%(listed)s). Reason: %(reason)s"
            )
            % {
                "party": match.party,
                "name": match.screened_name,
                "source": match.source,
                "entry": match.external_id,
                "listed": match.listed_name,
                "reason": reason.strip(),
            },
        )
    return clearance


@transaction.atomic
def screening_clearance_withdraw(
    *, clearance: ScreeningClearance, by: AbstractBaseUser
) -> ScreeningClearance:
    """Stop applying a clearance: the party is raised again from now on."""
    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers withdraw clearances."))
    clearance = ScreeningClearance.objects.select_for_update().get(pk=clearance.pk)
    if clearance.withdrawn_at is None:
        clearance.withdrawn_at = timezone.now()
        clearance.withdrawn_by = by
        clearance.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return clearance


def clearance_state(clearance: ScreeningClearance) -> str:
    """Whether a clearance applies, or why not (for the officers' admin)."""
    if clearance.withdrawn_at:
        return _("withdrawn")
    digest = (
        SanctionsEntry.objects.filter(
            list__is_active=True,
            list__source=clearance.source,
            external_id=clearance.external_id,
        )
        .values_list("digest", flat=True)
        .first()
    )
    if digest is None:
        return _("entry no longer listed")
    if digest != clearance.entry_digest:
        return _("entry changed since: review again")
    return _("applies")

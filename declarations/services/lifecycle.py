"""The lifecycle: locked transitions with their audit rows, submission, decisions."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.api_auth import ApiClient
from accounts.eori import organisation_filing_refusal
from accounts.errors import ApplicationError
from accounts.models import Organisation
from accounts.webhooks import WEBHOOK_EVENTS, webhook_events_emit
from declarations.disclosure import tells_of_screening, trader_reason
from declarations.models import (
    DECIDABLE_STATUSES,
    Declaration,
    DocumentKind,
    ScreeningMatch,
    Status,
    StatusChange,
    ValidationIssue,
)
from declarations.services.assignment import officer_log, officer_name
from declarations.services.notifications import decision_notify
from declarations.tasks import validate_declaration

Actor = AbstractBaseUser | ApiClient | None

SANCTIONS_CODE = "RISK-SANCTIONS"

ACTION_PAST = {
    "submit": "submitted",
    "start_validation": "validated",
    "reject": "rejected",
    "accept": "accepted",
    "send_to_review": "sent to review",
    "release": "released",
    "hold": "held",
    "refuse": "refused",
    "invalidate": "invalidated",
}


def actor_columns(by: Actor) -> dict[str, Any]:
    """StatusChange's who-columns for a user, an API key, or the portal itself."""
    if isinstance(by, ApiClient):
        return {"by_api_key": by.api_key}
    if by is not None and by.is_authenticated:
        return {"by_user": by}
    return {}


def user_of(by: Actor) -> AbstractBaseUser | None:
    return by if by is not None and not isinstance(by, ApiClient) else None


def declaration_lock(declaration: Declaration) -> Declaration:
    return (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("consignment__shipment", "organisation")
        .get(pk=declaration.pk)
    )


def require_editable(declaration: Declaration) -> None:
    if not declaration.is_editable:
        raise ApplicationError(
            f"This declaration is {declaration.get_status_display().lower()}: it can "
            "no longer be changed. Ask customs to invalidate it if it is wrong."
        )


def transition(
    declaration: Declaration, action: str, *, by: Actor, reason: str = ""
) -> Declaration:
    """Move a locked declaration along the lifecycle and write its audit row."""
    transition_recorded(declaration, action, by=by, reason=reason)
    return declaration


def transition_recorded(
    declaration: Declaration, action: str, *, by: Actor, reason: str = ""
) -> StatusChange:
    """transition(), returning the audit row it wrote."""
    method = getattr(declaration, action)
    if not can_proceed(method):
        raise ApplicationError(
            f"A declaration that is {declaration.get_status_display().lower()} cannot "
            f"be {ACTION_PAST[action]} now."
        )
    from_status = declaration.status
    method()
    declaration.save()
    change = StatusChange.objects.create(
        declaration=declaration,
        from_status=from_status,
        to_status=declaration.status,
        reason=reason,
        **actor_columns(by),
    )
    status_changes_announce([(declaration, change)])
    return change


def status_changes_announce(
    changes: Sequence[tuple[Declaration, StatusChange]],
) -> None:
    """Tell the declarants' webhooks about status changes they subscribe to.

    Deliveries are written in this transaction and sent after it commits.
    """
    by_organisation: dict[int, list] = defaultdict(list)
    for declaration, change in changes:
        if change.to_status in WEBHOOK_EVENTS:
            by_organisation[declaration.organisation_id].append(
                (declaration.pk, change.to_status, webhook_payload(declaration, change))
            )
    for organisation_id, events in by_organisation.items():
        webhook_events_emit(organisation_id=organisation_id, events=events)


def webhook_payload(declaration: Declaration, change: StatusChange) -> dict:
    """What the filer's webhook hears: the reason as the filer may read it."""
    reason = trader_reason(
        reason=change.reason,
        to_status=change.to_status,
        automatic=not change.by_user_id and not change.by_api_key_id,
        screened=False,  # a hit names its code in the reason of its own change
    )
    return {
        "id": declaration.pk,
        "lrn": declaration.lrn,
        "mrn": declaration.mrn,
        "hawb": declaration.consignment.hawb,
        "status": change.to_status,
        "from_status": change.from_status,
        "reason": reason,
        "at": change.at.isoformat(),
    }


def require_may_file(organisation: Organisation) -> None:
    """Refuse to file for an organisation whose EORI fails the check (flagged by
    the operator's recheck, or failing today): 403 with the reason and the fix."""
    refusal = organisation_filing_refusal(
        eori=organisation.eori, flagged=organisation.eori_flagged
    )
    if refusal:
        raise ApplicationError(refusal, status=403, field="eori")


@transaction.atomic
def declaration_submit(*, declaration: Declaration, by: Actor) -> Declaration:
    """Freeze the declaration and queue its validation."""
    require_may_file(declaration.organisation)
    declaration = declaration_lock(declaration)
    if not declaration.declarant_eori:
        declaration.declarant_eori = declaration.organisation.eori
    transition(declaration, "submit", by=by)
    pk = declaration.pk
    transaction.on_commit(lambda: validate_declaration.delay(pk))
    return declaration


OFFICER_DECISIONS = ("release", "hold", "request_documents", "refuse", "invalidate")
# Decisions after which the declaration leaves the officers' queue for good: the
# assignment ends with them. A hold or a request for documents keeps it, so the
# case comes back to the officer who knows it.
FINAL_DECISIONS = ("release", "refuse", "invalidate")
# A release proposal waiting for a second officer is withdrawn by these.
WITHDRAWS_PROPOSAL = ("hold", "request_documents", "refuse", "invalidate")
# Bulk release of a flight takes only declarations at or below this risk score:
# 0, i.e. no rule found any risk at all. Even the smallest risk (a lithium
# battery, 10 points) deserves an officer's look rather than a flight-wide
# release; the confirmation page names each declaration left out and why.
BULK_RELEASE_MAX_RISK = 0


def has_sanctions_hit(declaration: Declaration) -> bool:
    """A sanctions-list match: its release needs two officers (four eyes)."""
    return (
        ScreeningMatch.objects.filter(declaration=declaration).exists()
        or ValidationIssue.objects.filter(
            declaration=declaration, code=SANCTIONS_CODE
        ).exists()
    )


@transaction.atomic
def declaration_decide(
    *,
    declaration: Declaration,
    decision: str,
    by: AbstractBaseUser,
    reason: str,
    documents: Sequence[str] = (),
) -> Declaration:
    """An officer's decision on a declaration, with the reason the declarant sees.

    Asking for documents names the kinds wanted; the declaration then waits in
    documents_requested until the declarant uploads one.

    Four eyes: releasing a declaration with a sanctions hit first records the
    officer's proposal and leaves the status; a second, different officer's
    release releases it. The declarant is notified of every decision (not of a
    proposal), by a portal notification and e-mail, and its webhooks are called.
    """
    if decision not in OFFICER_DECISIONS:
        raise ApplicationError(f"Unknown decision '{decision}'.", status=400)
    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers decide on declarations."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason the declarant will read.")})
    reason = reason.strip()
    declaration = declaration_lock(declaration)
    if tells_of_screening(reason) and has_sanctions_hit(declaration):
        # No tipping off: the declarant reads this reason.
        raise ValidationError(
            {
                "reason": _(
                    "The declarant reads this reason: do not mention sanctions, "
                    "screening or a listed party. Say what you need, e.g. the "
                    "commercial invoice."
                )
            }
        )
    if decision == "request_documents":
        unknown = set(documents) - set(DocumentKind.values)
        if not documents or unknown:
            raise ValidationError(
                {"documents": _("Tick at least one document you need.")}
            )
        declaration.requested_documents = sorted(set(documents))
    approving = (
        decision == "release"
        and release_awaits_second_officer(declaration)
        and declaration.release_proposed_by_id != by.pk
    )
    if (
        declaration.assigned_to_id
        and declaration.assigned_to_id != by.pk
        and not approving  # four eyes: the second officer is another by design
    ):
        raise ApplicationError(
            _(
                "%(officer)s is working on this declaration. Take it over first "
                "if you are to decide on it."
            )
            % {"officer": officer_name(declaration.assigned_to)},
            status=409,
        )
    if decision == "release" and has_sanctions_hit(declaration):
        proposer = declaration.release_proposed_by
        if proposer is None or declaration.status not in DECIDABLE_STATUSES:
            return _release_propose(declaration, by=by, reason=reason)
        if proposer.pk == by.pk:
            raise ApplicationError(
                _(
                    "You proposed this release yourself on %(at)s. A declaration "
                    "with a sanctions hit is released by a second, different "
                    "officer."
                )
                % {"at": _when(declaration.release_proposed_at)}
            )
        officer_log(
            declaration=declaration,
            by=by,
            message=_(
                "Four eyes: release proposed by %(proposer)s approved by "
                "%(officer)s. Reason: %(reason)s"
            )
            % {
                "proposer": officer_name(proposer),
                "officer": officer_name(by),
                "reason": reason,
            },
        )
    if decision in WITHDRAWS_PROPOSAL and declaration.release_proposed_by_id:
        officer_log(
            declaration=declaration,
            by=by,
            message=_("Release proposal by %(proposer)s withdrawn: %(decision)s.")
            % {
                "proposer": officer_name(declaration.release_proposed_by),
                "decision": decision.replace("_", " "),
            },
        )
        declaration.release_proposed_by = None
        declaration.release_proposed_at = None
        declaration.release_proposal_reason = ""
    if decision == "release":
        # Approved (or never needed): no proposal is pending any more.
        declaration.release_proposed_by = None
        declaration.release_proposed_at = None
        declaration.release_proposal_reason = ""
    if decision in FINAL_DECISIONS:
        declaration.assigned_to = None
        declaration.assigned_at = None
    change = transition_recorded(declaration, decision, by=by, reason=reason)
    decision_notify(declaration=declaration, decision=decision, change=change)
    return declaration


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _release_propose(
    declaration: Declaration, *, by: AbstractBaseUser, reason: str
) -> Declaration:
    """The first officer's release of a sanctions hit: recorded, not applied."""
    if not can_proceed(declaration.release):
        raise ApplicationError(
            f"A declaration that is {declaration.get_status_display().lower()} "
            "cannot be released now."
        )
    declaration.release_proposed_by = by
    declaration.release_proposed_at = timezone.now()
    declaration.release_proposal_reason = reason
    declaration.save(
        update_fields=[
            "release_proposed_by",
            "release_proposed_at",
            "release_proposal_reason",
            "updated_at",
        ]
    )
    officer_log(
        declaration=declaration,
        by=by,
        message=_(
            "Release proposed by %(officer)s (sanctions hit: a second officer must "
            "approve). Reason: %(reason)s"
        )
        % {"officer": officer_name(by), "reason": reason},
    )
    return declaration


def release_awaits_second_officer(declaration: Declaration) -> bool:
    return bool(
        declaration.release_proposed_by_id and declaration.status in DECIDABLE_STATUSES
    )


def flight_release_candidates(
    *, shipment_id: int, by: AbstractBaseUser
) -> tuple[list[Declaration], list[tuple[Declaration, str]]]:
    """The declarations of one shipment (flight) a bulk release would release,
    and those it leaves to an officer, each with the reason why."""
    declarations = list(
        Declaration.objects.filter(
            consignment__shipment_id=shipment_id, status__in=DECIDABLE_STATUSES
        )
        .select_related("consignment", "assigned_to")
        .annotate(
            sanctions_hit=Exists(
                ScreeningMatch.objects.filter(declaration=OuterRef("pk"))
            )
            | Exists(
                ValidationIssue.objects.filter(
                    declaration=OuterRef("pk"), code=SANCTIONS_CODE
                )
            )
        )
        .order_by("pk")
    )
    release, skip = [], []
    for d in declarations:
        if d.status == Status.HELD:
            skip.append((d, _("held by an officer")))
        elif d.sanctions_hit:
            skip.append((d, _("sanctions hit: needs two officers")))
        elif d.risk_score > BULK_RELEASE_MAX_RISK:
            skip.append((d, _("risk score %(score)s") % {"score": d.risk_score}))
        elif d.assigned_to_id and d.assigned_to_id != by.pk:
            skip.append(
                (
                    d,
                    _("assigned to %(officer)s")
                    % {"officer": officer_name(d.assigned_to)},
                )
            )
        else:
            release.append(d)
    return release, skip


@transaction.atomic
def flight_release_low_risk(
    *,
    shipment_id: int,
    by: AbstractBaseUser,
    reason: str,
    confirmed: Collection[int],
) -> tuple[list[Declaration], list[tuple[Declaration, str]]]:
    """Release the decidable declarations of one shipment (flight) that have no
    risk at all, no sanctions hit and no hold; the others stay for an officer.

    Only those of `confirmed` (the ones the officer was shown) are released:
    a declaration of the flight that arrived since is left for the next look.

    Each release is an ordinary decision: audit row, notification, webhooks.
    """
    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers decide on declarations."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason the declarants will read.")}
        )
    release, skip = flight_release_candidates(shipment_id=shipment_id, by=by)
    confirmed = set(confirmed)
    released = [
        declaration_decide(declaration=d, decision="release", by=by, reason=reason)
        for d in release
        if d.pk in confirmed
    ]
    return released, skip


CUSTOMS_OFFICERS_GROUP = "Customs officers"


@transaction.atomic
def customs_officer_group_ensure() -> Group:
    """The permission group of customs officers: see declarations with their
    screening matches and documents, decide on them."""
    group, _ = Group.objects.get_or_create(name=CUSTOMS_OFFICERS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label="declarations",
        codename__in=[
            "view_declaration",
            "view_goodsitem",
            "view_validationissue",
            "view_statuschange",
            "view_screeningmatch",
            "view_document",
            "decide_declaration",
        ],
    )
    group.permissions.add(*wanted)
    return group

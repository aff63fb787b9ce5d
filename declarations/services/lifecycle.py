"""The lifecycle: locked transitions with their audit rows, submission, decisions."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm import can_proceed

from accounts.api_auth import ApiClient
from accounts.errors import ApplicationError
from accounts.webhooks import WEBHOOK_EVENTS, webhook_events_emit
from declarations.models import Declaration, DocumentKind, StatusChange
from declarations.tasks import validate_declaration

Actor = AbstractBaseUser | ApiClient | None

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
    return declaration


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
    return {
        "id": declaration.pk,
        "lrn": declaration.lrn,
        "mrn": declaration.mrn,
        "hawb": declaration.consignment.hawb,
        "status": change.to_status,
        "from_status": change.from_status,
        "reason": change.reason,
        "at": change.at.isoformat(),
    }


@transaction.atomic
def declaration_submit(*, declaration: Declaration, by: Actor) -> Declaration:
    """Freeze the declaration and queue its validation."""
    declaration = declaration_lock(declaration)
    if not declaration.declarant_eori:
        declaration.declarant_eori = declaration.organisation.eori
    transition(declaration, "submit", by=by)
    pk = declaration.pk
    transaction.on_commit(lambda: validate_declaration.delay(pk))
    return declaration


OFFICER_DECISIONS = ("release", "hold", "request_documents", "refuse", "invalidate")


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
    """
    if decision not in OFFICER_DECISIONS:
        raise ApplicationError(f"Unknown decision '{decision}'.", status=400)
    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied("Only customs officers decide on declarations.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the declarant will read."})
    declaration = declaration_lock(declaration)
    if decision == "request_documents":
        unknown = set(documents) - set(DocumentKind.values)
        if not documents or unknown:
            raise ValidationError({"documents": "Choose the documents you need."})
        declaration.requested_documents = sorted(set(documents))
    return transition(declaration, decision, by=by, reason=reason.strip())


CUSTOMS_OFFICERS_GROUP = "Customs officers"


@transaction.atomic
def customs_officer_group_ensure() -> Group:
    """The permission group of customs officers: see declarations, decide on them."""
    group, _ = Group.objects.get_or_create(name=CUSTOMS_OFFICERS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label="declarations",
        codename__in=[
            "view_declaration",
            "view_goodsitem",
            "view_validationissue",
            "view_statuschange",
            "decide_declaration",
        ],
    )
    group.permissions.add(*wanted)
    return group

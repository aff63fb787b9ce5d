"""Reads for an organisation's team: members, invitations, logins."""

import hashlib

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation


def email_has_login(email: str) -> bool:
    """Whether any login, active or not, already uses this address."""
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .exists()
    )


def team_members(*, organisation: Organisation) -> QuerySet[Membership]:
    """Members with their login, active ones first, administrators first."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-user__is_active", "role", "user__last_name", "user__first_name")
    )


def invitations_pending(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def hash_invitation_token(raw_token: str) -> str:
    """Tokens are 256-bit random, so a fast hash is enough (as for API keys)."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def invitation_by_token(raw_token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_invitation_token(raw_token))
        .first()
    )


def invitation_status(invitation: Invitation) -> str:
    """pending, accepted, revoked or expired."""
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"

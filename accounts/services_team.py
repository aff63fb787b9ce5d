"""Writes for an organisation's self-service: sign-up, invitations, members' roles."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.eori import eori_problem, normalise_eori
from accounts.errors import ApplicationError
from accounts.models import AuditEntry, Invitation, Membership, Organisation
from accounts.selectors import (
    email_has_login,
    hash_invitation_token,
    invitation_status,
)
from accounts.services import membership_create
from accounts.services_verification import (
    audit_record,
    email_verification_send,
    member_api_keys_revoke,
    organisation_screening_wanted_after_commit,
    sign_up_address_taken_notify,
)

logger = logging.getLogger(__name__)

INVITATION_VALID_FOR = timedelta(days=7)
# Kinds an organisation may choose by itself; customs is set up by the operator.
SIGN_UP_KINDS = (
    Organisation.Kind.SHIPPER,
    Organisation.Kind.FORWARDER,
    Organisation.Kind.BROKER,
)


def normalise_email(email: str) -> str:
    """Logins are e-mail addresses, compared without regard to case."""
    return (email or "").strip().lower()


def email_taken_message() -> str:
    return _(
        "This e-mail address already has a login. Sign in with it, or use another "
        "address."
    )


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def organisation_sign_up(
    *,
    organisation_name: str,
    kind: str,
    eori: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    site_url: str,
) -> Membership | None:
    """A new trader organisation with its first user, its administrator.

    The organisation files nothing until its administrator confirms the e-mail
    (a link is sent) and the operator verifies its EORI. An EORI another
    organisation claims, or even holds, is accepted as a claim: the operator
    decides between claims, so a squatter cannot lock out the real holder, and
    the answer tells no one whether the EORI is on the portal.

    An address that already has a login gets an e-mail saying so and nothing is
    created (None): the page says "check your e-mail" either way.
    All or nothing. Raises ValidationError keyed by the form's field names.
    """
    if kind not in SIGN_UP_KINDS:
        raise ValidationError({"kind": _("Choose shipper, forwarder or broker.")})
    eori = normalise_eori(eori)
    if not eori:
        raise ValidationError({"eori": _("Enter your organisation's EORI number.")})
    if problem := eori_problem(eori):
        raise ValidationError({"eori": problem})
    email = normalise_email(email)
    if email_has_login(email):
        return _sign_up_address_taken(email=email, password=password, site_url=site_url)
    try:
        with transaction.atomic():
            organisation = Organisation(
                name=organisation_name.strip(),
                kind=kind,
                eori=eori,
                slug=_free_slug(organisation_name),
            )
            organisation.full_clean(validate_constraints=False)
            organisation.save()
            membership = membership_create(
                organisation=organisation,
                email=email,
                password=password,
                role=Membership.Role.ADMIN,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
            email_verification_send(user=membership.user, site_url=site_url)
            organisation_screening_wanted_after_commit(organisation)
            return membership
    except IntegrityError:
        # The address got a login a moment ago, or the slug was just taken.
        if email_has_login(email):
            return _sign_up_address_taken(
                email=email, password=password, site_url=site_url
            )
        raise ValidationError(
            _("Your organisation could not be registered just now; try again.")
        ) from None


def _sign_up_address_taken(*, email: str, password: str, site_url: str) -> None:
    # Hash the password anyway, so that the answer takes as long as a sign-up.
    make_password(password)
    with transaction.atomic():
        sign_up_address_taken_notify(email=email, site_url=site_url)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    raw_token: str  # only in the e-mail, never stored
    url: str


def _send_invitation(*, invitation: Invitation, url: str, by_name: str) -> None:
    context = {"invitation": invitation, "url": url, "by_name": by_name}
    subject = _("Join %(organisation)s on the LGG customs portal") % {
        # One line: a name with a line break would be refused as a mail header.
        "organisation": " ".join(invitation.organisation.name.split())
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (SMTPException, OSError, ValueError):  # BadHeaderError is a ValueError
        # The invitation stays pending; the admin can send it again.
        logger.exception("Invitation %s could not be e-mailed", invitation.pk)


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    by: AbstractBaseUser,
    site_url: str,
) -> IssuedInvitation:
    """Invite `email` to `organisation` with `role` and e-mail the link.

    A pending invitation of the same address to the same organisation is
    replaced, so inviting again is how an admin re-sends a lost e-mail.
    """
    email = normalise_email(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose administrator or member.")})
    if email_has_login(email):
        raise ValidationError(
            {
                "email": _(
                    "%(email)s already has a login on the portal, so it cannot be "
                    "invited. A person belongs to one organisation only: ask them "
                    "to use another address for yours."
                )
                % {"email": email}
            }
        )
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation,
        email=email,
        accepted_at=None,
        revoked_at=None,
    ).update(revoked_at=now)
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_invitation_token(raw_token),
        invited_by=by,
        expires_at=now + INVITATION_VALID_FOR,
    )
    url = site_url.rstrip("/") + reverse(
        "public:invitation", kwargs={"token": raw_token}
    )
    by_name = by.get_full_name() or by.get_username()
    transaction.on_commit(
        lambda: _send_invitation(invitation=invitation, url=url, by_name=by_name)
    )
    return IssuedInvitation(invitation=invitation, raw_token=raw_token, url=url)


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    """The invitee's login, a member of the inviting organisation with its role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_status(invitation) != "pending":
        raise ApplicationError(_("This invitation can no longer be used."), status=410)
    if email_has_login(invitation.email):
        raise ApplicationError(email_taken_message(), status=409)
    try:
        with transaction.atomic():
            membership = membership_create(
                organisation=invitation.organisation,
                email=invitation.email,
                password=password,
                role=invitation.role,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
    except IntegrityError as exc:  # the address got a login a moment ago
        raise ApplicationError(email_taken_message(), status=409) from exc
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _lock_team(organisation: Organisation) -> None:
    """Serialise team changes of one organisation, so that two admins demoting
    each other at the same moment cannot both succeed."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _other_active_admins(membership: Membership) -> int:
    return (
        Membership.objects.filter(
            organisation_id=membership.organisation_id,
            role=Membership.Role.ADMIN,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .count()
    )


def _last_admin_message(membership: Membership, action: str) -> str:
    name = membership.user.get_full_name() or membership.user.get_username()
    if action == "remove":
        text = _(
            "%(name)s is the organisation's only administrator and cannot be "
            "removed. Make another member an administrator first."
        )
    else:
        text = _(
            "%(name)s is the organisation's only administrator and must stay one. "
            "Make another member an administrator first."
        )
    return text % {"name": name}


@transaction.atomic
def membership_role_change(
    *, membership: Membership, role: str, by: AbstractBaseUser | None = None
) -> Membership:
    """Change a member's role. An administrator made a member loses the API keys
    they issued (revoked, with an audit row), in the same transaction."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose administrator or member.")})
    _lock_team(membership.organisation)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and _other_active_admins(membership) == 0
    ):
        raise ApplicationError(_last_admin_message(membership, "demote"))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if previous != role:
        audit_record(
            organisation=membership.organisation,
            action=AuditEntry.Action.MEMBER_ROLE_CHANGED,
            by=by,
            data={
                "member": membership.user.get_username(),
                "from": previous,
                "to": role,
            },
        )
    if previous == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        member_api_keys_revoke(
            membership=membership, by=by, why="Issuer is no longer an administrator."
        )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, by: AbstractBaseUser | None = None
) -> Membership:
    """Deactivate the member's login; their past work stays attributed to them.

    The API keys they issued are revoked in the same transaction: a key must not
    outlive the person who could answer for it.
    """
    _lock_team(membership.organisation)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    if (
        membership.role == Membership.Role.ADMIN
        and _other_active_admins(membership) == 0
    ):
        raise ApplicationError(_last_admin_message(membership, "remove"))
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        organisation=membership.organisation,
        action=AuditEntry.Action.MEMBER_REMOVED,
        by=by,
        data={"member": user.get_username()},
    )
    member_api_keys_revoke(membership=membership, by=by, why="Issuer was removed.")
    return membership


@transaction.atomic
def membership_restore(*, membership: Membership) -> Membership:
    """Let a removed member sign in again, with the role they had."""
    user = membership.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    return membership

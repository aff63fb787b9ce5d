"""Writes that decide whether an organisation may file: its e-mail, its EORI,
its screening, and the audit rows of all three."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import ApplicationError
from accounts.models import ApiKey, AuditEntry, Membership, Organisation

logger = logging.getLogger(__name__)

EMAIL_LINK_VALID_FOR = timedelta(days=3)
_EMAIL_SALT = "accounts.email-verification"

# Sent after commit when an organisation signs up or its EORI is verified.
# accounts knows nothing of the sanctions lists (reference): the declarations
# app, which knows both, listens and screens the organisation in a task.
organisation_screening_wanted = Signal()  # sender=Organisation, organisation_id


def audit_record(
    *,
    organisation: Organisation | None,
    action: str,
    by: AbstractBaseUser | None,
    note: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """One audit row; call it inside the transaction of the change it records."""
    actor = by if by is not None and by.is_authenticated else None
    return AuditEntry.objects.create(
        organisation=organisation,
        action=action,
        actor=actor,
        note=note,
        data=data or {},
    )


def organisation_screening_wanted_after_commit(organisation: Organisation) -> None:
    pk = organisation.pk
    transaction.on_commit(
        lambda: organisation_screening_wanted.send(
            sender=Organisation, organisation_id=pk
        )
    )


# E-mail confirmation: a signed, expiring link bound to the login and address.


def email_verification_token(user: AbstractBaseUser) -> str:
    """Signed (SECRET_KEY) and timestamped; it names the address it confirms, so
    a link sent to an earlier address stops working once the address changes."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_EMAIL_SALT)


def email_verification_send(*, user: AbstractBaseUser, site_url: str) -> None:
    """E-mail the confirmation link, after commit."""
    url = site_url.rstrip("/") + reverse(
        "public:email-verify", kwargs={"token": email_verification_token(user)}
    )
    context = {"user": user, "url": url, "days": EMAIL_LINK_VALID_FOR.days}
    _mail_after_commit(
        to=user.email,
        subject=_("Confirm your e-mail address for the LGG customs portal"),
        template="accounts/email/verify_email.txt",
        context=context,
    )


def _mail_after_commit(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)

    def send() -> None:
        try:
            send_mail(subject, body, None, [to])
        except (SMTPException, OSError, ValueError):
            # The person can ask for the link again from the pending page.
            logger.exception("Mail %r could not be sent", subject)

    transaction.on_commit(send)


def sign_up_address_taken_notify(*, email: str, site_url: str) -> None:
    """Tell the holder of an address that someone tried to register with it.

    The sign-up page answers the same whether the address is new or not (so it
    tells nobody which addresses have logins); the real holder learns of it by
    e-mail, with the way in.
    """
    base = site_url.rstrip("/")
    _mail_after_commit(
        to=email,
        subject=_("Registration on the LGG customs portal"),
        template="accounts/email/signup_address_taken.txt",
        context={
            "login_url": base + reverse("login"),
            "reset_url": base + reverse("password_reset"),
        },
    )


@transaction.atomic
def email_verify(*, token: str) -> AbstractBaseUser:
    """Confirm the address a link was sent to; the founding administrator's
    confirmation is the organisation's. Refuses a forged, altered or expired
    link, or one sent to an address the login no longer has."""
    refused = ApplicationError(
        _(
            "This confirmation link is invalid or has expired. Sign in and ask for "
            "a new one."
        ),
        status=400,
    )
    try:
        data = signing.loads(
            token, salt=_EMAIL_SALT, max_age=EMAIL_LINK_VALID_FOR.total_seconds()
        )
    except signing.BadSignature:
        raise refused from None
    user = (
        get_user_model()
        .objects.filter(pk=data.get("u"), is_active=True)
        .select_related("membership__organisation")
        .first()
    )
    if user is None or user.email != data.get("e"):
        raise refused
    membership = getattr(user, "membership", None)
    if membership is None:
        raise refused
    organisation = Organisation.objects.select_for_update().get(
        pk=membership.organisation_id
    )
    if organisation.email_verified_at is None:
        organisation.email_verified_at = timezone.now()
        organisation.save(update_fields=["email_verified_at"])
        audit_record(
            organisation=organisation,
            action=AuditEntry.Action.EMAIL_VERIFIED,
            by=user,
            data={"email": user.email},
        )
    return user


# The operator's decision on an EORI.


@transaction.atomic
def organisation_eori_verify(
    *, organisation: Organisation, by: AbstractBaseUser | None, evidence: str
) -> Organisation:
    """The operator confirms the organisation holds its EORI, saying how.

    Only one organisation can hold a verified EORI: the others claiming it stay
    pending until the operator refuses them.
    """
    evidence = (evidence or "").strip()
    if not evidence:
        raise ApplicationError(
            _("Say what you checked (the evidence) before verifying an EORI."),
            status=400,
            field="evidence",
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_customs or not organisation.eori:
        raise ApplicationError(
            _("%(name)s has no EORI to verify.") % {"name": organisation.name},
            status=400,
        )
    holder = (
        Organisation.objects.filter(
            eori=organisation.eori, eori_status=Organisation.EoriStatus.VERIFIED
        )
        .exclude(pk=organisation.pk)
        .first()
    )
    if holder is not None:
        raise ApplicationError(
            _(
                "EORI %(eori)s is already verified for %(holder)s. Refuse one of "
                "the two claims first."
            )
            % {"eori": organisation.eori, "holder": holder.name},
            field="eori",
        )
    try:
        with transaction.atomic():
            _eori_decide(
                organisation,
                status=Organisation.EoriStatus.VERIFIED,
                by=by,
                text=evidence,
            )
    except IntegrityError:  # another operator verified a rival claim just now
        raise ApplicationError(
            _("EORI %(eori)s was just verified for another organisation.")
            % {"eori": organisation.eori},
            field="eori",
        ) from None
    organisation_screening_wanted_after_commit(organisation)
    return organisation


def _eori_decide(
    organisation: Organisation,
    *,
    status: str,
    by: AbstractBaseUser | None,
    text: str,
) -> None:
    """Record the operator's decision and its audit row (locked organisation)."""
    previous = organisation.eori_status
    organisation.eori_status = status
    organisation.eori_checked_at = timezone.now()
    authenticated = by is not None and by.is_authenticated
    organisation.eori_checked_by = by if authenticated else None
    organisation.eori_evidence = text
    organisation.save(
        update_fields=[
            "eori_status",
            "eori_checked_at",
            "eori_checked_by",
            "eori_evidence",
        ]
    )
    audit_record(
        organisation=organisation,
        action=(
            AuditEntry.Action.EORI_VERIFIED
            if status == Organisation.EoriStatus.VERIFIED
            else AuditEntry.Action.EORI_REFUSED
        ),
        by=by,
        note=text,
        data={"eori": organisation.eori, "from": previous},
    )


@transaction.atomic
def organisation_eori_refuse(
    *, organisation: Organisation, by: AbstractBaseUser | None, note: str
) -> Organisation:
    """The operator refuses an organisation's claim to its EORI, saying why.

    Its keys stop working at once (the API refuses unverified organisations).
    """
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            _("Say why the claim is refused before refusing it."),
            status=400,
            field="evidence",
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _eori_decide(
        organisation, status=Organisation.EoriStatus.REFUSED, by=by, text=note
    )
    return organisation


def organisation_mark_verified(
    *, organisation: Organisation, evidence: str
) -> Organisation:
    """E-mail and EORI verified by the operator in one step (demo data, the
    customs authority): for organisations the operator sets up itself."""
    if organisation.email_verified_at is None:
        organisation.email_verified_at = timezone.now()
        organisation.save(update_fields=["email_verified_at"])
    if organisation.is_customs or not organisation.eori:
        if organisation.eori_status != Organisation.EoriStatus.VERIFIED:
            organisation.eori_status = Organisation.EoriStatus.VERIFIED
            organisation.eori_checked_at = timezone.now()
            organisation.eori_evidence = evidence
            organisation.save(
                update_fields=["eori_status", "eori_checked_at", "eori_evidence"]
            )
        return organisation
    if organisation.eori_status == Organisation.EoriStatus.VERIFIED:
        return organisation
    return organisation_eori_verify(
        organisation=organisation, by=None, evidence=evidence
    )


@transaction.atomic
def organisation_screening_record(
    *, organisation_id: int, hits: list[dict]
) -> Organisation:
    """Store what screening the organisation's name found, for the operator."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    organisation.screened_at = timezone.now()
    organisation.screening_hits = hits
    organisation.save(update_fields=["screened_at", "screening_hits"])
    audit_record(
        organisation=organisation,
        action=AuditEntry.Action.SCREENED,
        by=None,
        note=f"{len(hits)} possible match(es)" if hits else "no match",
        data={"hits": hits},
    )
    return organisation


# Keys outlive no member: removing or demoting one revokes the keys they issued.


def member_api_keys_revoke(
    *, membership: Membership, by: AbstractBaseUser | None, why: str
) -> int:
    """Revoke the active keys `membership`'s user issued for its organisation;
    call it inside the transaction that removes or demotes them."""
    keys = ApiKey.objects.select_for_update().filter(
        organisation_id=membership.organisation_id,
        created_by_id=membership.user_id,
        revoked_at=None,
    )
    prefixes = list(keys.values_list("prefix", flat=True))
    if not prefixes:
        return 0
    keys.update(revoked_at=timezone.now())
    audit_record(
        organisation=membership.organisation,
        action=AuditEntry.Action.API_KEYS_REVOKED,
        by=by,
        note=why,
        data={"member": membership.user.get_username(), "keys": prefixes},
    )
    return len(prefixes)


def password_reset_record(*, user: AbstractBaseUser) -> None:
    """The audit row of a password reset (the new hash has already signed the
    login out of its other sessions)."""
    membership = getattr(user, "membership", None)
    audit_record(
        organisation=membership.organisation if membership else None,
        action=AuditEntry.Action.PASSWORD_RESET,
        by=user,
        data={"member": user.get_username()},
    )

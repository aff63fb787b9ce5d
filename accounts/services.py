"""Writes for organisations, memberships and API keys."""

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.eori import eori_fails, eori_problem, normalise_eori
from accounts.models import ApiKey, Membership, Organisation

API_KEY_PREFIX = "cpk_"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, eori: str = "", slug: str = ""
) -> Organisation:
    eori = normalise_eori(eori)
    if eori and (problem := eori_problem(eori)):
        raise ValidationError({"eori": problem})
    organisation = Organisation(
        name=name, kind=kind, eori=eori, slug=slug or slugify(name)[:60]
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisations_eori_recheck() -> tuple[int, int]:
    """Flag every organisation whose EORI fails today's check, and unflag the
    corrected ones; nothing is deleted. Returns (flagged now, changed)."""
    organisations = Organisation.objects.select_for_update()
    changed = []
    for organisation in organisations:
        flagged = eori_fails(organisation.eori)
        if organisation.eori_flagged != flagged:
            organisation.eori_flagged = flagged
            changed.append(organisation)
    Organisation.objects.bulk_update(changed, ["eori_flagged"])
    return Organisation.objects.filter(eori_flagged=True).count(), len(changed)


@transaction.atomic
def membership_create(
    *,
    organisation: Organisation,
    email: str,
    password: str,
    role: str = Membership.Role.MEMBER,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """A new user who belongs to `organisation`. Customs officers get the admin."""
    user = get_user_model().objects.create_user(
        username=email,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=organisation.is_customs,
    )
    return Membership.objects.create(user=user, organisation=organisation, role=role)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown once, never stored


@transaction.atomic
def api_key_issue(
    *,
    organisation: Organisation,
    name: str = "API key",
    by: AbstractBaseUser | None = None,
) -> IssuedKey:
    raw_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        prefix=raw_key[: len(API_KEY_PREFIX) + 6],
        key_hash=hash_api_key(raw_key),
        created_by=by,
    )
    return IssuedKey(api_key=api_key, raw_key=raw_key)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    api_key.refresh_from_db()
    return api_key

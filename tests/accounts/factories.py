"""Factories for organisations, members and API keys."""

import factory
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from stdnum.be import vat as be_vat

from accounts.models import Membership, Organisation
from accounts.services import api_key_issue


def belgian_eori(n: int) -> str:
    """A valid Belgian EORI: BE + 8 digits + their mod-97 check."""
    body = f"{(10_000_000 + n * 7919) % 100_000_000:08d}"
    number = body + f"{97 - int(body) % 97:02d}"
    assert be_vat.is_valid(number), number
    return "BE" + number


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Trader {n} BV")
    slug = factory.Sequence(lambda n: f"trader-{n}")
    kind = Organisation.Kind.SHIPPER
    eori = factory.Sequence(belgian_eori)
    # Verified, as most tests need an organisation that may file; the
    # `unverified` trait makes one fresh from sign-up.
    email_verified_at = factory.LazyFunction(timezone.now)
    eori_status = Organisation.EoriStatus.VERIFIED

    class Params:
        unverified = factory.Trait(
            email_verified_at=None, eori_status=Organisation.EoriStatus.PENDING
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("pass-word-123")
    first_name = "Test"
    last_name = "User"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


class ApiKeyFactory:
    @staticmethod
    def issue(*, organisation: Organisation) -> str:
        """A new key for `organisation`; returns the raw key as a broker holds it."""
        return api_key_issue(organisation=organisation, name="test").raw_key


def logged_in(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client

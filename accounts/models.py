"""Organisations (shippers, forwarders, brokers, customs), members, API keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.eori import validate_eori


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SHIPPER = "shipper", "Shipper"
        FORWARDER = "forwarder", "Forwarder"
        BROKER = "broker", "Customs broker"
        CUSTOMS = "customs", "Customs authority"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    eori = models.CharField(
        "EORI",
        max_length=17,
        blank=True,
        validators=[validate_eori],
        help_text="Economic Operators Registration and Identification number, "
        "e.g. BE0403170701.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["eori"], condition=~Q(eori=""), name="organisation_eori_unique"
            ),
            # Stored normalised: upper case, no separators.
            models.CheckConstraint(
                condition=Q(eori="") | Q(eori__regex=r"^[A-Z]{2}[A-Z0-9]{1,15}$"),
                name="organisation_eori_normalised",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["shipper", "forwarder", "broker", "customs"]),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_customs(self) -> bool:
        return self.kind == self.Kind.CUSTOMS


class Membership(models.Model):
    """A user's place in one organisation.

    A user belongs to exactly one organisation: every query a user can trigger
    is scoped by it, and a person working for two firms gets two logins, as in
    the EU customs trader portals.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        MEMBER = "member", "Member"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class ApiKey(models.Model):
    """A broker system's credential. Only a SHA-256 of the key is stored.

    The keys are 256-bit random tokens, so a fast hash is enough (unlike
    passwords, they cannot be guessed from a dictionary); it also lets a request
    find its key with one indexed lookup.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="Shown to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

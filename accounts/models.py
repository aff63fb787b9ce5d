"""Organisations (traders, customs), members, API keys, webhook endpoints."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.eori import validate_eori


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SHIPPER = "shipper", _("Shipper")
        FORWARDER = "forwarder", _("Forwarder")
        BROKER = "broker", _("Customs broker")
        CUSTOMS = "customs", _("Customs authority")

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
    # Set by the EORI recheck (manage.py eori_recheck, migration 0006) when the
    # stored EORI fails today's check; such an organisation files nothing until
    # an operator corrects the number. Nothing is deleted.
    eori_flagged = models.BooleanField(
        "EORI fails the check",
        default=False,
        help_text="The EORI fails the current check (e.g. not issued by an EU "
        "member state): filing is refused until it is corrected.",
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
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

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


class Invitation(models.Model):
    """An organisation admin's invitation to a colleague, by e-mail.

    Only a SHA-256 of the token is stored, as for API keys: the link in the
    e-mail is the credential.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"


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
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    """Declaration statuses a broker can subscribe to; the event is the status."""

    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    UNDER_REVIEW = "under_review", _("Under review")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    RELEASED = "released", _("Released")
    REFUSED = "refused", _("Refused")


class WebhookEndpoint(models.Model):
    """A URL of an organisation's system that is told when declarations change status.

    The signing secret is stored as it was issued, not hashed: unlike an API key,
    which we only need to recognise, we must produce HMACs with it. It is shown
    once on creation and never again (not in the API, the pages or the admin).
    Whoever reads the database can forge deliveries to the organisation, but
    can also read everything those deliveries say; a secret encrypted with a key
    held next to the database would not change that.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500)
    events = models.JSONField(
        default=list, help_text="The statuses this endpoint is told about."
    )
    secret = models.CharField(max_length=100, editable=False)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        constraints = [
            models.CheckConstraint(
                condition=Q(events__contained_by=WebhookEvent.values),
                name="webhookendpoint_events_known",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with its latest attempt.

    Retries of a delivery keep its id; a replay is a new delivery (`replay_of`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    # No foreign key: accounts knows nothing of declarations.
    declaration_id = models.BigIntegerField(db_index=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replays",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhookdelivery_endpoint"),
            # The sweeper looks for pending deliveries whose retry was lost.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhookdelivery_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="webhookdelivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} of declaration {self.declaration_id} to {self.endpoint}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST or PATCH sent with an `Idempotency-Key` header.

    A row without `status_code` is a reservation: the request is still running.
    Rows older than 24 hours are ignored and purged.
    """

    api_key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField()
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    location = models.TextField(blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="idempotencyrecord_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} with key {self.key}"

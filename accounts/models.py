"""Organisations (traders, customs), members, API keys, webhook endpoints."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.eori import validate_eori


class Organisation(models.Model):
    """A trader (shipper, forwarder, broker) or a customs authority.

    A trader files nothing until its e-mail is confirmed and the portal's operator
    has checked that its EORI is its own (`is_verified`). Anyone may claim an EORI
    at sign-up, so the number is unique among verified organisations only: a
    squatter's pending claim cannot lock out the real holder.
    """

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

    class EoriStatus(models.TextChoices):
        PENDING = "pending", _("Waiting for the operator's check")
        VERIFIED = "verified", _("Verified by the operator")
        REFUSED = "refused", _("Refused by the operator")

    email_verified_at = models.DateTimeField(
        _("e-mail confirmed at"),
        null=True,
        blank=True,
        help_text="When the founding administrator followed the link e-mailed "
        "at sign-up.",
    )
    eori_status = models.CharField(
        _("EORI check"),
        max_length=10,
        choices=EoriStatus.choices,
        default=EoriStatus.PENDING,
    )
    eori_checked_at = models.DateTimeField(null=True, blank=True)
    eori_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the operator decided from the command line.",
    )
    eori_evidence = models.TextField(
        _("EORI evidence"),
        blank=True,
        help_text="What the operator checked, e.g. 'EU EORI validation service, "
        "name and address match; call to the company's registered number'.",
    )
    # Operator-facing only: traders never see whether they were screened or hit.
    screened_at = models.DateTimeField(null=True, blank=True)
    screening_hits = models.JSONField(
        default=list,
        blank=True,
        help_text="Sanctions-list entries the organisation's name matched when "
        "last screened (sign-up, EORI verification).",
    )

    class Meta:
        ordering = ["name"]
        permissions = [("verify_organisation", "Can verify an organisation's EORI")]
        constraints = [
            models.UniqueConstraint(
                fields=["eori"],
                condition=~Q(eori="") & Q(eori_status="verified"),
                name="organisation_eori_unique_verified",
            ),
            models.CheckConstraint(
                condition=Q(eori_status__in=["pending", "verified", "refused"]),
                name="organisation_eori_status_valid",
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

    @property
    def is_verified(self) -> bool:
        """May file, upload manifests, issue keys and register webhooks."""
        return (
            self.email_verified_at is not None
            and self.eori_status == self.EoriStatus.VERIFIED
        )


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


class AuditEntry(models.Model):
    """Who did what to an organisation, its members or its keys, and why.

    Written by the service that makes the change, in the same transaction.
    """

    class Action(models.TextChoices):
        EMAIL_VERIFIED = "email_verified", _("E-mail confirmed")
        EORI_VERIFIED = "eori_verified", _("EORI verified")
        EORI_REFUSED = "eori_refused", _("EORI claim refused")
        SCREENED = "screened", _("Screened against sanctions lists")
        API_KEYS_REVOKED = "api_keys_revoked", _("API keys revoked")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("Member's role changed")
        PASSWORD_RESET = "password_reset", _("Password reset")

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the operator from the command line, or the portal.",
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.organisation})"


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

"""Declarations, their goods items, validation issues and status history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import ApiKey, Organisation
from reference.models import SanctionsEntry, SanctionsList
from shipments.models import Consignment, Manifest


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATING = "validating", _("Validating")
    REJECTED = "rejected", _("Rejected")
    ACCEPTED = "accepted", _("Accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    REFUSED = "refused", _("Refused")
    INVALIDATED = "invalidated", _("Invalidated")


# The declarant may change a declaration only before customs has it.
EDITABLE_STATUSES = (Status.DRAFT, Status.REJECTED)
# Documents may be added until customs has decided for good.
OPEN_FOR_DOCUMENTS = (
    Status.DRAFT, Status.REJECTED, Status.SUBMITTED, Status.VALIDATING,
    Status.ACCEPTED, Status.UNDER_REVIEW, Status.DOCUMENTS_REQUESTED, Status.HELD,
)  # fmt: skip
# Statuses an officer decides from.
DECIDABLE_STATUSES = (Status.ACCEPTED, Status.UNDER_REVIEW, Status.HELD)


class DeclarationType(models.TextChoices):
    H7 = "H7", _("H7 – low-value import (EUR 150 or less)")
    H1 = "H1", _("H1 – standard import")
    EX = "EX", _("Export")


class VatPath(models.TextChoices):
    IOSS = "IOSS", _("IOSS – VAT paid at checkout")
    SPECIAL = "SPECIAL", _("Special arrangements – VAT collected at delivery")
    STANDARD = "STANDARD", _("Standard – VAT paid at clearance")


class Declaration(models.Model):
    """A customs declaration for one consignment, with its lifecycle.

    The lifecycle is the state machine of domain.md; `status` only changes through
    the transition methods below, called by declarations.services, which writes
    the audit row (StatusChange) in the same transaction.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="declarations",
        help_text="The declarant.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    consignment = models.ForeignKey(
        Consignment, on_delete=models.PROTECT, related_name="declarations"
    )
    manifest = models.ForeignKey(
        Manifest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="declarations",
        help_text="The manifest this declaration was last filed by.",
    )
    type = models.CharField(
        max_length=2, choices=DeclarationType.choices, default=DeclarationType.H7
    )
    lrn = models.CharField(
        "LRN",
        max_length=22,
        help_text="Local reference number: your own reference, unique among your "
        "declarations.",
    )
    mrn = models.CharField(
        "MRN",
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text="Movement reference number, issued by customs on acceptance.",
    )
    status = FSMField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    vat_path = models.CharField(
        "VAT path", max_length=8, choices=VatPath.choices, default=VatPath.STANDARD
    )
    ioss_number = models.CharField("IOSS number", max_length=12, blank=True)
    declarant_eori = models.CharField("declarant EORI", max_length=17, blank=True)
    additional_procedure_code = models.CharField(
        max_length=3,
        blank=True,
        help_text="F48 (IOSS), F49 (special arrangements) or F53 (standard); set "
        "from the VAT path when left empty.",
    )
    previous_mrn = models.CharField(
        "previous document MRN",
        max_length=18,
        blank=True,
        help_text="MRN of a previous declaration this one refers to, if any.",
    )
    version = models.PositiveSmallIntegerField(default=1)
    previous_version = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        help_text="The declaration this one amends.",
    )
    risk_score = models.PositiveSmallIntegerField(default=0, db_index=True)

    # The customs monthly rate used (units of currency per EUR) and its ECB date.
    exchange_rate = models.DecimalField(
        max_digits=18, decimal_places=8, null=True, blank=True
    )
    exchange_rate_date = models.DateField(null=True, blank=True)
    intrinsic_value_eur = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    customs_value_eur = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The duty, VAT and fee computation line by line, as shown to users.
    computation = models.JSONField(null=True, blank=True)
    # The declarant's request to invalidate a released declaration, for an officer.
    invalidation_requested_at = models.DateTimeField(null=True, blank=True)
    # A database default: the manifest pipeline's COPY names only the columns
    # it fills.
    invalidation_reason = models.TextField(blank=True, db_default="")
    # Document kinds an officer asked for (while documents_requested).
    requested_documents = models.JSONField(default=list, blank=True)
    # The officer working on it ("assign to me"): two officers never work the
    # same declaration unknowingly.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_declarations",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Four eyes: the release of a declaration with a sanctions hit is proposed
    # by one officer and takes effect when a second one approves it.
    release_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    release_proposed_at = models.DateTimeField(null=True, blank=True)
    release_proposal_reason = models.TextField(blank=True, db_default="")

    customs_duty_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    import_vat_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fees_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    total_due_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("decide_declaration", "Can release, hold or refuse a declaration")
        ]
        constraints = [
            # An amendment is a new version under the same LRN.
            models.UniqueConstraint(
                fields=["organisation", "lrn", "version"],
                name="declaration_lrn_unique_per_declarant",
            ),
            models.CheckConstraint(
                condition=Q(mrn__isnull=True)
                | Q(mrn__regex=r"^\d{2}[A-Z]{2}[A-Z0-9]{14}$"),
                name="declaration_mrn_format",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="declaration_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=DeclarationType.values),
                name="declaration_type_valid",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(customs_duty_eur__isnull=True) | Q(customs_duty_eur__gte=0))
                    & (Q(import_vat_eur__isnull=True) | Q(import_vat_eur__gte=0))
                    & (Q(fees_eur__isnull=True) | Q(fees_eur__gte=0))
                    & (Q(total_due_eur__isnull=True) | Q(total_due_eur__gte=0))
                ),
                name="declaration_amounts_not_negative",
            ),
            # An accepted declaration always carries its MRN.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "validating", "rejected"])
                | Q(mrn__isnull=False),
                name="declaration_mrn_after_acceptance",
            ),
            # Accepted means priced: from acceptance on, every amount is set (an
            # export's are 0), whichever path wrote the row (services, COPY).
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "validating", "rejected"])
                | Q(
                    customs_duty_eur__isnull=False,
                    import_vat_eur__isnull=False,
                    fees_eur__isnull=False,
                    total_due_eur__isnull=False,
                ),
                name="declaration_amounts_after_acceptance",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-risk_score"]),
            # The API's lists: one organisation's newest first, often by status.
            models.Index(fields=["organisation", "-id"], name="declaration_org_newest"),
            models.Index(
                fields=["organisation", "status", "-id"], name="declaration_org_status"
            ),
        ]

    def __str__(self) -> str:
        return self.mrn or self.lrn

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_in_progress(self) -> bool:
        """Waiting on the validation task; the page polls while this holds."""
        return self.status in (Status.SUBMITTED, Status.VALIDATING)

    @property
    def documents_pending(self) -> bool:
        return any(d.outcome == "pending" for d in self.documents.all())

    @property
    def accepts_documents(self) -> bool:
        return self.status in OPEN_FOR_DOCUMENTS

    @property
    def requested_document_labels(self) -> list[str]:
        labels = dict(DocumentKind.choices)
        return [labels.get(kind, kind) for kind in self.requested_documents]

    @cached_property
    def trader_view(self):
        """Its findings and history as the filer may see them (no screening):
        every trader-facing page, API answer, PDF and e-mail reads this."""
        from declarations.disclosure import trader_view

        return trader_view(self)

    @property
    def reference_date(self):
        """The date rules and rates are judged at: submission, or today for drafts."""
        return (
            timezone.localdate(self.submitted_at)
            if self.submitted_at
            else timezone.localdate()
        )

    # The lifecycle. Each method only moves `status`; services do the rest.
    @transition(
        field=status, source=[Status.DRAFT, Status.REJECTED], target=Status.SUBMITTED
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=status, source=Status.SUBMITTED, target=Status.VALIDATING)
    def start_validation(self) -> None: ...

    @transition(field=status, source=Status.VALIDATING, target=Status.REJECTED)
    def reject(self) -> None: ...

    @transition(field=status, source=Status.VALIDATING, target=Status.ACCEPTED)
    def accept(self) -> None: ...

    @transition(field=status, source=Status.ACCEPTED, target=Status.UNDER_REVIEW)
    def send_to_review(self) -> None: ...

    @transition(field=status, source=list(DECIDABLE_STATUSES), target=Status.RELEASED)
    def release(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=[Status.ACCEPTED, Status.UNDER_REVIEW], target=Status.HELD
    )
    def hold(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.UNDER_REVIEW, Status.HELD],
        target=Status.DOCUMENTS_REQUESTED,
    )
    def request_documents(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.DOCUMENTS_REQUESTED, target=Status.UNDER_REVIEW
    )
    def receive_documents(self) -> None: ...

    @transition(
        field=status,
        source=[Status.UNDER_REVIEW, Status.HELD, Status.DOCUMENTS_REQUESTED],
        target=Status.REFUSED,
    )
    def refuse(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.RELEASED],
        target=Status.INVALIDATED,
    )
    def invalidate(self) -> None: ...


class GoodsItem(models.Model):
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="items"
    )
    line = models.PositiveSmallIntegerField(help_text="1-based item number.")
    description = models.CharField(
        max_length=512,
        help_text="What the goods are, specifically: 'cotton T-shirt', not 'clothes'.",
    )
    hs_code = models.CharField(
        "HS code",
        max_length=10,
        help_text="6-digit HS subheading (H7) or 10-digit TARIC code (H1).",
    )
    origin_country = models.CharField("country of origin", max_length=2)
    quantity = models.PositiveIntegerField(default=1)
    item_value = models.DecimalField(
        "item value",
        max_digits=12,
        decimal_places=2,
        help_text="Intrinsic value of the line in the consignment's currency, "
        "without transport and insurance.",
    )
    net_mass_kg = models.DecimalField(
        "net mass (kg)", max_digits=12, decimal_places=3, null=True, blank=True
    )
    product_id = models.CharField(
        "product identifier", max_length=70, blank=True, help_text="SKU or GTIN."
    )
    manufacturer_product_id = models.CharField(
        "manufacturer's product identifier",
        max_length=70,
        blank=True,
        help_text="GTIN/EAN barcode or the maker's part number (Delegated "
        "Regulation (EU) 2026/1022).",
    )
    manifest_row = models.PositiveIntegerField(
        null=True, blank=True, help_text="The manifest row this item came from."
    )

    class Meta:
        ordering = ["declaration", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "line"], name="goods_item_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="goods_item_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(item_value__gte=0), name="goods_item_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(net_mass_kg__isnull=True) | Q(net_mass_kg__gt=0),
                name="goods_item_net_mass_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}. {self.description}"


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class ValidationIssue(models.Model):
    """One finding of the rule book about a declaration."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="issues"
    )
    item = models.ForeignKey(
        GoodsItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="issues",
    )
    code = models.CharField(max_length=32)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    field = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    risk_points = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration", "item__line", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="issue_severity_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class StatusChange(models.Model):
    """The audit row of one transition: who, when, from, to, why."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    by_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["declaration", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def actor(self) -> str:
        if self.by_user_id:
            return self.by_user.get_full_name() or self.by_user.get_username()
        if self.by_api_key_id:
            return gettext("API key %(prefix)s…") % {"prefix": self.by_api_key.prefix}
        return gettext("Portal (automatic)")


class ScreeningMatch(models.Model):
    """A party of a declaration that matched a sanctions-list entry.

    The entry is copied, not referenced: lists are replaced when refreshed, and
    the officer must see what matched at the time.
    """

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="screening_matches"
    )
    party = models.CharField(max_length=12)
    screened_name = models.CharField(max_length=300)
    listed_name = models.CharField(max_length=500)
    matched_name = models.CharField(max_length=500)
    source = models.CharField(max_length=12)
    external_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=12)
    programmes = models.CharField(max_length=300, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=1)
    # The listed entry itself, for its aliases, addresses and remarks: imported
    # lists are kept when a newer one becomes active, so this stays as matched.
    entry = models.ForeignKey(
        SanctionsEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration", "-score"]

    def __str__(self) -> str:
        return f"{self.party} {self.screened_name} ~ {self.matched_name} ({self.score})"


class ScreeningClearance(models.Model):
    """An officer's finding that a party is a namesake, not the listed party.

    Remembered for that party (normalised name, country and address) and that
    list entry as it read then (its digest): screening no longer raises it, so
    officers are not asked again every day. When a refresh changes the entry,
    the digest differs, the clearance no longer applies and the next match
    goes to an officer again (Art. 6 and 13 Directive (EU) 2015/849: a
    risk-based judgement that is recorded and reviewed when facts change).
    """

    party_name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300, db_index=True)
    country = models.CharField(max_length=2, blank=True)
    address_key = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=12)
    external_id = models.CharField(max_length=40)
    entry_digest = models.CharField(max_length=64)
    entry = models.ForeignKey(
        SanctionsEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The entry as it read when cleared.",
    )
    declaration = models.ForeignKey(
        Declaration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="screening_clearances",
        help_text="The declaration the officer decided it on.",
    )
    reason = models.TextField()
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-cleared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "name_key",
                    "country",
                    "address_key",
                    "source",
                    "external_id",
                    "entry_digest",
                ],
                condition=Q(withdrawn_at__isnull=True),
                name="screening_clearance_one_per_party_and_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_name} ≠ {self.source} {self.external_id}"


class SanctionsRescreen(models.Model):
    """That the unreleased declarations were screened again after a list became
    active: one row per list, so the sweep does the work once."""

    list = models.OneToOneField(
        SanctionsList, on_delete=models.CASCADE, related_name="+"
    )
    added_entries = models.PositiveIntegerField(
        default=0, help_text="Entries new or changed since the previous list."
    )
    declarations_screened = models.PositiveIntegerField(default=0)
    new_hits = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.list}: {self.new_hits} new hits"


class RuleSetting(models.Model):
    """A rule's dates, severity or parameters as data: a rate or date marked [M]
    or [L] in the domain notes changes here, without a release."""

    code = models.CharField(max_length=32, unique=True)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, blank=True)
    applies_from = models.DateField(null=True, blank=True)
    applies_to = models.DateField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, help_text="Why, and the source.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class UnitValueReference(models.Model):
    """The typical unit value in EUR of an HS subheading, for undervaluation.

    Seeded with defaults; refreshed from the median of accepted declarations
    once enough of them exist.
    """

    class Source(models.TextChoices):
        SEEDED = "seeded", _("Seeded default")
        HISTORY = "history", _("Accepted history")

    hs_code = models.CharField("HS subheading", max_length=6, primary_key=True)
    unit_value_eur = models.DecimalField(max_digits=12, decimal_places=2)
    sample_size = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=8, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hs_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_value_eur__gt=0), name="unit_value_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hs_code}: EUR {self.unit_value_eur}"


class DocumentKind(models.TextChoices):
    COMMERCIAL_INVOICE = "commercial_invoice", _("Commercial invoice")
    PACKING_LIST = "packing_list", _("Packing list")
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin", _("Certificate of origin")


class Document(models.Model):
    """A file attached to a declaration, and what the portal found in it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Being checked")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=120, blank=True)
    outcome = models.CharField(
        max_length=8, choices=Outcome.choices, default=Outcome.PENDING
    )
    problems = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    invoice_total = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    invoice_currency = models.CharField(max_length=3, blank=True)
    invoice_source = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_by_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["declaration", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Notification(models.Model):
    """A message to a declarant's organisation on the portal, e.g. an officer's
    decision; it is also e-mailed to the organisation's members."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications"
    )
    declaration = models.ForeignKey(
        Declaration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at"],
                name="notification_org_recent",
            )
        ]

    def __str__(self) -> str:
        return self.message

"""Shipments (a master AWB on one flight) and their consignments (house AWBs)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Trim, Upper
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class Shipment(models.Model):
    """What one master air waybill carries on one flight."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="shipments"
    )
    mawb = models.CharField("master AWB", max_length=12, blank=True)
    flight_number = models.CharField(max_length=8, blank=True)
    departure_airport = models.CharField(max_length=3, blank=True)
    arrival_airport = models.CharField(max_length=3, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A draft's shipment may have no master AWB yet.
            models.UniqueConstraint(
                fields=["organisation", "mawb"],
                condition=~Q(mawb=""),
                name="shipment_mawb_unique",
            ),
            models.CheckConstraint(
                condition=Q(mawb="") | Q(mawb__regex=r"^\d{3}-\d{8}$"),
                name="shipment_mawb_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mawb} {self.flight_number}".strip()


class Consignment(models.Model):
    """One house air waybill: a parcel from a consignor to a consignee.

    Party addresses are columns rather than rows of their own: a manifest brings
    100,000 consignments with as many distinct buyers, and one wide row is written
    and read far faster than three joined ones.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consignments"
    )
    shipment = models.ForeignKey(
        Shipment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consignments",
    )
    hawb = models.CharField("house AWB", max_length=35, blank=True)

    consignor_name = models.CharField(max_length=150, blank=True)
    consignor_address = models.CharField(max_length=150, blank=True)
    consignor_city = models.CharField(max_length=100, blank=True)
    consignor_postcode = models.CharField(max_length=17, blank=True)
    consignor_country = models.CharField(max_length=2, blank=True)

    consignee_name = models.CharField(max_length=150, blank=True)
    consignee_address = models.CharField(max_length=150, blank=True)
    consignee_city = models.CharField(max_length=100, blank=True)
    consignee_postcode = models.CharField(max_length=17, blank=True)
    consignee_country = models.CharField(max_length=2, blank=True)
    consignee_eori = models.CharField("consignee EORI", max_length=17, blank=True)

    currency = models.CharField(max_length=3, blank=True)
    transport_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    insurance_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    gross_mass_kg = models.DecimalField(
        "gross mass (kg)", max_digits=12, decimal_places=3, null=True, blank=True
    )
    packages = models.PositiveIntegerField(default=1)

    superseded = models.BooleanField(
        default=False, help_text="Replaced by the consignment of an amendment."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Each parcel once per master AWB; an amended declaration's earlier
            # consignment is kept, superseded, for the version it belongs to.
            models.UniqueConstraint(
                fields=["shipment", "hawb"],
                condition=~Q(hawb="") & Q(superseded=False),
                name="consignment_hawb_unique_in_shipment",
            ),
            models.CheckConstraint(
                condition=Q(transport_cost__gte=0) & Q(insurance_cost__gte=0),
                name="consignment_costs_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(gross_mass_kg__isnull=True) | Q(gross_mass_kg__gt=0),
                name="consignment_gross_mass_positive",
            ),
            models.CheckConstraint(
                condition=Q(packages__gte=1), name="consignment_packages_positive"
            ),
        ]
        indexes = [
            # Split-consignment detection looks parcels up by their parties.
            models.Index(
                "organisation",
                Upper(Trim("consignee_name")),
                Upper(Trim("consignee_postcode")),
                Upper(Trim("consignor_name")),
                name="consignment_parties_idx",
            )
        ]

    def __str__(self) -> str:
        return self.hawb or f"consignment {self.pk}"


class Manifest(models.Model):
    """One uploaded flight manifest (CSV or XLSX) and the progress of its processing.

    The same file uploaded twice by one organisation is recognised by its
    SHA-256 and answered with the first manifest, changing nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="manifests"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    file = models.FileField(upload_to="manifests/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=4, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    consignments_total = models.PositiveIntegerField(default=0)
    consignments_validated = models.PositiveIntegerField(default=0)
    consignments_accepted = models.PositiveIntegerField(default=0)
    consignments_rejected = models.PositiveIntegerField(default=0)
    consignments_under_review = models.PositiveIntegerField(default=0)
    consignments_unchanged = models.PositiveIntegerField(
        default=0, help_text="Already accepted by an earlier upload: not duplicated."
    )
    chunks_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="manifest_file_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Manifest {self.pk} ({self.original_name})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PROCESSING)


class ManifestRow(models.Model):
    """A parsed row of a manifest, staged (with COPY) until its chunk is processed."""

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()
    hawb = models.CharField(max_length=64, blank=True)
    chunk = models.PositiveIntegerField(null=True)
    data = models.JSONField()
    errors = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["manifest", "row"], name="manifest_row_once"
            )
        ]
        indexes = [models.Index(fields=["manifest", "chunk", "hawb", "row"])]

    def __str__(self) -> str:
        return f"row {self.row} of manifest {self.manifest_id}"


class ManifestChunk(models.Model):
    """A share of a manifest's consignments, processed by one task in one
    transaction: a killed worker's chunk is simply done again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    manifest = models.ForeignKey(
        Manifest, on_delete=models.CASCADE, related_name="chunks"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING
    )
    consignments = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    under_review = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["manifest", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["manifest", "number"], name="manifest_chunk_once"
            )
        ]

    def __str__(self) -> str:
        return f"chunk {self.number} of manifest {self.manifest_id}"


class ManifestIssue(models.Model):
    """One finding about a manifest: a row that cannot be read, or a rule's verdict
    on one of its consignments, with the row it concerns."""

    manifest = models.ForeignKey(
        Manifest, on_delete=models.CASCADE, related_name="issues"
    )
    row = models.PositiveIntegerField(null=True, blank=True)
    hawb = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=32)
    severity = models.CharField(max_length=8)
    field = models.CharField(max_length=64, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["manifest", "row", "id"]
        indexes = [
            models.Index(fields=["manifest", "code"]),
            models.Index(fields=["manifest", "severity"]),
            models.Index(fields=["manifest", "row", "id"]),
        ]

    def __str__(self) -> str:
        return f"row {self.row} {self.code}"

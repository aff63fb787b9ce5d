"""Sanctions lists (OFAC SDN, EU FSF), their listed parties and aliases."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SanctionsList(models.Model):
    """One import of a published sanctions list; the newest per source is active."""

    class Source(models.TextChoices):
        OFAC_SDN = "OFAC-SDN", _("OFAC Specially Designated Nationals")
        EU_FSF = "EU-FSF", _("EU consolidated financial sanctions")

    source = models.CharField("source", max_length=10, choices=Source.choices)
    published_on = models.DateField("published on")
    imported_at = models.DateTimeField("imported at", default=timezone.now)
    entry_count = models.PositiveIntegerField("entries", default=0)
    is_active = models.BooleanField("active", default=False)
    sha256 = models.CharField(
        "SHA-256 of the file",
        max_length=64,
        blank=True,
        help_text="Lets a rerun of the same file be a no-op.",
    )

    class Meta:
        verbose_name = _("sanctions list")
        verbose_name_plural = _("sanctions lists")
        ordering = ("source", "-imported_at")
        constraints = (
            # Screening reads "the active list of each source": never two.
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(is_active=True),
                name="reference_sanctionslist_one_active_per_source",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["OFAC-SDN", "EU-FSF"]),
                name="reference_sanctionslist_source_valid",
            ),
        )

    def __str__(self) -> str:
        return f"{self.source} of {self.published_on}"


class SanctionsEntry(models.Model):
    """A listed person, entity, vessel or aircraft, under its main name."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        ENTITY = "entity", _("entity")
        VESSEL = "vessel", _("vessel")
        AIRCRAFT = "aircraft", _("aircraft")

    list = models.ForeignKey(
        SanctionsList,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("list"),
    )
    external_id = models.CharField(
        "external id",
        max_length=64,
        help_text="OFAC ent_num or EU logicalId.",
    )
    kind = models.CharField("kind", max_length=10, choices=Kind.choices)
    name = models.CharField("name", max_length=1000)
    programmes = models.TextField("programmes", blank=True)
    remarks = models.TextField("remarks", blank=True)
    reference = models.CharField(
        "reference",
        max_length=64,
        blank=True,
        help_text="e.g. the EU reference number (EU.1234.56).",
    )
    addresses = models.TextField(
        "addresses", blank=True, help_text="One address a line, as listed."
    )
    digest = models.CharField(
        "content digest",
        max_length=64,
        blank=True,
        help_text="SHA-256 of what the entry says (names, aliases, addresses, "
        "programmes, remarks): the same in two imports when the entry did not "
        "change, so an officer's clearance can tell when it must be reviewed.",
    )

    class Meta:
        verbose_name = _("sanctions entry")
        verbose_name_plural = _("sanctions entries")
        ordering = ("list", "name")
        constraints = (
            models.UniqueConstraint(
                fields=["list", "external_id"],
                name="reference_sanctionsentry_list_external_id_uniq",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["individual", "entity", "vessel", "aircraft"]),
                name="reference_sanctionsentry_kind_valid",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class SanctionsAlias(models.Model):
    """Another name of a listed party; weak aliases are OFAC's low-quality a.k.a."""

    entry = models.ForeignKey(
        SanctionsEntry,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("entry"),
    )
    name = models.CharField("name", max_length=1000)
    is_strong = models.BooleanField("strong", default=True)

    class Meta:
        verbose_name = _("sanctions alias")
        verbose_name_plural = _("sanctions aliases")
        ordering = ("entry", "name")

    def __str__(self) -> str:
        return self.name

"""Dated duty, import VAT and fee lines, each with its legal source."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ChargeKind(models.TextChoices):
    DUTY_LOW_VALUE = "duty_low_value", _("Duty on low-value consignments")
    DUTY_AD_VALOREM = "duty_ad_valorem", _("Ad-valorem duty")
    VAT = "vat", _("Import VAT")
    FEE = "fee", _("Fee")


class ChargeBasis(models.TextChoices):
    PER_SUBHEADING = "per_subheading", _("Per distinct 6-digit subheading")
    PER_CONSIGNMENT = "per_consignment", _("Per consignment (parcel)")
    PER_LINE = "per_line", _("Per goods item line")
    PERCENT = "percent", _("Percentage")


class ChargeAppliesTo(models.TextChoices):
    LOW_VALUE = "low_value", _("Consignments of EUR 150 or less")
    ABOVE_LOW_VALUE = "above_low_value", _("Consignments above EUR 150")
    ANY = "any", _("Any consignment")


class Confidence(models.TextChoices):
    """How sure the portal is of a fact (domain.md: H, M, L)."""

    HIGH = "H", _("H – official text or several consistent sources")
    MEDIUM = "M", _("M – one secondary source")
    LOW = "L", _("L – estimate")


class ChargeLine(models.Model):
    """One duty, tax or fee rule, in force from `valid_from` to `valid_to`.

    A rate change is a new row (same code, new `valid_from`), never a code edit.
    Fixed amounts carry `amount` and its currency; percentages carry `rate`.
    """

    code = models.CharField(
        "code", max_length=40, help_text="Stable, e.g. DUTY-LVC-3EUR, VAT-BE-STD."
    )
    kind = models.CharField("kind", max_length=20, choices=ChargeKind.choices)
    label = models.CharField("label", max_length=200)
    country = models.CharField(
        "destination country",
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2; blank for the whole EU.",
    )
    hs_prefix = models.CharField(
        "HS prefix",
        max_length=10,
        blank=True,
        help_text="Chapter or heading the line covers; blank for any goods.",
    )
    basis = models.CharField("basis", max_length=20, choices=ChargeBasis.choices)
    amount = models.DecimalField(
        "amount", max_digits=12, decimal_places=4, null=True, blank=True
    )
    amount_currency = models.CharField("amount currency", max_length=3, blank=True)
    rate = models.DecimalField(
        "rate (%)", max_digits=7, decimal_places=4, null=True, blank=True
    )
    applies_to = models.CharField(
        "applies to",
        max_length=20,
        choices=ChargeAppliesTo.choices,
        default=ChargeAppliesTo.ANY,
    )
    valid_from = models.DateField("valid from")
    valid_to = models.DateField("valid to", null=True, blank=True)
    legal_source = models.TextField("legal source")
    confidence = models.CharField(
        "confidence", max_length=1, choices=Confidence.choices
    )
    indicative = models.BooleanField(
        "indicative",
        default=False,
        help_text="A typical rate (e.g. of an HS chapter), not the tariff line's.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Announced but unconfirmed charges are stored inactive.",
    )

    class Meta:
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")
        ordering = ("kind", "code", "valid_from")
        constraints = (
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="reference_chargeline_code_valid_from_uniq",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="reference_chargeline_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="reference_chargeline_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gte=0),
                name="reference_chargeline_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    Q(basis="percent", rate__isnull=False, amount__isnull=True)
                    | (
                        ~Q(basis="percent")
                        & Q(rate__isnull=True, amount__isnull=False)
                        & Q(amount_currency__regex=r"^[A-Z]{3}$")
                    )
                ),
                name="reference_chargeline_rate_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ChargeKind.values),
                name="reference_chargeline_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=ChargeBasis.values),
                name="reference_chargeline_basis_valid",
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=ChargeAppliesTo.values),
                name="reference_chargeline_applies_to_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values),
                name="reference_chargeline_confidence_valid",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="reference_chargeline_country_alpha2",
            ),
            models.CheckConstraint(
                condition=Q(hs_prefix="") | Q(hs_prefix__regex=r"^[0-9]{2,10}$"),
                name="reference_chargeline_hs_prefix_digits",
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} from {self.valid_from}"

"""The HS nomenclature, countries and currencies."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _


class HsCode(models.Model):
    """A chapter (2 digits), heading (4) or subheading (6) of one HS edition."""

    edition = models.CharField("edition", max_length=10, help_text="e.g. HS2022")
    code = models.CharField(
        "HS code",
        max_length=6,
        validators=[RegexValidator(r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$")],
    )
    level = models.PositiveSmallIntegerField(
        "level", help_text="2 = chapter, 4 = heading, 6 = subheading"
    )
    description = models.TextField("description")
    parent_code = models.CharField("parent code", max_length=6, blank=True)
    section = models.CharField(
        "section", max_length=5, blank=True, help_text="Roman numeral, I to XXI"
    )
    valid_from = models.DateField("valid from")
    valid_to = models.DateField("valid to", null=True, blank=True)

    class Meta:
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")
        ordering = ("edition", "code")
        constraints = (
            models.UniqueConstraint(
                fields=["edition", "code"], name="reference_hscode_edition_code_uniq"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[2, 4, 6]), name="reference_hscode_level_valid"
            ),
            models.CheckConstraint(
                condition=Exact(Length("code"), F("level")),
                name="reference_hscode_code_length_is_level",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]+$"),
                name="reference_hscode_code_digits",
            ),
        )
        indexes = (models.Index(fields=["code"], name="reference_hscode_code_idx"),)

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Country(models.Model):
    """An ISO 3166-1 country, plus XI (Northern Ireland) for customs and VAT."""

    code = models.CharField("code", max_length=2, primary_key=True)
    name = models.CharField("name", max_length=100)
    numeric = models.CharField("numeric code", max_length=3, blank=True)
    is_eu_member = models.BooleanField("EU member state", default=False)
    in_eu_vat_area = models.BooleanField(
        "in the EU VAT area for goods",
        default=False,
        help_text="The 27 member states and XI (Northern Ireland).",
    )
    has_postcodes = models.BooleanField("has postcodes", default=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ("code",)
        constraints = (
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"),
                name="reference_country_code_alpha2",
            ),
            models.CheckConstraint(
                condition=Q(is_eu_member=False) | Q(in_eu_vat_area=True),
                name="reference_country_eu_member_in_vat_area",
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Currency(models.Model):
    """An ISO 4217 currency."""

    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("name", max_length=100)
    numeric = models.CharField("numeric code", max_length=3, blank=True)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ("code",)
        constraints = (
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"),
                name="reference_currency_code_alpha3",
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

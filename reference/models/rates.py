"""ECB euro reference rates loaded from the ECB's files, newer than the bundled copy."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EcbRate(models.Model):
    """One ECB euro reference rate: units of `currency` per 1 EUR on `day`.

    Written only by `ecb_rates_load`; read by `reference.rates.customs_rate`.
    """

    currency = models.CharField("currency", max_length=3)
    day = models.DateField("ECB date")
    rate = models.DecimalField(
        "rate", max_digits=18, decimal_places=8, help_text="Units per 1 EUR."
    )
    source = models.TextField(
        "source", help_text="The file or URL loaded, e.g. upload eurofxref-hist.zip."
    )
    loaded_at = models.DateTimeField("loaded at")

    class Meta:
        verbose_name = _("ECB rate")
        verbose_name_plural = _("ECB rates")
        ordering = ("-day", "currency")
        indexes = (
            # customs_rate reads the latest day known in its one query.
            models.Index(fields=["-day"], name="reference_ecbrate_day_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=["currency", "day"], name="reference_ecbrate_currency_day_uniq"
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0), name="reference_ecbrate_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="reference_ecbrate_currency_alpha3",
            ),
        )

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} on {self.day}"

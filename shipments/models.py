"""Shipments (a master AWB on one flight) and their consignments (house AWBs)."""

from django.db import models
from django.db.models import Q

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

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "hawb"],
                condition=~Q(hawb=""),
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

    def __str__(self) -> str:
        return self.hawb or f"consignment {self.pk}"

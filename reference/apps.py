"""Django app configuration for the reference data app."""

from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """HS nomenclature, countries, currencies and exchange rates."""

    name = "reference"
    label = "reference"
    verbose_name = "Reference data"
    default_auto_field = "django.db.models.BigAutoField"

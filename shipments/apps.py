"""App config for shipments and consignments."""

from django.apps import AppConfig


class ShipmentsConfig(AppConfig):
    name = "shipments"
    verbose_name = "Shipments and consignments"

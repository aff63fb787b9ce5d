"""App config for declarations, their rule book and the officer's review."""

from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Customs declarations"

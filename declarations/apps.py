"""App config for declarations, their rule book and the officer's review."""

from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Customs declarations"

    def ready(self) -> None:
        # accounts cannot import the sanctions lists (reference): it asks, and
        # this app screens (declarations.services.organisations).
        from accounts.services_verification import organisation_screening_wanted
        from declarations.tasks import queue_organisation_screening

        organisation_screening_wanted.connect(
            queue_organisation_screening, dispatch_uid="declarations-screen-org"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EncountersConfig(AppConfig):
    name = "kohtaamo.encounters"
    verbose_name = _("Encounters")

    def ready(self) -> None:
        from kohtaamo.encounters import signals

        signals.connect()

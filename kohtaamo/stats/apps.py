from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "kohtaamo.stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from kohtaamo.stats import signals

        signals.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "kohtaamo.directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from kohtaamo.directory import signals

        signals.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kohtaamo.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kohtaamo.accounts import permissions

        permissions.register_rules()

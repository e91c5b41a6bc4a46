from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellorsConfig(AppConfig):
    name = "kohtaamo.counsellors"
    verbose_name = _("Counsellors")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "areas"
    verbose_name = _("区域与网格")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldappConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fieldapp"
    verbose_name = _("网格助手")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12345 热线")

    def ready(self) -> None:
        # The gazetteer's signal handlers need the app registry: imported here.
        from hotline import signals  # noqa: F401

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schemes_ensure(sender: AppConfig, **kwargs: Any) -> None:
    from evaluation.schemes import schemes_ensure

    schemes_ensure()


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("绩效考核")

    def ready(self) -> None:
        # The default scoring schemes (DESIGN §7) on a new site; a site's own schemes are kept.
        post_migrate.connect(_schemes_ensure, sender=self, dispatch_uid="evaluation.schemes_ensure")

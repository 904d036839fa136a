from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    EVENT = "event", _("事件")
    COMPONENT = "component", _("部件")
    GOVERNANCE = "governance", _("社会治理")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("工作时")
    WORKING_DAYS = "working_days", _("工作日")
    HOURS = "hours", _("自然小时")

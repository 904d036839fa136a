from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    VISIT = "visit", _("走访")
    PATROL = "patrol", _("巡查")
    MEETING = "meeting", _("会议")
    SERVICE = "service", _("服务")
    MEDIATION = "mediation", _("调解")
    OTHER = "other", _("其他")

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One fixed-window rate-limit counter (gridgov/ratelimit.py), shared by every web process of a site."""

    bucket = models.CharField(_("计数键"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.BigIntegerField(_("过期时间（Unix 秒）"), db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.bucket}: {self.count}"

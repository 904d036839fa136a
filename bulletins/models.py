"""Bulletins (通报): a period's figures frozen when published. A correction is a new version of the same bulletin
with the differences it made. Who was told of a bulletin, and who has opened it, is kept per person
(:class:`BulletinRead`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stats.periods import PeriodKind


class Bulletin(models.Model):
    kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    period_key = models.CharField(_("统计周期"), max_length=16)
    area = models.ForeignKey("areas.Area", verbose_name=_("范围"), related_name="+", on_delete=models.PROTECT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    content = models.JSONField(_("内容"), default=dict)
    changes = models.JSONField(_("更正内容"), default=list, blank=True)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("更正自"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    # The departments whose figures the bulletin gives: their handlers receive it and may read it.
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("涉及部门"), blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_key", "area", "version"], name="bulletin_version_key")
        ]
        permissions = [("publish_bulletin", _("发布和更正通报"))]

    def __str__(self) -> str:
        return self.title


class BulletinRead(models.Model):
    """A read receipt: a person told of a bulletin when it was published (``recipient``), and when they first
    opened it (``read_at``, empty while unread). Anyone else who opens it gets a row when they do."""

    bulletin = models.ForeignKey(Bulletin, related_name="reads", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    recipient = models.BooleanField(_("接收人"), default=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通报阅读")
        verbose_name_plural = _("通报阅读")
        constraints = [models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_read_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="bulletin_read_user")]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.user_id}"

"""民情日志: a worker's dated diary, kept per grid; visits and patrols write their entry, leaders comment (点评).

Entries that mention a sensitive group (重点人员) carry ``sensitive`` and are shown only with
``registry.view_sensitive_tags`` (:class:`visits.models.SensitiveGridQuerySet`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from diary.choices import EntryKind
from visits.models import SensitiveGridQuerySet


class DiaryEntry(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), related_name="diary_entries", on_delete=models.PROTECT
    )
    grid = models.ForeignKey(
        "areas.Area", verbose_name=_("网格"), related_name="diary_entries", on_delete=models.PROTECT
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices, default=EntryKind.OTHER)
    title = models.CharField(_("标题"), max_length=120)
    content = models.TextField(_("内容"), blank=True)
    summary = models.CharField(_("小结"), max_length=500, blank=True)
    persons = models.ManyToManyField("registry.Person", verbose_name=_("相关人员"), blank=True, related_name="+")
    households = models.ManyToManyField("registry.Household", verbose_name=_("相关户"), blank=True, related_name="+")
    places = models.ManyToManyField("registry.Place", verbose_name=_("相关场所"), blank=True, related_name="+")
    cases = models.ManyToManyField("cases.Case", verbose_name=_("相关案件"), blank=True, related_name="+")
    visits = models.ManyToManyField("visits.Visit", verbose_name=_("相关走访"), blank=True, related_name="+")
    source_visit = models.OneToOneField(
        "visits.Visit",
        verbose_name=_("来源走访"),
        null=True,
        blank=True,
        related_name="diary_entry",
        on_delete=models.SET_NULL,
    )
    source_patrol = models.OneToOneField(
        "fieldwork.Patrol",
        verbose_name=_("来源巡查"),
        null=True,
        blank=True,
        related_name="diary_entry",
        on_delete=models.SET_NULL,
    )
    edited = models.BooleanField(_("已编辑"), default=False, help_text=_("自动生成后由记录人修改过"))
    sensitive = models.BooleanField(_("涉及重点人员"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SensitiveGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")
        ordering = ["-day", "-id"]
        permissions = [("comment_diaryentry", _("可点评民情日志"))]
        indexes = [
            models.Index(fields=["author", "day"], name="diary_author_day"),
            models.Index(fields=["grid", "day"], name="diary_grid_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.title}"


class DiaryComment(models.Model):
    """A leader's comment (点评) on an entry; ``read_at`` is when its author saw it."""

    entry = models.ForeignKey(DiaryEntry, verbose_name=_("日志"), related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("点评人"), related_name="+", on_delete=models.PROTECT
    )
    text = models.TextField(_("点评"))
    created_at = models.DateTimeField(_("点评时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日志点评")
        verbose_name_plural = _("日志点评")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.created_at:%Y-%m-%d}"


class DiaryAttachment(models.Model):
    """A file attached to an entry, stored under a random name and served through an access check."""

    entry = models.ForeignKey(DiaryEntry, verbose_name=_("日志"), related_name="attachments", on_delete=models.CASCADE)
    file = models.FileField(_("附件"), upload_to="diary/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("日志附件")
        verbose_name_plural = _("日志附件")

    def __str__(self) -> str:
        return self.name

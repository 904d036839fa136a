"""12345 hotline (一号通): tickets (工单) taken by a seat, the knowledge base that answers questions on the spot,
callbacks (回访) after a case closes, and the words past tickets taught the category suggestion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.choices import CallOutcome, PlaceKind, RequestType, TicketOutcome


class TicketLimit(models.Model):
    """The reply deadline of a request type in working days (0 = the same day). Urgent tickets: the same day."""

    request_type = models.CharField(_("诉求类型"), max_length=16, choices=RequestType.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日，0 为当日）"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工单时限")
        verbose_name_plural = _("工单时限")
        ordering = ["request_type"]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()}: {self.working_days}"


class KnowledgeArticle(models.Model):
    title = models.CharField(_("标题"), max_length=200)
    question = models.TextField(_("常见问法"), blank=True)
    answer = models.TextField(_("答复口径"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    department = models.CharField(_("主管单位"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    use_count = models.PositiveIntegerField(_("引用次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库")
        ordering = ["-use_count", "title"]

    def __str__(self) -> str:
        return self.title


class Ticket(models.Model):
    number = models.CharField(_("工单编号"), max_length=20, unique=True, null=True)
    caller_phone = models.TextField(_("来电号码（密文）"))
    caller_phone_hash = models.CharField(_("来电号码摘要"), max_length=64, db_index=True)
    caller_phone_masked = models.CharField(_("来电号码"), max_length=20)
    caller_name = models.CharField(_("来电人"), max_length=64, blank=True)
    request_type = models.CharField(_("诉求类型"), max_length=16, choices=RequestType.choices)
    urgent = models.BooleanField(_("紧急"), default=False)
    content = models.TextField(_("诉求内容"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    outcome = models.CharField(_("处理方式"), max_length=16, choices=TicketOutcome.choices)
    answer = models.TextField(_("答复内容"), blank=True)
    article = models.ForeignKey(
        KnowledgeArticle,
        verbose_name=_("引用知识"),
        null=True,
        blank=True,
        related_name="tickets",
        on_delete=models.SET_NULL,
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案卷"), null=True, blank=True, related_name="tickets", on_delete=models.PROTECT
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("坐席"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("来电时间"), db_index=True)
    due_at = models.DateTimeField(_("办理期限"))
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所选社区或网格"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    location_approximate = models.BooleanField(_("位置为约略位置"), default=False)

    class Meta:
        verbose_name = _("热线工单")
        verbose_name_plural = _("热线工单")
        ordering = ["-created_at", "-id"]
        permissions = [("reveal_caller_phone", _("可查看完整来电号码以回访"))]

    def __str__(self) -> str:
        return self.number or ""


class Callback(models.Model):
    """回访: one call to the caller after their case closed (a closing that is reopened and closed again gets
    its own callbacks)."""

    ticket = models.ForeignKey(Ticket, related_name="callbacks", on_delete=models.CASCADE)
    case_closed_at = models.DateTimeField(_("对应的结案时间"))
    outcome = models.CharField(_("回访结果"), max_length=16, choices=CallOutcome.choices)
    rating = models.CharField(_("评价"), max_length=24, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    called_at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_outcome_display()}"


class LearnedTerm(models.Model):
    """How often a two-character term appeared in tickets filed under a category (the suggestion learns), and how
    often a seat corrected a suggestion to this category (``corrected``) or away from it (``rejected``) for a text
    holding the term."""

    term = models.CharField(max_length=4)
    category = models.ForeignKey("cases.Category", related_name="+", on_delete=models.CASCADE)
    count = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "category"], name="learnedterm_term_category")]

    def __str__(self) -> str:
        return f"{self.term} → {self.category_id}: {self.count}"


class SuggestionCorrection(models.Model):
    """A seat picked another category than the one suggested: the record the suggestion learned from."""

    ticket = models.OneToOneField(Ticket, related_name="correction", on_delete=models.CASCADE)
    suggested = models.ForeignKey(
        "cases.Category", verbose_name=_("建议类别"), related_name="+", on_delete=models.CASCADE
    )
    chosen = models.ForeignKey("cases.Category", verbose_name=_("选定类别"), related_name="+", on_delete=models.CASCADE)
    terms = models.JSONField(_("词项"), default=list)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    corrected_at = models.DateTimeField(_("纠正时间"))

    class Meta:
        verbose_name = _("类别纠正")
        verbose_name_plural = _("类别纠正")
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.suggested_id} → {self.chosen_id}"


class AddressEntry(models.Model):
    """One way to find a place by what a caller says (地名地址库): a street, community or grid by its name, a road,
    a 小区, a building by its address or by 小区 and building number, a public place. ``key`` is the text
    normalized (``hotline.text.address_key``), ``pinyin`` and ``initials`` its spelling, each searched by prefix
    from an index. ``exact`` tells whether the point is the place's own (a building, a place) or a centre (an
    area's, the middle building of a road or 小区), which files a ticket as approximate. Rebuilt by
    ``hotline.gazetteer``; a place may have several entries (one per key)."""

    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices)
    label = models.CharField(_("名称"), max_length=200)
    context = models.CharField(_("所在区域"), max_length=200, blank=True)
    key = models.CharField(max_length=200)
    pinyin = models.CharField(max_length=400)
    initials = models.CharField(max_length=200)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    exact = models.BooleanField(_("精确位置"), default=False)
    grid = models.ForeignKey(
        "areas.Area", verbose_name=_("网格"), null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区域"), null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("地名地址")
        verbose_name_plural = _("地名地址库")
        indexes = [
            models.Index(fields=["key"], name="address_key", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["pinyin"], name="address_pinyin", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["initials"], name="address_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "source_id"], name="address_source"),
        ]

    def __str__(self) -> str:
        return self.label

"""12345 hotline (一号通): tickets (工单) taken by a seat, the knowledge base that answers questions on the spot,
callbacks (回访) after a case closes, and the words past tickets taught the category suggestion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.choices import CallOutcome, RequestType, TicketOutcome


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

    class Meta:
        verbose_name = _("热线工单")
        verbose_name_plural = _("热线工单")
        ordering = ["-created_at", "-id"]

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
    """How often a two-character term appeared in tickets filed under a category (the suggestion learns)."""

    term = models.CharField(max_length=4)
    category = models.ForeignKey("cases.Category", related_name="+", on_delete=models.CASCADE)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "category"], name="learnedterm_term_category")]

    def __str__(self) -> str:
        return f"{self.term} → {self.category_id}: {self.count}"

"""Reports, cases and the rows that record what happened to them.

A :class:`Report` is what somebody submitted; intake turns every report into a :class:`Case` (state
``reported``) that runs the workflow of DESIGN §5. A duplicate report is merged into a main case and then
follows it. Every change of a case appends one :class:`CaseEvent`: the audit trail, the notification outbox and
the source of every statistic.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet, user_scope
from areas.models import Area
from cases.choices import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    AssignmentRole,
    CaseAction,
    CaseLevel,
    CaseStatus,
    Light,
    PhotoStage,
    Priority,
    Rating,
    RequestKind,
    RequestStatus,
    Source,
    Step,
    Supervision,
)


class CaseQuerySet(ScopedQuerySet):
    """Cases a user may see: those in their area subtrees, plus those their department was given or summoned to."""

    scope_code_field = "grid__code"

    def visible_to(self, user: Any) -> CaseQuerySet:
        scope = user_scope(user)
        if scope.everything:
            return self.all()
        condition = Q(grid__in=Area.objects.filter(scope.q("code")).values("pk")) if scope.codes else Q(pk__in=[])
        department_id = getattr(user, "department_id", None) if getattr(user, "is_authenticated", False) else None
        if department_id:
            condition |= Q(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), department_id=department_id)))
            condition |= Q(Exists(Summons.objects.filter(case=OuterRef("pk"), department_id=department_id)))
        return self.filter(condition)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    number = models.CharField(_("案卷编号"), max_length=16, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), null=True, blank=True, related_name="cases", on_delete=models.PROTECT
    )
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    level = models.CharField(_("层级"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.COMMUNITY)
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    h3_cell = models.CharField(_("H3 单元"), max_length=16, blank=True)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="cases", on_delete=models.PROTECT)
    component = models.ForeignKey(
        "registry.Component",
        verbose_name=_("部件"),
        null=True,
        blank=True,
        related_name="cases",
        on_delete=models.SET_NULL,
    )
    place = models.ForeignKey(
        "registry.Place",
        verbose_name=_("单位场所"),
        null=True,
        blank=True,
        related_name="cases",
        on_delete=models.SET_NULL,
    )
    main_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("主办部门"),
        null=True,
        blank=True,
        related_name="main_cases",
        on_delete=models.PROTECT,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实/核查人"),
        null=True,
        blank=True,
        related_name="case_tasks",
        on_delete=models.SET_NULL,
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, related_name="merged_cases", on_delete=models.PROTECT
    )
    # The clock of the current step (DESIGN §5): deadlines are stored instants, computed on the working calendar
    # when the step starts, so the periodic job only compares columns.
    step = models.CharField(_("当前环节"), max_length=16, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("环节开始"), null=True, blank=True)
    step_limit_minutes = models.PositiveIntegerField(_("环节时限（分钟）"), null=True, blank=True)
    natural_time = models.BooleanField(_("自然时间计时"), default=False)
    yellow_at = models.DateTimeField(_("黄灯时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("环节截止"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("超时升级时间"), null=True, blank=True)
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices, default=Light.GREEN)
    clock_offset_minutes = models.FloatField(_("此前已用（分钟）"), default=0)
    resume_status = models.CharField(_("挂账前状态"), max_length=16, choices=CaseStatus.choices, blank=True)
    handle_due_at = models.DateTimeField(_("处置截止"), null=True, blank=True)
    # Marks and counters.
    supervision = models.PositiveSmallIntegerField(_("督办"), choices=Supervision.choices, default=Supervision.NONE)
    expedited = models.BooleanField(_("加急"), default=False)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    overdue_count = models.PositiveSmallIntegerField(_("超时次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    rating = models.CharField(_("评价"), max_length=24, choices=Rating.choices, blank=True)
    supporters = models.PositiveIntegerField(_("附议人数"), default=0)
    created_at = models.DateTimeField(_("上报时间"), db_index=True)
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    version = models.PositiveIntegerField(default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案卷")
        verbose_name_plural = _("案卷")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "created_at"], name="case_grid_created"),
            models.Index(fields=["status", "created_at"], name="case_status_created"),
            models.Index(fields=["category", "created_at"], name="case_category_created"),
            models.Index(fields=["main_department", "status"], name="case_department_status"),
            models.Index(fields=["updated_at"], name="case_updated"),
            # The periodic job reads only open cases with a running clock.
            models.Index(fields=["due_at"], name="case_open_due", condition=Q(due_at__isnull=False) & ~Q(light="red")),
            models.Index(fields=["yellow_at"], name="case_open_yellow", condition=Q(light="green")),
            models.Index(fields=["escalate_at"], name="case_open_escalate", condition=Q(escalate_at__isnull=False)),
            models.Index(fields=["light", "created_at"], name="case_light_created"),
            # The leaders' workbench counts what was filed and closed today and this month.
            models.Index(fields=["filed_at"], name="case_filed", condition=Q(filed_at__isnull=False)),
            models.Index(fields=["closed_at"], name="case_closed", condition=Q(closed_at__isnull=False)),
            # The case map counts open cases per H3 cell under every filter it offers, and the workbenches count
            # their queues, from this index alone, as small as the open cases however long the history
            # (PostgreSQL; SQLite keeps the key column only).
            models.Index(
                fields=["h3_cell"],
                include=["grid", "id", "status", "light", "source", "category", "created_at", "longitude", "latitude"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_map",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Report(models.Model):
    """One submission from one channel. ``idempotency_key`` makes a retried submission return the first."""

    case = models.ForeignKey(Case, verbose_name=_("案卷"), related_name="reports", on_delete=models.CASCADE)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    datum = models.CharField(_("原始坐标系"), max_length=8, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("上报类别"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    reporter_name = models.CharField(_("上报人"), max_length=64, blank=True)
    reporter_phone = models.TextField(_("联系电话（密文）"), blank=True)
    reporter_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报账号"),
        null=True,
        blank=True,
        related_name="case_reports",
        on_delete=models.SET_NULL,
    )
    self_resolved = models.BooleanField(_("自处置"), default=False)
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True)
    media_url = models.URLField(_("外部图片链接"), max_length=500, blank=True)
    # The reporter follows the case with a private link; only the token's hash is kept.
    follow_token_hash = models.CharField(_("跟踪码摘要"), max_length=64, null=True, blank=True, unique=True)
    # The reporter asked to be told of each public step (a verified phone, or a hotline caller).
    notify_reporter = models.BooleanField(_("进展通知上报人"), default=False)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, null=True, blank=True, unique=True)
    # A digest of what was submitted, so that a retried key can be told from a key reused for something else.
    submission_hash = models.CharField(_("提交摘要"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("上报时间"))

    class Meta:
        verbose_name = _("上报")
        verbose_name_plural = _("上报")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d %H:%M}"


class CaseAssignment(models.Model):
    """A department given the case: the main one (主办) and co-handlers (协办). Earlier assignments stay."""

    case = models.ForeignKey(Case, related_name="assignments", on_delete=models.CASCADE)
    department = models.ForeignKey("accounts.Department", related_name="case_assignments", on_delete=models.PROTECT)
    role = models.CharField(_("角色"), max_length=8, choices=AssignmentRole.choices)
    is_active = models.BooleanField(_("当前有效"), default=True)
    assigned_at = models.DateTimeField(_("派遣时间"))
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        indexes = [models.Index(fields=["department", "is_active"], name="assignment_department_active")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id} ({self.role})"


class CaseEvent(models.Model):
    """One change of a case. ``payload["set"]`` holds every case field the change wrote, so the case can be
    replayed from its events (:func:`cases.workflow.case_replay`)."""

    case = models.ForeignKey(Case, related_name="events", on_delete=models.CASCADE)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    action = models.CharField(_("动作"), max_length=32, choices=CaseAction.choices)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True, choices=CaseStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True, choices=CaseStatus.choices)
    reason = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("案卷事件")
        verbose_name_plural = _("案卷事件")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at"),
            models.Index(fields=["action", "at"], name="caseevent_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def priority_reason(self) -> str:
        """Why the priority this event set differs from the category's default (empty when it does not)."""
        return str(self.payload.get("priority_reason", ""))

    @property
    def priority_label(self) -> str:
        """The priority this event chose, as its label: where it changed it (受理, 立案, 加急…) or took one other
        than the category's default with a reason (上报); empty otherwise."""
        written = self.payload.get("set", {})
        if "priority" not in written or (self.from_status == "" and not self.priority_reason):
            return ""
        return str(Priority(written["priority"]).label) if written["priority"] in Priority.values else ""


class CaseRequest(models.Model):
    """A side flow that needs approval (延期, 回退, 挂账, 作废)."""

    case = models.ForeignKey(Case, related_name="requests", on_delete=models.CASCADE)
    kind = models.CharField(_("申请类型"), max_length=8, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    reason = models.TextField(_("理由"))
    extra_minutes = models.PositiveIntegerField(_("申请延长（工作分钟）"), null=True, blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="caserequest_one_pending_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class Summons(models.Model):
    """吹哨报到: a street calls a department to a case; it must report (报到) within the limit."""

    case = models.ForeignKey(Case, related_name="summonses", on_delete=models.CASCADE)
    department = models.ForeignKey("accounts.Department", related_name="summonses", on_delete=models.PROTECT)
    summoned_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    summoned_at = models.DateTimeField(_("吹哨时间"))
    due_at = models.DateTimeField(_("报到截止"))
    confirmed_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices, default=Light.GREEN)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        # The workbenches list the summonses still waiting for 报到, the latest first due.
        indexes = [models.Index(fields=["due_at"], name="summons_waiting_due", condition=Q(confirmed_at=None))]
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="summons_case_department")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id}"


def _photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, related_name="photos", on_delete=models.CASCADE)
    event = models.ForeignKey(CaseEvent, null=True, blank=True, related_name="photos", on_delete=models.SET_NULL)
    stage = models.CharField(_("阶段"), max_length=8, choices=PhotoStage.choices)
    image = models.ImageField(_("照片"), upload_to=_photo_path)
    thumbnail = models.ImageField(_("缩略图"), upload_to=_photo_path, blank=True)
    # The copy shown to the public: re-encoded without any metadata (no EXIF location or time).
    public_image = models.ImageField(_("公开图片"), upload_to=_photo_path, blank=True)
    longitude = models.FloatField(_("拍摄经度"), null=True, blank=True)
    latitude = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("案卷照片")
        verbose_name_plural = _("案卷照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class CaseCounter(models.Model):
    """The last case number given out per day (numbers are ``YYYYMMDD`` + 5 digits)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"

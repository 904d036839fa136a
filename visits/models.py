"""走访: visits made, the plans that make visits due, due visits and the compliance numbers kept for evaluation.

A visit is about one subject at most of each kind (a person, a household, a house, a building, a place) and is
placed in a grid. Rows about sensitive groups (重点人员) carry ``sensitive`` and are shown only to users with
``registry.view_sensitive_tags`` (:meth:`VisitQuerySet.visible_to`).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet
from visits.choices import DueStatus, IntervalUnit, PlanSubject, VisitKind

SENSITIVE_PERMISSION = "registry.view_sensitive_tags"


def may_see_sensitive(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(SENSITIVE_PERMISSION))


#: The person a row belongs to (who made the visit, wrote the entry…): they keep seeing their own sensitive rows.
OWNER_FIELDS = {
    "visits.visit": "worker",
    "visits.duevisit": "worker",
    "visits.mustreport": "worker",
    "diary.diaryentry": "author",
}


class SensitiveGridQuerySet(ScopedQuerySet):
    """Rows in a grid that may be about a sensitive group: scoped by grid; sensitive rows only with permission, or
    to the person the row belongs to (a worker responsible for a 重点人员 sees the visits they made and are due)."""

    scope_code_field = "grid__code"

    def visible_to(self, user: Any) -> Self:
        rows = super().visible_to(user)
        if may_see_sensitive(user):
            return rows
        owner = OWNER_FIELDS.get(self.model._meta.label_lower)
        if owner is None or not getattr(user, "is_authenticated", False):
            return rows.filter(sensitive=False)
        return rows.filter(Q(sensitive=False) | Q(**{owner: user.pk}))


VisitQuerySet = SensitiveGridQuerySet


class Visit(models.Model):
    """One visit (走访) by a worker: whom, when, where, why, what was found and what followed."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), related_name="visits", on_delete=models.PROTECT
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="visits", on_delete=models.PROTECT)
    visited_at = models.DateTimeField(_("走访时间"))
    kind = models.CharField(_("走访方式"), max_length=16, choices=VisitKind.choices, default=VisitKind.HOME)
    purposes = models.JSONField(_("走访事由"), default=list, help_text=_("VisitPurpose 值的列表"))
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("走访对象"),
        null=True,
        blank=True,
        related_name="visits",
        on_delete=models.PROTECT,
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        null=True,
        blank=True,
        related_name="visits",
        on_delete=models.PROTECT,
    )
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("房屋"),
        null=True,
        blank=True,
        related_name="visits",
        on_delete=models.PROTECT,
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name=_("楼栋"),
        null=True,
        blank=True,
        related_name="visits",
        on_delete=models.PROTECT,
    )
    place = models.ForeignKey(
        "registry.Place",
        verbose_name=_("场所"),
        null=True,
        blank=True,
        related_name="visits",
        on_delete=models.PROTECT,
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    accuracy = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    findings = models.TextField(_("走访情况"), blank=True)
    answers = models.JSONField(_("走访问答"), default=dict, blank=True, help_text=_("按事由的结构化回答"))
    registry_changes = models.ManyToManyField(
        "registry.RegistryChange", verbose_name=_("核实或提出的信息变动"), blank=True, related_name="visits"
    )
    sensitive = models.BooleanField(_("涉及重点人员"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SensitiveGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "visited_at"], name="visit_worker_time"),
            models.Index(fields=["person", "visited_at"], name="visit_person_time"),
            models.Index(fields=["grid", "visited_at"], name="visit_grid_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_at:%Y-%m-%d}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("走访"), related_name="photos", on_delete=models.CASCADE)
    file = models.FileField(_("照片"), upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.sha256[:12]}"


class VisitCase(models.Model):
    """A follow-up: a finding of a visit turned into a report for the case loop (the link kept both ways)."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), related_name="follow_ups", on_delete=models.CASCADE)
    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), related_name="+", on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访转案件")
        verbose_name_plural = _("走访转案件")
        constraints = [models.UniqueConstraint(fields=["visit", "case"], name="visitcase_unique")]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.case_id}"


class PlanQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(active=True)


class VisitPlan(models.Model):
    """A rule that makes visits due: whom (a tag's group, new or expired floating registrations), where (an area
    subtree, or everywhere), how often, and the first visit's window."""

    name = models.CharField(_("名称"), max_length=100)
    subject = models.CharField(_("对象"), max_length=20, choices=PlanSubject.choices, default=PlanSubject.TAG)
    tag_category = models.CharField(
        _("人员标签"), max_length=32, blank=True, help_text=_("对象为“按人员标签”时必填（registry.TagCategory）")
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("适用区域"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("留空表示全部区域"),
    )
    interval = models.PositiveSmallIntegerField(_("走访周期"), help_text=_("两次走访之间最多间隔的天数"))
    interval_unit = models.CharField(
        _("周期单位"), max_length=8, choices=IntervalUnit.choices, default=IntervalUnit.NATURAL
    )
    first_within = models.PositiveSmallIntegerField(
        _("首次走访期限"), default=7, help_text=_("新纳入对象自纳入（登记）之日起的天数")
    )
    purpose = models.CharField(_("走访事由"), max_length=32, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sensitive = models.BooleanField(_("涉及重点人员"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="visitplan_interval_positive"),
            models.CheckConstraint(
                condition=~Q(subject=PlanSubject.TAG) | ~Q(tag_category=""), name="visitplan_tag_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DueVisit(models.Model):
    """A visit that a plan makes due for a person, by a day, for a worker; done when a visit fulfils it."""

    plan = models.ForeignKey(VisitPlan, verbose_name=_("走访计划"), related_name="due_visits", on_delete=models.CASCADE)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("走访对象"), related_name="due_visits", on_delete=models.CASCADE
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.PROTECT)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        related_name="due_visits",
        on_delete=models.SET_NULL,
    )
    assigned = models.BooleanField(_("指定责任人"), default=False, help_text=_("责任人由人工指定，重新生成时保留"))
    window_start = models.DateField(_("起算日期"))
    due_on = models.DateField(_("应走访日期"))
    status = models.CharField(_("状态"), max_length=12, choices=DueStatus.choices, default=DueStatus.OPEN)
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), null=True, blank=True, related_name="fulfils", on_delete=models.SET_NULL
    )
    done_on = models.DateField(_("走访日期"), null=True, blank=True)
    sensitive = models.BooleanField(_("涉及重点人员"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SensitiveGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("应走访")
        verbose_name_plural = _("应走访")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person"], condition=Q(status="open"), name="duevisit_one_open_per_plan"
            ),
            models.UniqueConstraint(fields=["plan", "person", "window_start"], name="duevisit_window_unique"),
        ]
        indexes = [
            models.Index(fields=["worker", "status", "due_on"], name="duevisit_worker_open"),
            models.Index(fields=["grid", "status", "due_on"], name="duevisit_grid_open"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.due_on}"


class VisitCompliance(models.Model):
    """Visits done on time against visits due, per month, worker, grid and plan (written by an idempotent job)."""

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.CASCADE)
    plan = models.ForeignKey(VisitPlan, verbose_name=_("走访计划"), related_name="+", on_delete=models.CASCADE)
    due = models.PositiveIntegerField(_("应走访"), default=0)
    on_time = models.PositiveIntegerField(_("按时走访"), default=0)
    late = models.PositiveIntegerField(_("超期走访"), default=0)
    missed = models.PositiveIntegerField(_("未走访"), default=0)
    pending = models.PositiveIntegerField(_("未到期"), default=0, help_text=_("仍在走访期内、尚未走访"))
    sensitive = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    objects = SensitiveGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访完成率")
        verbose_name_plural = _("走访完成率")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "worker", "grid", "plan"],
                condition=Q(worker__isnull=False),
                name="visitcompliance_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "grid", "plan"], condition=Q(worker__isnull=True), name="visitcompliance_unassigned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_id} {self.plan_id}"


class MustReport(models.Model):
    """One 八必报 item reported from the field: an event that entered the case loop (``case``) or a registry
    change waiting for confirmation (``change``). Both count for the worker."""

    item = models.CharField(_("八必报事项"), max_length=20)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), related_name="must_reports", on_delete=models.PROTECT
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.PROTECT)
    reported_at = models.DateTimeField(_("报告时间"))
    description = models.TextField(_("情况说明"), blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案件"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    change = models.ForeignKey(
        "registry.RegistryChange",
        verbose_name=_("基础信息变动"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), null=True, blank=True, related_name="must_reports", on_delete=models.SET_NULL
    )
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SensitiveGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("八必报")
        verbose_name_plural = _("八必报")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["worker", "reported_at"], name="mustreport_worker_time")]

    def __str__(self) -> str:
        return f"{self.item} {self.reported_at:%Y-%m-%d}"

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.services import Origin
from visits.models import DueVisit, VisitPlan
from visits.plans import PLAN_FIELDS, visit_plan_save


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "tag_category", "area", "interval", "interval_unit", "active", "sensitive"]
    list_filter = ["subject", "active", "sensitive", "interval_unit"]
    search_fields = ["name", "tag_category"]
    raw_id_fields = ["area"]
    readonly_fields = ["sensitive"]

    def save_model(self, request: HttpRequest, obj: VisitPlan, form: Any, change: bool) -> None:
        """Through the plan service: ``sensitive`` follows the tag category, and the change is audited."""
        values = {name: form.cleaned_data[name] for name in PLAN_FIELDS if name in form.cleaned_data}
        saved = visit_plan_save(
            Origin.of_request(request), values, VisitPlan.objects.get(pk=obj.pk) if change else None
        )
        obj.pk, obj.sensitive = saved.pk, saved.sensitive


@admin.register(DueVisit)
class DueVisitAdmin(admin.ModelAdmin):
    """Due visits are made by the daily job and done by visits: the admin shows them; reassigning is a page."""

    list_display = ["person", "plan", "grid", "worker", "due_on", "status", "sensitive"]
    list_filter = ["status", "sensitive", "plan"]
    search_fields = ["person__name", "grid__code", "worker__username"]
    raw_id_fields = ["plan", "person", "grid", "worker", "visit"]
    date_hierarchy = "due_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

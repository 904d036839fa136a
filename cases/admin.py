from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import CalendarDay, Case, CaseEvent, Category, DispatchRule, WorkingHours
from cases.worktime import calendar_forget


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "parent",
        "handle_limit",
        "limit_unit",
        "urgent",
        "department_kind",
        "check_by_rule",
        "is_active",
    )
    list_editable = ("check_by_rule",)
    list_filter = ("kind", "urgent", "check_by_rule", "is_active", "department_kind")
    search_fields = ("code", "name")


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "area", "time_from", "time_to", "department", "is_active")
    list_filter = ("is_active",)
    autocomplete_fields = ("category",)
    raw_id_fields = ("area",)
    filter_horizontal = ("assist_departments",)


class CalendarAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_forget()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        calendar_forget()


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ("date", "is_workday", "note")


@admin.register(WorkingHours)
class WorkingHoursAdmin(CalendarAdmin):
    list_display = ("__str__", "morning_start", "morning_end", "afternoon_start", "afternoon_end")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason", "channel")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the workflow services."""

    list_display = ("number", "status", "category", "light", "main_department", "created_at")
    list_filter = ("status", "light", "source")
    search_fields = ("number",)
    inlines = [CaseEventInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

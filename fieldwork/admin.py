from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fieldwork.models import CheckIn, CheckPoint, DailyMetric, Patrol, RoleTarget, Roster


@admin.register(CheckPoint)
class CheckPointAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "kind", "radius_m", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "grid__code", "grid__name"]
    raw_id_fields = ["grid", "building", "place", "component"]


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ["worker", "day", "start", "end", "grid"]
    list_filter = ["day"]
    search_fields = ["worker__username", "worker__full_name", "grid__code"]
    raw_id_fields = ["worker", "grid"]
    date_hierarchy = "day"


@admin.register(RoleTarget)
class RoleTargetAdmin(admin.ModelAdmin):
    list_display = ["role", "minutes_per_day", "km_per_day", "coverage_basis"]


class RecordAdmin(admin.ModelAdmin):
    """Rows that record what happened: read-only in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Patrol)
class PatrolAdmin(RecordAdmin):
    list_display = ["worker", "grid", "started_at", "ended_at", "source"]
    list_select_related = ["worker", "grid"]


@admin.register(CheckIn)
class CheckInAdmin(RecordAdmin):
    list_display = ["worker", "kind", "grid", "device_time", "distance_m", "flagged_clock"]
    list_filter = ["kind", "flagged_clock"]
    list_select_related = ["worker", "grid"]
    exclude = ["photo"]


@admin.register(DailyMetric)
class DailyMetricAdmin(RecordAdmin):
    list_display = ["worker", "day", "grid", "distance_m", "on_duty_s", "on_duty_rate", "off_grid_events"]
    list_select_related = ["worker", "grid"]
    date_hierarchy = "day"

from django.contrib import admin

from areas.models import Area, BoundaryVersion


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "grid_kind", "management_level", "department", "retired_in"]
    list_filter = ["level", "grid_kind", "management_level"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent", "introduced_in", "retired_in"]


@admin.register(BoundaryVersion)
class BoundaryVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "effective_from", "created_by", "created_at"]
    readonly_fields = ["number", "token", "created_by", "created_at"]

"""Admin screens for reference and correction work. Residents are edited through the registry pages, which
validate and keep history; the admin shows them read-only and never their encrypted columns."""

from django.contrib import admin

from registry.models import Building, Component, House, ImportJob, Place


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "units", "floors", "grid"]
    list_filter = ["kind"]
    search_fields = ["address", "estate"]
    raw_id_fields = ["grid"]


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["address", "use", "ownership", "is_rental", "grid"]
    list_filter = ["use", "ownership", "is_rental"]
    search_fields = ["address"]
    raw_id_fields = ["grid", "building"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "risk_level", "grid"]
    list_filter = ["kind", "risk_level"]
    search_fields = ["name", "address"]
    exclude = ["responsible_phone_encrypted"]
    raw_id_fields = ["grid", "house"]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["code", "category", "state", "in_use", "grid"]
    list_filter = ["state", "in_use"]
    search_fields = ["code", "address"]
    raw_id_fields = ["grid"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "status", "processed", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    exclude = ["file"]  # the upload is never served

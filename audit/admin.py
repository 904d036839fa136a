from django.contrib import admin

from audit.models import AuditEntry, SecurityAlert


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "channel", "object_type", "object_id", "area_code")
    list_filter = ("action", "channel", "object_type")
    search_fields = ("object_id", "area_code", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SecurityAlert)
class SecurityAlertAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "actor", "acknowledged")
    list_filter = ("kind", "acknowledged")
    search_fields = ("actor__username",)
    date_hierarchy = "at"
    readonly_fields = ("kind", "actor", "at", "detail")
    fields = ("kind", "actor", "at", "detail", "acknowledged")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

from __future__ import annotations

from django.contrib import admin

from bulletins.models import Bulletin, BulletinRead


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: a published bulletin is frozen; corrections are published from the bulletin pages."""

    list_display = ("title", "kind", "period_key", "area", "version", "published_at")
    list_filter = ("kind",)
    search_fields = ("title", "period_key", "area__code")
    readonly_fields = [field.name for field in Bulletin._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(BulletinRead)
class BulletinReadAdmin(admin.ModelAdmin):
    list_display = ("bulletin", "user", "recipient", "read_at")
    readonly_fields = ("bulletin", "user", "recipient", "read_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

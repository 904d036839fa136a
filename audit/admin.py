import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, SecurityAlert
from registry.selectors import history_shown, may_reveal

# The admin's field list type (django-stubs' ``_FieldGroups``).
FieldNames = list[str | list[str] | tuple[str, ...] | tuple[()]]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "channel", "object_type", "object_id", "area_code")
    list_filter = ("action", "channel", "object_type")
    search_fields = ("object_id", "area_code", "actor__username")
    date_hierarchy = "at"

    def get_fields(self, request: HttpRequest, obj: AuditEntry | None = None) -> FieldNames:
        """Without the reveal permission a changed birth date shows its year (docs/privacy.md)."""
        names = [field.name for field in AuditEntry._meta.fields if field.name != "id"]
        if not may_reveal(request.user):
            names = ["changes_shown" if name == "changes" else name for name in names]
        return [*names]

    @admin.display(description=_("变更"))
    def changes_shown(self, entry: AuditEntry) -> str:
        (shown,) = history_shown([entry], None)
        return json.dumps(shown.changes, ensure_ascii=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SecurityAlert)
class SecurityAlertAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "actor", "acknowledged")
    list_filter = ("kind", "acknowledged")
    search_fields = ("actor__username",)
    date_hierarchy = "at"
    readonly_fields = ("kind", "actor", "at", "detail")
    fields = ("kind", "actor", "at", "detail", "acknowledged")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

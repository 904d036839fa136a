from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, Department, User
from accounts.services import token_revoke
from audit.services import Origin


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent", "area"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["area", "parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "department", "is_active", "is_staff"]
    list_filter = ["groups", "department", "is_active"]
    search_fields = ["username", "full_name"]
    autocomplete_fields = ["areas", "department"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("网格化管理"), {"fields": ["full_name", "phone", "department", "areas"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by signing in on a phone (device) or here (integration: the key is shown once, by
    ``ApiToken.issue``); administrators see who holds which and revoke any."""

    list_display = ["name", "user", "kind", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "user__full_name", "tracker_id"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "key_hash", "tracker_id", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once when issued: by the app's sign-in or ApiToken.issue, never by a form

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        origin = Origin.of_request(request)
        revoked = [token_revoke(origin, token) for token in queryset.filter(revoked_at__isnull=True)]
        self.message_user(request, _("已吊销 %(count)d 个令牌。") % {"count": len(revoked)}, messages.SUCCESS)

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from open311.models import ApiClient
from open311.services import client_revoke, key_new


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "requests_per_minute", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("key_prefix", "revoked_at", "created_at", "last_used_at")
    fields = ("name", "contact", "requests_per_minute", "key_prefix", "is_active", "revoked_at", "created_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            key, columns = key_new()
            obj.key_prefix, obj.key_hash = columns["key_prefix"], columns["key_hash"]
            messages.warning(request, _("API 密钥（只显示这一次，请立即转交客户端）：%(key)s") % {"key": key})
        super().save_model(request, obj, form, change)

    @admin.action(description=_("吊销所选客户端的密钥"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            client_revoke(client)
        messages.success(request, _("已吊销 %(count)d 个客户端") % {"count": queryset.count()})

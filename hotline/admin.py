from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hotline.models import Callback, KnowledgeArticle, Ticket, TicketLimit


@admin.register(TicketLimit)
class TicketLimitAdmin(admin.ModelAdmin):
    list_display = ("request_type", "working_days", "note")
    list_editable = ("working_days",)


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "is_active", "use_count", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("title", "question", "answer", "keywords")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "request_type", "caller_phone_masked", "outcome", "case", "created_at", "due_at")
    list_filter = ("request_type", "outcome")
    search_fields = ("number",)
    exclude = ("caller_phone", "caller_phone_hash")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ("ticket", "outcome", "rating", "called_by", "called_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

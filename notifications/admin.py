from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "created_at", "read_at")
    list_filter = ("read_at",)
    search_fields = ("title", "user__username")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("channel", "address_masked", "title", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("title", "cause")
    exclude = ("address", "secret")  # the address and a secret are stored encrypted; title and data are masked
    readonly_fields = [field.name for field in Delivery._meta.fields if field.name not in ("address", "secret")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

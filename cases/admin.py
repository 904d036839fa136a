from django.contrib import admin

from cases.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "handle_limit", "limit_unit", "urgent", "is_active")
    list_filter = ("kind", "urgent", "is_active")
    search_fields = ("code", "name")

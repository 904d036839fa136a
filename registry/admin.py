from django.contrib import admin

from registry.models import Building


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "floors", "grid"]
    list_filter = ["kind"]
    search_fields = ["address", "name"]
    raw_id_fields = ["grid"]

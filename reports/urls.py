from __future__ import annotations

from django.urls import URLPattern, path

from reports import views

app_name = "reports"
urlpatterns: list[URLPattern] = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("preview/", views.report_preview, name="preview"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/delete/", views.report_delete, name="delete"),
    path("<int:report_id>/export/", views.report_export, name="export"),
]

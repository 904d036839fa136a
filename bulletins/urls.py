from __future__ import annotations

from django.urls import URLPattern, path

from bulletins import views

app_name = "bulletins"
urlpatterns: list[URLPattern] = [
    path("", views.bulletin_list, name="list"),
    path("publish/", views.bulletin_publish, name="publish"),
    path("<int:bulletin_id>/", views.bulletin_detail, name="detail"),
    path("<int:bulletin_id>/pdf", views.bulletin_pdf, name="pdf"),
    path("<int:bulletin_id>/xlsx", views.bulletin_xlsx, name="xlsx"),
    path("<int:bulletin_id>/csv", views.bulletin_csv, name="csv"),
]

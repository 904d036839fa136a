from __future__ import annotations

from django.urls import URLPattern, path

from diary import views

app_name = "diary"
urlpatterns: list[URLPattern] = [
    path("", views.my_diary, name="mine"),
    path("new/", views.entry_new, name="new"),
    path("grid/", views.grid_diary, name="grid"),
    path("export/", views.month_export, name="export"),
    path("links.json", views.link_search, name="links"),
    path("<int:entry_id>/", views.entry_detail, name="detail"),
    path("<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<int:entry_id>/comments/", views.entry_comment, name="comment"),
    path("<int:entry_id>/attachments/", views.entry_attach, name="attach"),
]

from __future__ import annotations

from django.urls import URLPattern, path

from visits import views

app_name = "visits"
urlpatterns: list[URLPattern] = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("<int:visit_id>/", views.visit_detail, name="detail"),
    path("<int:visit_id>/edit/", views.visit_edit, name="edit"),
    path("<int:visit_id>/follow-ups/", views.visit_follow_up, name="follow-up"),
]

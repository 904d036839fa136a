from __future__ import annotations

from django.urls import URLPattern, path

from alerts import views

app_name = "alerts"
urlpatterns: list[URLPattern] = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
]

from __future__ import annotations

from django.urls import URLPattern, path

from evaluation import views

app_name = "evaluation"
urlpatterns: list[URLPattern] = [
    path("", views.rankings, name="rankings"),
    path("rankings.xlsx", views.rankings_export, name="export"),
    path("me/", views.me, name="me"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("schemes/", views.schemes, name="schemes"),
]

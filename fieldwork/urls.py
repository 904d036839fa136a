from django.urls import path

from fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("live/", views.live_page, name="live"),
    path("live.json", views.live_data, name="live-data"),
    path("workers/<int:worker_id>/track/", views.playback_page, name="playback"),
    path("stats/", views.stats_page, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats-export"),
]

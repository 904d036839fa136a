from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("settings/", views.channel_choices, name="settings"),
    path("<int:pk>/", views.notification_detail, name="detail"),
]

from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.chart_export, name="export"),
    path("cases/", views.cases, name="cases"),
    path("cases/export.xlsx", views.cases_export, name="cases-export"),
]

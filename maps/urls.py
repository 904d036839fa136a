from django.urls import path

from maps import views

app_name = "maps"
urlpatterns = [
    path("basemap.pmtiles", views.basemap_archive, name="basemap"),
    path("cases/", views.case_map_page, name="cases"),
    path("cases.json", views.case_map_data, name="cases-data"),
    path("cases/<str:number>/nearby.json", views.case_neighbourhood, name="case-nearby"),
    path("report-layer.json", views.report_layer, name="report-layer"),
]

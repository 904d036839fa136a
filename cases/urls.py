from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_index, name="list"),
    path("report/", views.case_report, name="report"),
    path("approvals/", views.approvals, name="approvals"),
    path("overview/", views.overview, name="overview"),
    path("export.xlsx", views.case_export, name="export"),
    path("bulk/", views.case_bulk, name="bulk"),
    path("saved-filters/", views.saved_filter_save, name="saved-filter-save"),
    path("saved-filters/<int:pk>/delete/", views.saved_filter_delete, name="saved-filter-delete"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
]

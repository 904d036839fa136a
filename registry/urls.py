from django.urls import path

from registry import views

urlpatterns = [
    path("persons/", views.person_list, name="person-list"),
    path("persons/new/", views.person_create, name="person-create"),
    path("persons/<int:person_id>/", views.person_detail, name="person-detail"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
    path("persons/<int:person_id>/tags/new/", views.person_tag_create, name="person-tag-create"),
    path("areas/<str:code>/buildings/", views.area_buildings, name="area-buildings"),
    path("buildings/new/", views.building_create, name="building-create"),
    path("buildings/<int:building_id>/", views.building_detail, name="building-detail"),
    path("buildings/<int:building_id>/edit/", views.building_edit, name="building-edit"),
    path("buildings/<int:building_id>/houses/new/", views.house_create, name="house-create"),
    path("houses/<int:house_id>/", views.house_detail, name="house-detail"),
    path("houses/<int:house_id>/edit/", views.house_edit, name="house-edit"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path("places/", views.place_list, name="place-list"),
    path("places/new/", views.place_create, name="place-create"),
    path("places/<int:place_id>/", views.place_detail, name="place-detail"),
    path("places/<int:place_id>/edit/", views.place_edit, name="place-edit"),
    path("components/", views.component_list, name="component-list"),
    path("components/new/", views.component_create, name="component-create"),
    path("components/<int:component_id>/", views.component_detail, name="component-detail"),
    path("components/<int:component_id>/edit/", views.component_edit, name="component-edit"),
    path("components/<int:component_id>/photos/", views.component_photo_add, name="component-photo-add"),
    path("import/", views.import_page, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import-job"),
    path("import/<int:job_id>/confirm/", views.import_job_confirm, name="import-job-confirm"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import-template"),
    path("export/<str:kind>.xlsx", views.export, name="export"),
    path("export/<str:kind>.csv", views.export, {"file_format": "csv"}, name="export-csv"),
]

urlpatterns += [
    path("changes/", views.change_list, name="change-list"),
    path("changes/<int:change_id>/", views.change_detail, name="change-detail"),
    path("my-buildings/", views.my_buildings, name="my-buildings"),
    path("buildings/<int:building_id>/report/", views.building_report_create, name="building-report-create"),
    path("building-reports/<int:report_id>/", views.building_report_review, name="building-report-review"),
    path("must-report/", views.must_report, name="must-report"),
    path("persons/<int:person_id>/floating/new/", views.floating_create, name="floating-create"),
    path("houses/<int:house_id>/tenancies/new/", views.tenancy_create, name="tenancy-create"),
    path("houses/<int:house_id>/households/new/", views.household_create, name="household-create"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household-edit"),
]

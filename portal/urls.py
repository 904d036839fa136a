from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("nearby/", views.nearby, name="nearby"),
    path("code/", views.code, name="code"),
    path("streets/", views.streets, name="streets"),
    path("lookup/", views.lookup, name="lookup"),
    path("problems/", views.problems, name="problems"),
    path("problems/map/", views.problems_map, name="problems-map"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("cases/<str:number>/", views.case_status, name="case"),
    path("cases/<str:number>/support/", views.support, name="support"),
]

from django.urls import path

from areas import views

urlpatterns = [
    path("", views.area_browser, name="area-browser"),
    path("<str:code>/", views.area_browser, name="area-detail"),
    path("<str:code>/card/", views.area_card, name="area-card"),
    path("<str:code>/children/", views.area_tree_children, name="area-children"),
    path("<str:code>/partition/", views.area_partition, name="area-partition"),
]

from django.urls import path

from web import pages

urlpatterns = [
    path("", pages.home, name="home"),
]

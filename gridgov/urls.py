from django.contrib import admin
from django.urls import include, path

from gridgov.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("areas/", include("areas.urls")),
    path("registry/", include("registry.urls")),
    path("cases/", include("cases.urls")),
    path("open311/v2/", include("open311.urls")),
    path("portal/", include("portal.urls")),
    path("hotline/", include("hotline.urls")),
    # Stored files, each through an access check (gridgov/files.py); MEDIA_ROOT itself is never served.
    path("files/", include("gridgov.files")),
    path("", include("web.urls")),
]

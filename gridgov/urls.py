from django.contrib import admin
from django.urls import include, path

from gridgov.api import api

# A lock timeout outside a view (e.g. saving the session) still answers 503 database_busy.
handler400 = "gridgov.middleware.bad_request"
handler500 = "gridgov.middleware.server_error"

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
    path("messages/", include("notifications.urls")),
    path("maps/", include("maps.urls")),
    path("m/", include("fieldapp.urls")),
    path("fieldwork/", include("fieldwork.urls")),
    path("visits/", include("visits.planning_urls")),
    path("visits/", include("visits.urls")),
    path("diary/", include("diary.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("stats/", include("stats.urls")),
    path("alerts/", include("alerts.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("reports/", include("reports.urls")),
    # Stored files, each through an access check (gridgov/files.py); MEDIA_ROOT itself is never served.
    path("files/", include("gridgov.files")),
    path("", include("web.urls")),
]

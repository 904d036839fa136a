"""The field app 网格助手 under /m/: one shell page (no personal data, so the service worker may keep it), its
manifest and its service worker. Everything personal comes from /api/v1/ with the device's token."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from fieldapp.assets import assets_version, precache_urls
from fieldapp.strings import strings, visit_questions

#: Pages and scripts the service worker refreshes itself: the browser asks the server each time.
REVALIDATE = "no-cache"
THEME_COLOR = "#0b5ed7"


@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    config = {
        "api": "/api/v1/",
        "serviceWorker": reverse("fieldapp:service-worker"),
        "scope": reverse("fieldapp:shell"),
        "devices": "/accounts/devices/",
        "language": get_language(),
        "languages": [{"code": code, "name": name} for code, name in settings.LANGUAGES],
        "languageCookie": settings.LANGUAGE_COOKIE_NAME,
        "version": assets_version(),
        "visitQuestions": visit_questions(),
    }
    response = render(
        request, "fieldapp/shell.html", {"config": config, "strings": strings(), "theme_color": THEME_COLOR}
    )
    response["Cache-Control"] = REVALIDATE
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    scope = reverse("fieldapp:shell")
    body = {
        "id": scope,
        "name": gettext("网格助手"),
        "short_name": gettext("网格助手"),
        "description": gettext("网格员的上报、核实核查、签到与巡查，离线也能用"),
        "lang": get_language(),
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("fieldapp/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("fieldapp/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("fieldapp/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = REVALIDATE
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": assets_version(),
        "precache_json": json.dumps(precache_urls()),
        "outbox": settings.STATIC_URL + "fieldapp/outbox.js",
    }
    response = render(request, "fieldapp/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = REVALIDATE
    response["Service-Worker-Allowed"] = reverse("fieldapp:shell")
    return response

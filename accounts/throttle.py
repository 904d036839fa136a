"""Login throttling through django-axes: how a user name is counted and what a locked-out caller is told.

Axes counts failed ``authenticate()`` calls in the database (settings: ``AXES_*``); these are its two hooks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name a failure counts against: as typed, without surrounding blanks and case."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def login_locked_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 with a Retry-After: a page for people, ``{"code": "login_locked"}`` for the API."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)
    message = _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "login_locked", "message": message}, status=429)
    else:
        response = render(request, "web/login_locked.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

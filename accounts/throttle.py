"""Login throttling through django-axes: how a user name is counted and what a locked-out caller is told.

Axes counts failed ``authenticate()`` calls in the database (settings: ``AXES_*``); these are its two hooks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name a failure counts against: as typed, without surrounding blanks and case."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def login_locked_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 with a Retry-After and a page that says for how long (the API has no password sign-in: its bearer
    tokens are random 32-byte keys, and nothing there calls ``authenticate()``)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)
    message = _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    response = render(request, "web/login_locked.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

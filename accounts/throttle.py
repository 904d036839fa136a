"""Login throttling through django-axes: how a user name is counted and what a locked-out caller is told.

Axes counts failed ``authenticate()`` calls in the database (settings: ``AXES_*``); these are its two hooks. The
login pages and the app's sign-in (``POST /api/v1/auth/token``) share the same counters.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.errors import RateLimited


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name a failure counts against: as typed, without surrounding blanks and case."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def login_locked() -> RateLimited:
    """The refusal of a locked user name: for how long, in words and in seconds."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, seconds // 60)
    message = _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    return RateLimited(message, retry_after=seconds)


def login_locked_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 with a Retry-After: a page that says for how long, or the API's ``rate_limited`` error body."""
    refusal = login_locked()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(refusal.as_dict(), status=refusal.status)
    else:
        response = render(request, "web/login_locked.html", {"message": refusal.message}, status=refusal.status)
    response["Retry-After"] = str(refusal.retry_after)
    return response

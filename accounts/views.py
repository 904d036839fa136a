"""My devices: the phones (and systems) signed in with my account, revoking one, and how to pair a background GPS
client with a phone's tracker id."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import access_token, tokens_of
from accounts.services import token_revoke
from audit.services import Origin
from gridgov.http import AuthenticatedHttpRequest

#: Where a background GPS client (Traccar Client, OsmAnd protocol) sends positions, and how often.
TRACKER_PATH = "/api/v1/tracks/osmand"
TRACKER_INTERVAL_SECONDS = 30


@login_required
def devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "tokens": list(tokens_of(request.user)),
        "tracker_url": request.build_absolute_uri(TRACKER_PATH),
        "tracker_interval": TRACKER_INTERVAL_SECONDS,
        "idle_days": settings.TOKEN_IDLE_DAYS,
    }
    return render(request, "accounts/devices.html", context)


@login_required
@require_POST
def device_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = token_revoke(Origin.of_request(request), access_token(request.user, pk))
    messages.success(request, _("已吊销“%(name)s”：该设备需重新登录，后台轨迹也已停止。") % {"name": token.name})
    return redirect("devices")

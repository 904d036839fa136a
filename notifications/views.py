"""The messages page: a signed-in person's in-app notifications, newest first, and "mark all as read"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from gridgov.http import AuthenticatedHttpRequest
from notifications.models import Notification
from notifications.services import notifications_read

PAGE_SIZE = 50


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_read(request.user.pk)
        return redirect("notifications:list")
    rows = Notification.objects.filter(user=request.user)
    return render(
        request,
        "notifications/list.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring_without_page": "",
        },
    )

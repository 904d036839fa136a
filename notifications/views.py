"""The messages page: a signed-in person's in-app messages (unread first, newest first), "mark all as read",
opening one (it is marked read and leads to its case), and the person's choice of channels per kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gridgov.http import AuthenticatedHttpRequest
from notifications.forms import ChannelChoicesForm
from notifications.selectors import channel_choices_of, channels_choosable, notifications_of
from notifications.services import channel_choices_save, notification_open, notifications_read, unread_count

PAGE_SIZE = 30


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        marked = notifications_read(request.user.pk)
        messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": marked})
        return redirect("notifications:list")
    return render(
        request,
        "notifications/list.html",
        {
            "page": Paginator(notifications_of(request.user.pk), PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring_without_page": "",
            "unread_total": unread_count(request.user.pk),
        },
    )


@login_required
def notification_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open one message: it is marked read; a message about one case leads to the case, a grouped one lists its
    cases here."""
    notification = notification_open(request.user.pk, pk)
    items = list(notification.items.select_related("case"))
    link = notification.link
    if len(items) <= 1 and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return render(request, "notifications/detail.html", {"notification": notification, "items": items})


@login_required
def channel_choices(request: AuthenticatedHttpRequest) -> HttpResponse:
    channels = channels_choosable()
    if request.method == "POST":
        form = ChannelChoicesForm(request.POST, channels=channels)
        if form.is_valid():
            channel_choices_save(request.user.pk, form.chosen())
            messages.success(request, _("消息接收方式已保存。"))
            return redirect("notifications:settings")
    else:
        form = ChannelChoicesForm(
            initial={kind: sorted(on) for kind, on in channel_choices_of(request.user.pk).items()},
            channels=channels,
        )
    return render(request, "notifications/settings.html", {"form": form, "channels": channels})

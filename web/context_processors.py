from typing import Any

from django.conf import settings
from django.http import HttpRequest

from notifications.services import waiting_count


def site(request: HttpRequest) -> dict[str, Any]:
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}


def unread(request: HttpRequest) -> dict[str, Any]:
    """The badge of the navigation bar: the unread messages that still need the person (one query per page; what
    it counts is written in ``notifications.selectors``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": waiting_count(user.pk)}

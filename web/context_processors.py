from typing import Any

from django.conf import settings
from django.http import HttpRequest

from notifications.services import unread_count


def site(request: HttpRequest) -> dict[str, Any]:
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread badge of the navigation bar (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user.pk)}

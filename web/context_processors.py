from django.conf import settings

from notifications.services import unread_count


def site(request):  # type: ignore[no-untyped-def]
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}


def unread(request):  # type: ignore[no-untyped-def]
    """The unread badge of the navigation bar (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user.pk)}

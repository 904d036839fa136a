from django.conf import settings


def site(request):  # type: ignore[no-untyped-def]
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}

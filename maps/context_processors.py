from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from maps.basemap import header_of


def basemap(request: HttpRequest) -> dict[str, Any]:
    """Where every map's base layer comes from (maps/static/maps/basemap.js): the tile server when one is
    configured, else the offline PMTiles archive when the file is there (with its highest zoom, so the map
    enlarges that level's tiles beyond it instead of asking for tiles that are not there)."""
    path = settings.MAP_BASEMAP_PMTILES
    header = header_of(path) if not settings.MAP_TILE_URL and path.is_file() else None
    if header is None:
        return {"MAP_BASEMAP_URL": "", "MAP_BASEMAP_MAX_ZOOM": "", "MAP_BASEMAP_ATTRIBUTION": ""}
    return {
        "MAP_BASEMAP_URL": reverse("maps:basemap"),
        "MAP_BASEMAP_MAX_ZOOM": header["max_zoom"],
        "MAP_BASEMAP_ATTRIBUTION": settings.MAP_BASEMAP_ATTRIBUTION,
    }

"""Map pages and their data: the offline base map archive (HTTP range requests), the case map with its JSON,
a case's neighbourhood and the report map's layer. Queries live in ``maps/selectors.py``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from cases.selectors import access_case
from gridgov.errors import DomainError
from maps import selectors

CHUNK = 64 * 1024
RANGE = re.compile(r"^(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range of a ``Range: bytes=…`` header as (first, last) inclusive, clamped to the file;
    ``None`` when it cannot be satisfied (several ranges, bad syntax, or beyond the end)."""
    specs = header.split("=", 1)[1].split(",")
    if len(specs) != 1:
        return None  # one range per request (what PMTiles readers send); several are refused, not merged
    match = RANGE.match(specs[0].strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return None
        return max(0, size - suffix), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        return None
    return start, end


def _read(path: os.PathLike[str] | str, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as archive:
        archive.seek(start)
        while length > 0:
            chunk = archive.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@require_safe
def basemap_archive(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The base map archive, whole (200) or one byte range (206), as PMTiles readers ask for it. Public, like
    the map pages of the portal that draw it: it holds street lines, building outlines and area names, nothing
    about people. ``ETag``/``If-None-Match`` answer 304, ``If-Range`` with an old validator gets the whole new
    file, and a range it cannot satisfy 416 with the size."""
    path = settings.MAP_BASEMAP_PMTILES
    try:
        stat = os.stat(path)
    except OSError:
        raise Http404 from None
    size = stat.st_size
    etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
    modified = http_date(stat.st_mtime)
    headers = {
        "ETag": etag,
        "Last-Modified": modified,
        "Accept-Ranges": "bytes",
        "Cache-Control": "public, max-age=300",
    }
    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match and (if_none_match.strip() == "*" or etag in [tag.strip() for tag in if_none_match.split(",")]):
        return HttpResponse(status=304, headers=headers)
    wanted = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    if wanted and if_range and if_range not in (etag, modified):
        wanted = ""  # the file changed since the reader's copy: send it whole
    if wanted.startswith("bytes="):
        span = _byte_range(wanted, size)
        if span is None:
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        start, end = span
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            _read(path, start, end - start + 1) if request.method == "GET" else iter(()),
            status=206,
            content_type="application/vnd.pmtiles",
            headers={**headers, "Content-Range": f"bytes {start}-{end}/{size}"},
        )
        response["Content-Length"] = str(end - start + 1)
        return response
    response = StreamingHttpResponse(
        _read(path, 0, size) if request.method == "GET" else iter(()),
        content_type="application/vnd.pmtiles",
        headers=headers,
    )
    response["Content-Length"] = str(size)
    return response


def _json_of(build: Any) -> JsonResponse:
    try:
        return JsonResponse(build())
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)


@login_required
def case_map_page(request: HttpRequest) -> HttpResponse:
    """Open cases in the user's scope on a map: clustered points when few, H3 cells (a heat map) when many."""
    return render(request, "maps/case_map.html", {"choices": selectors.case_map_choices(), "chosen": request.GET})


@login_required
def case_map_data(request: HttpRequest) -> JsonResponse:
    return _json_of(lambda: selectors.case_map(request.user, selectors.case_map_filter(request.GET)))


@login_required
def case_neighbourhood(request: HttpRequest, number: str) -> JsonResponse:
    case = access_case(request.user, number)
    return JsonResponse(selectors.case_neighbourhood(request.user, case))


@login_required
def report_layer(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.report_layer(request.user))

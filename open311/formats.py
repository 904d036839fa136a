"""Open311 GeoReport v2 documents in JSON and XML: the same Python structure written both ways.

JSON lists are bare arrays; XML wraps them in the spec's element names (``services/service``,
``service_requests/request``, ``errors/error``…). Ids and codes are strings; ``None`` is an empty element.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

#: The XML element of each item in a list, by the list's name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "media_urls": "media_url",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def when(moment: dt.datetime | None) -> str | None:
    """W3C date-time with the local offset, e.g. ``2026-11-21T09:30:00+08:00``."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(child, key, inner)
    elif isinstance(value, list):
        for item in value:
            _element(child, ITEM_TAGS.get(name, "item"), item)
    else:
        child.text = _text(value)


def xml_of(root: str, document: Any) -> bytes:
    element = ElementTree.Element(root)
    if isinstance(document, list):
        for item in document:
            _element(element, ITEM_TAGS[root], item)
    else:
        for key, value in document.items():
            _element(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="utf-8")


def respond(fmt: str, root: str, document: Any, status: int = 200) -> HttpResponse:
    """``root`` names the XML root element (``services``, ``service_requests``, ``discovery``…)."""
    body = xml_of(root, document) if fmt == "xml" else json.dumps(document, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error body: ``[{"code": 400, "description": "…"}]`` or ``<errors><error>…</error></errors>``."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)


def database_busy(request: HttpRequest, message: str) -> HttpResponse:
    """A write that could not get the database's lock: 503 in the spec's error body and the format the request
    asked for (``settings.BUSY_RESPONDERS`` names this for /open311/; the middleware adds Retry-After)."""
    match = request.resolver_match
    fmt = match.kwargs.get("fmt", "json") if match else "json"
    return errors(fmt, 503, f"database_busy: {message}")

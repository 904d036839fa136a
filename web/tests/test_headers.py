"""Every response carries a strict Content-Security-Policy, and responses made by views are not stored by
browsers or proxies (they may hold personal data)."""

import re

import pytest
from django.contrib.staticfiles import finders

from gridgov.settings import _tile_sources

PAGES = ["/accounts/login/", "/", "/cases/", "/api/v1/areas", "/portal/", "/open311/v2/services.json", "/admin/"]


def policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("path", PAGES)
def test_a_strict_policy_and_no_store(world, path):
    response = world.client("administrator").get(path, follow=False)
    csp = policy(response)
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["img-src"][:3] == ["'self'", "data:", "blob:"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert {"private", "no-store"} <= cache_control(response)


def test_public_pages_are_not_stored_either(world, client):
    assert {"private", "no-store"} <= cache_control(client.get("/portal/"))


@pytest.mark.parametrize(
    ("tile_url", "sources"),
    [
        ("", []),
        ("/tiles/{z}/{x}/{y}.png", []),
        ("https://tiles.example.org/{z}/{x}/{y}.png", ["https://tiles.example.org"]),
        ("http://t{s}.intranet:8080/vec_w/{z}/{x}/{y}", ["http://t*.intranet:8080"]),
    ],
)
def test_the_tile_server_is_the_one_outside_image_source(tile_url, sources):
    assert _tile_sources(tile_url) == sources


def test_api_docs_load_nothing_from_elsewhere(world):
    page = world.client("administrator").get("/api/v1/docs")
    text = page.content.decode()
    assert page.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in text
    assert "cdn" not in text.lower() and "<script>" not in text


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/portal/"])
def test_every_page_names_its_icon_so_browsers_ask_for_no_missing_favicon(world, path):
    html = world.client("grid_worker_a").get(path).content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', html)
    assert icon and finders.find(icon.group(1)), path

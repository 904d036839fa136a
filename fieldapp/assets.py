"""What the service worker keeps for offline use: the app shell and every static file it loads, under one
version that changes whenever any of them does (so an installed app picks up a new release on its next start)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.templatetags.static import static

APP_DIR = Path(__file__).resolve().parent / "static" / "fieldapp"
#: Static files of other apps and vendors the shell loads.
VENDOR_FILES = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "web/theme.css",
    "vendor/idb/index.js",
)
SHELL_TEMPLATES = ("fieldapp/shell.html", "fieldapp/sw.js")


def static_files() -> list[str]:
    """The static paths (relative to STATIC_URL) the shell loads: the app's own modules, styles and icons, and
    the vendor files above. ES modules import each other by their plain names, so each is listed plain."""
    own = sorted(
        "fieldapp/" + path.relative_to(APP_DIR).as_posix()
        for path in APP_DIR.rglob("*")
        if path.is_file() and path.suffix in {".js", ".css", ".png"}
    )
    return [*VENDOR_FILES, *own]


def precache_urls() -> list[str]:
    """The URLs to keep: the shell page, its manifest, and each static file (plain and, where the storage names
    files by their contents, as the pages reference them)."""
    urls = ["/m/", "/m/manifest.webmanifest"]
    for path in static_files():
        plain = settings.STATIC_URL + path
        urls.append(plain)
        referenced = static(path)
        if referenced != plain:
            urls.append(referenced)
    return urls


def _version() -> str:
    digest = hashlib.sha256()
    for path in static_files():
        found = finders.find(path)
        digest.update(path.encode())
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    for catalogue in sorted(Path(settings.BASE_DIR).glob("locale/*/LC_MESSAGES/django.mo")):
        digest.update(catalogue.read_bytes())  # the shell's words
    for name in SHELL_TEMPLATES:
        origin = get_template(name).origin.name  # type: ignore[attr-defined]  # a Django template's origin
        digest.update(Path(origin).read_bytes())
    return digest.hexdigest()[:16]


_version_cached = functools.cache(_version)


def assets_version() -> str:
    """A short hash of every precached file and the shell's templates (read once per process, unless DEBUG)."""
    return _version() if settings.DEBUG else _version_cached()

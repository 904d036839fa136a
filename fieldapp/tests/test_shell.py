"""The app's shell, manifest and service worker as the server answers them: an installable manifest, a shell
that carries no personal data (the same bytes for everyone, so the service worker may keep it), every word the
scripts use in the catalogue, and a precache list of files that exist."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from PIL import Image

from fieldapp.assets import APP_DIR, precache_urls, static_files
from fieldapp.strings import CHOICES, strings

OUTBOX_KINDS = ("visit", "follow_up", "diary", "must_report")
#: Keys the scripts build from a value (``t(`kind_${item.kind}`)``): every value they may take.
BUILT_KEYS = {
    "kind_": [*("report", "task", "checkin", "patrol_start", "patrol_end", "track"), *OUTBOX_KINDS],
    "checkin_": ["shift_start", "shift_end", "point"],
    **{prefix: list(choices.values) for prefix, choices in CHOICES.items()},
}


def test_the_manifest_makes_an_installable_app(client: Client):
    response = client.get("/m/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "网格助手" and manifest["short_name"]
    assert manifest["start_url"] == "/m/" and manifest["scope"] == "/m/"
    assert manifest["display"] == "standalone"
    sizes: dict[str, set[str]] = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(path, str), icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert sizes == {"any": {"192x192", "512x512"}, "maskable": {"512x512"}}


def test_the_manifest_speaks_the_users_language(client: Client):
    client.cookies["django_language"] = "en"
    manifest = json.loads(client.get("/m/manifest.webmanifest").content)
    assert manifest["lang"] == "en"


@pytest.mark.django_db
def test_the_shell_is_the_same_for_everyone_and_revalidated(world):
    anonymous = Client().get("/m/")
    worker = world.client("grid_worker_a").get("/m/")
    assert anonymous.status_code == worker.status_code == 200
    assert anonymous.content == worker.content  # nothing personal: safe to keep offline
    assert anonymous["Cache-Control"] == "no-cache"
    page = anonymous.content.decode()
    assert "csrfmiddlewaretoken" not in page and world.user("grid_worker_a").username not in page
    assert re.search(r'<script type="module" src="/static/fieldapp/app\.js">', page)
    assert "<script>" not in page  # nothing inline (the catalogue and settings are JSON, not scripts)


def test_the_service_worker_keeps_the_shell_and_files_that_exist(client: Client):
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/m/"
    body = response.content.decode()
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', body)
    assert version is not None
    for path in static_files():
        assert finders.find(path), path
    urls = precache_urls()
    assert {"/m/", "/static/fieldapp/app.js", "/static/fieldapp/outbox.js", "/static/vendor/idb/index.js"} <= set(urls)
    found = re.search(r'JSON\.parse\("(.*)"\);', body)
    assert found is not None
    listed = json.loads(found.group(1).encode().decode("unicode_escape"))
    assert listed == urls


def _keys_used() -> set[str]:
    used: set[str] = set()
    for script in APP_DIR.rglob("*.js"):
        text = script.read_text()
        used |= set(re.findall(r'\bt\("([a-z_]+)"', text))
        used |= set(re.findall(r'(?:title|yes|no): "([a-z_]+)"', text))  # tables of keys (screens, tasks)
        used |= set(re.findall(r'"(state_[a-z]+|task_[a-z]+)"', text))
    for prefix, values in BUILT_KEYS.items():
        used |= {prefix + value for value in values}
    return used


def test_every_word_the_scripts_use_is_in_the_catalogue():
    catalogue = strings()
    missing = _keys_used() - set(catalogue)
    assert not missing, missing


def test_the_scripts_hold_no_chinese_text_outside_comments():
    for script in APP_DIR.rglob("*.js"):
        code = "\n".join(line.split("//")[0] for line in script.read_text().splitlines())
        code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
        assert not re.search(r"[\u4e00-\u9fff]", code), script.name


def test_the_shell_speaks_the_users_language(client: Client):
    client.cookies["django_language"] = "en"
    page = client.get("/m/").content.decode()
    assert '<html lang="en">' in page
    found = re.search(r'<script id="m-config" type="application/json">(.*?)</script>', page)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["language"] == "en" and config["languageCookie"] == "django_language"


def test_every_word_of_the_app_reads_in_english(client: Client):
    client.cookies["django_language"] = "en"
    page = client.get("/m/").content.decode()
    found = re.search(r'<script id="m-strings" type="application/json">(.*?)</script>', page)
    assert found is not None
    words = json.loads(found.group(1))
    assert words["title_visits"] == "Visit" and words["must_rented_out"] == "House let out"
    untranslated = [key for key, text in words.items() if re.search(r"[\u3000-\u9fff\uff00-\uffef]", text)]
    assert untranslated == []
    with translation.override("zh-hans"):
        words = strings()
    assert words["title_visits"] == "走访" and words["purpose_elderly_alone"] == "独居老人"

"""The offline base map: the archive the site writes from its own data, and the view that serves it by byte
ranges as PMTiles readers ask (RFC 9110 ranges, validators and refusals)."""

import gzip

import mapbox_vector_tile
import pytest
from django.test import Client
from django.urls import reverse
from pmtiles.reader import MemorySource, Reader

from gridgov.testing import IN_A
from maps.basemap import basemap_write, tile_of
from registry.tests.factories import BuildingFactory

URL = "/maps/basemap.pmtiles"
CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each position's value known


@pytest.fixture
def archive(settings, tmp_path):
    path = tmp_path / "base.pmtiles"
    path.write_bytes(CONTENT)
    settings.MAP_BASEMAP_PMTILES = path
    return path


def test_the_url_is_the_archive_by_name():
    # protomaps-leaflet picks its PMTiles reader by the ".pmtiles" ending of the path.
    assert reverse("maps:basemap") == URL


@pytest.mark.django_db
def test_whole_archive_without_range(archive):
    response = Client().get(URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"') and response["Last-Modified"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=10-19", 10, 19), ("bytes=0-0", 0, 0), ("bytes=10000-", 10000, 10239), ("bytes=-5", 10235, 10239),
     ("bytes=10200-99999", 10200, 10239), ("bytes=-99999", 0, 10239)],
)  # fmt: skip
def test_one_range_answers_206_with_exactly_those_bytes(archive, header, first, last):
    response = Client().get(URL, headers={"Range": header})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == CONTENT[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/10240"
    assert response["Content-Length"] == str(last - first + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-20010", "bytes=-0", "bytes=9-3", "bytes=abc",
                                    "bytes=-", "bytes=0-1,5-9"])  # fmt: skip
def test_a_range_it_cannot_satisfy_answers_416_with_the_size(archive, header):
    response = Client().get(URL, headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */10240"


@pytest.mark.django_db
def test_another_unit_than_bytes_is_ignored(archive):
    response = Client().get(URL, headers={"Range": "items=0-3"})
    assert response.status_code == 200 and b"".join(response.streaming_content) == CONTENT


@pytest.mark.django_db
def test_a_known_etag_answers_not_modified(archive):
    etag = Client().get(URL)["ETag"]
    response = Client().get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b"" and response["ETag"] == etag
    assert Client().get(URL, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.django_db
def test_if_range_keeps_the_range_while_the_file_is_the_same_and_sends_it_whole_once_changed(archive):
    etag = Client().get(URL)["ETag"]
    same = Client().get(URL, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert same.status_code == 206 and b"".join(same.streaming_content) == CONTENT[:4]
    archive.write_bytes(CONTENT + b"more")
    changed = Client().get(URL, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert changed.status_code == 200 and b"".join(changed.streaming_content) == CONTENT + b"more"
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_head_tells_the_size_without_a_body(archive):
    response = Client().head(URL, headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and response["Content-Length"] == "100"
    assert b"".join(response.streaming_content) == b""


@pytest.mark.django_db
def test_no_archive_is_not_found(settings, tmp_path):
    settings.MAP_BASEMAP_PMTILES = tmp_path / "absent.pmtiles"
    assert Client().get(URL).status_code == 404


def test_the_archive_is_served_to_everyone_the_portal_draws_it_for(world, archive):
    # Public like the portal's report map that draws it: street lines, outlines and area names only.
    for persona in ("anonymous", "grid_worker_a", "department_handler"):
        response = world.client(persona).get(URL, headers={"Range": "bytes=0-126"})
        assert response.status_code == 206, persona
    assert Client().post(URL).status_code == 405


def test_pages_name_the_archive_only_when_it_is_there(world, archive, settings):
    page = world.client("grid_worker_a").get("/cases/report/")
    assert 'data-pmtiles-url=""' in page.content.decode()  # not a PMTiles archive: no zoom to read…
    written = basemap_write(archive)
    assert written.tiles > 0
    page = world.client("grid_worker_a").get("/cases/report/").content.decode()
    assert f'data-pmtiles-url="{URL}"' in page and 'data-max-zoom="16"' in page
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in page
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    page = world.client("grid_worker_a").get("/cases/report/").content.decode()
    assert 'data-pmtiles-url=""' in page and 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in page


def _tile(reader: Reader, lon: float, lat: float, z: int) -> dict:
    x, y = tile_of(lon, lat, z)
    data = reader.get(z, x, y)
    assert data is not None, (z, x, y)
    return mapbox_vector_tile.decode(gzip.decompress(data))


def test_the_written_archive_holds_streets_buildings_and_names_of_the_site(world, tmp_path):
    BuildingFactory(grid=world.grid_a, lon=IN_A[0], lat=IN_A[1], estate="东四小区")
    written = basemap_write(tmp_path / "demo.pmtiles")
    reader = Reader(MemorySource(written.path.read_bytes()))
    header = reader.header()
    assert (header["min_zoom"], header["max_zoom"]) == (10, 16)
    close = _tile(reader, *IN_A, 16)
    assert {"earth", "buildings"} <= set(close)
    assert [f["properties"]["name"] for f in close["buildings"]["features"]] == ["东四小区"]
    kinds = {f["properties"]["kind"] for f in _tile(reader, *IN_A, 14)["roads"]["features"]}
    assert {"major_road", "path"} <= kinds  # the line between the two streets, the one between grids A and B
    names = set()
    for lon in (116.405, 116.415, 116.43):
        names |= {f["properties"]["name"] for f in _tile(reader, lon, 39.91, 13).get("places", {}).get("features", [])}
    assert {"一街道", "二街道", "一社区", "二社区"} <= names
    assert "buildings" not in _tile(reader, *IN_A, 13)  # too small to draw below zoom 14

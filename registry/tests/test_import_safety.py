"""Import uploads hold ID numbers and phones in clear: they live under a random name in a private directory, only
until their job ends. A hostile file ends its job as failed; a check holds no write lock."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook

from audit.services import Origin
from cases.seed import categories_ensure
from gridgov.testing import world_build
from registry.imports import registry_import
from registry.models import ImportJob, ImportStatus
from registry.tasks import import_job_run
from registry.tests.factories import HouseFactory, id_number_new

HEADERS = "姓名,证件号码,联系电话,人口类型,现住房屋地址,与户主关系,网格编码"


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADERS, *rows]) + "\n").encode("utf-8")


def _uploads() -> list[Path]:
    return [path for path in Path(settings.IMPORT_UPLOAD_DIR).rglob("*") if path.is_file()]


def _upload(client, name: str, content: bytes) -> ImportJob:
    client.post("/registry/import/", {"kind": "persons", "file": SimpleUploadedFile(name, content)})
    return ImportJob.objects.latest("pk")


@pytest.fixture(autouse=True)
def _empty_upload_dir():
    for path in _uploads():
        path.unlink()


def test_an_upload_is_kept_under_a_random_name_only_until_its_job_ends(world):
    house = HouseFactory(building__grid=world.grid_a)
    client = world.client("administrator")
    bad = _csv(["张三,110105194912310021,13812345678,户籍人口,,,"])
    rejected = _upload(client, "居民名单.csv", bad)
    assert rejected.status == ImportStatus.REJECTED and not rejected.file and _uploads() == []
    assert rejected.file_sha256 == hashlib.sha256(bad).hexdigest() and rejected.file_name == "居民名单.csv"
    assert rejected.report["problems"]

    good = _csv([f"李四,{id_number_new()},13812345678,户籍人口,{house.address},户主,"])
    checked = _upload(client, "居民名单.csv", good)
    assert checked.status == ImportStatus.CHECKED
    (stored,) = _uploads()
    assert "居民名单" not in checked.file.name and stored.name == Path(checked.file.name).name
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))
    client.post(f"/registry/import/{checked.pk}/confirm/")
    checked.refresh_from_db()
    assert checked.status == ImportStatus.DONE and not checked.file and _uploads() == []
    assert checked.file_sha256 == hashlib.sha256(good).hexdigest()


def test_an_unconfirmed_upload_is_deleted_by_the_sweep(world):
    house = HouseFactory(building__grid=world.grid_a)
    client = world.client("administrator")
    job = _upload(client, "名单.csv", _csv([f"李四,{id_number_new()},,户籍人口,{house.address},户主,"]))
    assert job.status == ImportStatus.CHECKED and len(_uploads()) == 1
    call_command("registry_import_sweep")
    assert len(_uploads()) == 1  # still waiting for its confirmation
    hours = settings.IMPORT_UPLOAD_KEEP_HOURS + 1
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(hours=hours))
    call_command("registry_import_sweep")
    job.refresh_from_db()
    assert job.status == ImportStatus.EXPIRED and not job.file and _uploads() == []
    client.post(f"/registry/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.EXPIRED


def xml_bomb_xlsx(levels: int = 9) -> bytes:
    """A workbook whose sheet declares nested entities ("billion laughs"): 10**levels copies once expanded."""
    workbook = Workbook()
    workbook.active.append(HEADERS.split(","))
    workbook.active.append(["张三", "x", "", "户籍人口", "", "", ""])
    plain = io.BytesIO()
    workbook.save(plain)
    entities = '<!ENTITY e0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY e{level} "{f"&e{level - 1};" * 10}">' for level in range(1, levels)
    )
    source, bomb = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1)
                data = text.replace("<t>张三</t>", f"<t>&e{levels - 1};</t>").encode()
            target.writestr(item, data)
    return bomb.getvalue()


def test_an_xml_bomb_is_refused_by_the_api_and_ends_the_pages_job_as_failed(world):
    client = world.client("administrator")
    upload = SimpleUploadedFile("bomb.xlsx", xml_bomb_xlsx())
    answer = client.post("/api/v1/registry/import?kind=persons", {"file": upload})
    assert answer.status_code == 400 and answer.json()["code"] == "file_unreadable"
    assert "/tmp" not in answer.json()["message"]
    job = _upload(client, "bomb.xlsx", xml_bomb_xlsx())
    assert job.status == ImportStatus.FAILED and "无法读取 Excel 文件" in job.report["problems"][0]["message"]
    assert not job.file and _uploads() == []


def test_any_failure_while_checking_ends_the_job_as_failed(world):
    client = world.client("administrator")
    upload = SimpleUploadedFile("名单.csv", _csv([]))
    job = ImportJob.objects.create(
        kind="persons", file=upload, file_name="名单.csv", created_by=world.users["administrator"]
    )
    Path(job.file.path).unlink()  # the disk lost it: the reader raises an error no one expected
    import_job_run(job.pk, apply=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "意外错误" in job.report["problems"][0]["message"]
    assert 'data-status="failed"' in client.get(f"/registry/import/{job.pk}/").content.decode()


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite lock")
def test_a_dry_run_does_not_hold_the_sqlite_write_lock(transactional_db, tmp_path):
    categories_ensure()
    world = world_build()
    rows = [f"某{index},{id_number_new()},,户籍人口,,,{world.grid_a.code}" for index in range(50)]
    path = tmp_path / "people.csv"
    path.write_bytes(_csv(rows))
    writes_meanwhile = []

    def progress(processed: int, total: int | None) -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # another request that wants to write
            other.rollback()
            writes_meanwhile.append(True)
        except sqlite3.OperationalError:
            writes_meanwhile.append(False)
        finally:
            other.close()

    report = registry_import(Origin(world.users["administrator"]), "persons", path, dry_run=True, progress=progress)
    assert report.ok and report.valid == 50
    assert writes_meanwhile and all(writes_meanwhile)

"""Residents' data cannot be rebuilt from what a role sees, searches or exports (docs/privacy.md).

The candidate counts below rebuild every ID number that agrees with what a user without the reveal permission
is shown (the mask's visible characters, the birth year or date, the sex) using the check-digit algorithm of
GB 11643, and require at least 10,000 of them for every visible person.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib
import io
import json
import re
import time

import pytest
from django.apps import apps as django_apps
from openpyxl import load_workbook
from pytest_django.asserts import assertRedirects

from audit.models import AuditAction, AuditEntry, SecurityAlert
from gridgov import crypto
from notifications.models import Delivery
from registry.idnumber import birth_date_of, check_character, sex_of
from registry.models import Person, Place
from registry.tests.factories import PersonFactory, PlaceFactory

MINIMUM_CANDIDATES = 10_000
SEX_LABELS = {"男": "male", "女": "female", "male": "male", "female": "female"}


@functools.cache
def id_candidates(masked: str, sex: str, birth_year: int | None = None, birth_date: dt.date | None = None) -> int:
    """How many valid 18-digit ID numbers agree with the mask, the sex and the birth year (or full date); counting
    stops at ``MINIMUM_CANDIDATES``, which is all the tests need to know."""
    assert len(masked) == 18 and "*" not in masked[:6], masked  # the region is assumed known anyway
    if birth_date is not None:
        days = [birth_date]
    else:
        assert birth_year is not None
        first = dt.date(birth_year, 1, 1)
        days = [first + dt.timedelta(days=offset) for offset in range((dt.date(birth_year + 1, 1, 1) - first).days)]
    shown = [(index, character) for index, character in enumerate(masked) if character != "*" and index >= 6]
    parity = 1 if sex == "male" else 0
    count = 0
    for day in days:
        stem = f"{masked[:6]}{day:%Y%m%d}"
        if any(index < 14 and stem[index] != character for index, character in shown):
            continue
        for sequence in range(parity, 1000, 2):
            first17 = f"{stem}{sequence:03d}"
            number = first17 + check_character(first17)
            if all(number[index] == character for index, character in shown):
                count += 1
                if count >= MINIMUM_CANDIDATES:
                    return count
    return count


def phone_candidates(masked: str) -> int:
    return 10 ** masked.count("*")


def assert_not_rebuildable(masked_id: str, sex: str, birth: str | int, masked_phone: str) -> None:
    birth_text = str(birth)
    if re.fullmatch(r"\d{4}", birth_text):
        count = id_candidates(masked_id, sex, birth_year=int(birth_text))
    else:
        count = id_candidates(masked_id, sex, birth_date=dt.date.fromisoformat(birth_text[:10]))
    assert count >= MINIMUM_CANDIDATES, f"{masked_id} / {birth_text}: only {count} candidates"
    if masked_phone and masked_phone != "—":
        assert phone_candidates(masked_phone) >= MINIMUM_CANDIDATES, masked_phone


@pytest.fixture
def people(world, residents):
    """The three of ``residents`` and one with a landline, their sex and birth date taken from their ID numbers
    as the registry does."""
    landline = PersonFactory(name="赵六", grid=world.grid_a, identity__phone="01065123456")
    everyone = [residents.a, residents.b, residents.c, landline]
    for person in everyone:
        person.sex, person.birth_date = sex_of(person.id_number), birth_date_of(person.id_number)
        person.save()
    return everyone


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for row in body.split("<tr")[1:]:
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) > 3:
            rows.append(cells)
    return rows


@pytest.mark.parametrize("persona", ["grid_worker_a", "street_leader"])
def test_the_api_leaves_every_visible_id_number_and_phone_among_10000_candidates(world, people, persona):
    results = world.client(persona).get("/api/v1/persons", {"limit": 500}).json()["results"]
    assert results
    for row in results:
        assert row["birth_date"] is None and isinstance(row["birth_year"], int)
        assert_not_rebuildable(row["id_number"], row["sex"], row["birth_year"], row["phone"])
    one = world.client(persona).get(f"/api/v1/persons/{results[0]['id']}").json()
    assert one["birth_date"] is None


@pytest.mark.parametrize("persona", ["grid_worker_a", "street_leader"])
def test_the_person_pages_leave_every_visible_id_number_and_phone_among_10000_candidates(world, people, persona):
    client = world.client(persona)
    html = client.get("/registry/persons/").content.decode()
    rows = _cells(html, "persons")
    assert rows
    for _name, sex, birth, masked_id, masked_phone, *_rest in rows:
        assert_not_rebuildable(masked_id, SEX_LABELS[sex], birth, masked_phone)
    person = people[0]
    birth_date = person.birth_date.isoformat()
    for url in (
        f"/registry/persons/{person.pk}/",
        f"/registry/households/{person.household_id}/",
    ):
        page = client.get(url).content.decode()
        assert birth_date not in page and person.id_number not in page and person.phone not in page
    members = _cells(client.get(f"/registry/households/{person.household_id}/").content.decode(), "members")
    for _name, _relation, sex, birth, masked_id, *_rest in members:
        assert_not_rebuildable(masked_id, SEX_LABELS[sex], birth, "")


def test_the_edit_form_shows_neither_birth_date_nor_id_number_and_a_blank_keeps_them(world, people):
    person = people[0]
    client = world.client("grid_worker_a")
    url = f"/registry/persons/{person.pk}/edit/"
    page = client.get(url).content.decode()
    assert person.birth_date.isoformat() not in page and person.id_number not in page and person.phone not in page
    assert f'placeholder="{person.id_number_masked}"' in page
    form = {
        "name": "张三丰",
        "document_type": "id_card",
        "id_number": "",
        "birth_date": "",
        "residency_type": "registered",
        "household_status": "together",
        "house": person.house.address,
    }
    assertRedirects(client.post(url, form), f"/registry/persons/{person.pk}/")
    person.refresh_from_db()
    assert person.name == "张三丰" and person.birth_date == people[0].birth_date and len(person.id_number) == 18


@pytest.mark.parametrize("file_type", ["xlsx", "csv"])
def test_a_street_leaders_export_leaves_every_id_number_among_10000_candidates(world, people, file_type):
    response = world.client("street_leader").get(f"/registry/export/persons.{file_type}")
    assert response.status_code == 200
    rows = _export(response.content, file_type)
    assert len(rows) == 3 and all("出生日期" not in row for row in rows)
    for row in rows:
        assert_not_rebuildable(row["证件号码"], SEX_LABELS[row["性别"]], row["出生年份"], row["联系电话"] or "")


def test_a_user_who_may_reveal_exports_the_birth_date(world, people):
    rows = _export(world.client("community_staff").get("/registry/export/persons.xlsx").content, "xlsx")
    assert rows and all("出生日期" in row and "出生年份" not in row for row in rows)


def _export(content: bytes, file_type: str) -> list[dict]:
    if file_type == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    headers, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(headers, row, strict=True)) for row in rows]


def test_the_history_shows_a_changed_birth_date_as_its_year_without_the_reveal_permission(world, people):
    person = people[0]
    old_birth = person.birth_date.isoformat()
    worker = world.client("grid_worker_a")
    new_number = "110105194912310011"
    form = {
        "name": person.name,
        "document_type": "id_card",
        "id_number": new_number,
        "residency_type": "registered",
        "household_status": "together",
        "house": person.house.address,
    }
    assertRedirects(worker.post(f"/registry/persons/{person.pk}/edit/", form), f"/registry/persons/{person.pk}/")
    change = worker.get(f"/api/v1/persons/{person.pk}/history").json()[0]["changes"]
    assert change["birth_date"] == [old_birth[:4], "1949"]
    assert change["id_number"][1] == "110105***********1"
    page = worker.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "1949-12-31" not in page and old_birth not in page
    revealer = world.client("community_staff").get(f"/api/v1/persons/{person.pk}/history").json()[0]
    assert revealer["changes"]["birth_date"] == [old_birth, "1949-12-31"]


def test_the_birth_date_comes_only_through_an_audited_reveal(world, people):
    person = people[0]
    staff = world.client("community_staff")
    shown = staff.get(f"/api/v1/persons/{person.pk}", {"reveal": "birth_date"}).json()
    assert shown["birth_date"] == person.birth_date.isoformat()
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, fields=["birth_date"]).exists()
    refused = world.client("grid_worker_a").get(f"/api/v1/persons/{person.pk}", {"reveal": "birth_date"})
    assert refused.status_code == 403


# ── Exact searches ──────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def one_window(settings):
    """The limit counts per clock minute: start the burst well inside one."""
    settings.EXACT_SEARCHES_PER_MINUTE = 10
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


def test_the_eleventh_exact_search_in_a_minute_is_refused_and_raises_one_alert(world, people, one_window):
    client = world.client("grid_worker_a")
    guesses = [f"1390000{index:04d}" for index in range(12)]
    answers = [client.get("/api/v1/persons", {"text": guess}) for guess in guesses]
    assert [answer.status_code for answer in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429 and answers[11].status_code == 429
    assert answers[10].json()["code"] == "search_rate_limited" and "频繁" in answers[10].json()["message"]
    alert = SecurityAlert.objects.get()
    assert alert.actor == world.users["grid_worker_a"] and alert.kind == "search_burst" and not alert.acknowledged
    refusals = AuditEntry.objects.filter(action=AuditAction.REFUSE, actor=world.users["grid_worker_a"])
    assert refusals.count() == 2
    page = client.get("/registry/persons/", {"text": people[0].id_number})
    assert page.status_code == 429 and "频繁" in page.content.decode()
    by_name = client.get("/api/v1/persons", {"text": "张"})
    assert by_name.status_code == 200 and by_name.json()["count"] == 1
    assert client.get("/registry/persons/", {"text": "zs"}).status_code == 200
    assert world.client("grid_worker_b").get("/api/v1/persons", {"text": guesses[0]}).status_code == 200


def test_the_alert_is_listed_for_administrators(world, people, one_window):
    client = world.client("grid_worker_a")
    for index in range(11):
        client.get("/registry/persons/", {"text": f"1390000{index:04d}"})
    listing = world.client("administrator").get("/admin/audit/securityalert/")
    assert listing.status_code == 200 and "worker_a" in listing.content.decode()


def test_a_duplicate_id_number_outside_the_scope_is_not_confirmed(world, people, one_window):
    client = world.client("grid_worker_a")
    payload = {"name": "新人", "residency_type": "floating", "house_id": people[0].house_id}
    elsewhere = client.post("/api/v1/persons", {**payload, "id_number": people[1].id_number}, "application/json")
    message = elsewhere.json()["details"][0]["message"]
    assert elsewhere.status_code == 400 and "已登记" not in message and "无法在本辖区登记" in message
    here = client.post("/api/v1/persons", {**payload, "id_number": people[3].id_number}, "application/json")
    assert here.status_code == 400 and "已登记" in here.json()["details"][0]["message"]
    for _attempt in range(8):
        client.post("/api/v1/persons", {**payload, "id_number": people[1].id_number}, "application/json")
    limited = client.post("/api/v1/persons", {**payload, "id_number": people[2].id_number}, "application/json")
    assert limited.status_code == 429 and limited.json()["code"] == "search_rate_limited"


def test_a_patient_guesser_under_the_minutes_limit_meets_the_days(world, people, one_window, settings):
    settings.EXACT_SEARCHES_PER_DAY = 3
    client = world.client("grid_worker_a")
    answers = [client.get("/api/v1/persons", {"text": f"1390000{index:04d}"}) for index in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "每天" in answers[3].json()["message"] and SecurityAlert.objects.count() == 1


def test_the_hotline_caller_lookup_has_its_own_higher_limit(world, one_window, settings):
    settings.CALLER_LOOKUPS_PER_MINUTE = 12
    clerk = world.client("intake_clerk")
    statuses = [
        clerk.get("/hotline/caller/", {"caller_phone": f"1380000{index:04d}"}).status_code for index in range(13)
    ]
    assert statuses == [200] * 12 + [429]
    assert SecurityAlert.objects.get().detail["search"] == "hotline.caller"


# ── Audit rows ──────────────────────────────────────────────────────────────────────────────────────────────


def test_audit_rows_hold_no_searched_phone_or_id_number_in_clear(world, people, one_window):
    person = people[0]
    worker = world.client("grid_worker_a")
    for text in (person.phone, person.id_number):
        assert worker.get("/registry/persons/", {"text": text}).status_code == 200
        assert worker.get("/api/v1/persons", {"text": text}).status_code == 200
    leader = world.client("street_leader")
    assert leader.get("/registry/export/persons.xlsx", {"text": person.phone}).status_code == 200
    rows = AuditEntry.objects.filter(action__in=[AuditAction.SEARCH, AuditAction.EXPORT])
    assert rows.count() == 5
    for entry in AuditEntry.objects.all():
        stored = json.dumps([entry.fields, entry.changes, entry.detail, entry.path], ensure_ascii=False)
        for clear in (person.phone, person.id_number):
            assert clear not in stored and clear.lower() not in stored
    searched = [entry.detail["query"]["text"] for entry in rows]
    assert {value["masked"] for value in searched} == {person.phone_masked, person.id_number_masked}


# ── Spreadsheets ────────────────────────────────────────────────────────────────────────────────────────────


def test_exported_cells_never_run_as_formulas(world, residents):
    formula = '=HYPERLINK("http://x","y")'
    PersonFactory(name=formula, grid=world.grid_a, hukou_place="+1+2", work_place="@SUM(A1)")
    leader = world.client("street_leader")
    sheet = load_workbook(io.BytesIO(leader.get("/registry/export/persons.xlsx").content)).worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for text in (formula, "+1+2", "@SUM(A1)"):
        assert cells["'" + text].data_type == "s"
    assert not [cell for cell in cells.values() if cell.data_type == "f"]
    rows = _export(leader.get("/registry/export/persons.csv").content, "csv")
    row = next(row for row in rows if "HYPERLINK" in row["姓名"])
    assert row["姓名"] == "'" + formula and row["户籍地"] == "'+1+2" and row["工作单位"] == "'@SUM(A1)"


# ── Stored masks ────────────────────────────────────────────────────────────────────────────────────────────


def test_the_data_migration_recomputes_every_stored_mask_and_scrubs_audit_rows(world, people):
    person = people[0]
    place = PlaceFactory(grid=world.grid_a)
    place.set_responsible_phone("13912345678")
    place.save()
    old_id, old_phone = person.id_number[:6] + "********" + person.id_number[-4:], "139****5678"
    Person.objects.filter(pk=person.pk).update(id_number_masked=old_id, phone_masked=old_phone)
    Place.objects.filter(pk=place.pk).update(responsible_phone_masked=old_phone)
    delivery = Delivery.objects.create(
        channel="sms",
        recipient_key="r",
        cause="c",
        title="t",
        address=crypto.encrypt("13912345678"),
        address_masked=old_phone,
    )
    history = AuditEntry.objects.create(
        action=AuditAction.UPDATE,
        channel="page",
        object_type="registry.person",
        object_id=str(person.pk),
        changes={"phone": [None, old_phone], "id_number": [old_id, old_id], "name": ["甲", "乙"]},
    )
    search = AuditEntry.objects.create(
        action=AuditAction.SEARCH,
        channel="page",
        object_type="registry.person",
        path=f"/registry/persons/?text={person.phone}",
        detail={"query": {"text": person.phone}, "count": 1},
    )
    migration = importlib.import_module("registry.migrations.0002_short_masks")
    migration.forwards(django_apps, None)
    person.refresh_from_db()
    place.refresh_from_db()
    delivery.refresh_from_db()
    history.refresh_from_db()
    search.refresh_from_db()
    assert person.id_number_masked == crypto.mask_id_number(person.id_number)
    assert person.phone_masked == crypto.mask_phone(person.phone)
    assert place.responsible_phone_masked == delivery.address_masked == "139******78"
    assert history.changes["phone"] == [None, "139******78"] and history.changes["name"] == ["甲", "乙"]
    assert history.changes["id_number"] == [crypto.mask_id_number(person.id_number)] * 2
    assert search.path == "/registry/persons/" and person.phone not in json.dumps(search.detail)
    assert search.detail["query"]["text"] == {"hash": crypto.lookup_hash(person.phone), "masked": person.phone_masked}


def test_the_audit_admin_shows_a_changed_birth_date_as_its_year_to_administrators(world, people):
    entry = AuditEntry.objects.create(
        action=AuditAction.UPDATE,
        channel="page",
        object_type="registry.person",
        object_id=str(people[0].pk),
        changes={"birth_date": ["1980-05-17", "1949-12-31"]},
    )
    page = world.client("administrator").get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1949" in text and "1949-12-31" not in text and "1980-05-17" not in text

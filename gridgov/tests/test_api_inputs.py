"""Inputs that once made the API (or a public page) answer 500: each now gets a 4xx with the shared error body."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.services import Origin
from cases.models import Case, Category
from cases.services import ReportData, report_submit
from gridgov.errors import ValidationFailed
from registry.models import Person
from registry.tests.factories import PersonFactory

IN_A = (116.405, 39.91)
HUGE = "18446744073709551617"


@pytest.fixture
def admin(world):
    return world.client("administrator")


@pytest.fixture
def case(world) -> Case:
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("code")[0]
    data = ReportData(
        source="grid_worker", description="路边有暴露垃圾", longitude=IN_A[0], latitude=IN_A[1], category_id=category.pk
    )
    return report_submit(Origin(world.users["grid_worker_a"], "api"), data).case


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["code"] == code and body["message"]
    assert body["details"] is None or all(set(item) == {"field", "message"} for item in body["details"])
    return body


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/cases", {"page_size": "0"}),
        ("/api/v1/cases", {"page_size": "-1"}),
        ("/api/v1/cases", {"page_size": "100000"}),
        ("/api/v1/cases", {"page": HUGE}),
        ("/api/v1/persons", {"offset": HUGE}),
        ("/api/v1/persons", {"limit": "0"}),
        ("/api/v1/buildings", {"offset": HUGE}),
        ("/api/v1/places", {"offset": HUGE}),
        ("/api/v1/components", {"offset": HUGE}),
        ("/api/v1/areas/export", {"version": HUGE}),
    ],
)
def test_paging_and_numbers_out_of_range_are_refused(admin, path, query):
    assert_error(admin.get(path, query), 422, "validation_failed")


@pytest.mark.parametrize("path", ["/api/v1/persons/{big}", "/api/v1/buildings/{big}", "/api/v1/houses/{big}"])
def test_an_id_too_large_for_the_database_is_refused(admin, path):
    assert_error(admin.get(path.format(big=HUGE)), 422, "validation_failed")


@pytest.mark.parametrize("field", ["name", "id_number", "grid_code", "sex", "birth_date"])
def test_null_for_a_person_field_that_cannot_be_null_is_refused_on_create(admin, field):
    count = Person.objects.count()
    body = {"name": "张三", "grid_code": "110101001001001", field: None}
    answer = assert_error(
        admin.post("/api/v1/persons", body, content_type="application/json"), 422, "validation_failed"
    )
    assert answer["details"][0]["field"].endswith(field)
    assert Person.objects.count() == count


@pytest.mark.parametrize("field", ["ethnicity", "name", "phone", "residency_type", "grid_code"])
def test_null_for_a_person_field_that_cannot_be_null_is_refused_on_change(world, admin, field):
    person = PersonFactory(grid=world.grid_a, ethnicity="汉族")
    response = admin.patch(f"/api/v1/persons/{person.pk}", {field: None}, content_type="application/json")
    assert_error(response, 422, "validation_failed")
    person.refresh_from_db()
    assert person.ethnicity == "汉族"


def test_a_null_house_still_moves_a_person_out(world, admin):
    person = PersonFactory(grid=world.grid_a)
    response = admin.patch(f"/api/v1/persons/{person.pk}", {"house_id": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["house_id"] is None


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "1", '"text"'])
@pytest.mark.parametrize("path", ["/api/v1/cases/{number}/accept", "/api/v1/persons", "/api/v1/locate/batch"])
def test_a_body_that_is_not_an_object_is_refused(admin, case, path, body):
    version = case.version
    response = admin.post(path.format(number=case.number), body, content_type="application/json")
    assert_error(response, 422, "validation_failed")
    case.refresh_from_db()
    assert case.version == version


@pytest.mark.parametrize("body", ["{", "\xff\xfe", '{"a": 1'])
def test_a_body_that_is_not_json_is_refused(admin, case, body):
    response = admin.post(f"/api/v1/cases/{case.number}/accept", body, content_type="application/json")
    assert_error(response, 400, "bad_request_body")


@pytest.mark.parametrize(
    "path", ["/api/v1/reports", "/api/v1/cases/{number}/photos", "/api/v1/registry/import?kind=persons"]
)
def test_a_multipart_body_without_a_boundary_is_refused(admin, case, path):
    response = admin.post(path.format(number=case.number), b"--x\r\n\r\n", content_type="multipart/form-data")
    assert_error(response, 400, "bad_request_body")


def _billion_laughs_xlsx() -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
            '.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="applicat'
            'ion/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def test_a_billion_laughs_workbook_is_refused(admin):
    upload = SimpleUploadedFile("laughs.xlsx", _billion_laughs_xlsx())
    response = admin.post("/api/v1/registry/import?kind=persons", {"file": upload})
    assert response.status_code == 400 and response.json()["code"]


@pytest.mark.parametrize("number", ["a/b", "../..", "1/2/3", "２０２６", "x" * 40])
def test_a_portal_lookup_of_a_malformed_number_answers_not_found(client, number):
    assert client.get("/portal/lookup/", {"number": number}).status_code == 404


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"field": "phone"}, [{"field": "phone", "message": "不对"}]),
        ({"field": "lon", "index": 3}, [{"field": "lon.3", "message": "不对"}]),
        ({"version": 7}, [{"field": "version", "message": "7"}]),
        ([{"field": "name", "message": "缺少姓名"}], [{"field": "name", "message": "缺少姓名"}]),
        (None, None),
    ],
)
def test_details_always_take_one_shape(details, expected):
    assert ValidationFailed("不对", details=details).as_dict() == {
        "code": "validation_failed",
        "message": "不对",
        "details": expected,
    }


def test_a_refusal_with_a_field_reaches_the_client_as_a_list(world, admin):
    response = admin.get("/api/v1/locate", {"lon": "116.4", "lat": "39.9", "datum": "mars"})
    body = assert_error(response, 400, "unknown_datum")
    assert body["details"] == [{"field": "datum", "message": body["message"]}]
    assert json.loads(response.content)["details"][0]["field"] == "datum"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/persons?text=%00", None),
        ("get", "/api/v1/cases?text=a%00b", None),
        ("get", "/api/v1/cases/2026%00", None),
        ("get", "/api/v1/areas/110101%00", None),
        ("post", "/api/v1/cases/{number}/accept", '{"reason": "\\u0000"}'),
    ],
)
def test_a_nul_character_is_refused_before_the_database(admin, case, method, path, body):
    """PostgreSQL cannot store NUL in text: a NUL anywhere in a request is a 4xx, never a database error."""
    url = path.format(number=case.number)
    response = getattr(admin, method)(url, body, content_type="application/json") if body else admin.get(url)
    assert response.status_code in (400, 422) and response.json()["code"] in ("bad_request_body", "validation_failed")

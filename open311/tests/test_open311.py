"""Open311 GeoReport v2 over real HTTP against the running test server, in JSON and XML."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from audit.services import Origin
from cases.models import Case, Category
from cases.services import ReportData, report_submit
from gridgov.httpclient import request
from gridgov.testing import case_run_to_closed, has_gps, jpeg_bytes
from gridgov.timesource import acting_at
from open311.services import client_issue, client_revoke

IN_A = (116.405, 39.91)
FORMATS = ["json", "xml"]


@pytest.fixture
def site(live_server, live_world):
    world = live_world
    client, key = client_issue("随手拍 App", requests_per_minute=100)
    return world, live_server.url + "/open311/v2/", client, key


def items(answer, fmt):
    """The list of records of an answer: JSON bare array, or XML children as dicts of their text."""
    if fmt == "json":
        assert answer.content_type.startswith("application/json")
        return answer.json()
    assert answer.content_type.startswith("text/xml")
    root = ElementTree.fromstring(answer.body)
    return [{child.tag: (child.text or "") for child in element} for element in root]


def error_of(answer, fmt):
    records = items(answer, fmt)
    assert len(records) == 1 and set(records[0]) == {"code", "description"}
    if fmt == "xml":
        assert ElementTree.fromstring(answer.body).tag == "errors"
    assert int(records[0]["code"]) == answer.status
    return records[0]["description"]


def submit(base, fmt, key, **fields):
    body = {"api_key": key, "service_code": "E0102", "lat": str(IN_A[1]), "long": str(IN_A[0]),
            "description": "小区门口垃圾没人清理", **fields}  # fmt: skip
    return request(f"{base}requests.{fmt}", "POST", fields={k: v for k, v in body.items() if v is not None})


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_and_services_follow_the_spec(site, fmt):
    _world, base, _client, _key = site
    discovery = request(f"{base}discovery.{fmt}")
    assert discovery.status == 200
    if fmt == "json":
        document = discovery.json()
        assert document["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert document["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    else:
        root = ElementTree.fromstring(discovery.body)
        assert root.tag == "discovery" and root.find("endpoints/endpoint/url").text.endswith("/open311/v2/")
    services = items(request(f"{base}services.{fmt}"), fmt)
    codes = {service["service_code"] for service in services}
    assert "E0102" in codes and "C0101" in codes
    public = Category.objects.filter(parent__isnull=False, is_active=True, is_public=True).count()
    assert len(services) == public
    assert not any(code.startswith(("G1", "G2", "G6")) for code in codes)  # disputes, security: never offered
    garbage = next(service for service in services if service["service_code"] == "E0102")
    assert garbage["service_name"] == "暴露垃圾" and str(garbage["metadata"]).lower() == "false"
    assert garbage["type"] == "realtime" and garbage["group"] == "市容环境"
    definition = request(f"{base}services/C0101.{fmt}")
    assert definition.status == 200
    if fmt == "json":
        attributes = definition.json()["attributes"]
        assert definition.json()["service_code"] == "C0101"
        assert [attribute["code"] for attribute in attributes] == ["COMPONENT_CODE", "COMPONENT_STATE"]
        assert attributes[1]["datatype"] == "singlevaluelist" and attributes[1]["values"][0]["key"] == "damaged"
    else:
        root = ElementTree.fromstring(definition.body)
        assert root.tag == "service_definition"
        assert [node.text for node in root.findall("attributes/attribute/code")] == ["COMPONENT_CODE",
                                                                                     "COMPONENT_STATE"]  # fmt: skip
    missing = request(f"{base}services/E9999.{fmt}")
    assert missing.status == 404 and "not found" in error_of(missing, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_is_created_read_back_and_found_by_token(site, fmt):
    world, base, client, key = site
    answer = submit(base, fmt, key, phone="138-0013-8000", first_name="明", last_name="李", account_id="u-7")
    assert answer.status == 201, answer.text
    created = items(answer, fmt)[0]
    number = created["service_request_id"]
    assert isinstance(number, str) and len(number) == 13 and created["account_id"] == "u-7"
    case = Case.objects.get(number=number)
    report = case.reports.get()
    assert (case.source, case.status, case.grid, case.category.code) == ("open311", "reported", world.grid_a, "0102")
    assert report.reporter_phone_masked == "138******00" and "13800138000" not in report.reporter_phone
    assert report.notify_reporter and report.external_ref == f"{client.pk}:u-7"
    detail = items(request(f"{base}requests/{number}.{fmt}"), fmt)
    assert len(detail) == 1
    record = detail[0]
    assert record["service_request_id"] == number and record["status"] == "open"
    assert record["service_code"] == "E0102" and record["status_notes"] == "已收到您的反映，等待受理"
    assert record["expected_datetime"] and record["requested_datetime"].endswith("+08:00")
    assert "李" not in str(record) and "138" not in str(record)  # no personal data in the public record
    token = created["token"]
    by_token = items(request(f"{base}tokens/{token}.{fmt}"), fmt)
    assert by_token == [{"service_request_id": number, "token": token}]
    assert request(f"{base}tokens/forged-token.{fmt}").status == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_refusals_use_the_spec_error_body(site, fmt):
    _world, base, client, key = site
    before = Case.objects.count()
    assert submit(base, fmt, None).status == 403
    assert "api_key" in error_of(submit(base, fmt, "o311_wrong"), fmt)
    assert error_of(submit(base, fmt, key, service_code="E9999"), fmt).startswith("service_code")
    assert submit(base, fmt, key, service_code="E9999").status == 404
    assert submit(base, fmt, key, service_code=None).status == 400
    assert submit(base, fmt, key, long=None).status == 400  # lat without long
    assert submit(base, fmt, key, lat="abc").status == 400
    assert submit(base, fmt, key, lat="0", long="0").status == 400  # outside every grid
    assert "record_invalid" in error_of(submit(base, fmt, key, lat="0", long="0"), fmt)
    assert submit(base, fmt, key, **{"attribute[COLOUR]": "red"}).status == 400
    assert submit(base, fmt, key, service_code="C0101", **{"attribute[COMPONENT_STATE]": "on_fire"}).status == 400
    assert submit(base, fmt, key, media_url="javascript:alert(1)").status == 400
    fields = {"api_key": key, "service_code": "E0102", "lat": str(IN_A[1]), "long": str(IN_A[0])}
    bad_media = request(f"{base}requests.{fmt}", "POST", fields=fields, files=[("media", "x.jpg", b"x", "image/jpeg")])
    assert bad_media.status == 400 and "photo_invalid" in error_of(bad_media, fmt)
    assert request(f"{base}requests/2099010100001.{fmt}").status == 404
    assert request(f"{base}requests.{fmt}?start_date=yesterday").status == 400
    assert request(f"{base}requests.{fmt}?status=pending").status == 400
    assert request(f"{base}requests.{fmt}?page_size=5000").status == 400
    assert request(f"{base}requests.{fmt}?radius=100").status == 400
    assert Case.objects.count() == before  # nothing was half-written
    client_revoke(client)
    revoked = submit(base, fmt, key)
    assert revoked.status == 403 and "api_key" in error_of(revoked, fmt)


def test_api_key_in_the_query_string_media_upload_and_a_public_copy_without_location(site):
    _world, base, _client, key = site
    answer = request(f"{base}requests.json?api_key={key}", "POST",
                     fields={"service_code": "C0101", "lat": str(IN_A[1]), "long": str(IN_A[0]),
                             "attribute[COMPONENT_STATE]": "damaged", "description": ""},
                     files=[("media", "photo.jpg", jpeg_bytes(gps=True), "image/jpeg")])  # fmt: skip
    assert answer.status == 201, answer.text
    number = answer.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.description.endswith("（部件状态：破损）")  # an empty description counts as absent
    photo = case.photos.get()
    assert photo.latitude == pytest.approx(39.91) and has_gps(photo.image.read())  # kept in our record
    record = request(f"{base}requests/{number}.json").json()[0]
    public = request(record["media_url"])
    assert public.status == 200 and not has_gps(public.body)  # stripped from the public copy


def test_the_list_filters_pages_and_extensions(site):
    world, base, _client, _key = site
    origin = Origin(None, "open311")
    garbage = Category.objects.get(kind="event", code="0102")
    dispute = Category.objects.get(kind="governance", code="G101")
    days = [dt.datetime(2026, 10, day, 10, tzinfo=dt.UTC) for day in (1, 5, 10, 20)]
    numbers = []
    for day in days:
        with acting_at(day):
            data = ReportData(source="open311", description=f"垃圾 {day:%d}", longitude=IN_A[0], latitude=IN_A[1],
                              category_id=garbage.pk)  # fmt: skip
            numbers.append(report_submit(origin, data).case.number)
    private = ReportData(source="open311", description="邻里纠纷", longitude=IN_A[0], latitude=IN_A[1],
                         category_id=dispute.pk)  # fmt: skip
    report_submit(origin, private)
    closed = case_run_to_closed(world, Case.objects.get(number=numbers[0]))
    every = request(f"{base}requests.json?start_date=2026-09-01T00:00:00Z&status=").json()
    assert [record["service_request_id"] for record in every] == numbers[::-1]  # newest first; "" is absent
    assert "邻里纠纷" not in str(every)  # a private category is never listed
    ranged = request(f"{base}requests.json?start_date=2026-10-04T00:00:00Z&end_date=2026-10-15T00:00:00%2B00:00")
    assert [record["service_request_id"] for record in ranged.json()] == numbers[2:0:-1]
    done = request(f"{base}requests.json?start_date=2026-09-01&status=closed").json()
    assert [record["service_request_id"] for record in done] == [closed.number]
    assert done[0]["agency_responsible"] == world.department.name and done[0]["status_notes"] == "已办结"
    page_two = request(f"{base}requests.json?start_date=2026-09-01&page_size=2&page=2").json()
    assert [record["service_request_id"] for record in page_two] == numbers[1::-1]
    updated = request(f"{base}requests.json?updated_after={timezone.now().date().isoformat()}").json()
    assert [record["service_request_id"] for record in updated] == [closed.number]
    near = request(f"{base}requests.json?start_date=2026-09-01&lat=39.91&long=116.405&radius=50").json()
    far = request(f"{base}requests.json?start_date=2026-09-01&lat=39.91&long=116.43&radius=50").json()
    assert len(near) == 4 and far == []
    by_id = request(f"{base}requests.json?service_request_id={numbers[1]},{numbers[2]}&status=closed").json()
    assert {record["service_request_id"] for record in by_id} == {numbers[1], numbers[2]}
    by_code = request(f"{base}requests.xml?service_code=C0101&start_date=2026-09-01")
    assert items(by_code, "xml") == []
    extended = request(f"{base}requests/{closed.number}.json?extensions=true").json()[0]
    notes = [note["summary"] for note in extended["extended_attributes"]["notes"]]
    assert notes[:3] == ["收到反映", "已立案", "已派至责任单位办理"] and notes[-1] == "已办结"
    assert extended["extended_attributes"]["detailed_status"] == "closed"
    assert "已处理" not in str(extended) and "已核查" not in str(extended)  # staff notes stay inside
    xml = ElementTree.fromstring(request(f"{base}requests/{closed.number}.xml?extensions=true").body)
    assert xml.tag == "service_requests" and xml.find("request/extended_attributes/notes/note/summary") is not None


def test_a_client_over_its_rate_is_told_to_slow_down(site):
    _world, base, _client, _key = site
    _slow, key = client_issue("慢速客户端", requests_per_minute=2)
    statuses = [submit(base, "json", key).status for _ in range(3)]
    assert statuses == [201, 201, 429]


# --- Retries ----------------------------------------------------------------------------------------------------
def test_five_identical_submissions_make_one_case(site):
    _world, base, _client, key = site
    before = Case.objects.count()
    answers = [submit(base, "json", key, description="井盖丢了 电话 139-1234-5678") for _ in range(5)]
    assert {answer.status for answer in answers} == {201}
    assert len({answer.body for answer in answers}) == 1  # the first answer, byte for byte
    assert Case.objects.count() == before + 1


def test_identical_submissions_at_once_make_one_case(site):
    _world, base, _client, key = site
    before = Case.objects.count()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: submit(base, "json", key, description="路灯不亮"), range(4)))
    assert {answer.status for answer in answers} == {201}
    assert len({answer.json()[0]["service_request_id"] for answer in answers}) == 1
    assert Case.objects.count() == before + 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_idempotency_key_returns_the_first_answer_and_refuses_another_payload(site, fmt):
    _world, base, _client, key = site
    header = {"Idempotency-Key": "client-uuid-1"}
    first = request(f"{base}requests.{fmt}", "POST", fields=_fields(key, "垃圾桶满了"), headers=header)
    again = request(f"{base}requests.{fmt}", "POST", fields=_fields(key, "垃圾桶满了"), headers=header)
    assert first.status == again.status == 201 and first.body == again.body
    other = request(f"{base}requests.{fmt}", "POST", fields=_fields(key, "另一件事"), headers=header)
    assert other.status == 422 and error_of(other, fmt).startswith("idempotency_key_reused")
    fresh = request(f"{base}requests.{fmt}", "POST", fields=_fields(key, "另一件事"), headers={"Idempotency-Key": "2"})
    assert fresh.status == 201
    assert items(fresh, fmt)[0]["service_request_id"] != items(first, fmt)[0]["service_request_id"]


def test_without_a_retry_window_identical_submissions_are_separate(site, settings):
    settings.OPEN311_RETRY_WINDOW_SECONDS = 0
    _world, base, _client, key = site
    numbers = {submit(base, "json", key, description="树倒了").json()[0]["service_request_id"] for _ in range(2)}
    assert len(numbers) == 2


def _fields(key, description):
    return {"api_key": key, "service_code": "E0102", "lat": str(IN_A[1]), "long": str(IN_A[0]),
            "description": description}  # fmt: skip

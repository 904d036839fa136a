"""The public portal through the real Django stack: report with photo, follow link, me too, one-time codes,
rating, CSRF, rate limits, and pages that never show personal data."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from pytest_django.asserts import assertRedirects

from audit.services import Origin
from cases.models import Case, Category
from cases.services import ReportData, report_submit
from gridgov import crypto
from gridgov.testing import case_run_to_closed, has_gps, jpeg_bytes
from notifications.channels import channels_forget
from notifications.models import Delivery
from notifications.testing import LocalGateway

IN_A = (116.405, 39.91)


@pytest.fixture
def garbage(world):
    return Category.objects.get(kind="event", code="0102")


def form(category, **fields):
    data = {
        "category": category.pk,
        "description": "楼下垃圾堆了三天，联系我 13912345678",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "submission_key": "a" * 32,
        **fields,
    }
    return {key: value for key, value in data.items() if value is not None}


def photo(gps=True):
    return SimpleUploadedFile("p.jpg", jpeg_bytes(gps=gps), content_type="image/jpeg")


def follow_url(response) -> str:
    """The private follow link a report redirects to (its token is made by the server)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(r"/portal/follow/[^/?]+/\?new=1", response["Location"]), response["Location"]
    return response["Location"]


def test_a_resident_reports_with_a_photo_and_follows_the_case(world, garbage):
    client = Client()
    assert client.get("/portal/report/").status_code == 200
    response = client.post("/portal/report/", {**form(garbage), "photos": [photo()]})
    url = follow_url(response)
    case = Case.objects.get()
    assert (case.source, case.status, case.grid, case.category) == ("public_web", "reported", world.grid_a, garbage)
    stored = case.photos.get()
    assert has_gps(stored.image.read()) and not has_gps(stored.public_image.read())
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and case.number in text and "跟踪链接" in text
    assert "139******78" in text and "13912345678" not in text  # the phone typed in the text is masked
    assert "已收到您的反映" in text
    again = client.post("/portal/report/", {**form(garbage), "photos": [photo()]})  # a double submit
    assert follow_url(again) == url and Case.objects.count() == 1
    assert Client().get("/portal/follow/not-a-real-token/").status_code == 404


def test_closed_case_shows_before_after_photos_and_takes_one_rating(world, garbage):
    client = Client()
    url = follow_url(client.post("/portal/report/", {**form(garbage), "photos": [photo()]}))
    case = Case.objects.get()
    page = client.get(url).content.decode()
    assert "data-photos" not in page and "data-rating" not in page  # nothing while open
    case = case_run_to_closed(world, case)
    page = client.get(url).content.decode()
    assert "data-photos" in page and "data-rating" in page and "已办结" in page
    assert "已处理" not in page and "已核查" not in page and "环卫" not in page.split("data-steps")[0][-200:]
    sources = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert sources and all(src.startswith("/files/follow/") for src in sources) and "/media/" not in page
    for src in sources:  # the public copy, through the private link's own check
        served = Client().get(src)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert not has_gps(served.content)
    response = client.post(url, {"rating": "unsatisfied", "comment": "没扫干净"})
    assertRedirects(response, url.removesuffix("?new=1"))  # back to the link, without the "new" notice
    case.refresh_from_db()
    assert case.rating == "unsatisfied" and case.status == "dispatched" and case.rework_count == 1  # reopened
    assert client.post(url, {"rating": "satisfied"}).status_code == 200  # no second rating while reopened
    case.refresh_from_db()
    assert case.rating == "unsatisfied"


def test_nearby_open_problems_and_me_too(world, garbage):
    origin = Origin(None, "portal")
    first = report_submit(origin, ReportData(source="public_web", description="垃圾", longitude=IN_A[0],
                                             latitude=IN_A[1], category_id=garbage.pk)).case  # fmt: skip
    client = Client()
    nearby = client.get("/portal/nearby/", {"category": garbage.pk, "lon": 116.4051, "lat": 39.9101}).json()
    assert [row["number"] for row in nearby["cases"]] == [first.number]
    assert set(nearby["cases"][0]) == {"number", "category", "description", "status", "distance_m", "supporters",
                                       "reported", "support_url"}  # fmt: skip
    far = client.get("/portal/nearby/", {"category": garbage.pk, "lon": 116.43, "lat": 39.91}).json()
    assert far["cases"] == []
    assert client.get("/portal/nearby/", {"category": "x"}).status_code == 400
    response = client.post(f"/portal/cases/{first.number}/support/", {"description": "", "submission_key": "b" * 32})
    url = follow_url(response)
    first.refresh_from_db()
    assert first.supporters == 1 and first.reports.count() == 2 and Case.objects.count() == 1
    assert first.events.filter(action="support").count() == 1
    assert first.number in client.get(url).content.decode()


@pytest.fixture
def sms_gateway():
    """The SMS channel goes to a real local gateway (the outbox keeps no code to read it back from)."""
    with LocalGateway().running() as gateway, override_settings(NOTIFICATION_CHANNELS=gateway.channels("sms")):
        channels_forget()
        yield gateway


def test_a_phone_needs_its_one_time_code_and_then_gets_each_public_step(
    world, garbage, sms_gateway, django_capture_on_commit_callbacks
):
    client = Client()
    assert client.post("/portal/code/", {"phone": "12345"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/portal/code/", {"phone": "139 1234 5678"}).json()["sent"] is True
    assert client.post("/portal/code/", {"phone": "13912345678"}).status_code == 429  # once a minute per phone
    sms = Delivery.objects.get(channel="sms", cause__startswith="portal_code:")
    assert sms.status == "sent" and sms.address_masked == "139******78" and "13912345678" not in sms.address
    assert sms.title.startswith("验证码 ******") and sms.secret == ""
    (texted,) = sms_gateway.received
    code = texted["data"]["code"]
    assert texted["to"] == "13912345678" and re.fullmatch(r"\d{6}", code) and f"验证码 {code}" in texted["text"]
    wrong = client.post("/portal/report/", form(garbage, phone="13912345678", code="000000", submission_key="c" * 32))
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode() and not Case.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        follow_url(client.post("/portal/report/", form(garbage, phone="13912345678", code=code)))
    case = Case.objects.get()
    report = case.reports.get()
    assert report.notify_reporter and crypto.decrypt(report.reporter_phone) == "13912345678"
    with django_capture_on_commit_callbacks(execute=True):
        case_run_to_closed(world, case)
    messages = Delivery.objects.filter(channel="sms", cause__startswith="case_event:")
    texts = list(messages.values_list("title", flat=True))
    assert any("已立案" in text for text in texts) and any("已派至责任单位办理" in text for text in texts)
    assert any("已办结" in text for text in texts) and not any("核查通过" in text for text in texts)


def test_bad_input_is_refused_precisely_and_writes_nothing(world, garbage):
    client = Client()
    cases = [
        (form(garbage, description=""), "这个字段是必填项"),
        (form(garbage, longitude=None, latitude=None), "请在地图上选择位置"),
        (form(garbage, longitude=0, latitude=0), "不在任何网格内"),
        (form(garbage, submission_key="x"), "表单已失效"),
        (form(garbage, phone="13912345678"), "短信验证码"),
        (form(Category.objects.get(kind="governance", code="G101")), "选择一个有效的选项"),  # private
    ]
    for data, expected in cases:
        response = client.post("/portal/report/", data)
        assert response.status_code == 400 and expected in response.content.decode(), data
    text_photo = SimpleUploadedFile("p.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = client.post("/portal/report/", {**form(garbage), "photos": [text_photo]})
    assert response.status_code == 400 and "不是可识别的图片" in response.content.decode()
    assert not Case.objects.exists()


def test_posts_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/report/", {}).status_code == 403
    assert client.post("/portal/code/", {"phone": "13912345678"}).status_code == 403


@override_settings(PORTAL_REPORTS_PER_HOUR=2)
def test_submissions_are_rate_limited_per_caller(world, garbage):
    client = Client()
    responses = [client.post("/portal/report/", form(garbage, submission_key=f"{n:032x}")) for n in range(3)]
    assert [response.status_code for response in responses] == [302, 302, 429] and Case.objects.count() == 2
    assert len({follow_url(response) for response in responses[:2]}) == 2  # each to its own case's private link


def test_public_lookup_shows_no_one_and_hides_private_categories(world, garbage):
    origin = Origin(None, "hotline")
    public = report_submit(origin, ReportData(source="hotline", description="垃圾", longitude=IN_A[0],
        latitude=IN_A[1], category_id=garbage.pk, reporter_name="王芳", reporter_phone="13700001111")).case  # fmt: skip
    dispute = Category.objects.get(kind="governance", code="G101")
    private = report_submit(origin, ReportData(source="hotline", description="邻里纠纷", longitude=IN_A[0],
                                               latitude=IN_A[1], category_id=dispute.pk)).case  # fmt: skip
    page = Client().get(f"/portal/cases/{public.number}/")
    text = page.content.decode()
    assert page.status_code == 200 and "王芳" not in text and "1111" not in text and "data-rating" not in text
    assert Client().get(f"/portal/cases/{private.number}/").status_code == 404
    assert Client().get("/portal/lookup/", {"number": public.number})["Location"].endswith(f"/{public.number}/")
    assert Client().get("/portal/").status_code == 200
    assert Client().get("/portal/streets/").json()["type"] == "FeatureCollection"

"""What anyone may see without the private link: a case looked up by its (sequential) number shows only its
category, state, street and dates; the public list and map of open problems show public categories only, with
the street and a masked description, never a person, a phone or a grid."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from audit.services import Origin
from cases.models import Category
from cases.services import ReportData, report_submit
from gridgov.testing import case_run_to_closed

IN_A, IN_C = (116.405, 39.91), (116.43, 39.91)


@pytest.fixture
def garbage(world):
    return Category.objects.get(kind="event", code="0102")


def reported(category, point, description="门口垃圾没人清，电话 13912345678", phone="13700001111"):
    data = ReportData(source="hotline", description=description, longitude=point[0], latitude=point[1],
                      category_id=category.pk, reporter_name="王芳", reporter_phone=phone)  # fmt: skip
    return report_submit(Origin(None, "hotline"), data).case


def test_a_number_alone_shows_category_state_street_and_dates_but_not_the_description(world, garbage):
    case = reported(garbage, IN_A)
    page = Client().get(f"/portal/cases/{case.number}/")
    text = page.content.decode()
    assert page.status_code == 200 and "data-limited" in text
    reported_on = timezone.localtime(case.created_at).strftime("%Y-%m-%d")  # the date in Beijing, as the page shows
    assert garbage.name in text and "一街道" in text and reported_on in text
    assert "门口垃圾" not in text and "data-description" not in text and "data-photos" not in text
    assert "王芳" not in text and "1111" not in text and "data-rating" not in text and "data-follow-box" not in text


def test_the_follow_link_shows_the_description_and_offers_copy_and_share(world, garbage):
    client = Client()
    form = {"category": garbage.pk, "description": "楼下垃圾堆了三天", "longitude": IN_A[0],
            "latitude": IN_A[1], "submission_key": "b" * 32}  # fmt: skip
    follow = client.post("/portal/report/", form)["Location"]
    assert "/portal/follow/" in follow
    text = client.get(follow).content.decode()
    token_url = follow.split("?")[0]
    assert "楼下垃圾堆了三天" in text and "一街道" in text
    assert f'data-copy="http://testserver{token_url}"' in text and f'data-share="http://testserver{token_url}"' in text


def test_the_public_list_shows_open_problems_of_public_categories_only(world, garbage, django_assert_max_num_queries):
    open_a = reported(garbage, IN_A)
    open_c = reported(garbage, IN_C, description="路边堆放建筑垃圾")
    closed = case_run_to_closed(world, reported(garbage, IN_A, description="已经办好的"))
    dispute = reported(Category.objects.get(kind="governance", code="G101"), IN_A, description="邻里纠纷")
    for extra in range(6):
        reported(garbage, IN_C, description=f"第{extra}处垃圾")
    client = Client()
    with django_assert_max_num_queries(6):
        page = client.get("/portal/problems/")
    text = page.content.decode()
    assert page.status_code == 200
    assert open_a.number in text and open_c.number in text and "一街道" in text and "二街道" in text
    assert closed.number not in text and dispute.number not in text and "邻里纠纷" not in text
    assert "139******78" in text and "13912345678" not in text and "王芳" not in text and "1111" not in text
    with django_assert_max_num_queries(4):
        answer = client.get("/portal/problems/map/").json()
    numbers = {feature["properties"]["number"] for feature in answer["features"]}
    assert open_a.number in numbers and open_c.number in numbers and len(numbers) == 8
    assert closed.number not in numbers and dispute.number not in numbers
    feature = next(item for item in answer["features"] if item["properties"]["number"] == open_c.number)
    assert feature["geometry"]["coordinates"] == [IN_C[0], IN_C[1]]
    assert set(feature["properties"]) == {"number", "category", "street", "status", "reported", "url"}
    assert feature["properties"]["street"] == "二街道"


def test_the_public_list_filters_by_class_and_refuses_nothing_odd(world, garbage):
    kept = reported(garbage, IN_A)
    other = Category.objects.filter(is_public=True, parent__isnull=False).exclude(parent=garbage.parent).first()
    elsewhere = reported(other, IN_A, description="另一类问题")
    client = Client()
    text = client.get("/portal/problems/", {"group": garbage.parent_id}).content.decode()
    assert kept.number in text and elsewhere.number not in text
    mapped = client.get("/portal/problems/map/", {"group": garbage.parent_id}).json()["features"]
    assert [feature["properties"]["number"] for feature in mapped] == [kept.number]
    for odd in ("abc", "-1", "9" * 40, "1 OR 1=1"):
        assert client.get("/portal/problems/", {"group": odd, "page": odd}).status_code == 200
        assert client.get("/portal/problems/map/", {"group": odd}).status_code == 200


def test_the_portal_speaks_english_when_chosen(world):
    client = Client()
    home = client.get("/portal/").content.decode()
    assert 'name="language"' in home and "看看附近正在办理的问题" in home
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert "in progress nearby" in client.get("/portal/").content.decode()


def test_every_tile_of_the_picker_has_its_own_name(world):
    html = Client().get("/portal/").content.decode()
    names = re.findall(r'<a class="picker-tile"[^>]*><span class="picture"[^>]*>[^<]*</span>([^<]+)</a>', html)
    assert len(names) > 10 and len(set(names)) == len(names), names
    assert "市容环境" in names and "市容环境设施" in names

"""The staff report page as a grid worker uses it on a phone: the steps in the order a person fills them, the
category select that the two-step picker reads (grouped by class, the worker's recent categories first, names with
their pinyin and the default priority), and a single-grid worker's grid preselected."""

import re

import pytest
from pytest_django.asserts import assertRedirects

from areas.models import AreaBoundary
from areas.selectors import own_grid
from audit.services import Origin
from cases.models import Case, Category
from cases.selectors import categories_recent
from cases.services import ReportData, report_submit
from gridgov.spelling import pinyin_spelling
from gridgov.testing import IN_A, IN_C, jpeg


@pytest.fixture
def categories(desk) -> dict[str, Category]:
    return {
        "暴露垃圾": desk.category,
        "道路不洁": Category.objects.get(kind="event", code="0104"),
        "井盖": Category.objects.filter(kind="component", name__contains="井盖").first(),
    }


def reported(world, persona: str, category: Category, point=IN_A) -> Case:
    data = ReportData(
        source="grid_worker" if persona.startswith("grid") else "hotline",
        description="现场问题",
        longitude=point[0],
        latitude=point[1],
        category_id=category.pk,
    )
    return report_submit(Origin(world.user(persona), "web"), data).case


def option_values(html: str, group: str) -> list[str]:
    """The option values of one optgroup of the category select, in order."""
    found = re.search(rf'<optgroup label="{re.escape(group)}">(.*?)</optgroup>', html, re.S)
    assert found, group
    return re.findall(r'<option value="(\d+)"', found.group(1))


def test_the_steps_come_in_the_order_a_person_fills_them(desk):
    html = desk.world.client("grid_worker_a").get("/cases/report/").content.decode()
    order = [
        html.index('id="id_category"'),
        html.index('id="id_photos"'),
        html.index('id="report-map"'),
        html.index('id="id_description"'),
        html.index('accesskey="s"'),
    ]
    assert order == sorted(order)
    photos = re.search(r'<input type="file" name="photos"[^>]*>', html)
    assert photos and 'capture="environment"' in photos.group(0) and "multiple" in photos.group(0)
    # Fields of the office (priority, who called) are folded after the description, and a worker's one source
    # is not a choice.
    assert html.index("<details") > html.index('id="id_description"') and '<details class="report-more mb-3">' in html
    assert '<input type="hidden" name="source" value="grid_worker"' in html and '<select name="source"' not in html


def test_an_office_with_several_sources_chooses_one_in_the_open_more_part(desk):
    html = desk.world.client("intake_clerk").get("/cases/report/").content.decode()
    assert '<select name="source"' in html and '<details class="report-more mb-3" open>' in html


def test_the_category_select_is_grouped_by_class_with_what_the_picker_shows(desk, categories):
    html = desk.world.client("grid_worker_a").get("/cases/report/").content.decode()
    assert 'label="最近使用"' not in html  # nothing reported yet
    rubbish = categories["暴露垃圾"]
    assert str(rubbish.pk) in option_values(html, "事件 / 市容环境")
    option = re.search(rf'<option value="{rubbish.pk}"[^>]*>', html)
    assert option is not None
    attributes = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', option.group(0)))
    assert attributes["data-name"] == "暴露垃圾" and attributes["data-class-name"] == "市容环境"
    assert attributes["data-kind"] == "事件" and attributes["data-priority-label"] == "一般"
    assert {"baolulaji", "bllj", "0102", "srhj"} <= set(attributes["data-search"].split())
    # Events come before components and social governance, as a grid worker meets them most.
    assert html.index('label="事件 / ') < html.index('label="部件 / ') < html.index('label="社会治理 / ')


def test_a_categorys_default_priority_is_on_its_option(desk):
    urgent = Category.objects.filter(parent__isnull=False, default_priority="urgent").first()
    assert urgent is not None
    html = desk.world.client("grid_worker_a").get("/cases/report/").content.decode()
    option = re.search(rf'<option value="{urgent.pk}"[^>]*>', html)
    assert option and 'data-priority-label="紧急"' in option.group(0) and 'data-priority="urgent"' in option.group(0)


def test_the_workers_recent_categories_come_first_most_recent_first(desk, categories):
    world = desk.world
    reported(world, "grid_worker_a", categories["暴露垃圾"])
    reported(world, "grid_worker_a", categories["道路不洁"])
    reported(world, "grid_worker_a", categories["暴露垃圾"])
    reported(world, "grid_worker_b", categories["井盖"], point=(116.415, 39.91))  # another worker's
    html = world.client("grid_worker_a").get("/cases/report/").content.decode()
    recent = option_values(html, "最近使用")
    assert recent == [str(categories["暴露垃圾"].pk), str(categories["道路不洁"].pk)]
    assert html.index('label="最近使用"') < html.index('label="事件 / ')
    assert str(categories["暴露垃圾"].pk) not in option_values(html, "事件 / 市容环境")  # listed once
    assert re.search(rf'<option value="{categories["暴露垃圾"].pk}"[^>]*data-recent="1"', html)


def test_recent_categories_take_one_query_however_many_reports(desk, categories, django_assert_num_queries):
    world = desk.world
    worker = world.user("grid_worker_a")
    for _ in range(3):
        for category in categories.values():
            reported(world, "grid_worker_a", category)
    with django_assert_num_queries(1):
        recent = categories_recent(worker)
    assert recent[0] == categories["井盖"].pk and set(recent) == {c.pk for c in categories.values()}
    assert categories_recent(worker, limit=1) == [categories["井盖"].pk]
    assert categories_recent(world.user("grid_worker_b")) == []


def test_the_report_page_takes_the_same_queries_with_more_reports(desk, categories, django_assert_max_num_queries):
    world = desk.world
    client = world.client("grid_worker_a")
    reported(world, "grid_worker_a", categories["暴露垃圾"])
    client.get("/cases/report/")
    with django_assert_max_num_queries(14) as few:
        client.get("/cases/report/")
    for category in categories.values():
        reported(world, "grid_worker_a", category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/cases/report/").status_code == 200


def test_a_single_grid_worker_starts_on_the_centre_of_their_grid(desk):
    world = desk.world
    boundary = AreaBoundary.objects.get(area=world.grid_a, valid_to__isnull=True)
    response = world.client("grid_worker_a").get("/cases/report/")
    form = response.context["form"]
    assert form["longitude"].value() == round(boundary.centroid_lon, 6)
    assert form["latitude"].value() == round(boundary.centroid_lat, 6)
    html = response.content.decode()
    assert f'data-preset="{world.grid_a.code}"' in html and "已预选您的网格：网格A" in html


def test_the_preselected_grid_files_the_report_there_when_the_point_is_not_moved(desk):
    world = desk.world
    client = world.client("grid_worker_a")
    form = client.get("/cases/report/").context["form"]
    data = {
        "source": "grid_worker",
        "description": "占道经营",
        "priority": "normal",
        "longitude": form["longitude"].value(),
        "latitude": form["latitude"].value(),
        "idempotency_key": form["idempotency_key"].value(),
    }
    response = client.post("/cases/report/", data)
    case = Case.objects.get()
    assertRedirects(response, f"/cases/{case.number}/", fetch_redirect_response=False)
    assert case.grid == world.grid_a


@pytest.mark.parametrize("persona", ["community_staff", "grid_leader", "dispatcher", "department_handler"])
def test_no_grid_is_preselected_for_a_wider_or_no_scope(desk, persona):
    world = desk.world
    assert own_grid(world.user(persona)) is None
    response = world.client(persona).get("/cases/report/")
    assert response.context["form"]["longitude"].value() is None and "data-preset" not in response.content.decode()


def test_a_refused_report_keeps_the_chosen_point_and_shows_no_preset(desk, categories):
    client = desk.world.client("grid_worker_a")
    form = client.get("/cases/report/").context["form"]
    data = {
        "source": "grid_worker",
        "category": categories["暴露垃圾"].pk,
        "description": "",
        "priority": "normal",
        "longitude": IN_A[0] + 0.001,
        "latitude": IN_A[1],
        "idempotency_key": form["idempotency_key"].value(),
        "photos": [jpeg()],
    }
    refused = client.post("/cases/report/", data)
    assert refused.status_code == 200 and not Case.objects.exists()
    html = refused.content.decode()
    assert "data-preset" not in html and f'value="{IN_A[0] + 0.001}"' in html
    assert re.search(rf'<option value="{categories["暴露垃圾"].pk}"[^>]*selected', html)


def test_a_point_outside_the_workers_grid_is_refused_beside_the_preset(desk):
    client = desk.world.client("grid_worker_a")
    form = client.get("/cases/report/").context["form"]
    data = {
        "source": "grid_worker",
        "description": "越界",
        "priority": "normal",
        "longitude": IN_C[0],
        "latitude": IN_C[1],
        "idempotency_key": form["idempotency_key"].value(),
    }
    refused = client.post("/cases/report/", data)
    assert refused.status_code == 200 and "位置不在您负责的网格内" in refused.content.decode()
    assert not Case.objects.exists()


def test_pinyin_spelling_of_names_with_digits():
    assert pinyin_spelling("暴露垃圾") == ("baolulaji", "bllj")
    assert pinyin_spelling("东四十条8") == ("dongsishitiao8", "dsst8")
    assert pinyin_spelling("") == ("", "")

"""The visit pages (list, form, detail, correction, follow-up) and the registry pages' visits, diary and cases
sections: what they show, to whom, in a bounded number of queries; sensitive visits hidden without permission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pytest_django.asserts import assertRedirects

from audit.services import Origin
from cases.models import Case
from diary.models import DiaryEntry
from gridgov.testing import jpeg
from visits.choices import DueStatus, VisitPurpose
from visits.models import DueVisit, Visit, VisitCase
from visits.services import FollowUpData, VisitData, visit_follow_up, visit_record
from visits.tests.conftest import VISITED_AT

P = VisitPurpose


def record(field, persona="grid_worker_a", person=None, **fields) -> Visit:
    data = VisitData(
        purposes=fields.pop("purposes", [P.ELDERLY_ALONE]),
        visited_at=fields.pop("visited_at", VISITED_AT),
        person_id=(person or field.elderly).pk,
        findings=fields.pop("findings", "身体尚可"),
        **fields,
    )
    return visit_record(Origin(field.world.user(persona), "page"), data)


def test_the_form_records_a_visit_with_its_questions_and_photos(field):
    client = field.client()
    url = f"/visits/new/?person={field.elderly.pk}&due={field.due.pk}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "赵大爷" in html and 'data-questions="elderly_alone"' in html and "data-locate" in html
    assert 'value="key_person"' not in html  # 重点人员走访 is offered only with the sensitive permission
    answer = client.post(
        url,
        {
            "kind": "home",
            "purposes": ["elderly_alone"],
            "q_elderly_alone__health": "poor",
            "q_elderly_alone__contact_reached": "yes",
            "q_elderly_alone__needs": "助餐",
            "visited_at": "2026-01-05T10:00",
            "findings": "老人腿脚不便",
            "lon": "116.405",
            "lat": "39.91",
            "accuracy": "15",
            "photos": [jpeg()],
        },
    )
    visit = Visit.objects.get()
    assertRedirects(answer, f"/visits/{visit.pk}/")
    assert visit.answers == {"elderly_alone": {"health": "poor", "contact_reached": True, "needs": "助餐"}}
    assert (visit.accuracy, visit.photos.count(), visit.person) == (15, 1, field.elderly)
    assert DueVisit.objects.get(pk=field.due.pk).status == DueStatus.DONE
    detail = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "较差" in detail and "紧急联系人已联系" in detail and "老人腿脚不便" in detail
    assert f"/files/visits/photo/{visit.photos.get().pk}/" in detail and "转为案件上报" in detail


def test_a_refused_form_comes_back_with_its_errors(field):
    client = field.client()
    answer = client.post(f"/visits/new/?person={field.elderly.pk}", {"kind": "home", "visited_at": "2026-01-05T10:00"})
    assert answer.status_code == 400 and 'data-error="purposes"' in answer.content.decode()
    future = {"kind": "home", "purposes": ["policy"], "visited_at": "2099-01-05T10:00"}
    answer = client.post(f"/visits/new/?person={field.elderly.pk}", future)
    assert answer.status_code == 400 and "走访时间超出可接受范围" in answer.content.decode()
    assert client.get(f"/visits/new/?person={field.other.pk}").status_code == 404  # grid B's resident
    assert not Visit.objects.exists()


def test_my_visits_filter_and_page_in_bounded_queries(field, django_assert_max_num_queries):
    for day in range(1, 36):
        record(
            field, visited_at=VISITED_AT - dt.timedelta(days=day), purposes=[P.POLICY] if day % 2 else [P.ELDERLY_ALONE]
        )
    record(field, persona="community_staff", purposes=[P.INFO_CHECK])
    client = field.client()
    with django_assert_max_num_queries(12):
        page = client.get("/visits/").content.decode()
    assert page.count("data-visit=") == 30 and "第 1 / 2 页" in page and "记录走访" in page
    assert client.get("/visits/?page=2").content.decode().count("data-visit=") == 5
    assert client.get("/visits/?purpose=policy").content.decode().count("data-visit=") == 18
    assert client.get("/visits/?purpose=elderly_alone&kind=home").content.decode().count("data-visit=") == 17
    assert client.get("/visits/?date_from=2026-01-01&date_to=2026-01-04").content.decode().count("data-visit=") == 4
    assert client.get("/visits/?all=1").content.decode().count("data-visit=") == 30  # first page of 36
    assert "还没有走访记录" in field.client("grid_worker_b").get("/visits/").content.decode()


def test_its_worker_corrects_the_visit(field):
    visit = record(field)
    client = field.client()
    assert client.get(f"/visits/{visit.pk}/edit/").status_code == 200
    answer = client.post(
        f"/visits/{visit.pk}/edit/", {"kind": "phone", "purposes": ["elderly_alone"], "q_elderly_alone__health": "good"}
    )
    assertRedirects(answer, f"/visits/{visit.pk}/")
    visit.refresh_from_db()
    assert (visit.kind, visit.answers, visit.findings) == ("phone", {"elderly_alone": {"health": "good"}}, "")
    assert field.client("community_staff").get(f"/visits/{visit.pk}/edit/").status_code == 403


def test_a_follow_up_from_the_page(field):
    visit = record(field, lon=116.405, lat=39.91)
    client = field.client()
    refused = client.post(f"/visits/{visit.pk}/follow-ups/", {"description": ""})
    assert refused.status_code == 400 and "data-follow-up" in refused.content.decode()
    answer = client.post(
        f"/visits/{visit.pk}/follow-ups/", {"category": field.category.pk, "description": "楼道堆放杂物"}
    )
    assertRedirects(answer, f"/visits/{visit.pk}/#follow-ups", fetch_redirect_response=False)
    case = Case.objects.get()
    assert VisitCase.objects.get().case == case and case.description == "楼道堆放杂物"
    assert case.number in client.get(f"/visits/{visit.pk}/").content.decode()


def test_the_visit_page_prefills_the_follow_up_names_the_worker_and_links_the_diary(field):
    worker = field.world.user("grid_worker_a")
    worker.full_name = "王网格"
    worker.save(update_fields=["full_name"])
    visit = record(field, findings="楼道灯坏了")
    page = field.client().get(f"/visits/{visit.pk}/").content.decode()
    assert re.search(r'<textarea name="description"[^>]*>\s*楼道灯坏了</textarea>', page)
    assert "王网格" in page and "worker_a" not in page
    entry = DiaryEntry.objects.get(source_visit=visit)
    assert f'<a href="/diary/{entry.pk}/">' in page
    person = field.client().get(f"/registry/persons/{field.elderly.pk}/").content.decode()
    assert "王网格" in person
    assert 'class="d-flex flex-wrap align-items-center gap-2 mb-2" data-person-header' in person
    assert 'class="btn btn-sm btn-primary text-nowrap"' in person  # 记录走访 never breaks into stacked characters


SECTIONS = {
    "person": lambda field: f"/registry/persons/{field.elderly.pk}/",
    "household": lambda field: f"/registry/households/{field.elderly.household_id}/",
    "house": lambda field: f"/registry/houses/{field.elderly.house_id}/",
}


@pytest.mark.parametrize("subject", sorted(SECTIONS))
def test_registry_pages_show_visits_diary_and_cases_in_bounded_queries(field, subject, django_assert_max_num_queries):
    url = SECTIONS[subject](field)
    client = field.client()
    empty = client.get(url).content.decode()
    assert "暂无走访记录" in empty and "暂无相关案件" in empty and f"/visits/new/?{subject}=" in empty
    assert 'href="/diary/new/" data-action="diary-new"' in empty
    assert 'href="/cases/report/" data-action="case-report"' in empty
    visit = record(field, findings="需要助餐")
    case = visit_follow_up(Origin(field.world.user("grid_worker_a"), "page"), visit, FollowUpData(None, "老人需要助餐"))
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for day in range(1, 15):
        record(field, visited_at=VISITED_AT - dt.timedelta(days=day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('href="/visits/') >= 10 and "全部 15 条" in page
    assert case.number in page and "入户走访 · 赵大爷" in page  # the case and the diary entry


def test_a_place_page_shows_its_visits_and_the_cases_reported_at_it(field):
    Case.objects.all().delete()
    visit = visit_record(
        Origin(field.world.user("grid_worker_a"), "page"),
        VisitData(purposes=[P.SAFETY_CHECK], visited_at=VISITED_AT, place_id=field.place.pk, findings="灭火器过期"),
    )
    page = field.client().get(f"/registry/places/{field.place.pk}/").content.decode()
    assert f"/visits/{visit.pk}/" in page and "灭火器过期" in page


def test_sensitive_visits_are_hidden_without_the_permission(field):
    visit = record(field, persona="community_staff", person=field.watched, purposes=[P.INFO_CHECK], findings="思想稳定")
    assert visit.sensitive and DiaryEntry.objects.get(source_visit=visit).sensitive
    worker = field.client()  # grid worker A: may see the person, not 重点人员 visits
    person_page = worker.get(f"/registry/persons/{field.watched.pk}/").content.decode()
    assert "思想稳定" not in person_page and f"/visits/{visit.pk}/" not in person_page and "暂无走访记录" in person_page
    assert "思想稳定" not in worker.get("/visits/?all=1").content.decode()
    assert worker.get(f"/visits/?all=1&person={field.watched.pk}").content.decode().count("data-visit=") == 0
    assert worker.get(f"/api/v1/visits?person_id={field.watched.pk}").json() == []
    assert worker.get(f"/visits/{visit.pk}/").status_code == 404
    staff = field.client("community_staff")
    assert "思想稳定" in staff.get(f"/registry/persons/{field.watched.pk}/").content.decode()
    assert staff.get(f"/visits/?all=1&person={field.watched.pk}").content.decode().count("data-visit=") == 1

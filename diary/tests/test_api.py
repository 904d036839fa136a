"""The diary's API rows of the contract: list and search, write, read, edit, comment, attach; bad input is 4xx."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from diary.models import DiaryComment, DiaryEntry
from diary.tests.conftest import docx_bytes, pdf_bytes
from diary.tests.factories import DiaryCommentFactory, DiaryEntryFactory
from gridgov.testing import make_user
from registry.choices import TagCategory
from registry.tests.factories import PersonFactory, PersonTagFactory

URL = "/api/v1/diary/entries"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def person(world):
    return PersonFactory.create(name="赵六", grid=world.grid_a)


def test_a_worker_writes_an_entry_and_reads_it_back(world, person):
    client = world.client("grid_worker_a")
    body = {
        "day": "2026-03-10",
        "kind": "mediation",
        "title": "调解邻里噪音纠纷",
        "content": "楼上装修噪音，双方约定作业时间",
        "summary": "已调解",
        "person_ids": [person.pk],
        "household_ids": [],
        "place_ids": [],
        "case_ids": [],
        "visit_ids": [],
    }
    response = _post(client, URL, body)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["grid_code"] == world.grid_a.code and entry["kind_label"] == "调解"
    assert entry["persons"] == [{"id": person.pk, "name": "赵六"}]
    assert (entry["auto"], entry["edited"], entry["sensitive"], entry["comments"]) == (False, False, False, [])
    assert client.get(f"{URL}/{entry['id']}").json()["title"] == "调解邻里噪音纠纷"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": ""}, 422),
        ({"title": "x", "kind": "party"}, 422),
        ({"title": "x", "day": "2026-13-40"}, 422),
        ({"title": "x", "person_ids": [0]}, 422),
        ({"title": "x", "grid_code": "abc"}, 422),
        ({"title": "x", "grid_code": "110101002001001"}, 400),
        ({"title": "x", "person_ids": [99999]}, 400),
        ({"title": "x" * 121}, 422),
        ({"title": "x", "day": None}, 422),
    ],
)
def test_bad_input_is_refused_with_a_code(world, body, status):
    response = _post(world.client("grid_worker_a"), URL, body)
    assert response.status_code == status, response.content
    assert response.json()["code"]
    assert not DiaryEntry.objects.exists()


def test_a_list_body_is_refused(world):
    response = _post(world.client("grid_worker_a"), URL, [{"title": "x"}])
    assert response.status_code in (400, 422) and response.json()["code"]


def test_the_list_searches_by_text_person_author_date_and_kind(world, person, django_assert_max_num_queries):
    worker, other = world.user("grid_worker_a"), world.user("grid_worker_b")
    found = DiaryEntryFactory.create(author=worker, grid=world.grid_a, title="楼道堆物清理", kind="service")
    found.persons.set([person])
    DiaryEntryFactory.create(author=worker, grid=world.grid_a, title="周例会", day=dt.date(2026, 2, 1))
    DiaryEntryFactory.create(author=other, grid=world.grid_b, content="楼道灯坏了")
    for _index in range(5):
        entry = DiaryEntryFactory.create(author=worker, grid=world.grid_a, day=dt.date(2026, 1, 5))
        entry.persons.set([person])
        DiaryCommentFactory.create(entry=entry, author=world.user("street_leader"))
    client = world.client("street_leader")

    def titles(**query):
        return {row["title"] for row in client.get(URL, query).json()}

    assert titles(q="楼道") == {"楼道堆物清理", other.diary_entries.get().title}
    assert titles(q="楼道", author_id=worker.pk) == {"楼道堆物清理"}
    assert titles(person_id=person.pk, date_from="2026-03-01") == {"楼道堆物清理"}
    assert titles(date_from="2026-02-01", date_to="2026-02-28") == {"周例会"}
    assert titles(kind="service") == {"楼道堆物清理"}
    assert titles(grid_code=world.grid_b.code) == {other.diary_entries.get().title}
    assert len(world.client("grid_worker_b").get(URL, {"mine": "true"}).json()) == 1
    with django_assert_max_num_queries(12):
        rows = client.get(URL, {"limit": 50}).json()
    assert len(rows) == 8 and all(len(row["comments"]) == 1 for row in rows if row["day"] == "2026-01-05")


def test_a_worker_of_another_grid_sees_neither_the_entry_nor_its_search_hit(world):
    entry = DiaryEntryFactory.create(author=world.user("grid_worker_a"), grid=world.grid_a, title="秘密")
    client = world.client("grid_worker_b")
    assert client.get(f"{URL}/{entry.pk}").status_code == 404
    assert client.get(URL, {"q": "秘密"}).json() == []


def test_sensitive_entries_only_with_the_permission(world, person):
    PersonTagFactory.create(person=person, category=TagCategory.PETITIONER)
    response = _post(world.client("grid_worker_a"), URL, {"title": "走访信访人", "person_ids": [person.pk]})
    entry = response.json()
    assert entry["sensitive"] is False  # never flagged to a worker without the permission
    assert DiaryEntry.objects.get(pk=entry["id"]).sensitive
    # the author keeps seeing their own entry; another worker of the grid does not see it
    assert [row["id"] for row in world.client("grid_worker_a").get(URL, {"q": "信访"}).json()] == [entry["id"]]
    colleague = Client()
    colleague.force_login(make_user("worker_a2", Role.GRID_WORKER, [world.grid_a]))
    assert colleague.get(URL, {"q": "信访"}).json() == []
    assert colleague.get(f"{URL}/{entry['id']}").status_code == 404
    assert [row["id"] for row in world.client("street_leader").get(URL, {"q": "信访"}).json()] == [entry["id"]]


def test_patch_by_the_author_only(world, person):
    entry = DiaryEntryFactory.create(author=world.user("grid_worker_a"), grid=world.grid_a)
    url = f"{URL}/{entry.pk}"
    refused = world.client("community_staff").patch(url, json.dumps({"title": "改"}), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_entry_author"
    response = world.client("grid_worker_a").patch(
        url, json.dumps({"summary": "已回访", "person_ids": [person.pk]}), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "已回访" and body["persons"][0]["id"] == person.pk and body["title"] == entry.title
    bad = world.client("grid_worker_a").patch(url, json.dumps({"title": None}), content_type="application/json")
    assert bad.status_code == 422


def test_comment_is_for_leaders_and_the_author_sees_it_read(world):
    entry = DiaryEntryFactory.create(author=world.user("grid_worker_a"), grid=world.grid_a)
    url = f"{URL}/{entry.pk}/comments"
    assert _post(world.client("grid_worker_a"), url, {"text": "自评"}).status_code == 403
    assert _post(world.client("street_leader"), url, {"text": ""}).status_code == 422
    response = _post(world.client("street_leader"), url, {"text": "很好，注意跟进"})
    assert response.status_code == 201 and response.json()["read"] is False
    leader_view = world.client("street_leader").get(f"{URL}/{entry.pk}").json()
    assert leader_view["comments"][0]["read"] is False
    author_view = world.client("grid_worker_a").get(f"{URL}/{entry.pk}").json()
    assert author_view["comments"][0] == {**author_view["comments"][0], "text": "很好，注意跟进", "read": True}
    assert DiaryComment.objects.get().read_at is not None


def test_attachments_through_the_api(world):
    entry = DiaryEntryFactory.create(author=world.user("grid_worker_a"), grid=world.grid_a)
    url = f"{URL}/{entry.pk}/attachments"
    client = world.client("grid_worker_a")
    upload = SimpleUploadedFile("会议纪要.docx", docx_bytes(), content_type="application/octet-stream")
    response = client.post(url, {"file": upload})
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["name"] == "会议纪要.docx" and attachment["url"].startswith("/files/diary/attachment/")
    assert client.get(attachment["url"]).status_code == 200
    text = SimpleUploadedFile("x.pdf", b"just text", content_type="application/pdf")
    refused = client.post(url, {"file": text})
    assert refused.status_code == 400 and refused.json()["code"] == "attachment_type"
    assert client.post(url, {}).status_code in (400, 422)
    other = world.client("street_leader").post(url, {"file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert other.status_code == 403
    assert [item["name"] for item in client.get(f"{URL}/{entry.pk}").json()["attachments"]] == ["会议纪要.docx"]


def test_anonymous_gets_401(world):
    from django.test import Client

    assert Client().get(URL).status_code == 401
    assert world.client("dispatcher").get(URL).status_code == 403

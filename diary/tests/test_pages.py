"""The diary's pages: my diary by day, writing, the entry with comments, the grid's search, the month's export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import AuditEntry
from diary import exports
from diary.models import DiaryEntry
from diary.tests.factories import DiaryCommentFactory, DiaryEntryFactory
from gridgov.testing import make_user
from registry.choices import TagCategory
from registry.tests.factories import PersonFactory, PersonTagFactory


@pytest.fixture
def entries(world):
    worker = world.user("grid_worker_a")
    person = PersonFactory.create(name="孙七", grid=world.grid_a, identity="110101198001010011")
    first = DiaryEntryFactory.create(
        author=worker, grid=world.grid_a, day=dt.date(2026, 3, 2), kind="visit", title="走访独居老人孙七"
    )
    first.persons.set([person])
    DiaryCommentFactory.create(entry=first, author=world.user("street_leader"), text="注意冬季取暖")
    DiaryEntryFactory.create(author=worker, grid=world.grid_a, day=dt.date(2026, 3, 5), title="社区周例会")
    DiaryEntryFactory.create(author=worker, grid=world.grid_a, day=dt.date(2026, 2, 27), title="上月的日志")
    return {"person": person, "first": first}


def test_my_diary_by_day_with_unread_comments_marked(world, entries, django_assert_max_num_queries):
    client = world.client("grid_worker_a")
    with django_assert_max_num_queries(20):
        page = client.get("/diary/").content.decode()
    assert page.index("社区周例会") < page.index("走访独居老人孙七") < page.index("上月的日志")
    assert "2026-03-05" in page and "data-unread-comments" in page and "写日志" in page
    client.get(f"/diary/{entries['first'].pk}/")
    assert "data-unread-comments" not in client.get("/diary/").content.decode()


def test_my_diary_empty_tells_what_to_do(world):
    page = world.client("grid_worker_b").get("/diary/").content.decode()
    assert "还没有日志" in page and 'href="/diary/new/"' in page


def test_writing_an_entry_through_the_page(world, entries):
    client = world.client("grid_worker_a")
    blank = client.get("/diary/new/").content.decode()
    assert re.search(r'type="date" name="day" value="\d{4}-\d{2}-\d{2}"', blank), "the date input needs ISO"
    response = client.post(
        "/diary/new/",
        {"day": "2026-03-09", "kind": "service", "title": "代办居住证", "content": "帮助外来人员代办", "summary": "",
         "person_ids": [entries["person"].pk]},
    )  # fmt: skip
    entry = DiaryEntry.objects.get(title="代办居住证")
    assert response.status_code == 302 and response["Location"] == f"/diary/{entry.pk}/"
    assert list(entry.persons.all()) == [entries["person"]]
    refused = client.post("/diary/new/", {"day": "2026-03-09", "kind": "service", "title": ""})
    assert refused.status_code == 400 and "is-invalid" in refused.content.decode()
    edit = client.get(f"/diary/{entry.pk}/edit/").content.decode()
    assert "孙七" in edit and 'data-links="person"' in edit


def test_a_leader_comments_on_the_page_and_the_author_sees_it_read(world, entries):
    entry = entries["first"]
    leader = world.client("community_staff")
    assert "写点评" in leader.get(f"/diary/{entry.pk}/").content.decode()
    assert leader.post(f"/diary/{entry.pk}/comments/", {"text": "请联系家属"}).status_code == 302
    worker = world.client("grid_worker_a")
    page = worker.get(f"/diary/{entry.pk}/").content.decode()
    assert "请联系家属" in page and "写点评" not in page
    assert "记录人已读" in leader.get(f"/diary/{entry.pk}/").content.decode()


def test_the_grid_diary_searches_and_is_audited(world, entries, django_assert_max_num_queries):
    client = world.client("street_leader")
    with django_assert_max_num_queries(25):
        page = client.get("/diary/grid/", {"q": "孙七"}).content.decode()
    assert "走访独居老人孙七" in page and "社区周例会" not in page
    by_person = client.get("/diary/grid/", {"person": entries["person"].pk}).content.decode()
    assert "走访独居老人孙七" in by_person and "社区周例会" not in by_person
    by_date = client.get("/diary/grid/", {"date_from": "2026-03-03", "date_to": "2026-03-31"}).content.decode()
    assert "社区周例会" in by_date and "走访独居老人孙七" not in by_date
    assert "没有符合条件" in client.get("/diary/grid/", {"q": "无此内容"}).content.decode()
    search = AuditEntry.objects.filter(action="search", object_type="diary.diaryentry").first()
    assert search is not None and search.detail["query"] == {"q": "孙七"}


def test_the_grid_diary_reads_empty_filters_as_no_filter(world, entries):
    page = (
        world.client("street_leader")
        .get(
            "/diary/grid/",
            {"q": "", "person": "", "author": "", "grid": "", "kind": "", "date_from": "", "date_to": ""},
        )
        .content.decode()
    )
    assert "所选记录无效" not in page and "没有符合条件" not in page
    assert "走访独居老人孙七" in page and "社区周例会" in page


def test_the_link_search_returns_only_visible_records(world, entries):
    PersonFactory.create(name="孙八", grid=world.grid_c)
    answer = world.client("grid_worker_a").get("/diary/links.json", {"kind": "person", "q": "孙"}).json()
    assert [row["text"] for row in answer["results"]] == ["孙七（网格A）"]
    assert world.client("grid_worker_a").get("/diary/links.json", {"kind": "bogus", "q": "孙"}).json() == {
        "results": []
    }


# --- Export ---------------------------------------------------------------------------------------------------
def _docx_text(content: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in Document(io.BytesIO(content)).paragraphs)


def test_the_month_exports_to_docx_with_names_only(world, entries):
    client = world.client("grid_worker_a")
    author = world.user("grid_worker_a").pk
    response = client.get("/diary/export/", {"month": "2026-03", "author": author, "format": "docx"})
    assert response.status_code == 200 and response["Content-Type"] == exports.DOCX_TYPE
    text = _docx_text(b"".join(response.streaming_content))
    assert "民情日志台账" in text and "2026年3月" in text
    assert text.index("2026-03-02") < text.index("走访独居老人孙七") < text.index("2026-03-05")
    assert "相关人员：孙七" in text and "注意冬季取暖" in text and "上月的日志" not in text
    assert "110101198001010011" not in text
    export = AuditEntry.objects.get(action="export", object_type="diary.diaryentry")
    assert export.detail["count"] == 2


def test_the_grid_month_exports_to_pdf(world, entries):
    response = world.client("street_leader").get(
        "/diary/export/", {"month": "2026-03", "grid": world.grid_a.code, "format": "pdf"}
    )
    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "走访独居老人孙七" in text and "社区周例会" in text and len(reader.pages) >= 1


def test_the_export_leaves_out_sensitive_entries_without_the_permission(world, entries):
    PersonTagFactory.create(person=entries["person"], category=TagCategory.SEVERE_MENTAL_ILLNESS)
    DiaryEntry.objects.filter(pk=entries["first"].pk).update(sensitive=True)
    author = world.user("grid_worker_a").pk
    mine = world.client("grid_worker_a").get("/diary/export/", {"month": "2026-03", "author": author})
    assert "走访独居老人孙七" in _docx_text(b"".join(mine.streaming_content))  # the author's own
    colleague = Client()
    colleague.force_login(make_user("worker_a2", Role.GRID_WORKER, [world.grid_a]))
    worker = colleague.get("/diary/export/", {"month": "2026-03", "author": author})
    assert "走访独居老人孙七" not in _docx_text(b"".join(worker.streaming_content))
    leader = world.client("street_leader").get("/diary/export/", {"month": "2026-03", "author": author})
    assert "走访独居老人孙七" in _docx_text(b"".join(leader.streaming_content))


@pytest.mark.parametrize(
    "query",
    [{"month": "2026-3x"}, {"month": "2026-03", "format": "odt"}, {"month": "2026-03", "grid": "110101002001001"}],
)
def test_bad_export_requests_are_refused(world, entries, query):
    response = world.client("grid_worker_a").get("/diary/export/", query)
    assert response.status_code in (302, 400, 404)
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_export_over_the_cap_says_so(world, entries, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ENTRIES", 1)
    response = world.client("grid_worker_a").get("/diary/export/", {"month": "2026-03"}, follow=True)
    assert "超过 1 条" in response.content.decode()

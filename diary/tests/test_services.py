"""民情日志 services: entries by hand and automatic ones, edits, 点评 and its read mark, attachments, sensitive
entries."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEntry
from diary import services
from diary.models import DiaryAttachment, DiaryEntry
from diary.selectors import EntryFilter, access_entry, entries_list
from diary.services import EntryData
from diary.tests.conftest import docx_bytes, origin, pdf_bytes
from fieldwork.models import Patrol
from gridgov.errors import NotFound, PermissionDenied, RecordInvalid, ValidationFailed
from gridgov.testing import jpeg_bytes, make_user
from notifications.models import Delivery
from registry.choices import TagCategory
from registry.tests.factories import PersonFactory, PersonTagFactory
from visits.models import Visit

DAY = dt.date(2026, 3, 10)


def _create(world, persona="grid_worker_a", **values):
    data = EntryData(day=DAY, kind="meeting", title="周例会", content="讨论垃圾分类", summary="按周督促", **values)
    return services.entry_create(origin(world, persona), data)


def test_an_entry_is_written_in_the_authors_grid_with_its_links_and_an_audit_row(world):
    person = PersonFactory.create(name="李四", grid=world.grid_a)
    entry = _create(world, links={"person_ids": [person.pk]})
    assert (entry.grid, entry.author, entry.kind, entry.sensitive) == (
        world.grid_a,
        world.user("grid_worker_a"),
        "meeting",
        False,
    )
    assert list(entry.persons.all()) == [person]
    audit = AuditEntry.objects.get(object_type="diary.diaryentry", object_id=str(entry.pk))
    assert audit.action == "create" and audit.area_code == world.grid_a.code
    assert audit.changes["persons"] == [None, [person.pk]]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grid_code": "110101002001001"}, "grid_code"),  # grid C: another street
        ({"grid_code": "110101001001"}, "grid_code"),  # a community, not a grid
        ({"links": {"person_ids": [999_999]}}, "person_ids"),
    ],
)
def test_an_entry_outside_the_authors_scope_is_refused(world, values, field):
    with pytest.raises(RecordInvalid) as refused:
        _create(world, **values)
    assert refused.value.details and refused.value.details[0]["field"] == field
    assert not DiaryEntry.objects.exists()


def test_a_person_of_another_grid_cannot_be_linked(world):
    stranger = PersonFactory.create(grid=world.grid_c)
    with pytest.raises(RecordInvalid):
        _create(world, links={"person_ids": [stranger.pk]})


def test_a_role_without_the_diary_cannot_write(world):
    with pytest.raises(PermissionDenied):
        _create(world, "dispatcher")


def test_an_entry_about_a_sensitive_person_is_hidden_from_those_without_the_permission(world):
    person = PersonFactory.create(grid=world.grid_a)
    PersonTagFactory.create(person=person, category=TagCategory.COMMUNITY_CORRECTION, since=dt.date(2025, 1, 1))
    entry = _create(world, links={"person_ids": [person.pk]})
    plain = _create(world)
    assert entry.sensitive and not plain.sensitive
    worker, leader = world.user("grid_worker_a"), world.user("street_leader")
    colleague = make_user("worker_a2", Role.GRID_WORKER, [world.grid_a])  # grid A too, without the permission
    assert list(entries_list(colleague, EntryFilter())) == [plain]
    assert {row.pk for row in entries_list(worker, EntryFilter())} == {entry.pk, plain.pk}  # the author's own
    assert {row.pk for row in entries_list(leader, EntryFilter())} == {entry.pk, plain.pk}
    with pytest.raises(NotFound):
        access_entry(colleague, entry.pk)


def test_an_ended_tag_does_not_make_an_entry_sensitive(world):
    person = PersonFactory.create(grid=world.grid_a)
    PersonTagFactory.create(
        person=person, category=TagCategory.DRUG_USER, since=dt.date(2024, 1, 1), until=dt.date(2025, 1, 1)
    )
    assert not _create(world, links={"person_ids": [person.pk]}).sensitive


def test_only_the_author_edits_and_an_automatic_entry_is_then_kept(world):
    worker = world.user("grid_worker_a")
    started = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
    patrol = Patrol.objects.create(
        worker=worker, grid=world.grid_a, started_at=started, ended_at=started + dt.timedelta(hours=2)
    )
    entry = services.entry_for_patrol(origin(world, "grid_worker_a"), patrol)
    assert entry.kind == "patrol" and "09:00–11:00" in entry.title and not entry.edited
    with pytest.raises(PermissionDenied):
        services.entry_update(origin(world, "community_staff"), entry, EntryData(title="改"))
    services.entry_update(origin(world, "grid_worker_a"), entry, EntryData(title="夜间巡查", summary="路灯已报修"))
    entry.refresh_from_db()
    assert entry.edited and entry.title == "夜间巡查"
    services.entry_for_patrol(origin(world, "grid_worker_a"), patrol)
    entry.refresh_from_db()
    assert (entry.title, entry.summary) == ("夜间巡查", "路灯已报修")
    update = AuditEntry.objects.filter(object_id=str(entry.pk), action="update").latest("pk")
    assert update.changes["edited"] == [False, True] and update.changes["title"][1] == "夜间巡查"


def test_an_unchanged_edit_does_not_mark_an_automatic_entry_edited(world):
    worker = world.user("grid_worker_a")
    started = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
    patrol = Patrol.objects.create(worker=worker, grid=world.grid_a, started_at=started, ended_at=started)
    entry = services.entry_for_patrol(origin(world, "grid_worker_a"), patrol)
    services.entry_update(origin(world, "grid_worker_a"), entry, EntryData(title=entry.title))
    entry.refresh_from_db()
    assert not entry.edited


def _visit(world, person, *, sensitive=False, findings="老人身体尚可"):
    return Visit.objects.create(
        worker=world.user("grid_worker_a"),
        grid=world.grid_a,
        visited_at=dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC),
        person=person,
        findings=findings,
        sensitive=sensitive,
    )


def test_a_visit_entry_follows_its_visit_until_its_author_edits_it(world):
    person = PersonFactory.create(name="王五", grid=world.grid_a)
    visit = _visit(world, person)
    entry = services.entry_for_visit(origin(world, "grid_worker_a"), visit)
    assert entry.kind == "visit" and "王五" in entry.title and entry.content == "老人身体尚可"
    assert list(entry.persons.all()) == [person] and list(entry.visits.all()) == [visit]
    visit.findings = "需要助餐服务"
    visit.save()
    assert services.entry_for_visit(origin(world, "grid_worker_a"), visit).content == "需要助餐服务"
    services.entry_update(origin(world, "grid_worker_a"), entry, EntryData(content="已联系助餐点"))
    visit.findings = "又变了"
    visit.save()
    services.entry_for_visit(origin(world, "grid_worker_a"), visit)
    entry.refresh_from_db()
    assert entry.content == "已联系助餐点" and entry.edited
    assert DiaryEntry.objects.count() == 1


def test_a_sensitive_visit_makes_its_entry_sensitive(world):
    entry = services.entry_for_visit(origin(world, "grid_worker_a"), _visit(world, None, sensitive=True))
    assert entry.sensitive
    linked = _create(world, links={"visit_ids": []})
    assert not linked.sensitive


def test_a_leader_comments_the_author_is_told_and_reads_it(world):
    entry = _create(world)
    with pytest.raises(PermissionDenied):
        services.entry_comment(origin(world, "grid_worker_b"), entry, "不错")
    comment = services.entry_comment(origin(world, "street_leader"), entry, "  记录详实，继续跟进  ")
    assert comment.text == "记录详实，继续跟进" and comment.read_at is None
    told = Delivery.objects.get(cause=f"diary_comment:{comment.pk}", channel="inapp")
    assert told.user_id == entry.author_id and told.link == f"/diary/{entry.pk}/"
    assert AuditEntry.objects.filter(object_type="diary.diarycomment", object_id=str(comment.pk)).exists()
    # someone else opening the entry leaves the mark alone; the author's opening sets it
    assert services.entry_open(origin(world, "street_leader"), entry) == 0
    assert services.entry_open(origin(world, "grid_worker_a"), entry) == 1
    comment.refresh_from_db()
    assert comment.read_at is not None


def test_a_comment_must_have_text(world):
    with pytest.raises(ValidationFailed):
        services.entry_comment(origin(world, "street_leader"), _create(world), "   ")


def test_a_leader_of_another_street_cannot_reach_the_entry(world):
    from accounts.roles import Role
    from gridgov.testing import make_user

    other = make_user("street_c", Role.STREET_LEADER, [world.areas["110101002"]])
    entry = _create(world)
    with pytest.raises(NotFound):
        access_entry(other, entry.pk)


# --- Attachments ------------------------------------------------------------------------------------------------
def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "extension"),
    [(pdf_bytes(), "pdf"), (jpeg_bytes(), "jpg"), (docx_bytes(), "docx")],
)
def test_attachments_are_typed_by_content_and_stored_under_a_random_name(world, content, extension):
    entry = _create(world)
    checked = services.attachment_check(_upload("张三 110101198005170011 材料.bin", content))
    attachment = services.attachment_add(origin(world, "grid_worker_a"), entry, checked)
    assert attachment.name == f"张三 *** 材料.{extension}"
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert "张三" not in attachment.file.name and "110101" not in stored
    assert len(stored) == 32 + 1 + len(extension)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.size == len(content)
    assert AuditEntry.objects.filter(object_type="diary.diaryattachment", object_id=str(attachment.pk)).exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00 not a document", "attachment_type"),
        (b"PK\x03\x04 broken zip", "attachment_type"),
        (b"", "attachment_empty"),
    ],
)
def test_attachments_of_other_types_are_refused(content, code):
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_check(_upload("report.pdf", content, "application/pdf"))
    assert refused.value.code == code


def test_an_attachment_over_10_mb_is_refused():
    big = pdf_bytes() + b"0" * services.MAX_ATTACHMENT_BYTES
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_check(_upload("big.pdf", big))
    assert refused.value.code == "attachment_too_large"


def test_only_the_author_attaches(world):
    entry = _create(world)
    checked = services.attachment_check(_upload("a.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):
        services.attachment_add(origin(world, "community_staff"), entry, checked)
    assert not DiaryAttachment.objects.exists()


def test_who_may_read_the_entry_downloads_its_attachment_and_others_get_404(world):
    entry = _create(world)
    checked = services.attachment_check(_upload("a.pdf", pdf_bytes()))
    attachment = services.attachment_add(origin(world, "grid_worker_a"), entry, checked)
    url = f"/files/diary/attachment/{attachment.pk}/"
    for persona in ("grid_worker_a", "street_leader", "community_staff"):
        response = world.client(persona).get(url)
        assert response.status_code == 200, persona
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    for persona in ("grid_worker_b", "dispatcher", "anonymous"):
        assert world.client(persona).get(url).status_code == 404, persona


def test_the_patrol_entry_states_its_check_ins(world):
    from fieldwork.models import CheckIn

    worker = world.user("grid_worker_a")
    started = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
    patrol = Patrol.objects.create(
        worker=worker, grid=world.grid_a, started_at=started, ended_at=started + dt.timedelta(hours=1)
    )
    CheckIn.objects.create(
        worker=worker,
        kind="point",
        grid=world.grid_a,
        lon=116.405,
        lat=39.91,
        accuracy=5,
        device_time=started + dt.timedelta(minutes=10),
        server_time=timezone.now(),
    )
    entry = services.entry_for_patrol(origin(world, "grid_worker_a"), patrol)
    assert "签到 1 次" in entry.content

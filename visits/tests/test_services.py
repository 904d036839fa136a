"""Recording visits through the services: scope, the sensitive mark, answers, due visits fulfilled, registry
changes linked, photos, the diary entry, the audit row, corrections and follow-ups into the case loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEntry
from cases.models import Case
from cases.photos import photo_check
from diary.models import DiaryEntry
from gridgov.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.testing import IN_A, jpeg, make_user
from registry.choices import ChangeKind, ChangeSource, ChangeStatus
from registry.models import RegistryChange
from visits.choices import DueStatus, VisitPurpose
from visits.models import DueVisit, Visit, VisitCase
from visits.services import FollowUpData, VisitData, VisitEdit, visit_follow_up, visit_record, visit_update
from visits.tests.conftest import VISITED_AT

P = VisitPurpose


def data(person_id=None, **fields) -> VisitData:
    return VisitData(
        purposes=fields.pop("purposes", [P.ELDERLY_ALONE]),
        visited_at=fields.pop("visited_at", VISITED_AT),
        person_id=person_id,
        findings=fields.pop("findings", "老人身体尚可，需要助餐服务"),
        **fields,
    )


def test_a_visit_is_recorded_with_its_subjects_grid_diary_and_audit(field):
    answers = {P.ELDERLY_ALONE: {"health": "fair", "needs": "助餐", "contact_reached": True}}
    visit = visit_record(field.origin(), data(field.elderly.pk, answers=answers, lon=IN_A[0], lat=IN_A[1], accuracy=12))
    assert visit.grid == field.world.grid_a and visit.worker == field.world.user("grid_worker_a")
    assert (visit.household_id, visit.house_id) == (field.elderly.household_id, field.elderly.house_id)
    assert visit.building_id == field.elderly.house.building_id
    assert (visit.lon, visit.lat, visit.accuracy) == (IN_A[0], IN_A[1], 12)
    assert visit.answers == answers and visit.sensitive is False
    entry = DiaryEntry.objects.get(source_visit=visit)
    assert entry.day == dt.date(2026, 1, 5) and entry.author == visit.worker and entry.content == visit.findings
    assert list(entry.persons.all()) == [field.elderly]
    audit = AuditEntry.objects.get(object_type="visits.visit", object_id=str(visit.pk))
    assert audit.action == "create" and audit.area_code == field.world.grid_a.code


def test_a_worker_of_grid_b_cannot_visit_a_person_of_grid_a(field):
    with pytest.raises(NotFound):
        visit_record(field.origin("grid_worker_b"), data(field.elderly.pk))
    with pytest.raises(NotFound):
        visit_record(field.origin("grid_worker_b"), data(grid_code=field.world.grid_a.code))
    assert not Visit.objects.exists() and not DiaryEntry.objects.exists()


def test_roles_without_the_permission_are_refused(field):
    with pytest.raises(PermissionDenied):
        visit_record(field.origin("street_leader"), data(field.elderly.pk))


@pytest.mark.parametrize(
    ("person", "purposes", "sensitive"),
    [
        ("elderly", [P.ELDERLY_ALONE], False),
        ("watched", [P.INFO_CHECK], True),  # an active sensitive tag
        ("elderly", [P.KEY_PERSON], True),  # a sensitive purpose
    ],
)
def test_the_sensitive_mark(field, person, purposes, sensitive):
    visit = visit_record(field.origin(), data(getattr(field, person).pk, purposes=purposes))
    assert visit.sensitive is sensitive
    assert DiaryEntry.objects.get(source_visit=visit).sensitive is sensitive


def test_an_ended_sensitive_tag_does_not_mark_the_visit(field):
    field.watched.tags.update(until=dt.date(2025, 12, 31))
    assert visit_record(field.origin(), data(field.watched.pk, purposes=[P.INFO_CHECK])).sensitive is False


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({P.DISABLED: {"health": "good"}}, "answer_purpose_not_chosen"),
        ({P.ELDERLY_ALONE: {"shoe_size": "42"}}, "answer_unknown_question"),
        ({P.ELDERLY_ALONE: {"health": "excellent"}}, "answer_invalid"),
        ({P.ELDERLY_ALONE: {"contact_reached": "yes"}}, "answer_invalid"),
        ({P.ELDERLY_ALONE: {"needs": 5}}, "answer_invalid"),
        ({P.ELDERLY_ALONE: "good"}, "answer_invalid"),
    ],
)
def test_answers_are_checked_against_the_purposes_questions(field, answers, code):
    with pytest.raises(ValidationFailed) as refused:
        visit_record(field.origin(), data(field.elderly.pk, answers=answers))
    assert refused.value.code == code
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"purposes": []}, "purposes_required"),
        ({"purposes": ["astrology"]}, "purpose_unknown"),
        ({"kind": "telepathy"}, "kind_unknown"),
        ({"lon": 116.4}, "location_incomplete"),
        ({"visited_at": dt.datetime(2026, 1, 5, 10)}, "time_without_offset"),
        ({"visited_at": dt.datetime(2099, 1, 5, 10, tzinfo=dt.UTC)}, "time_out_of_range"),
        ({"findings": "很" * 4001}, "findings_too_long"),
    ],
)
def test_bad_input_is_refused_with_a_code(field, fields, code):
    with pytest.raises(ValidationFailed) as refused:
        visit_record(field.origin(), data(field.elderly.pk, **fields))
    assert refused.value.code == code


def test_a_visit_needs_a_subject_or_a_grid_and_one_grid(field):
    with pytest.raises(ValidationFailed) as refused:
        visit_record(field.origin(), data())
    assert refused.value.code == "subject_required"
    with pytest.raises(ValidationFailed) as refused:
        visit_record(field.origin(), data(field.elderly.pk, grid_code=field.world.grid_b.code))
    assert refused.value.code == "grid_mismatch"
    community = field.origin("community_staff")
    with pytest.raises(ValidationFailed) as refused:
        visit_record(community, data(field.elderly.pk, place_id=None, household_id=field.other.household_id))
    assert refused.value.code == "subjects_in_different_grids"
    visit = visit_record(field.origin(), data(grid_code=field.world.grid_a.code, purposes=[P.POLICY]))
    assert visit.grid == field.world.grid_a and visit.person is None


def test_a_visit_fulfils_the_open_due_visits_of_its_person(field):
    later = DueVisit.objects.create(
        plan=field.due.plan,
        person=field.elderly,
        grid=field.world.grid_a,
        window_start=dt.date(2026, 1, 6),  # starts after the visit: stays open
        due_on=dt.date(2026, 1, 13),
        status=DueStatus.CANCELLED,
    )
    visit = visit_record(field.origin(), data(field.elderly.pk))
    field.due.refresh_from_db()
    assert (field.due.status, field.due.visit, field.due.done_on) == (DueStatus.DONE, visit, dt.date(2026, 1, 5))
    later.refresh_from_db()
    assert later.status == DueStatus.CANCELLED and later.visit is None


def test_a_due_visit_window_starting_after_the_visit_stays_open(field):
    DueVisit.objects.filter(pk=field.due.pk).update(window_start=dt.date(2026, 1, 6))
    visit_record(field.origin(), data(field.elderly.pk))
    assert DueVisit.objects.get(pk=field.due.pk).status == DueStatus.OPEN


def test_a_named_due_visit_brings_its_person_and_must_be_open(field):
    DueVisit.objects.filter(pk=field.due.pk).update(window_start=dt.date(2026, 1, 6))
    visit = visit_record(field.origin(), data(due_visit_id=field.due.pk))
    assert visit.person == field.elderly
    assert DueVisit.objects.get(pk=field.due.pk).visit == visit  # named: done even before its window
    with pytest.raises(Conflict):
        visit_record(field.origin(), data(due_visit_id=field.due.pk))
    with pytest.raises(NotFound):
        visit_record(field.origin("grid_worker_b"), data(due_visit_id=field.due.pk))


def test_pending_changes_of_the_same_subject_are_linked_only(field):
    def change(person, status=ChangeStatus.PENDING):
        return RegistryChange.objects.create(
            kind=ChangeKind.values[0],
            source=ChangeSource.values[0],
            status=status,
            grid=person.grid,
            person=person,
            proposer=field.world.user("grid_worker_a"),
        )

    mine, other, done = change(field.elderly), change(field.watched), change(field.elderly, ChangeStatus.APPLIED)
    visit = visit_record(field.origin(), data(field.elderly.pk, confirmed_change_ids=[mine.pk]))
    assert list(visit.registry_changes.all()) == [mine]
    assert RegistryChange.objects.get(pk=mine.pk).status == ChangeStatus.PENDING  # confirming is not ours
    for wrong in (other, done):
        with pytest.raises(ValidationFailed) as refused:
            visit_record(field.origin(), data(field.elderly.pk, confirmed_change_ids=[wrong.pk]))
        assert refused.value.code == "change_not_linkable"


def test_photos_are_stored_without_metadata_and_served_to_who_may_see_the_visit(field):
    photo = photo_check(jpeg())
    visit = visit_record(field.origin(), data(field.elderly.pk, photos=[photo]))
    stored = visit.photos.get()
    url = reverse("files:visit-photo", args=[stored.pk])
    answer = field.client("grid_worker_a").get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    for persona in ("grid_worker_b", "dispatcher", "department_handler"):
        assert field.client(persona).get(url).status_code == 404, persona
    watched = visit_record(field.origin(), data(field.watched.pk, purposes=[P.INFO_CHECK], photos=[photo]))
    hidden = reverse("files:visit-photo", args=[watched.photos.get().pk])
    assert field.client("grid_worker_a").get(hidden).status_code == 200  # the visit's own worker
    colleague = Client()
    colleague.force_login(make_user("worker_a2", Role.GRID_WORKER, [field.world.grid_a]))
    assert colleague.get(hidden).status_code == 404  # sensitive: another worker without the permission
    assert field.client("community_staff").get(hidden).status_code == 200


def test_its_worker_corrects_a_visit_and_the_diary_follows(field):
    visit = visit_record(field.origin(), data(field.elderly.pk))
    edit = VisitEdit(purposes=[P.ELDERLY_ALONE, P.KEY_PERSON], findings="情绪低落", answers={P.KEY_PERSON: {}})
    visit_update(field.origin(), visit, edit)
    visit.refresh_from_db()
    assert visit.sensitive and visit.findings == "情绪低落" and visit.answers == {}
    assert DiaryEntry.objects.get(source_visit=visit).content == "情绪低落"
    assert AuditEntry.objects.filter(object_type="visits.visit", action="update").count() == 1
    with pytest.raises(PermissionDenied):
        visit_update(field.origin("community_staff"), visit, VisitEdit(findings="改"))
    with pytest.raises(ValidationFailed):
        visit_update(
            field.origin(), visit, VisitEdit(purposes=[P.POLICY], answers={P.ELDERLY_ALONE: {"health": "good"}})
        )


def test_a_follow_up_makes_a_case_from_the_visit_with_the_link(field):
    visit = visit_record(field.origin(), data(field.elderly.pk, lon=IN_A[0], lat=IN_A[1]))
    case = visit_follow_up(
        field.origin(),
        visit,
        FollowUpData(category_id=field.category.pk, description="楼道堆放杂物", photos=[photo_check(jpeg())]),
    )
    assert case.source == "grid_worker" and case.grid == field.world.grid_a
    assert (case.longitude, case.latitude) == IN_A and case.photos.count() == 1
    assert VisitCase.objects.get(visit=visit).case == case
    assert case.reports.get().reported_by == field.world.user("grid_worker_a")


def test_a_follow_up_without_a_fix_goes_to_the_visits_grid_and_is_its_workers_alone(field):
    visit = visit_record(field.origin(), data(field.elderly.pk))
    case = visit_follow_up(field.origin(), visit, FollowUpData(category_id=None, description="需要助餐"))
    assert case.grid == field.world.grid_a and case.longitude is None
    with pytest.raises(PermissionDenied):
        visit_follow_up(field.origin("community_staff"), visit, FollowUpData(category_id=None, description="x"))
    with pytest.raises(ValidationFailed):
        visit_follow_up(field.origin(), visit, FollowUpData(category_id=None, description="  "))
    assert Case.objects.count() == 1 and VisitCase.objects.count() == 1

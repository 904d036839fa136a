"""Each rule of the case services (``cases/services/``) pinned by a test that fails when the rule changes: what a
report must hold and who may file it under which source, what intake writes, the refusals of each stage with their
codes, messages and fields, the fields each transition writes and the event that records it. Expected values are
written out here, not taken from the code under test."""

import datetime as dt

import h3
import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.coords import wgs84_to_gcj02
from audit.services import Origin
from cases import services
from cases.choices import CaseStatus, Light, Priority
from cases.deadlines import deadlines_sweep
from cases.models import Case, CaseCounter, CaseEvent, CasePhoto, Category, Report, Summons, WorkingHours
from cases.photos import photo_check
from cases.services import ReportData, report_submit
from cases.tests.conftest import photo
from cases.tests.test_lifecycle import assert_replays
from cases.worktime import calendar_forget
from gridgov import crypto
from gridgov.errors import Conflict, DomainError, NotFound, PermissionDenied, Unprocessable, ValidationFailed
from gridgov.testing import IN_A, IN_B, IN_C, jpeg, make_user
from gridgov.timesource import acting_at
from notifications.models import Notification
from registry.models import Component
from registry.tests.factories import PlaceFactory

GARBAGE = ("event", "0102")  # 暴露垃圾, a subclass of 市容环境


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def problems_of(error: DomainError) -> dict[str, str]:
    """``{field: message}`` of a refusal that lists its problems."""
    assert error.details is not None
    return {problem["field"]: problem["message"] for problem in error.details}


def report_data(desk, point=IN_A, **fields) -> ReportData:
    return ReportData(
        source=fields.pop("source", "grid_worker"),
        description=fields.pop("description", "路边有暴露垃圾"),
        longitude=point[0] if point else None,
        latitude=point[1] if point else None,
        category_id=fields.pop("category_id", desk.category.pk),
        **fields,
    )


def refused_report(desk, persona="grid_worker_a", **fields) -> dict[str, str]:
    origin = Origin(None, fields.pop("channel", "portal")) if persona is None else desk.origin(persona)
    with pytest.raises(ValidationFailed) as refused:
        report_submit(origin, report_data(desk, **fields))
    assert refused.value.code == "record_invalid"
    assert not Case.objects.exists() and not Report.objects.exists()
    return problems_of(refused.value)


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).latest("id")


def run_to_dispatched(desk) -> Case:
    case = desk.report()
    services.case_file(desk.origin("shift_leader"), case)
    return services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation)


# --- report_check: what a report must hold --------------------------------------------------------------------


def test_rule_an_unknown_source_is_named_in_the_refusal(desk):
    assert refused_report(desk, source="pigeon") == {"source": "未知的来源“pigeon”"}


def test_rule_an_anonymous_report_only_through_a_public_source(desk):
    assert refused_report(desk, None, source="grid_worker") == {"source": "该来源需要登录后上报"}
    case = report_submit(Origin(None, "portal"), report_data(desk, source="public_web")).case
    assert (case.source, case.reports.get().reported_by) == ("public_web", None)


def test_rule_a_command_may_report_under_any_source(desk):
    case = report_submit(Origin(None, "command"), report_data(desk, source="inspection")).case
    assert case.source == "inspection"


def test_rule_a_role_reports_only_under_its_own_sources(desk):
    problems = refused_report(desk, "grid_worker_a", source="hotline")
    assert problems == {"source": "您的角色不能以“12345热线”来源上报"}
    problems = refused_report(desk, "community_staff", source="grid_worker")  # a role with no source at all
    assert problems == {"source": "您的角色不能以“网格员巡查上报”来源上报"}
    case = desk.report("street_leader", source="leader")
    assert case.source == "leader"


def test_rule_a_superuser_reports_under_any_source_anywhere(desk):
    root = User.objects.create_superuser(username="root", password="test-password-1")
    case = report_submit(Origin(root, "api"), report_data(desk, IN_C, source="media")).case
    assert (case.source, case.grid) == ("media", desk.world.grid_c)


def test_rule_the_description_is_required_trimmed_and_at_most_2000_characters(desk):
    assert refused_report(desk, description="   ") == {"description": "请描述问题"}
    assert refused_report(desk, description="垃" * 2001) == {"description": "问题描述不能超过 2000 字"}
    case = desk.report(description="  " + "垃" * 2000 + "  ")
    assert case.description == "垃" * 2000 and case.reports.get().description == "垃" * 2000


def test_rule_the_lengths_of_address_key_and_media_link(desk):
    problems = refused_report(desk, address="路" * 201, idempotency_key="k" * 101, media_url="h" * 501)
    assert problems == {
        "address": "地址不能超过 200 字",
        "idempotency_key": "幂等键不能超过 100 个字符",
        "media_url": "图片链接不能超过 500 个字符",
    }
    case = desk.report(address="路" * 200, idempotency_key="k" * 100, media_url="https://example.org/" + "p" * 480)
    report = case.reports.get()
    assert (len(report.address), report.idempotency_key, len(report.media_url)) == (200, "k" * 100, 500)


def test_rule_priority_and_phone_must_be_known_forms(desk):
    assert refused_report(desk, priority="asap", reporter_phone="1380000") == {"priority": "未知的优先级"}
    assert refused_report(desk, reporter_phone="138-0000") == {"reporter_phone": "联系电话应为 7–15 位数字"}


def test_rule_a_category_must_be_an_active_subclass(desk):
    parent = desk.category.parent
    assert parent is not None
    assert refused_report(desk, category_id=parent.pk) == {"category": "类别不存在或已停用（请选择小类）"}
    Category.objects.filter(pk=desk.category.pk).update(is_active=False)
    assert refused_report(desk) == {"category": "类别不存在或已停用（请选择小类）"}


def test_rule_a_report_without_category_is_taken(desk):
    case = desk.report(category_id=None)
    assert case.category is None and case.reports.get().category is None


# --- report_check: where ---------------------------------------------------------------------------------------


def test_rule_a_location_outside_every_grid_is_refused(desk):
    assert refused_report(desk, point=(121.0, 31.0)) == {"location": "位置不在任何网格内，请核对位置"}


def test_rule_a_location_out_of_range_gives_the_locators_message(desk):
    assert refused_report(desk, point=(200.0, 39.91)) == {"location": "经度超出范围 [-180, 180]（第 1 个点）"}


def test_rule_longitude_and_latitude_come_together(desk):
    assert refused_report(desk, point=(IN_A[0], None)) == {"location": "经度和纬度需同时填写"}
    assert refused_report(desk, point=(None, IN_A[1])) == {"location": "经度和纬度需同时填写"}


def test_rule_without_any_location_the_report_is_refused(desk):
    assert refused_report(desk, point=None) == {"location": "请提供位置（经纬度）或所在网格"}


def test_rule_a_named_grid_must_match_the_location(desk):
    problems = refused_report(desk, grid_code=desk.world.grid_b.code)
    assert problems == {"grid_code": "所选网格与位置不符（位置在 110101001001001）"}
    case = desk.report(grid_code=desk.world.grid_a.code)
    assert case.grid == desk.world.grid_a


def test_rule_a_grid_alone_places_the_report_without_coordinates(desk):
    problems = refused_report(desk, point=None, grid_code="110101001001")  # a community, not a grid
    assert problems == {"grid_code": "网格编码“110101001001”不存在"}
    case = report_submit(desk.origin("grid_worker_a"), report_data(desk, None, grid_code="110101001001001")).case
    assert (case.grid, case.longitude, case.latitude, case.h3_cell) == (desk.world.grid_a, None, None, "")
    assert case.reports.get().datum == ""


def test_rule_a_point_in_another_datum_is_stored_in_wgs84(desk):
    gcj_lon, gcj_lat = wgs84_to_gcj02(IN_A[0], IN_A[1])
    case = desk.report(point=(float(gcj_lon), float(gcj_lat)), datum="gcj02")
    assert case.longitude == pytest.approx(IN_A[0], abs=1e-7) and case.latitude == pytest.approx(IN_A[1], abs=1e-7)
    assert case.grid == desk.world.grid_a and case.reports.get().datum == "gcj02"


def test_rule_an_empty_datum_means_wgs84(desk):
    case = desk.report(datum="")
    assert (case.longitude, case.latitude, case.grid) == (IN_A[0], IN_A[1], desk.world.grid_a)


def test_rule_a_field_worker_reports_only_inside_their_grids_other_roles_anywhere(desk):
    assert refused_report(desk, "grid_worker_a", point=IN_B) == {"location": "位置不在您负责的网格内"}
    case = desk.report("street_leader", point=IN_C, source="leader")  # street 1's leader, a case of street 2
    assert case.grid == desk.world.grid_c


def test_rule_an_unknown_component_code_is_named(desk):
    assert refused_report(desk, component_code="110101010100001") == {
        "component_code": "部件编码“110101010100001”不存在"
    }


def test_rule_a_place_given_with_the_report_is_linked(desk):
    place = PlaceFactory(grid=desk.world.grid_a)
    case = desk.report(place_id=place.pk)
    assert case.place == place


def test_rule_a_known_component_is_linked(desk):
    component = Component.objects.create(
        code="1101010101000001", category=desk.category, grid=desk.world.grid_a, lon=IN_A[0], lat=IN_A[1]
    )
    case = desk.report(component_code=component.code)
    assert case.component == component


# --- report_check: self-resolved -------------------------------------------------------------------------------


def test_rule_self_resolved_only_by_field_roles_with_both_photos_and_a_category(desk):
    problems = refused_report(
        desk, "street_leader", source="leader", self_resolved=True, after_photos=[photo()], category_id=None
    )
    assert problems == {
        "self_resolved": "只有网格员、网格长或监督员可以自处置上报",
        "photos": "自处置需同时上传处置前和处置后的照片",
        "category": "自处置需选择类别",
    }
    problems = refused_report(desk, self_resolved=True, before_photos=[photo()])
    assert problems == {"photos": "自处置需同时上传处置前和处置后的照片"}
    problems = refused_report(
        desk, None, source="public_web", self_resolved=True, before_photos=[photo()], after_photos=[photo()]
    )
    assert problems == {"self_resolved": "只有网格员、网格长或监督员可以自处置上报"}


def test_rule_a_superuser_may_report_self_resolved(desk):
    root = User.objects.create_superuser(username="root", password="test-password-1")
    data = report_data(desk, self_resolved=True, before_photos=[photo()], after_photos=[photo()])
    case = report_submit(Origin(root, "api"), data).case
    assert case.status == CaseStatus.SELF_RESOLVED


# --- intake: what a report writes ------------------------------------------------------------------------------


def test_rule_intake_writes_the_case_the_report_and_the_report_event(desk):
    at = local(2026, 11, 18, 9, 0)  # a Wednesday, inside working hours
    data = report_data(
        desk,
        source="grid_worker",
        description=" 井盖缺失 ",
        address="  东四北大街 1 号 ",
        reporter_name="  张" + "三" * 70,
        reporter_phone="13812345678",
        external_ref="r" * 70,
        media_url="https://example.org/a.jpg",
        follow_token_hash="f" * 64,
        submission_hash="s" * 64,
        notify_reporter=True,
        idempotency_key="  key-1 ",
        photos=[photo(), photo()],
    )
    with acting_at(at):
        result = report_submit(desk.origin("grid_worker_a"), data)
    case, report = result.case, result.report
    assert result.created
    case.refresh_from_db()
    assert case.number == "2026111800001"
    assert (case.status, case.source, case.category, case.priority, case.level) == (
        "reported",
        "grid_worker",
        desk.category,
        "normal",
        "community",
    )
    assert (case.description, case.address, case.grid) == ("井盖缺失", "东四北大街 1 号", desk.world.grid_a)
    assert (case.longitude, case.latitude) == IN_A
    assert case.h3_cell == h3.latlng_to_cell(IN_A[1], IN_A[0], 9)
    assert (case.component, case.place, case.created_at, case.updated_at, case.handled_at) == (None, None, at, at, None)
    assert (case.step, case.step_started_at, case.step_limit_minutes, case.light) == ("intake", at, 30, "green")
    assert case.due_at == local(2026, 11, 18, 9, 30) and case.version == 0

    report.refresh_from_db()
    assert (report.case, report.source, report.description, report.address) == (
        case,
        "grid_worker",
        "井盖缺失",
        "东四北大街 1 号",
    )
    assert (report.longitude, report.latitude, report.datum, report.category) == (*IN_A, "wgs84", desk.category)
    assert report.reporter_name == "张" + "三" * 63
    assert crypto.decrypt(report.reporter_phone) == "13812345678" and report.reporter_phone != "13812345678"
    assert report.reporter_phone_masked == "138******78"
    assert (report.reported_by, report.self_resolved, report.external_ref) == (
        desk.world.users["grid_worker_a"],
        False,
        "r" * 64,
    )
    assert (report.media_url, report.follow_token_hash, report.submission_hash) == (
        "https://example.org/a.jpg",
        "f" * 64,
        "s" * 64,
    )
    assert (report.notify_reporter, report.idempotency_key, report.created_at) == (True, "key-1", at)

    event = case.events.get()
    assert (event.action, event.at, event.from_status, event.to_status) == ("report", at, "", "reported")
    assert (event.actor, event.reason, event.channel) == (desk.world.users["grid_worker_a"], "井盖缺失", "api")
    assert event.payload["report"] == report.pk and event.payload["source"] == "grid_worker"
    assert event.payload["set"]["step"] == "intake" and "status" not in event.payload["set"]
    assert (
        list(event.photos.values_list("stage", "uploaded_by")) == [("report", desk.world.users["grid_worker_a"].pk)] * 2
    )
    assert_replays(case)


def test_rule_the_report_event_keeps_the_first_200_characters_of_the_description(desk):
    case = desk.report(description="问" * 300)
    assert case.events.get().reason == "问" * 200


def test_rule_notify_the_reporter_only_with_a_phone(desk):
    case = desk.report(notify_reporter=True)
    report = case.reports.get()
    assert (report.notify_reporter, report.reporter_phone, report.reporter_phone_masked) == (False, "", "")


def test_rule_a_category_urgent_by_default_makes_the_case_urgent(desk):
    Category.objects.filter(pk=desk.category.pk).update(default_priority="urgent")
    case = desk.report()
    assert (case.priority, case.natural_time, case.step_limit_minutes) == ("urgent", True, 10)
    assert desk.report(category_id=None, priority="urgent", priority_reason="有人受伤").priority == "urgent"
    assert desk.report(category_id=None).priority == "normal"


@pytest.mark.parametrize(("default", "chosen"), [("urgent", "normal"), ("normal", "urgent")])
def test_rule_a_priority_other_than_the_categorys_default_needs_a_reason(desk, default, chosen):
    Category.objects.filter(pk=desk.category.pk).update(default_priority=default)
    with pytest.raises(DomainError) as refused:
        desk.report(priority=chosen, priority_reason=" ")
    message = f"所选优先级“{Priority(chosen).label}”与类别默认的“{Priority(default).label}”不同，请填写理由"
    assert (refused.value.code, refused.value.status, refused.value.message) == (
        "priority_reason_required",
        422,
        message,
    )
    assert refused.value.details == [{"field": "priority_reason", "message": message}]
    assert not Case.objects.exists()
    with pytest.raises(DomainError) as refused:  # with other problems, every one at once
        desk.report(priority=chosen, description="")
    assert refused.value.code == "record_invalid"
    assert {problem["field"] for problem in refused.value.details} == {"description", "priority_reason"}
    case = desk.report(priority=chosen, priority_reason="  现场有积水  ")
    assert case.priority == chosen
    event = case.events.get()
    assert (event.priority_reason, event.priority_label) == ("现场有积水", Priority(chosen).label)
    assert desk.report(priority=default).events.get().priority_label == ""  # the default: nothing to explain


def test_rule_a_self_resolved_report_waits_for_its_check_at_grid_level(desk):
    at = local(2026, 11, 18, 9, 0)
    data = report_data(desk, self_resolved=True, before_photos=[photo()], after_photos=[photo(), photo()])
    with acting_at(at):
        case = report_submit(desk.origin("grid_worker_a"), data).case
    case.refresh_from_db()
    assert (case.status, case.level, case.step, case.handled_at, case.step_limit_minutes) == (
        "self_resolved",
        "grid",
        "check",
        at,
        120,
    )
    assert case.reports.get().self_resolved
    event = case.events.get()
    assert (event.action, event.to_status) == ("self_resolve", "self_resolved")
    stages = sorted(event.photos.values_list("stage", flat=True))
    assert stages == ["after", "after", "before"]
    assert_replays(case)


def test_rule_case_numbers_count_per_local_day(desk):
    late = dt.datetime(2026, 11, 18, 16, 30, tzinfo=dt.UTC)  # 00:30 on 19 November in Beijing
    with acting_at(late):
        first = desk.report()
        second = desk.report()
    assert (first.number, second.number) == ("2026111900001", "2026111900002")
    assert CaseCounter.objects.get(day=dt.date(2026, 11, 19)).last == 2
    assert services.case_number_next(local(2026, 11, 20, 12)) == "2026112000001"


def test_rule_a_retried_key_is_matched_after_trimming_and_writes_nothing(desk):
    first = report_submit(desk.origin("grid_worker_a"), report_data(desk, idempotency_key="k-9"))
    again = report_submit(desk.origin("grid_worker_a"), report_data(desk, idempotency_key=" k-9 "))
    assert (again.created, again.case, again.report) == (False, first.case, first.report)
    assert (Case.objects.count(), Report.objects.count(), CaseEvent.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize("change", [{"description": "x"}, {"reporter_phone": "13800001111"}, {"photos": "other"}])
def test_rule_a_retried_key_with_another_submission_is_refused(desk, change):
    report_submit(desk.origin("grid_worker_a"), report_data(desk, idempotency_key="k-9", photos=[photo()]))
    if change.get("photos"):
        change = {"photos": [photo_check(jpeg(color=(1, 2, 3)))]}
    other = report_data(desk, idempotency_key="k-9", **{"photos": [photo()], **change})
    with pytest.raises(Unprocessable) as refused:
        report_submit(desk.origin("grid_worker_a"), other)
    assert refused.value.code == "idempotency_key_reused"
    assert (Case.objects.count(), Report.objects.count(), CaseEvent.objects.count()) == (1, 1, 1)
    report = Report.objects.get()
    assert len(report.submission_hash) == 64 and "13800001111" not in report.submission_hash


def test_rule_an_anonymous_key_belongs_to_the_anonymous(desk):
    first = report_submit(Origin(None, "portal"), report_data(desk, source="public_web", idempotency_key="p-1"))
    again = report_submit(Origin(None, "portal"), report_data(desk, source="public_web", idempotency_key="p-1"))
    assert again.case == first.case and not again.created
    with pytest.raises(Conflict) as refused:
        report_submit(desk.origin("grid_worker_a"), report_data(desk, idempotency_key="p-1"))
    assert (refused.value.code, refused.value.message) == ("idempotency_key_reused", "该幂等键已被其他提交使用")


def test_rule_reports_without_a_key_are_each_a_case(desk):
    first, second = desk.report(idempotency_key="  "), desk.report()
    assert first != second
    assert list(Report.objects.values_list("idempotency_key", flat=True)) == [None, None]


# --- Acceptance, rejection, verification, merging -------------------------------------------------------------


def test_rule_accept_keeps_or_sets_the_category(desk):
    other = Category.objects.get(kind="event", code="0101")
    kept = services.case_accept(desk.origin("intake_clerk"), desk.report(), reason="受理")
    assert (kept.status, kept.category) == ("accepted", desk.category)
    assert (last_event(kept).reason, last_event(kept).action) == ("受理", "accept")
    changed = services.case_accept(desk.origin("intake_clerk"), desk.report(), category=other.pk)
    changed.refresh_from_db()
    assert changed.category == other
    assert_replays(changed)


def test_rule_a_category_given_to_a_transition_must_be_an_active_subclass(desk):
    case = desk.report()
    parent = desk.category.parent
    assert parent is not None
    for category in (parent.pk, 999999):
        with pytest.raises(ValidationFailed) as refused:
            services.case_accept(desk.origin("intake_clerk"), case, category=category)
        assert (refused.value.code, refused.value.message) == ("record_invalid", "类别不存在或已停用（请选择小类）")
        assert refused.value.details == [{"field": "category", "message": "类别不存在或已停用"}]
    inactive = Category.objects.get(kind="event", code="0101")
    Category.objects.filter(pk=inactive.pk).update(is_active=False)
    with pytest.raises(ValidationFailed):
        services.case_file(desk.origin("shift_leader"), case, category=inactive.pk)
    case.refresh_from_db()
    assert (case.status, case.category, case.version) == ("reported", desk.category, 0)


def test_rule_reject_needs_a_reason_and_stops_the_clock(desk):
    case = desk.report()
    with pytest.raises(ValidationFailed) as refused:
        services.case_reject(desk.origin("intake_clerk"), case, "  ")
    assert (refused.value.code, refused.value.message) == ("reason_required", "请填写理由")
    assert refused.value.details == [{"field": "reason", "message": "请填写理由"}]
    case = services.case_reject(desk.origin("intake_clerk"), case, "  不属于受理范围  ")
    assert (case.status, case.step, case.light, case.due_at, case.step_limit_minutes) == (
        "rejected",
        "",
        "none",
        None,
        None,
    )
    assert last_event(case).reason == "不属于受理范围"
    assert_replays(case)


def test_rule_a_required_reason_is_kept_to_2000_characters(desk):
    case = services.case_reject(desk.origin("intake_clerk"), desk.report(), "理" * 2500)
    assert last_event(case).reason == "理" * 2000


def test_rule_a_required_note_is_refused_under_its_own_field(desk):
    case = run_to_dispatched(desk)
    with pytest.raises(ValidationFailed) as refused:
        services.case_report_result(desk.origin("department_handler"), case, "")
    assert refused.value.code == "reason_required"
    assert refused.value.details == [{"field": "note", "message": "请填写理由"}]


def test_rule_verify_request_gives_the_case_to_a_field_worker_of_its_grid(desk):
    at = local(2026, 11, 18, 9, 0)
    with acting_at(at - dt.timedelta(minutes=10)):
        case = desk.report("intake_clerk", source="hotline")
    worker = desk.world.users["grid_worker_a"]
    with acting_at(at):
        case = services.case_verify_request(desk.origin("intake_clerk"), case, worker.pk, reason="请核实")
    case.refresh_from_db()
    assert (case.status, case.assignee, case.step, case.step_started_at, case.step_limit_minutes) == (
        "verifying",
        worker,
        "verify",
        at,
        60,
    )
    event = last_event(case)
    assert (event.reason, event.payload["worker"]) == ("请核实", worker.pk)
    assert_replays(case)


@pytest.mark.parametrize("persona", ["dispatcher", "grid_worker_b", "inactive"])
def test_rule_only_an_active_field_worker_covering_the_grid_can_be_given_a_task(desk, persona):
    case = desk.report("intake_clerk", source="hotline")
    if persona == "inactive":
        worker = make_user("gone", Role.GRID_WORKER, [desk.world.grid_a], is_active=False).pk
    else:
        worker = desk.world.users[persona].pk
    with pytest.raises(ValidationFailed) as refused:
        services.case_verify_request(desk.origin("intake_clerk"), case, worker)
    assert (refused.value.code, refused.value.message) == ("record_invalid", "请选择负责该网格的网格员、网格长或监督员")
    assert refused.value.details == [{"field": "worker", "message": "该人员不负责此网格"}]


def test_rule_field_workers_of_a_case_are_those_whose_own_areas_cover_its_grid(desk):
    case = desk.report()
    serving = Department.objects.create(code="WG", name="网格站", kind=DepartmentKind.OTHER, area=desk.world.grid_a)
    make_user("by_department", Role.GRID_WORKER, [], department=serving)  # covers grid A only through its department
    make_user("asleep", Role.GRID_WORKER, [desk.world.grid_a], is_active=False)
    assert [user.username for user in services.field_workers_of(case)] == ["grid_leader", "worker_a"]


def test_rule_verify_confirmed_restarts_intake_denied_rejects(desk):
    at = local(2026, 11, 18, 10, 0)
    worker = desk.origin("grid_worker_a")
    with acting_at(at - dt.timedelta(minutes=10)):
        case = desk.report("intake_clerk", source="hotline")
        services.case_verify_request(desk.origin("intake_clerk"), case, desk.world.users["grid_worker_a"])
    with pytest.raises(ValidationFailed) as refused:
        services.case_verify(worker, case, confirmed=True, note=" ")
    assert refused.value.details == [{"field": "note", "message": "请填写理由"}]
    with acting_at(at):
        case = services.case_verify(worker, case, confirmed=True, note="属实", photos=[photo()])
    case.refresh_from_db()
    assert (case.status, case.assignee, case.step, case.step_started_at, case.light) == (
        "accepted",
        None,
        "intake",
        at,
        "green",
    )
    event = last_event(case)
    assert (event.action, event.reason) == ("verify_confirm", "属实")
    assert list(event.photos.values_list("stage", flat=True)) == ["verify"]
    other = desk.report("intake_clerk", source="hotline")
    services.case_verify_request(desk.origin("intake_clerk"), other, desk.world.users["grid_worker_a"])
    other = services.case_verify(worker, other, confirmed=False, note="无此问题")
    other.refresh_from_db()
    assert (other.status, other.assignee, other.step, other.light, other.due_at) == ("rejected", None, "", "none", None)
    assert last_event(other).action == "verify_deny"
    assert_replays(case)
    assert_replays(other)


def test_rule_a_case_cannot_be_merged_into_itself(desk):
    case = desk.report()
    with pytest.raises(ValidationFailed) as refused:
        services.case_merge(desk.origin("intake_clerk"), case, Case.objects.get(pk=case.pk))
    assert (refused.value.code, refused.value.message) == ("merge_into_itself", "不能与自身合并")


def test_rule_merge_moves_every_report_and_records_both_sides(desk):
    main = desk.report()
    duplicate = desk.report("intake_clerk", source="hotline")
    services.case_support(Origin(None, "portal"), duplicate, ReportData(source="public_web", description="同样"))
    moved = sorted(duplicate.reports.values_list("pk", flat=True))
    merged = services.case_merge(desk.origin("intake_clerk"), duplicate, main, reason="同一问题")
    merged.refresh_from_db()
    assert (merged.status, merged.merged_into, merged.light, merged.step) == ("merged", main, "none", "")
    assert duplicate.reports.count() == 0 and main.reports.count() == 3
    merge = last_event(merged)
    assert (merge.action, merge.reason, merge.payload["main"]) == ("merge", "同一问题", main.number)
    absorb = last_event(main)
    assert (absorb.action, absorb.reason, absorb.from_status, absorb.to_status) == (
        "absorb",
        "同一问题",
        "reported",
        "reported",
    )
    assert absorb.payload["duplicate"] == merged.number and sorted(absorb.payload["reports"]) == moved
    main.refresh_from_db()
    assert main.status == "reported" and main.version == 1
    assert_replays(merged)
    assert_replays(main)


def test_rule_merge_target_refusal_names_the_rule(desk):
    target = services.case_reject(desk.origin("intake_clerk"), desk.report(), "不属实")
    with pytest.raises(Conflict) as refused:
        services.case_merge(desk.origin("intake_clerk"), desk.report(), target)
    assert (refused.value.code, refused.value.message) == ("merge_target_closed", "主案卷已合并、作废或不予立案")


# --- Support (附议) --------------------------------------------------------------------------------------------


def test_rule_support_adds_a_report_to_the_case_and_counts_the_supporter(desk):
    case = desk.report()
    data = ReportData(
        source="public_web",
        description="  我家门口也是  ",
        reporter_phone="13912345678",
        follow_token_hash="t" * 64,
        notify_reporter=True,
    )
    result = services.case_support(Origin(None, "portal"), case, data)
    assert not result.created and result.case.pk == case.pk
    case.refresh_from_db()
    assert (case.supporters, case.status, case.version) == (1, "reported", 1)
    report = result.report
    report.refresh_from_db()
    assert (report.case, report.source, report.description, report.follow_token_hash) == (
        case,
        "public_web",
        "我家门口也是",
        "t" * 64,
    )
    assert crypto.decrypt(report.reporter_phone) == "13912345678" and report.reporter_phone_masked == "139******78"
    assert report.notify_reporter and report.created_at == case.updated_at and report.reported_by is None
    event = last_event(case)
    assert (event.action, event.actor, event.channel, event.payload["source"]) == (
        "support",
        None,
        "portal",
        "public_web",
    )
    assert event.payload["set"] == {}
    services.case_support(Origin(None, "open311"), case, ReportData(source="open311", description=""))
    case.refresh_from_db()
    assert case.supporters == 2
    latest = case.reports.latest("id")
    assert (latest.description, latest.reporter_phone, latest.notify_reporter) == ("我也遇到了这个问题", "", False)


def test_rule_support_keeps_2000_characters_of_the_description(desk):
    case = desk.report()
    result = services.case_support(Origin(None, "portal"), case, ReportData(source="hotline", description="支" * 2100))
    assert result.report.description == "支" * 2000


def test_rule_support_only_through_a_public_source_and_with_a_valid_phone(desk):
    case = desk.report()
    with pytest.raises(ValidationFailed) as refused:
        services.case_support(Origin(None, "portal"), case, ReportData(source="grid_worker", description="x"))
    assert (refused.value.code, refused.value.message) == ("record_invalid", "只有公众渠道可以附议")
    with pytest.raises(ValidationFailed) as refused:
        services.case_support(
            Origin(None, "portal"), case, ReportData(source="public_web", description="x", reporter_phone="12")
        )
    assert refused.value.code == "record_invalid"
    assert refused.value.details == [{"field": "reporter_phone", "message": "联系电话应为 7–15 位数字"}]
    case.refresh_from_db()
    assert (case.supporters, case.reports.count()) == (0, 1)


def test_rule_support_of_an_ended_case_is_refused(desk):
    case = services.case_reject(desk.origin("intake_clerk"), desk.report(), "不属实")
    with pytest.raises(Conflict) as refused:
        services.case_support(Origin(None, "portal"), case, ReportData(source="public_web", description="x"))
    assert refused.value.code == "invalid_transition"
    assert case.reports.count() == 1


# --- transition_apply -------------------------------------------------------------------------------------------


def test_rule_a_missing_case_is_not_found(desk):
    with pytest.raises(NotFound) as refused:
        services.case_urge(desk.origin("dispatcher"), 999999)
    assert (refused.value.code, refused.value.message) == ("case_not_found", "案卷不存在")


def test_rule_a_stale_version_is_refused_with_the_current_one(desk):
    case = desk.report()
    services.case_accept(desk.origin("intake_clerk"), case, version=0)
    with pytest.raises(Conflict) as refused:
        services.case_file(desk.origin("shift_leader"), case, version=0)
    assert (refused.value.code, refused.value.message) == ("case_changed", "案卷已被他人更新，请刷新后重试")
    assert refused.value.details == [{"field": "version", "message": "1"}]
    case = services.case_file(desk.origin("shift_leader"), case, version=1)
    assert case.status == "filed"


def test_rule_each_transition_adds_one_to_the_version_and_records_who_when_and_how(desk):
    case = run_to_dispatched(desk)
    at = case.updated_at + dt.timedelta(minutes=5)
    with acting_at(at):
        services.case_urge(Origin(desk.world.users["street_leader"], "page"), case, "请尽快")
    case.refresh_from_db()
    assert (case.version, case.updated_at, case.urge_count, case.status) == (3, at, 1, "dispatched")
    event = last_event(case)
    assert (event.action, event.at, event.actor, event.channel, event.reason) == (
        "urge",
        at,
        desk.world.users["street_leader"],
        "page",
        "请尽快",
    )
    assert (event.from_status, event.to_status, event.payload) == (
        "dispatched",
        "dispatched",
        {"set": {"urge_count": 1}},
    )


def test_rule_filing_needs_a_category_and_a_refusal_in_the_change_writes_nothing(desk):
    case = desk.report(category_id=None)
    with pytest.raises(ValidationFailed) as refused:
        services.case_file(desk.origin("shift_leader"), case)
    assert (refused.value.code, refused.value.message) == ("category_required", "立案前请选择类别")
    assert refused.value.details == [{"field": "category", "message": "立案前请选择类别"}]
    case.refresh_from_db()
    assert (case.status, case.version, case.category, case.filed_at, case.step) == ("reported", 0, None, None, "intake")
    assert case.events.count() == 1


def _at_level(case: Case, level: str) -> Case:
    Case.objects.filter(pk=case.pk).update(level=level)
    case.refresh_from_db()
    return case


def test_rule_event_build_refuses_an_undeclared_action(desk):
    with pytest.raises(ValueError, match="undeclared case action 'teleport'"):
        services.event_build(1, "teleport", timezone.now(), from_status="", to_status="", payload={})


# --- Filing ----------------------------------------------------------------------------------------------------


def test_rule_filing_sets_what_it_is_given_and_starts_the_dispatch_clock(desk):
    at = local(2026, 11, 18, 9, 0)
    other = Category.objects.get(kind="event", code="0101")
    with acting_at(at - dt.timedelta(minutes=5)):
        case = desk.report()
    with acting_at(at):
        case = services.case_file(
            desk.origin("shift_leader"),
            case,
            category=other.pk,
            priority="urgent",
            priority_reason="临街，影响通行",
            level="street",
            reason="立案",
        )
    case.refresh_from_db()
    assert (case.status, case.category, case.priority, case.level, case.filed_at) == (
        "filed",
        other,
        "urgent",
        "street",
        at,
    )
    assert (case.step, case.step_started_at, case.step_limit_minutes, case.natural_time) == ("dispatch", at, 10, True)
    assert case.due_at == at + dt.timedelta(minutes=10)
    assert (last_event(case).reason, last_event(case).priority_reason) == ("立案", "临街，影响通行")
    assert_replays(case)


def test_rule_filing_without_choices_keeps_the_reported_ones(desk):
    at = local(2026, 11, 18, 9, 0)
    with acting_at(at - dt.timedelta(minutes=5)):
        case = desk.report(priority="normal")
    with acting_at(at):
        case = services.case_file(desk.origin("shift_leader"), case)
    case.refresh_from_db()
    assert (case.category, case.priority, case.level, case.step_limit_minutes) == (
        desk.category,
        "normal",
        "community",
        30,
    )
    assert case.due_at == local(2026, 11, 18, 9, 30)


def test_rule_filing_into_an_urgent_category_makes_the_case_urgent_unless_another_is_chosen_with_a_reason(desk):
    urgent = Category.objects.get(kind="event", code="0101")
    Category.objects.filter(pk=urgent.pk).update(default_priority="urgent")
    case = services.case_file(desk.origin("shift_leader"), desk.report(), category=urgent.pk)
    assert (case.priority, last_event(case).payload["set"]["priority"], last_event(case).priority_label) == (
        "urgent",
        "urgent",
        "紧急",
    )
    reported = desk.report()
    with pytest.raises(DomainError) as refused:
        services.case_file(desk.origin("shift_leader"), reported, category=urgent.pk, priority="normal")
    assert refused.value.code == "priority_reason_required"
    assert Case.objects.get(pk=reported.pk).status == "reported"
    chosen = services.case_file(
        desk.origin("shift_leader"), reported, category=urgent.pk, priority="normal", priority_reason="不影响通行"
    )
    assert (chosen.priority, last_event(chosen).priority_reason) == ("normal", "不影响通行")


def test_rule_a_priority_chosen_with_its_reason_is_kept_without_a_new_one(desk):
    Category.objects.filter(pk=desk.category.pk).update(default_priority="urgent")
    case = desk.report(priority="normal", priority_reason="已围挡")
    case = services.case_accept(desk.origin("intake_clerk"), case, category=desk.category.pk, priority="normal")
    case = services.case_file(desk.origin("shift_leader"), case)
    assert case.priority == "normal" and "priority" not in last_event(case).payload["set"]
    other = Category.objects.get(kind="event", code="0101")  # 一般 by default: a new category brings its default
    case = services.case_file(desk.origin("shift_leader"), desk.report(priority="urgent", priority_reason="塌陷"),
                              category=other.pk)  # fmt: skip
    assert case.priority == "normal" and last_event(case).priority_label == "一般"


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [({"priority": "asap"}, "priority", "未知的优先级"), ({"level": "planet"}, "level", "未知的层级")],
)
def test_rule_filing_refuses_unknown_priority_and_level(desk, given, field, message):
    case = desk.report()
    with pytest.raises(ValidationFailed) as refused:
        services.case_file(desk.origin("shift_leader"), case, **given)
    assert (refused.value.code, refused.value.message) == ("record_invalid", message)
    assert refused.value.details == [{"field": field, "message": message}]
    assert Case.objects.get(pk=case.pk).status == "reported"


# --- Dispatch ---------------------------------------------------------------------------------------------------


def test_rule_dispatch_gives_one_main_department_and_distinct_co_handlers(desk):
    at = local(2026, 11, 18, 9, 0)
    with acting_at(at - dt.timedelta(minutes=5)):
        case = services.case_file(desk.origin("shift_leader"), desk.report())
    third = Department.objects.create(code="SZ", name="市政所", kind=DepartmentKind.MUNICIPAL)
    with acting_at(at):
        case = services.case_dispatch(
            desk.origin("dispatcher"),
            case,
            desk.sanitation.pk,
            assists=[desk.enforcement, desk.enforcement.pk, desk.sanitation, third],
            handle_minutes=90,
            reason="按职责派遣",
        )
    case.refresh_from_db()
    assert (case.status, case.main_department, case.dispatched_at, case.step, case.step_limit_minutes) == (
        "dispatched",
        desk.sanitation,
        at,
        "handle",
        90,
    )
    assert case.due_at == case.handle_due_at == at + dt.timedelta(minutes=90)  # 09:00–10:30 are working minutes
    assignments = sorted(case.assignments.values_list("department__code", "role", "is_active", "assigned_at"))
    assert assignments == [("CG", "assist", True, at), ("HW", "main", True, at), ("SZ", "assist", True, at)]
    event = last_event(case)
    assert event.payload["department"] == desk.sanitation.pk
    assert event.payload["assists"] == [desk.enforcement.pk, third.pk]
    assert event.reason == "按职责派遣"
    assert_replays(case)


def test_rule_a_new_dispatch_ends_the_earlier_assignments(desk):
    case = run_to_dispatched(desk)
    request = services.case_request_open(desk.origin("department_handler"), case, "return", "不归我们")
    case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert not case.assignments.filter(is_active=True).exists()
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.enforcement, assists=[desk.sanitation])
    active = sorted(case.assignments.filter(is_active=True).values_list("department__code", "role"))
    assert active == [("CG", "main"), ("HW", "assist")]
    assert case.assignments.filter(is_active=False).count() == 1


@pytest.mark.parametrize("minutes", [1, 60 * 24 * 365])
def test_rule_a_handling_limit_from_one_minute_to_a_year_is_taken(desk, minutes):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation, handle_minutes=minutes)
    assert case.step_limit_minutes == minutes


@pytest.mark.parametrize("minutes", [0, 60 * 24 * 365 + 1])
def test_rule_a_handling_limit_outside_a_minute_to_a_year_is_refused(desk, minutes):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    with pytest.raises(ValidationFailed) as refused:
        services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation, handle_minutes=minutes)
    assert (refused.value.code, refused.value.message) == ("record_invalid", "处置时限无效")
    assert refused.value.details == [{"field": "handle_minutes", "message": "处置时限无效"}]


def test_rule_dispatch_only_to_active_departments_each_named_by_its_field(desk):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    closed = Department.objects.create(code="OLD", name="旧部门", kind=DepartmentKind.OTHER, is_active=False)
    for department, assists, field in [
        (closed, [], "department"),
        (999999, [], "department"),
        (desk.sanitation, [closed.pk], "assists"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            services.case_dispatch(desk.origin("dispatcher"), case, department, assists=assists)
        assert (refused.value.code, refused.value.message) == ("record_invalid", "部门不存在或已停用")
        assert refused.value.details == [{"field": field, "message": "部门不存在或已停用"}]
    assert Case.objects.get(pk=case.pk).status == "filed"


# --- Handling ---------------------------------------------------------------------------------------------------


def test_rule_accepting_the_task_marks_the_main_assignment_only(desk):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation, assists=[desk.enforcement])
    at = case.dispatched_at + dt.timedelta(minutes=3)
    with acting_at(at):
        case = services.case_accept_task(desk.origin("department_handler"), case)
    assert case.status == "handling"
    accepted = dict(case.assignments.values_list("role", "accepted_at"))
    assert accepted == {"main": at, "assist": None}


def test_rule_report_result_records_the_handling_and_starts_the_check_clock(desk):
    Category.objects.filter(pk=desk.category.pk).update(check_by_rule=False)  # the check waits for the dispatcher
    at = local(2026, 11, 18, 9, 0)
    with acting_at(at - dt.timedelta(minutes=30)):
        case = run_to_dispatched(desk)
    with acting_at(at):
        case = services.case_report_result(desk.origin("department_handler"), case, "已清运", photos=[photo()])
    case.refresh_from_db()
    assert (case.status, case.handled_at, case.step, case.step_started_at, case.step_limit_minutes) == (
        "handled",
        at,
        "check",
        at,
        120,
    )
    assert case.due_at == local(2026, 11, 18, 11, 0) and case.handle_due_at is not None
    event = last_event(case)
    assert (event.action, event.reason) == ("report_result", "已清运")
    assert list(event.photos.values_list("stage", flat=True)) == ["after"]
    assert_replays(case)


def test_rule_photos_are_added_with_their_stage_and_keep_the_state(desk):
    case = run_to_dispatched(desk)
    handler = desk.origin("department_handler")
    case = services.case_photos_add(handler, case, "before", [photo(), photo()])
    assert case.status == "dispatched" and case.version == 3
    event = last_event(case)
    assert (event.action, event.payload, event.from_status, event.to_status) == (
        "photo_add",
        {"set": {}, "stage": "before", "count": 2},
        "dispatched",
        "dispatched",
    )
    stored = list(CasePhoto.objects.filter(event=event).values_list("stage", "uploaded_by"))
    assert stored == [("before", desk.world.users["department_handler"].pk)] * 2


@pytest.mark.parametrize(("stage", "count"), [("sideways", 1), ("before", 0)])
def test_rule_photos_need_a_known_stage_and_at_least_one_photo(desk, stage, count):
    case = run_to_dispatched(desk)
    with pytest.raises(ValidationFailed) as refused:
        services.case_photos_add(desk.origin("department_handler"), case, stage, [photo()] * count)
    assert (refused.value.code, refused.value.message) == ("record_invalid", "请选择照片和阶段")
    assert refused.value.details == [{"field": "photos", "message": "请选择照片"}]
    assert CaseEvent.objects.filter(action="photo_add").count() == 0


# --- Check, close, evaluate -------------------------------------------------------------------------------------


def run_to_handled(desk) -> Case:
    """处置反馈 in a category that leaves the check to the dispatcher (派发核查)."""
    Category.objects.filter(pk=desk.category.pk).update(check_by_rule=False)
    case = run_to_dispatched(desk)
    return services.case_report_result(desk.origin("department_handler"), case, "已处理")


def run_to_checking(desk) -> Case:
    """处置反馈: the check goes to grid A's worker by rule."""
    case = run_to_dispatched(desk)
    return services.case_report_result(desk.origin("department_handler"), case, "已处理")


def test_rule_check_request_gives_the_case_to_a_field_worker(desk):
    case = run_to_handled(desk)
    worker = desk.world.users["grid_leader"]
    with pytest.raises(ValidationFailed):
        services.case_check_request(desk.origin("dispatcher"), case, desk.world.users["grid_worker_b"])
    with pytest.raises(Conflict):
        services.case_check_request(desk.origin("dispatcher"), case, worker, version=case.version - 1)
    case = services.case_check_request(
        desk.origin("dispatcher"), case, worker.pk, reason="请核查", version=case.version
    )
    case.refresh_from_db()
    assert (case.status, case.assignee, case.step) == ("checking", worker, "check")
    event = last_event(case)
    assert (event.reason, event.payload["worker"]) == ("请核查", worker.pk)
    assert_replays(case)


def test_rule_a_passed_check_waits_for_closing(desk):
    at = local(2026, 11, 18, 14, 0)
    with acting_at(at - dt.timedelta(minutes=30)):
        case = run_to_checking(desk)
    with acting_at(at):
        case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查", photos=[photo()])
    case.refresh_from_db()
    assert (case.status, case.assignee, case.step, case.step_started_at, case.step_limit_minutes) == (
        "checked",
        None,
        "close",
        at,
        30,
    )
    assert case.due_at == local(2026, 11, 18, 14, 30)
    event = last_event(case)
    assert (event.action, event.reason) == ("check_pass", "已核查")
    assert list(event.photos.values_list("stage", flat=True)) == ["check"]


def test_rule_a_failed_check_is_rework_with_a_new_handling_clock(desk):
    at = local(2026, 11, 18, 14, 0)
    with acting_at(at - dt.timedelta(minutes=30)):
        case = run_to_checking(desk)
    with acting_at(at):
        case = services.case_check(desk.origin("grid_worker_a"), case, passed=False, note="仍有垃圾")
    case.refresh_from_db()
    assert (case.status, case.assignee, case.rework_count, case.dispatched_at, case.step) == (
        "dispatched",
        None,
        1,
        at,
        "handle",
    )
    assert (case.step_started_at, case.step_limit_minutes, case.main_department) == (at, 240, desk.sanitation)
    assert case.handle_due_at == case.due_at == local(2026, 11, 19, 9, 0)  # 3 h 30 today, 30 min from 08:30
    assert last_event(case).action == "rework"
    assert_replays(case)


def test_rule_a_self_resolved_case_failing_its_check_cannot_go_back(desk):
    case = desk.report(self_resolved=True, before_photos=[photo()], after_photos=[photo()])
    case = services.case_check_request(desk.origin("dispatcher"), case, desk.world.users["grid_worker_a"])
    with pytest.raises(Conflict) as refused:
        services.case_check(desk.origin("grid_worker_a"), case, passed=False, note="不合格")
    assert (refused.value.code, refused.value.message) == (
        "rework_without_department",
        "自处置案卷核查未通过，请作废后重新上报",
    )
    assert Case.objects.get(pk=case.pk).status == "checking"


def run_to_closed(desk) -> Case:
    case = run_to_checking(desk)
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查")
    return services.case_close(desk.origin("shift_leader"), case)


def test_rule_closing_records_the_instant_and_stops_the_clock(desk):
    case = run_to_checking(desk)
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查")
    at = case.updated_at + dt.timedelta(minutes=7)
    with pytest.raises(Conflict):
        services.case_close(desk.origin("shift_leader"), case, version=case.version - 1)
    with acting_at(at):
        case = services.case_close(desk.origin("shift_leader"), case, reason="办结", version=case.version)
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.step, case.light, case.due_at) == ("closed", at, "", "none", None)
    assert last_event(case).reason == "办结"
    assert_replays(case)


def test_rule_a_rating_must_be_known(desk):
    case = run_to_closed(desk)
    with pytest.raises(ValidationFailed) as refused:
        services.case_evaluate(desk.origin("intake_clerk"), case, "great")
    assert (refused.value.code, refused.value.message) == ("record_invalid", "评价只能是满意、基本满意或不满意")
    assert refused.value.details == [{"field": "rating", "message": "未知的评价"}]


def test_rule_the_reporter_and_the_system_may_evaluate_other_field_workers_may_not(desk):
    case = run_to_closed(desk)
    intruder = make_user("worker_a2", Role.GRID_WORKER, [desk.world.grid_a])
    with pytest.raises(DomainError) as refused:
        services.case_evaluate(Origin(intruder, "api"), case, "satisfied")
    assert refused.value.code == "not_permitted"
    case = services.case_evaluate(desk.origin("grid_worker_a"), case, "satisfied", comment="好" * 2100, channel="app")
    assert (case.status, case.rating) == ("evaluated", "satisfied")
    event = last_event(case)
    assert (event.reason, event.payload["channel"], event.actor) == (
        "好" * 2000,
        "app",
        desk.world.users["grid_worker_a"],
    )
    other = run_to_closed(desk)
    other = services.case_evaluate(Origin(None, "hotline"), other, "basically_satisfied", channel="callback")
    assert (other.status, other.rating) == ("evaluated", "basically_satisfied")


def test_rule_unsatisfied_reopens_to_the_same_department_by_the_system(desk):
    case = run_to_closed(desk)
    at = case.updated_at + dt.timedelta(minutes=5)
    with acting_at(at):
        case = services.case_evaluate(desk.origin("intake_clerk"), case, "unsatisfied", channel="callback")
    case.refresh_from_db()
    assert (case.status, case.rating, case.rework_count, case.closed_at, case.dispatched_at, case.step) == (
        "dispatched",
        "unsatisfied",
        1,
        None,
        at,
        "handle",
    )
    assert (case.main_department, case.step_started_at, case.step_limit_minutes) == (desk.sanitation, at, 240)
    assert case.handle_due_at == case.due_at and case.due_at > at
    reopen = last_event(case)
    assert (reopen.action, reopen.actor, reopen.channel, reopen.reason) == (
        "reopen",
        None,
        "system",
        "评价不满意，按规则重办",
    )
    assert_replays(case)


def test_rule_unsatisfied_without_reopening_by_setting_or_without_a_department(desk, settings):
    case = desk.report(self_resolved=True, before_photos=[photo()], after_photos=[photo()])
    case = services.case_check_request(desk.origin("dispatcher"), case, desk.world.users["grid_worker_a"])
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查")
    case = services.case_close(desk.origin("shift_leader"), case)
    case = services.case_evaluate(desk.origin("intake_clerk"), case, "unsatisfied")
    assert (case.status, case.rework_count) == ("evaluated", 0)
    settings.CASE_REOPEN_ON_UNSATISFIED = False
    other = services.case_evaluate(desk.origin("intake_clerk"), run_to_closed(desk), "unsatisfied")
    assert (other.status, other.rework_count) == ("evaluated", 0)
    assert not CaseEvent.objects.filter(action="reopen").exists()


def test_rule_only_unsatisfied_reopens(desk):
    case = services.case_evaluate(desk.origin("intake_clerk"), run_to_closed(desk), "basically_satisfied")
    assert (case.status, case.rework_count) == ("evaluated", 0)


# --- Requests: extension, return, suspension, void ---------------------------------------------------------------


def test_rule_a_request_records_who_asked_why_and_for_how_long(desk):
    at = local(2026, 11, 18, 10, 0)
    with acting_at(at - dt.timedelta(minutes=60)):
        case = run_to_dispatched(desk)
    with acting_at(at):
        request = services.case_request_open(
            desk.origin("department_handler"), case, "extend", "需要购买配件", extra_minutes=120, version=2
        )
    request.refresh_from_db()
    handler = desk.world.users["department_handler"]
    assert (request.case_id, request.kind, request.status, request.requested_by, request.reason) == (
        case.pk,
        "extend",
        "pending",
        handler,
        "需要购买配件",
    )
    assert (request.requested_at, request.department, request.extra_minutes) == (at, desk.sanitation, 120)
    event = last_event(case)
    assert (event.action, event.reason, event.payload) == (
        "request_open",
        "需要购买配件",
        {"set": {}, "kind": "extend", "extra_minutes": 120},
    )
    assert Case.objects.get(pk=case.pk).status == "dispatched"


def test_rule_only_an_extension_keeps_its_minutes_and_void_is_its_own_action(desk):
    case = run_to_dispatched(desk)
    request = services.case_request_open(
        desk.origin("department_handler"), case, "suspend", "等待审批", extra_minutes=60
    )
    assert request.extra_minutes is None
    services.case_request_decide(desk.origin("dispatcher"), request, approve=False, note="不同意")
    void = services.case_request_open(desk.origin("intake_clerk"), case, "void", "重复上报")
    clerk = desk.world.users["intake_clerk"]
    assert (void.kind, void.department, last_event(case).action) == ("void", clerk.department, "request_void")
    assert void.department is not None and void.department.code == "CC"


def test_rule_a_request_needs_a_reason_and_a_known_kind(desk):
    case = run_to_dispatched(desk)
    handler = desk.origin("department_handler")
    with pytest.raises(ValidationFailed) as refused:
        services.case_request_open(handler, case, "extend", " ", extra_minutes=60)
    assert refused.value.details == [{"field": "reason", "message": "请填写理由"}]
    with pytest.raises(ValidationFailed) as refused:
        services.case_request_open(handler, case, "holiday", "休假")
    assert (refused.value.code, refused.value.message) == ("record_invalid", "未知的申请类型")
    assert refused.value.details == [{"field": "kind", "message": "未知的申请类型"}]


@pytest.mark.parametrize("minutes", [None, 0, 60 * 24 * 60 + 1])
def test_rule_an_extension_asks_for_one_minute_to_sixty_days(desk, minutes):
    case = run_to_dispatched(desk)
    with pytest.raises(ValidationFailed) as refused:
        services.case_request_open(desk.origin("department_handler"), case, "extend", "延期", extra_minutes=minutes)
    assert (refused.value.code, refused.value.message) == ("record_invalid", "请填写申请延长的时间")
    assert refused.value.details == [{"field": "extra_minutes", "message": "请填写申请延长的时间"}]


@pytest.mark.parametrize("minutes", [1, 60 * 24 * 60])
def test_rule_an_extension_of_one_minute_or_sixty_days_is_taken(desk, minutes):
    case = run_to_dispatched(desk)
    request = services.case_request_open(
        desk.origin("department_handler"), case, "extend", "延期", extra_minutes=minutes
    )
    assert request.extra_minutes == minutes


def test_rule_an_extension_is_too_late_once_the_step_is_due_or_red(desk):
    case = run_to_dispatched(desk)
    handler = desk.origin("department_handler")
    with acting_at(case.due_at), pytest.raises(Conflict) as refused:
        services.case_request_open(handler, case, "extend", "延期", extra_minutes=60)
    assert (refused.value.code, refused.value.message) == ("extension_too_late", "已超时，不能再申请延期")
    with acting_at(case.due_at - dt.timedelta(seconds=1)):
        request = services.case_request_open(handler, case, "extend", "延期", extra_minutes=60)
    services.case_request_decide(desk.origin("dispatcher"), request, approve=False, note="不同意")
    Case.objects.filter(pk=case.pk).update(light=Light.RED)
    with pytest.raises(Conflict) as refused:
        services.case_request_open(handler, case, "extend", "延期", extra_minutes=60)
    assert refused.value.code == "extension_too_late"
    request = services.case_request_open(handler, case, "suspend", "等待")  # only an extension is too late
    assert request.kind == "suspend"


def test_rule_one_pending_request_per_case(desk):
    other = run_to_dispatched(desk)
    services.case_request_open(desk.origin("department_handler"), other, "suspend", "等待")  # another case's
    case = run_to_dispatched(desk)
    services.case_request_open(desk.origin("department_handler"), case, "return", "不归我们")
    with pytest.raises(Conflict) as refused:
        services.case_request_open(desk.origin("intake_clerk"), case, "void", "重复")
    assert (refused.value.code, refused.value.message) == ("request_pending", "该案卷已有待审批的申请")


def test_rule_a_refusal_needs_a_note_and_records_the_decision(desk):
    other = run_to_dispatched(desk)
    waiting = services.case_request_open(desk.origin("department_handler"), other, "suspend", "等待")
    case = run_to_dispatched(desk)
    request = services.case_request_open(desk.origin("department_handler"), case, "return", "不归我们")
    with pytest.raises(ValidationFailed) as refused:
        services.case_request_decide(desk.origin("dispatcher"), request, approve=False, note="")
    assert refused.value.details == [{"field": "note", "message": "请填写理由"}]
    at = case.updated_at + dt.timedelta(minutes=4)
    with acting_at(at):
        refused_case = services.case_request_decide(desk.origin("dispatcher"), request, approve=False, note="请继续")
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at, request.decision_note) == (
        "refused",
        desk.world.users["dispatcher"],
        at,
        "请继续",
    )
    assert refused_case.status == "dispatched"
    event = last_event(case)
    assert (event.action, event.reason, event.payload) == (
        "request_refuse",
        "请继续",
        {"set": {}, "request": request.pk, "kind": "return"},
    )
    with pytest.raises(Conflict) as again:
        services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert (again.value.code, again.value.message) == ("request_decided", "该申请已经审批过")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_at) == ("pending", None)  # another case's request is left alone


def test_rule_an_approved_extension_grows_the_limit_and_moves_both_deadlines(desk):
    dispatched = local(2026, 11, 18, 9, 0)
    with acting_at(dispatched):
        case = run_to_dispatched(desk)
    with acting_at(local(2026, 11, 18, 10, 0)):
        request = services.case_request_open(
            desk.origin("department_handler"), case, "extend", "配件", extra_minutes=60
        )
    approved = local(2026, 11, 18, 11, 0)
    with acting_at(approved):
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    case.refresh_from_db()
    request.refresh_from_db()
    assert (request.status, request.decided_at, request.decision_note) == ("approved", approved, "")
    assert (case.status, case.extension_count, case.step_limit_minutes, case.clock_offset_minutes) == (
        "dispatched",
        1,
        300,
        120,
    )
    # 180 minutes left from 11:00: one hour before noon, two from 13:30.
    assert case.due_at == case.handle_due_at == local(2026, 11, 18, 15, 30)
    event = last_event(case)
    assert (event.action, event.reason, event.payload["request"], event.payload["kind"]) == (
        "extend",
        "配件",
        request.pk,
        "extend",
    )
    assert_replays(case)


def test_rule_an_approved_return_takes_the_case_from_its_department(desk):
    at = local(2026, 11, 18, 10, 0)
    with acting_at(at - dt.timedelta(minutes=30)):
        case = run_to_dispatched(desk)
        request = services.case_request_open(desk.origin("department_handler"), case, "return", "不归我们")
    with acting_at(at):
        case = services.case_request_decide(desk.origin("shift_leader"), request, approve=True, note="同意")
    case.refresh_from_db()
    assert (case.status, case.main_department, case.handle_due_at, case.step, case.step_started_at) == (
        "returned",
        None,
        None,
        "dispatch",
        at,
    )
    assert case.due_at == at + dt.timedelta(minutes=30)
    assert not case.assignments.filter(is_active=True).exists()
    assert last_event(case).reason == "同意"
    assert_replays(case)


def test_rule_an_approved_suspension_remembers_the_state_to_resume(desk):
    case = run_to_dispatched(desk)
    services.case_accept_task(desk.origin("department_handler"), case)
    request = services.case_request_open(desk.origin("department_handler"), case, "suspend", "等待")
    case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    case.refresh_from_db()
    assert (case.status, case.resume_status, case.light, case.due_at, case.step) == (
        "suspended",
        "handling",
        "none",
        None,
        "handle",
    )
    case = services.case_resume(desk.origin("dispatcher"), case, reason="条件具备")
    case.refresh_from_db()
    assert (case.status, case.resume_status, case.light) == ("handling", "", "green")
    assert case.handle_due_at == case.due_at and case.due_at is not None
    assert (last_event(case).action, last_event(case).reason) == ("resume", "条件具备")
    assert_replays(case)


def test_rule_an_approved_void_ends_the_case(desk):
    case = desk.report()
    request = services.case_request_open(desk.origin("intake_clerk"), case, "void", "重复上报")
    case = services.case_request_decide(desk.origin("shift_leader"), request, approve=True)
    case.refresh_from_db()
    assert (case.status, case.light, case.step, case.due_at) == ("void", "none", "", None)
    assert last_event(case).action == "void"
    assert_replays(case)


# --- Levels, summons and marks ----------------------------------------------------------------------------------


def test_rule_levels_rise_one_at_a_time_to_the_district():
    assert [services.level_above(level) for level in ("grid", "community", "street", "district")] == [
        "community",
        "street",
        "district",
        None,
    ]


def test_rule_escalation_stops_at_the_district(desk):
    case = services.case_escalate(desk.origin("street_leader"), _at_level(desk.report(), "street"), "需区级协调")
    assert case.level == "district"
    assert (last_event(case).reason, last_event(case).payload) == ("需区级协调", {"set": {"level": "district"}})
    with pytest.raises(Conflict) as refused:
        services.case_escalate(desk.origin("street_leader"), case, "再升")
    assert (refused.value.code, refused.value.message) == ("escalation_at_top", "案卷已在区级，不能再上报")
    with pytest.raises(ValidationFailed):
        services.case_escalate(desk.origin("street_leader"), case, "")


def test_rule_a_summons_calls_each_department_once_with_30_minutes_to_report(desk):
    case = run_to_dispatched(desk)
    third = Department.objects.create(code="SZ", name="市政所", kind=DepartmentKind.MUNICIPAL)
    at = case.updated_at + dt.timedelta(minutes=1)
    with acting_at(at):
        first = services.case_summon(
            desk.origin("street_leader"), case, [desk.enforcement, desk.enforcement.pk], "联合执法"
        )
    assert [(s.department, s.summoned_by, s.summoned_at, s.due_at) for s in first] == [
        (desk.enforcement, desk.world.users["street_leader"], at, at + dt.timedelta(minutes=30))
    ]
    event = last_event(case)
    assert (event.reason, event.payload) == ("联合执法", {"set": {}, "departments": [desk.enforcement.pk]})
    second = services.case_summon(desk.origin("street_leader"), case, [desk.enforcement, third.pk], "再叫市政")
    assert [summons.department for summons in second] == [third]
    assert last_event(case).payload["departments"] == [desk.enforcement.pk, third.pk]
    with pytest.raises(Conflict) as refused:
        services.case_summon(desk.origin("street_leader"), case, [third], "再吹")
    assert (refused.value.code, refused.value.message) == ("already_summoned", "所选部门都已被召集")


def test_rule_a_summons_needs_departments_and_a_reason(desk):
    case = run_to_dispatched(desk)
    with pytest.raises(ValidationFailed) as refused:
        services.case_summon(desk.origin("street_leader"), case, [], "联合执法")
    assert (refused.value.code, refused.value.message) == ("record_invalid", "请选择要召集的部门")
    assert refused.value.details == [{"field": "departments", "message": "请选择要召集的部门"}]
    closed = Department.objects.create(code="OLD", name="旧部门", kind=DepartmentKind.OTHER, is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        services.case_summon(desk.origin("street_leader"), case, [closed], "联合执法")
    assert refused.value.details == [{"field": "departments", "message": "部门不存在或已停用"}]
    with pytest.raises(ValidationFailed) as refused:
        services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], " ")
    assert refused.value.details == [{"field": "reason", "message": "请填写理由"}]


def _enforcement_handler(desk) -> User:
    return make_user("enforcer", Role.DEPARTMENT_HANDLER, [], department=desk.enforcement)


@pytest.mark.parametrize(("late", "light"), [(dt.timedelta(0), "green"), (dt.timedelta(seconds=1), "red")])
def test_rule_reporting_to_a_summons_by_its_deadline_is_green_after_it_red(desk, late, light):
    case = run_to_dispatched(desk)
    [summons] = services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "联合执法")
    handler = _enforcement_handler(desk)
    with acting_at(summons.due_at + late):
        confirmed = services.case_summons_confirm(Origin(handler, "api"), case)
    confirmed.refresh_from_db()
    assert (confirmed.pk, confirmed.confirmed_at, confirmed.confirmed_by, confirmed.light) == (
        summons.pk,
        summons.due_at + late,
        handler,
        light,
    )
    assert last_event(case).payload == {"set": {}, "department": desk.enforcement.pk}


def test_rule_a_summons_is_confirmed_once(desk):
    case = run_to_dispatched(desk)
    services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "联合执法")
    handler = Origin(_enforcement_handler(desk), "api")
    services.case_summons_confirm(handler, case)
    with pytest.raises(Conflict) as refused:
        services.case_summons_confirm(handler, case)
    assert (refused.value.code, refused.value.message) == ("summons_not_pending", "没有待报到的吹哨")


def test_rule_reporting_confirms_the_summons_of_this_case_and_this_department(desk):
    earlier, case = run_to_dispatched(desk), run_to_dispatched(desk)
    third = Department.objects.create(code="SZ", name="市政所", kind=DepartmentKind.MUNICIPAL)
    services.case_summon(desk.origin("street_leader"), earlier, [desk.enforcement], "联合执法")
    services.case_summon(desk.origin("street_leader"), case, [desk.enforcement, third], "联合执法")
    municipal = make_user("municipal", Role.DEPARTMENT_HANDLER, [], department=third)
    confirmed = services.case_summons_confirm(Origin(municipal, "api"), case)
    assert (confirmed.case, confirmed.department) == (case, third)
    services.case_summons_confirm(Origin(_enforcement_handler(desk), "api"), case)
    pending = list(Summons.objects.filter(confirmed_at__isnull=True).values_list("case", "department"))
    assert pending == [(earlier.pk, desk.enforcement.pk)]


def test_rule_a_summons_is_not_confirmed_by_someone_signed_out(desk):
    case = run_to_dispatched(desk)
    services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "联合执法")
    with pytest.raises(PermissionDenied) as refused:
        services.case_summons_confirm(Origin(AnonymousUser(), "page"), case)
    assert refused.value.code == "not_permitted"


def test_rule_urging_counts_each_time(desk):
    case = run_to_dispatched(desk)
    services.case_urge(desk.origin("dispatcher"), case)
    case = services.case_urge(desk.origin("dispatcher"), case, "第二次")
    assert case.urge_count == 2 and last_event(case).reason == "第二次"


def test_rule_supervision_only_rises_through_known_levels(desk):
    case = run_to_dispatched(desk)
    for level in (0, 4):
        with pytest.raises(ValidationFailed) as refused:
            services.case_supervise(desk.origin("street_leader"), case, level, "督办")
        assert (refused.value.code, refused.value.message) == ("record_invalid", "未知的督办级别")
        assert refused.value.details == [{"field": "level", "message": "未知的督办级别"}]
    case = services.case_supervise(desk.origin("street_leader"), case, 1, "普通督办")
    assert case.supervision == 1 and last_event(case).reason == "普通督办"
    with pytest.raises(Conflict) as refused:
        services.case_supervise(desk.origin("street_leader"), case, 1, "再督办")
    assert (refused.value.code, refused.value.message) == ("supervision_not_higher", "案卷已在同级或更高级别督办")
    assert services.case_supervise(desk.origin("street_leader"), case, 3, "红牌").supervision == 3
    with pytest.raises(ValidationFailed):
        services.case_supervise(desk.origin("street_leader"), case, 3, "")


def test_rule_expedite_once_makes_the_case_urgent(desk):
    case = run_to_dispatched(desk)
    case = services.case_expedite(desk.origin("dispatcher"), case, "媒体关注")
    assert (case.expedited, case.priority) == (True, "urgent")
    assert last_event(case).payload == {"set": {"expedited": True, "priority": "urgent"}}
    assert last_event(case).reason == "媒体关注"
    with pytest.raises(Conflict) as refused:
        services.case_expedite(desk.origin("dispatcher"), case, "再加急")
    assert (refused.value.code, refused.value.message) == ("already_expedited", "案卷已加急")
    with pytest.raises(ValidationFailed):
        services.case_expedite(desk.origin("dispatcher"), run_to_dispatched(desk), "")


# --- Events -----------------------------------------------------------------------------------------------------


def test_rule_a_quiet_event_is_never_handed_to_the_notification_task(desk, django_capture_on_commit_callbacks):
    case = run_to_dispatched(desk)
    with django_capture_on_commit_callbacks() as published:
        assert deadlines_sweep(case.yellow_at).yellow == 1
    assert published == [] and case.events.filter(action="light_yellow").count() == 1


def test_rule_events_written_together_are_told_after_the_commit(desk, django_capture_on_commit_callbacks):
    first, second = run_to_dispatched(desk), run_to_dispatched(desk)
    Case.objects.update(light=Light.YELLOW)  # only the red step is left to the job
    with django_capture_on_commit_callbacks() as published:
        assert deadlines_sweep(max(first.due_at, second.due_at)).red == 2
    assert len(published) == 1 and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        published[0]()
    leader = desk.world.users["street_leader"]
    told = Notification.objects.get(user=leader)  # one sweep's red lights come to a person as one message
    assert told.title == "2 个案件进入红灯"
    assert set(told.items.values_list("case_id", flat=True)) == {first.pk, second.pk}


def test_rule_one_event_is_told_after_the_commit(desk, django_capture_on_commit_callbacks):
    case = run_to_dispatched(desk)
    with django_capture_on_commit_callbacks() as published:
        services.case_urge(desk.origin("street_leader"), case, "请尽快")
    assert len(published) == 1 and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        published[0]()
    handler = desk.world.users["department_handler"]
    assert list(Notification.objects.filter(user=handler).values_list("title", flat=True)) == [
        f"案卷 {case.number}：催办"
    ]


# --- Versions ----------------------------------------------------------------------------------------------------


def _reported(desk):
    return desk.report()


def _verifying(desk):
    case = desk.report()
    return services.case_verify_request(desk.origin("intake_clerk"), case, desk.world.users["grid_worker_a"])


def _dispatched_checked_by_hand(desk):
    Category.objects.filter(pk=desk.category.pk).update(check_by_rule=False)  # 处置反馈 makes one event alone
    return run_to_dispatched(desk)


def _filed(desk):
    return services.case_file(desk.origin("shift_leader"), desk.report())


def _checking(desk):
    return run_to_checking(desk)


def _checked(desk):
    return services.case_check(desk.origin("grid_worker_a"), _checking(desk), passed=True, note="已核查")


#: Each service that takes the version a form was drawn from: where the case must be, who acts, the call, and the
#: reason its event records (the text given, or nothing when none is given).
STALE_CALLS = {
    "accept": (_reported, "intake_clerk", lambda o, c, d, v: services.case_accept(o, c, version=v), ""),
    "reject": (_reported, "intake_clerk", lambda o, c, d, v: services.case_reject(o, c, "不属实", version=v), "不属实"),
    "verify_request": (
        _reported,
        "intake_clerk",
        lambda o, c, d, v: services.case_verify_request(o, c, d.world.users["grid_worker_a"], version=v),
        "",
    ),
    "verify": (
        _verifying,
        "grid_worker_a",
        lambda o, c, d, v: services.case_verify(o, c, confirmed=True, note="属实", version=v),
        "属实",
    ),
    "file": (_reported, "shift_leader", lambda o, c, d, v: services.case_file(o, c, version=v), ""),
    "dispatch": (_filed, "dispatcher", lambda o, c, d, v: services.case_dispatch(o, c, d.sanitation, version=v), ""),
    "accept_task": (
        run_to_dispatched,
        "department_handler",
        lambda o, c, d, v: services.case_accept_task(o, c, version=v),
        "",
    ),
    "report_result": (
        _dispatched_checked_by_hand,
        "department_handler",
        lambda o, c, d, v: services.case_report_result(o, c, "已处理", version=v),
        "已处理",
    ),
    "check_request": (
        run_to_handled,
        "dispatcher",
        lambda o, c, d, v: services.case_check_request(o, c, d.world.users["grid_worker_a"], version=v),
        "",
    ),
    "check": (
        _checking,
        "grid_worker_a",
        lambda o, c, d, v: services.case_check(o, c, passed=True, note="好", version=v),
        "好",
    ),
    "close": (_checked, "shift_leader", lambda o, c, d, v: services.case_close(o, c, version=v), ""),
    "request_open": (
        run_to_dispatched,
        "department_handler",
        lambda o, c, d, v: services.case_request_open(o, c, "return", "不归我们", version=v),
        "不归我们",
    ),
}


@pytest.mark.parametrize("action", STALE_CALLS)
def test_rule_every_form_that_carries_a_version_is_refused_when_it_is_stale(desk, action):
    arrive, persona, call, reason = STALE_CALLS[action]
    case = arrive(desk)
    case.refresh_from_db()
    before = (case.status, case.version, CaseEvent.objects.count())
    with pytest.raises(Conflict) as refused:
        call(desk.origin(persona), case, desk, case.version + 1)
    assert refused.value.code == "case_changed"
    case.refresh_from_db()
    assert (case.status, case.version, CaseEvent.objects.count()) == before
    call(desk.origin(persona), case, desk, case.version)  # the current version goes through
    assert Case.objects.get(pk=case.pk).version == case.version + 1
    assert last_event(case).reason == reason


# --- A department's own working hours ------------------------------------------------------------------------------


@pytest.fixture
def own_hours(desk):
    """The sanitation department works 07:00–11:00 and 14:00–18:00; the default day is 08:30–12:00, 13:30–17:30."""
    WorkingHours.objects.create(
        department=desk.sanitation,
        morning_start=dt.time(7, 0),
        morning_end=dt.time(11, 0),
        afternoon_start=dt.time(14, 0),
        afternoon_end=dt.time(18, 0),
    )
    calendar_forget()
    return desk


def test_rule_the_handling_clock_of_a_dispatch_runs_on_the_departments_hours(own_hours):
    desk = own_hours
    with acting_at(local(2026, 11, 18, 9, 0)):
        case = services.case_file(desk.origin("shift_leader"), desk.report())
    with acting_at(local(2026, 11, 18, 10, 0)):
        case = services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation, handle_minutes=120)
    assert case.due_at == local(2026, 11, 18, 15, 0)  # 10:00–11:00, then 14:00–15:00


def test_rule_rework_and_reopening_run_on_the_departments_hours(own_hours):
    desk = own_hours
    with acting_at(local(2026, 11, 18, 7, 30)):
        case = run_to_checking(desk)
    with acting_at(local(2026, 11, 18, 10, 0)):
        case = services.case_check(desk.origin("grid_worker_a"), case, passed=False, note="未清理")
    assert case.due_at == local(2026, 11, 18, 17, 0)  # 240 minutes: 10:00–11:00, then 14:00–17:00
    with acting_at(local(2026, 11, 19, 7, 30)):
        case = services.case_report_result(desk.origin("department_handler"), case, "已处理")
        case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查")
        case = services.case_close(desk.origin("shift_leader"), case)
    with acting_at(local(2026, 11, 19, 10, 0)):
        case = services.case_evaluate(desk.origin("intake_clerk"), case, "unsatisfied")
    assert (case.status, case.due_at) == ("dispatched", local(2026, 11, 19, 17, 0))


def test_rule_a_suspension_banks_and_resumes_on_the_departments_hours(own_hours):
    desk = own_hours
    with acting_at(local(2026, 11, 18, 7, 0)):  # before the default day starts, inside the department's
        case = run_to_dispatched(desk)
        request = services.case_request_open(desk.origin("department_handler"), case, "suspend", "等待")
    with acting_at(local(2026, 11, 18, 8, 0)):
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert case.clock_offset_minutes == 60
    with acting_at(local(2026, 11, 18, 10, 0)):
        case = services.case_resume(desk.origin("dispatcher"), case)
    assert case.due_at == case.handle_due_at == local(2026, 11, 18, 16, 0)  # 180 left: 10–11, then 14–16


def test_rule_an_extension_counts_the_minutes_used_on_the_departments_hours(own_hours):
    desk = own_hours
    with acting_at(local(2026, 11, 18, 7, 0)):
        case = run_to_dispatched(desk)
        request = services.case_request_open(
            desk.origin("department_handler"), case, "extend", "配件", extra_minutes=60
        )
    with acting_at(local(2026, 11, 18, 8, 0)):
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert (case.clock_offset_minutes, case.step_limit_minutes) == (60, 300)
    assert case.due_at == local(2026, 11, 18, 15, 0)  # 240 left from 08:00: 08:00–11:00, then 14:00–15:00


def test_rule_a_transition_given_no_text_records_none(desk):
    main = desk.report()
    merged = services.case_merge(desk.origin("intake_clerk"), desk.report(), main)
    assert last_event(merged).reason == "" and last_event(main).reason == ""
    case = run_to_dispatched(desk)
    services.case_urge(desk.origin("dispatcher"), case)
    assert last_event(case).reason == ""
    request = services.case_request_open(desk.origin("department_handler"), case, "suspend", "等待")
    services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert last_event(case).reason == "等待"  # approved without a note: the request's reason
    services.case_resume(desk.origin("dispatcher"), case)
    assert last_event(case).reason == ""
    closed = run_to_closed(desk)
    services.case_evaluate(desk.origin("intake_clerk"), closed, "satisfied")
    assert (last_event(closed).reason, last_event(closed).payload["channel"]) == ("", "")

"""The workbench (工作台) on the home page: each role's next work, reddest first, within the user's scope, in a
fixed number of queries; the periodic command records each job's last run for the administrator's section."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.models import Department, DepartmentKind
from accounts.roles import Role
from audit.services import Origin
from cases import services
from cases.choices import Light
from cases.models import Case, Category
from gridgov.testing import IN_A, IN_B, IN_C, World, case_run_to_closed, make_user
from notifications.models import Delivery, DeliveryStatus
from registry.tests.factories import PersonFactory
from visits.models import DueVisit, VisitPlan
from web.models import PeriodicRun, PeriodicRunOutcome


@dataclass
class Scene:
    """Cases across the test world: tasks for worker A and worker B, a case at the sanitation department, one
    at another department in street 2, and cases waiting in the command centre's queues."""

    task_a: Case  # grid A, 核实 given to worker A
    task_b: Case  # grid B, 核实 given to worker B
    held: Case  # grid A, dispatched to the world's department (环卫所)
    elsewhere: Case  # grid C, dispatched to another department
    filed: list[Case]  # grid A/B, filed: waiting for dispatch
    reported: list[Case]  # waiting for 受理


def origin(world: World, persona: str) -> Origin:
    return Origin(world.user(persona), "web")


def report(world: World, persona: str, point: tuple[float, float], text: str = "井盖缺失，存在安全隐患") -> Case:
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    assert category is not None
    data = services.ReportData(
        source="grid_worker" if persona.startswith("grid") else "hotline",
        description=text,
        longitude=point[0],
        latitude=point[1],
        category_id=category.pk,
    )
    return services.report_submit(origin(world, persona), data).case


def scene_build(world: World, extra: int = 0) -> Scene:
    task_a = services.case_verify_request(
        origin(world, "dispatcher"), report(world, "grid_worker_a", IN_A), world.user("grid_worker_a")
    )
    task_b = services.case_verify_request(
        origin(world, "dispatcher"), report(world, "grid_worker_b", IN_B), world.user("grid_worker_b")
    )
    held = services.case_file(origin(world, "shift_leader"), report(world, "grid_worker_a", IN_A))
    held = services.case_dispatch(origin(world, "dispatcher"), held, world.department)
    parks = Department.objects.create(code="YL", name="园林所", kind=DepartmentKind.SANITATION)
    elsewhere = services.case_file(origin(world, "shift_leader"), report(world, "dispatcher", IN_C))
    elsewhere = services.case_dispatch(origin(world, "dispatcher"), elsewhere, parks)
    filed = [
        services.case_file(origin(world, "shift_leader"), report(world, "dispatcher", point))
        for point in [IN_A, IN_B, IN_A, *[IN_B] * extra]
    ]
    reported = [report(world, "dispatcher", point) for point in [IN_A, IN_C, *[IN_A] * extra]]
    return Scene(task_a, task_b, held, elsewhere, filed, reported)


def make_red(case: Case, hours_late: float = 2) -> None:
    """The deadline job's result, written directly: the step's deadline has passed and the light is red."""
    due = timezone.now() - dt.timedelta(hours=hours_late)
    Case.objects.filter(pk=case.pk).update(light=Light.RED, due_at=due, yellow_at=due - dt.timedelta(hours=1))


def numbers_in(html: str, section: str) -> list[str]:
    """The case numbers listed, in order, in the element marked ``data-queue=section``."""
    start = html.index(f'data-queue="{section}"')
    end = html.find('data-queue="', start + 20)
    return re.findall(r'data-case="(\d+)"', html[start : end if end > 0 else len(html)])


def count_of(html: str, section: str) -> int:
    start = html.index(f'data-queue="{section}"')
    found = re.search(r"data-count>(\d+)<", html[start:])
    assert found is not None
    return int(found.group(1))


@pytest.fixture
def scene(world: World) -> Scene:
    return scene_build(world)


def test_a_grid_worker_sees_their_own_tasks_and_reports_with_the_report_button(world, scene):
    response = world.client("grid_worker_a").get("/")
    html = response.content.decode()
    assert response.context["bench"].sections == ["field"]
    assert numbers_in(html, "tasks") == [scene.task_a.number]
    assert f'href="/cases/{scene.task_a.number}/#act-verify"' in html
    assert scene.task_b.number not in html
    # My reports: both reports of worker A with their state label, newest first; none of worker B's.
    assert numbers_in(html, "reports") == [scene.held.number, scene.task_a.number]
    reports = html[html.index('data-queue="reports"') :]
    assert "已派遣" in reports and "核实中" in reports
    assert 'href="/cases/report/" data-report-button' in html
    assert "/api/v1/areas/110101001001001/geojson" in html  # the worker's grid on the map
    assert 'href="/messages/" data-unread-link' in html
    assert "尚未分配管辖区域" not in html


def test_a_task_in_red_comes_before_an_older_green_one_and_says_it_is_late(world, scene):
    later = services.case_verify_request(
        origin(world, "dispatcher"), report(world, "grid_worker_a", IN_A), world.user("grid_worker_a")
    )
    make_red(later, hours_late=3)
    html = world.client("grid_worker_a").get("/").content.decode()
    assert numbers_in(html, "tasks") == [later.number, scene.task_a.number]
    assert "超时 3" in html  # "超时 3 小时…" beside the red task


def test_the_department_handler_sees_the_inbox_of_their_department_only(world, scene):
    response = world.client("department_handler").get("/")
    html = response.content.decode()
    assert response.context["bench"].sections == ["department"]
    assert numbers_in(html, "accept") == [scene.held.number]
    assert f'href="/cases/{scene.held.number}/#act-accept_task"' in html
    assert scene.elsewhere.number not in html  # another department's case
    assert count_of(html, "accept") == 1 and count_of(html, "handling") == 0
    # Never the area counters nor the "no scope" warning for a department-scoped role.
    assert "尚未分配管辖区域" not in html and 'data-stat="households"' not in html


def test_the_department_inbox_counts_overdue_and_reworked_cases(world, scene):
    services.case_accept_task(origin(world, "department_handler"), scene.held)
    make_red(scene.held)
    Case.objects.filter(pk=scene.held.pk).update(rework_count=1)
    html = world.client("department_handler").get("/").content.decode()
    assert count_of(html, "accept") == 0
    assert numbers_in(html, "handling") == [scene.held.number]
    assert numbers_in(html, "overdue") == [scene.held.number]
    assert numbers_in(html, "rework") == [scene.held.number]
    assert f'href="/cases/{scene.held.number}/#act-report_result"' in html


def test_the_dispatcher_queue_lists_the_reddest_first_and_links_to_the_filtered_list(world, scene):
    newest = scene.filed[-1]
    make_red(newest)
    client = world.client("dispatcher")
    response = client.get("/")
    html = response.content.decode()
    assert response.context["bench"].sections == ["command"]
    assert count_of(html, "dispatch") == len(scene.filed)
    listed = numbers_in(html, "dispatch")
    assert listed[0] == newest.number and sorted(listed) == sorted(case.number for case in scene.filed)
    assert f'href="/cases/{newest.number}/#act-dispatch"' in html
    link = re.search(r'data-queue="dispatch".*?href="([^"]+)" data-count', html, re.S)
    assert link is not None and link.group(1) == "/cases/?status=filed%2Creturned"
    listing = client.get(link.group(1)).content.decode()
    assert all(case.number in listing for case in scene.filed) and scene.held.number not in listing
    # Queues that are not the dispatcher's do not appear.
    assert 'data-queue="intake"' not in html and 'data-queue="close"' not in html


def test_the_intake_clerk_sees_what_waits_for_acceptance(world, scene):
    html = world.client("intake_clerk").get("/").content.decode()
    assert count_of(html, "intake") == len(scene.reported)
    assert sorted(numbers_in(html, "intake")) == sorted(case.number for case in scene.reported)
    assert f'href="/cases/{scene.reported[0].number}/#act-accept"' in html


def test_the_shift_leader_sees_approvals_and_summonses(world, scene):
    services.case_request_open(origin(world, "department_handler"), scene.held, "extend", "材料未到", extra_minutes=60)
    services.case_summon(origin(world, "street_leader"), scene.task_a, [world.department], "多部门协同")
    html = world.client("shift_leader").get("/").content.decode()
    assert count_of(html, "approvals") == 1 and numbers_in(html, "approvals") == [scene.held.number]
    assert count_of(html, "summonses") == 1 and numbers_in(html, "summonses") == [scene.task_a.number]
    handler = world.client("department_handler").get("/").content.decode()
    assert numbers_in(handler, "summonses") == [scene.task_a.number]
    assert f'href="/cases/{scene.task_a.number}/#act-summons_confirm"' in handler


def test_a_street_leader_sees_their_street_today_and_a_map_of_its_open_cases(world, scene):
    closed = case_run_to_closed(world, report(world, "grid_worker_a", IN_A))
    make_red(scene.held)
    response = world.client("street_leader").get("/")
    html = response.content.decode()
    assert response.context["bench"].sections == ["leader"]
    street_one = [scene.task_a, scene.task_b, scene.held, *scene.filed, scene.reported[0], closed]
    today = re.search(r'data-period="today">(.*?)</tr>', html, re.S)
    assert today is not None
    cells = dict(re.findall(r'data-stat="(\w+)">([^<]*)<', today.group(1)))
    assert cells == {"reported": str(len(street_one)), "filed": str(len(scene.filed) + 2), "closed": "1",
                     "on_time": "100%"}  # fmt: skip
    points = json.loads(re.search(r'id="workbench-points"[^>]*>(.*?)</script>', html, re.S).group(1))
    numbers = [point[3] for point in points]
    assert numbers[0] == scene.held.number  # the red one first
    assert sorted(numbers) == sorted(case.number for case in street_one if case is not closed)
    assert scene.elsewhere.number not in html and scene.reported[1].number not in html  # street 2
    assert numbers_in(html, "red") == [scene.held.number]


def test_a_user_with_several_roles_gets_each_section_most_operational_first(world, scene):
    user = world.user("dispatcher")
    user.groups.add(Group.objects.get(name=Role.STREET_LEADER), Group.objects.get(name=Role.GRID_WORKER))
    response = world.client("dispatcher").get("/")
    assert response.context["bench"].sections == ["command", "field", "leader"]
    html = response.content.decode()
    assert (
        html.index('data-section="command"') < html.index('data-section="field"') < html.index('data-section="leader"')
    )


def job_fails() -> None:
    raise RuntimeError("mailbox unreachable")


def job_counts() -> dict[str, int]:
    return {"swept": 3}


@override_settings(PERIODIC_JOBS=["web.tests.test_workbench.job_counts", "web.tests.test_workbench.job_fails"])
def test_the_periodic_command_records_each_jobs_last_run_and_outcome(world):
    before = timezone.now()
    call_command("periodic", stdout=io.StringIO())
    runs = {run.job: run for run in PeriodicRun.objects.all()}
    ok = runs["web.tests.test_workbench.job_counts"]
    assert ok.outcome == PeriodicRunOutcome.OK and ok.counts == {"swept": 3}
    assert before <= ok.started_at <= ok.finished_at and ok.last_ok_at == ok.finished_at
    failed = runs["web.tests.test_workbench.job_fails"]
    assert failed.outcome == PeriodicRunOutcome.FAILED and "mailbox unreachable" in failed.error
    assert failed.finished_at is not None and failed.last_ok_at is None
    html = world.client("administrator").get("/").content.decode()
    jobs = dict(re.findall(r'data-job="([\w.]+)">\s*<span class="badge [\w-]+">([^<]+)<', html))
    assert jobs == {"web.tests.test_workbench.job_counts": "正常", "web.tests.test_workbench.job_fails": "失败"}


def test_the_administrator_sees_waiting_tasks_outbox_failures_and_reference_links(world):
    call_command("periodic", stdout=io.StringIO())
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.deliveries_send",
        backend_name="default",
        queue_name="default",
        run_after=long_ago,
        exception_class_path="",
        traceback="",
    )
    common = {"channel": "sms", "title": "通知", "recipient_key": "u1"}
    Delivery.objects.create(status=DeliveryStatus.FAILED, cause="a", **common)
    stuck = Delivery.objects.create(status=DeliveryStatus.PENDING, cause="b", **common)
    Delivery.objects.filter(pk=stuck.pk).update(created_at=long_ago)
    Delivery.objects.create(status=DeliveryStatus.PENDING, cause="c", **common)  # just written: not stuck
    response = world.client("administrator").get("/")
    html = response.content.decode()
    assert response.context["bench"].sections == ["admin"]
    assert 'data-stat="ready">1<' in html and "data-alert>任务积压<" in html
    assert 'data-stat="outbox_failed">1<' in html and 'data-stat="outbox_stuck">1<' in html
    assert html.count('<span class="badge text-bg-success">正常</span>') == len(settings.PERIODIC_JOBS)  # each job
    for link in ("/admin/areas/area/", "/admin/cases/category/", "/admin/cases/dispatchrule/",
                 "/admin/cases/calendarday/", "/admin/accounts/user/"):  # fmt: skip
        assert f'href="{link}"' in html
    assert world.client("administrator").get("/admin/cases/dispatchrule/").status_code == 200


def test_tasks_enqueued_to_run_at_once_count_as_waiting_since_they_were_enqueued(world):
    """A task enqueued without a time to run after (stored as 9999-01-01) waits from its enqueueing: a worker that
    took none for 30 minutes is 任务积压, not 正常."""
    call_command("periodic", stdout=io.StringIO())
    task = DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="cases.tasks.case_events_notify",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )
    admin = world.client("administrator")
    assert "data-alert>任务积压<" not in admin.get("/").content.decode()  # just enqueued
    enqueued = timezone.now() - dt.timedelta(minutes=30)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued)
    response = admin.get("/")
    assert "data-alert>任务积压<" in response.content.decode()
    assert response.context["bench"].admin.oldest_ready == enqueued


#: The most queries each persona's workbench may take, whatever the number of cases (session, user and groups,
#: the scope, the unread badge, then a fixed number per section).
QUERY_LIMITS = {
    "grid_worker_a": 13,  # with the day's due visits (the plans' intervals, then the count)
    "department_handler": 13,
    "dispatcher": 12,
    "intake_clerk": 11,
    "shift_leader": 15,
    "street_leader": 15,  # with the 预警 card (the count and the latest three in one query)
    "administrator": 12,
}


@pytest.mark.parametrize("persona", sorted(QUERY_LIMITS))
def test_each_workbench_takes_a_fixed_number_of_queries(world, persona, django_assert_max_num_queries):
    scene = scene_build(world, extra=4)
    for case in [*scene.filed, scene.held, scene.task_a]:
        make_red(case)
    services.case_summon(origin(world, "street_leader"), scene.task_a, [world.department], "多部门协同")
    client = world.client(persona)
    client.get("/")  # the first request of a process fills caches (content types, the session's first save)
    with django_assert_max_num_queries(QUERY_LIMITS[persona]):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["bench"].sections  # every persona here has a section with rows in it


def test_a_user_with_no_role_and_no_scope_is_told_to_ask_for_one(world):
    user = world.user("grid_worker_b")
    user.groups.clear()
    user.areas.clear()
    html = world.client("grid_worker_b").get("/").content.decode()
    assert 'data-section="scope"' in html and "尚未分配管辖区域" in html


def test_the_grid_workers_home_counts_todays_due_visits_and_links_the_field_work(world):
    plan = VisitPlan.objects.create(name="独居老人每周走访", tag_category="elderly_alone", interval=7)
    person = PersonFactory.create(name="赵大爷", grid=world.grid_a)
    DueVisit.objects.create(
        plan=plan, person=person, grid=world.grid_a, worker=world.user("grid_worker_a"),
        window_start=dt.date(2026, 1, 1), due_on=dt.date(2026, 1, 8),
    )  # fmt: skip
    html = world.client("grid_worker_a").get("/").content.decode()
    card = html[html.index("data-visits-due") - 80 :]
    assert 'href="/visits/agenda/" data-visits-due' in html and re.search(r"data-count>1<", card)
    for link in ("/visits/due/", "/visits/new/", "/registry/must-report/", "/registry/changes/", "/diary/"):
        assert f'href="{link}"' in html, link
    tabbar = html[html.index('class="tabbar') : html.index("</nav>", html.index('class="tabbar'))]
    assert tabbar.count("<a ") == 5 and 'href="/visits/due/" data-tab="visits"' in tabbar
    assert "/visits/plan/" not in html  # the plans are for those who oversee visits


def test_leaders_homes_link_the_plans_compliance_due_visits_and_the_grid_diary(world):
    for persona in ("street_leader", "community_staff"):
        html = world.client(persona).get("/").content.decode()
        for link in ("/visits/plan/", "/visits/compliance/", "/visits/due/?tab=grid", "/diary/grid/"):
            assert f'href="{link}"' in html, (persona, link)
    client = Client()
    client.force_login(make_user("grid_leader_a", Role.GRID_LEADER, [world.grid_a]))
    html = client.get("/").content.decode()
    assert 'href="/visits/due/?tab=grid"' in html and 'href="/diary/grid/"' in html


def test_the_building_heads_home_links_their_buildings(world):
    client = Client()
    client.force_login(make_user("building_head_a", Role.BUILDING_HEAD, [world.grid_a]))
    assert 'href="/registry/my-buildings/" data-my-buildings' in client.get("/").content.decode()


def test_the_numbers_are_in_the_menu_and_on_the_leaders_home_by_permission(world):
    html = world.client("street_leader").get("/").content.decode()
    numbers = html[html.index("data-number-links") : html.index("</div>", html.index("data-number-links"))]
    assert 'href="/stats/"' in numbers and 'href="/bulletins/"' in numbers
    menu = html[html.index('data-menu="numbers"') : html.index("</ul>", html.index('data-menu="numbers"'))]
    assert 'href="/stats/"' in menu and 'href="/bulletins/"' in menu and 'href="/alerts/"' in menu
    assert 'href="/evaluation/"' in menu and 'href="/reports/"' in menu and 'href="/evaluation/me/"' in menu
    worker = world.client("grid_worker_a").get("/").content.decode()
    assert 'data-menu="numbers"' not in worker and 'href="/stats/"' not in worker
    assert 'href="/evaluation/me/" data-my-scores' in worker  # their own scores, from their workbench

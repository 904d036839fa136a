"""The agenda's walking order, compliance recomputed, and the pages and API: sensitive due visits hidden without
their permission everywhere, reassignment, plan pages with their preview counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import AreaBoundary
from audit.models import AuditEntry
from fieldwork.models import TrackPoint
from gridgov.testing import world_build
from gridgov.timesource import acting_at
from registry.models import Building
from visits.agenda import agenda_of, route_order
from visits.choices import DueStatus
from visits.compliance import visit_compliance_compute
from visits.models import DueVisit, VisitCompliance, VisitPlan
from visits.plans import due_visits_generate
from visits.tasks import due_visits_sweep
from visits.tests.conftest import plan_make, tagged_person

D = dt.date
TODAY = D(2026, 10, 8)


def test_route_order_walks_a_line_from_the_start_and_2opt_removes_a_crossing():
    start = (116.400, 39.910)
    # four stops east of the start along one street, given out of order
    stops = [(116.403, 39.910), (116.401, 39.910), (116.404, 39.910), (116.402, 39.910)]
    assert route_order(start, stops) == [1, 3, 0, 2]
    # nearest neighbour walks 1, 4, 2, 0, 3 (1,170 m); 2-opt finds the shortest walk 4, 1, 0, 2, 3 (1,089 m)
    scattered = [(116.4015, 39.9145), (116.404, 39.911), (116.4025, 39.9145), (116.4035, 39.915), (116.4045, 39.9105)]
    assert route_order(start, scattered) == [4, 1, 0, 2, 3]


@pytest.fixture
def agenda_world(plans_world):
    plan = plan_make("elderly_alone", interval=7)
    worker = plans_world.user("grid_worker_a")
    people = []
    for offset in (0.003, 0.001, 0.002):
        person = tagged_person(plans_world.grid_a, since=D(2026, 9, 24))
        Building.objects.filter(pk=person.house.building_id).update(lon=116.400 + offset, lat=39.91)
        people.append(person)
    homeless = tagged_person(plans_world.grid_a, since=D(2026, 9, 24))
    homeless.house = None
    homeless.save()
    watched = tagged_person(plans_world.grid_a, "community_correction", since=D(2026, 9, 24))
    plan_make("community_correction", interval=7)
    later = tagged_person(plans_world.grid_a, since=D(2026, 10, 20))  # not in the group on TODAY
    due_visits_generate(TODAY)
    # the grid's worker does the group's visits; 重点人员 visits go to those who may see the group (generation)
    DueVisit.objects.filter(sensitive=False).update(worker=worker)
    assert not DueVisit.objects.filter(sensitive=True, worker=worker).exists()
    return {"plan": plan, "worker": worker, "people": people, "homeless": homeless, "watched": watched, "later": later}


def test_agenda_orders_stops_from_the_last_fix_and_lists_unlocated_ones_last(agenda_world, plans_world):
    worker = agenda_world["worker"]
    TrackPoint.objects.create(
        worker=worker,
        device_time=dt.datetime(2026, 10, 8, 9, tzinfo=timezone.get_current_timezone()),
        server_time=dt.datetime(2026, 10, 8, 9, tzinfo=timezone.get_current_timezone()),
        lon=116.400,
        lat=39.91,
    )
    agenda = agenda_of(worker, TODAY)  # the grid worker cannot see 重点人员
    first, second, third = agenda_world["people"]
    names = [stop["person_id"] for stop in agenda.stops]
    assert names == [second.pk, third.pk, first.pk, agenda_world["homeless"].pk]
    assert agenda.start == (116.400, 39.91)
    assert [stop["order"] for stop in agenda.stops] == [1, 2, 3, 4]
    assert agenda.stops[-1]["leg_m"] is None
    assert agenda.total_m == pytest.approx(3 * 0.001 * 111_195 * 0.7675, rel=0.01)
    assert agenda.route["coordinates"][0] == [116.400, 39.91] and len(agenda.route["coordinates"]) == 4


def test_agenda_starts_at_the_grid_centre_without_a_fix(agenda_world, plans_world):
    centre = AreaBoundary.objects.filter(area=plans_world.grid_a, valid_to__isnull=True).get()
    agenda = agenda_of(agenda_world["worker"], TODAY)
    assert agenda.start == (centre.centroid_lon, centre.centroid_lat)


def test_sensitive_due_visits_are_hidden_without_permission_everywhere(agenda_world, plans_world):
    watched = agenda_world["watched"].pk
    worker_client = plans_world.client("grid_worker_a")  # grid workers lack registry.view_sensitive_tags
    leader_client = plans_world.client("street_leader")  # leaders have it
    sensitive_plan = VisitPlan.objects.get(sensitive=True)
    due = DueVisit.objects.get(person_id=watched)
    visit_compliance_compute(TODAY, today=TODAY)

    def api_people(client, url):
        response = client.get(url)
        assert response.status_code == 200, response.content
        return response.json()

    assert watched not in [row["person_id"] for row in api_people(worker_client, "/api/v1/visits/due")]
    assert watched not in [
        row["person_id"] for row in api_people(worker_client, "/api/v1/visits/agenda?date=2026-10-08")["stops"]
    ]
    assert f'data-due="{due.pk}"' not in worker_client.get("/visits/due/").content.decode()
    assert f'data-due="{due.pk}"' not in worker_client.get("/visits/agenda/?date=2026-10-08").content.decode()

    leader_rows = api_people(leader_client, "/api/v1/visits/due?worker=all")
    assert watched in [row["person_id"] for row in leader_rows]
    assert sensitive_plan.pk in [
        row["plan_id"] for row in api_people(leader_client, "/api/v1/visits/compliance?month=2026-10")
    ]
    # community staff without the sensitive permission (and not the one the visit is due to) see neither the plan
    # nor its compliance nor the due visit
    DueVisit.objects.filter(pk=due.pk).update(worker=plans_world.user("grid_leader"))
    staff = plans_world.user("community_staff")
    staff.groups.get().permissions.remove(*staff.groups.get().permissions.filter(codename="view_sensitive_tags"))
    staff_client = plans_world.client("community_staff")
    assert sensitive_plan.pk not in [row["id"] for row in api_people(staff_client, "/api/v1/visits/plans")]
    assert sensitive_plan.pk not in [
        row["plan_id"] for row in api_people(staff_client, "/api/v1/visits/compliance?month=2026-10")
    ]
    assert sensitive_plan.name not in staff_client.get("/visits/compliance/?month=2026-10").content.decode()
    assert sensitive_plan.name not in staff_client.get("/visits/plan/").content.decode()
    assert f'data-due="{due.pk}"' not in staff_client.get("/visits/due/?tab=grid").content.decode()


def test_due_list_tabs_and_light_filter(agenda_world, plans_world, django_assert_max_num_queries):
    client = plans_world.client("grid_worker_a")
    with acting_at(dt.datetime(2026, 10, 8, 10, tzinfo=dt.UTC)):
        with django_assert_max_num_queries(12):
            page = client.get("/visits/due/?tab=today")
        yellow = client.get("/api/v1/visits/due?light=yellow").json()
        red = client.get("/api/v1/visits/due?light=red").json()
        calendar = client.get("/visits/due/calendar/?month=2026-10").content.decode()
    assert page.status_code == 200 and page.content.decode().count("/visits/new/?due=") == 4
    first = agenda_world["people"][0]
    assert f'href="/registry/persons/{first.pk}/" data-person-link' in page.content.decode()
    with acting_at(dt.datetime(2026, 10, 8, 10, tzinfo=dt.UTC)):
        agenda = client.get("/visits/agenda/?date=2026-10-08").content.decode()
    assert f'href="/registry/persons/{first.pk}/" data-person-link' in agenda
    due = DueVisit.objects.filter(person=first).get()
    answer = plans_world.client("grid_worker_a").get(f"/visits/new/?due={due.pk}")
    assert answer.status_code == 200, answer
    form = answer.content.decode()
    assert f'href="/registry/persons/{first.pk}/" data-subject-link' in form
    assert len(yellow) == 4 and {row["light"] for row in yellow} == {"yellow"} and red == []
    assert 'data-day="2026-10-08" data-total="4"' in calendar
    with acting_at(dt.datetime(2026, 10, 9, 10, tzinfo=dt.UTC)):
        late = plans_world.client("grid_worker_a")
        assert len(late.get("/api/v1/visits/due?light=red").json()) == 4
        assert late.get("/visits/due/?tab=overdue").content.decode().count('data-light="red"') == 4
    fresh = plans_world.client("grid_worker_a")
    assert fresh.get("/api/v1/visits/due?light=purple").status_code == 422
    assert fresh.get("/api/v1/visits/due?date=2026-13-01").status_code == 422


def test_due_rows_carry_the_purpose_the_visit_form_ticks(agenda_world, plans_world):
    plan = agenda_world["plan"]
    client = plans_world.client("grid_worker_a")
    with acting_at(dt.datetime(2026, 10, 8, 10, tzinfo=dt.UTC)):
        assert {row["purpose"] for row in client.get("/api/v1/visits/due").json()} == {""}  # none on the plan
        VisitPlan.objects.filter(pk=plan.pk).update(purpose="elderly_alone")
        due = client.get("/api/v1/visits/due").json()
        stops = client.get("/api/v1/visits/agenda?date=2026-10-08").json()["stops"]
        VisitPlan.objects.filter(pk=plan.pk).update(purpose="no_such_purpose")
        unknown = client.get("/api/v1/visits/due").json()
    assert due and {row["purpose"] for row in due} == {"elderly_alone"}
    assert stops and {row["purpose"] for row in stops} == {"elderly_alone"}
    assert {row["purpose"] for row in unknown} == {""}  # as the web form: only a purpose that exists


def test_the_reassign_list_offers_no_worker_for_an_unassigned_due_visit(agenda_world, plans_world):
    due = DueVisit.objects.filter(sensitive=False).first()
    assert due is not None
    DueVisit.objects.filter(pk=due.pk).update(worker=None)
    client = plans_world.client("community_staff")
    with acting_at(dt.datetime(2026, 10, 8, 10, tzinfo=dt.UTC)):
        page = client.get("/visits/due/?tab=grid").content.decode()
    select = page[page.index(f'id="assign-{due.pk}"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>请选择网格员</option>' in select and select.count(" selected") == 1
    assigned = DueVisit.objects.exclude(pk=due.pk).filter(sensitive=False).first()
    assert assigned is not None
    other = page[page.index(f'id="assign-{assigned.pk}"') :]
    assert '<option value=""' not in other[: other.index("</select>")]


def test_reassign_through_the_api_keeps_the_assignment_and_is_audited(agenda_world, plans_world):
    due = DueVisit.objects.filter(sensitive=False).first()
    assert due is not None
    leader = plans_world.client("community_staff")
    other = plans_world.user("grid_leader")
    answer = leader.post(
        f"/api/v1/visits/due/{due.pk}/assign", {"worker_id": other.pk}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["worker_id"] == other.pk
    due.refresh_from_db()
    assert (due.worker_id, due.assigned) == (other.pk, True)
    assert AuditEntry.objects.filter(object_type="visits.duevisit", object_id=str(due.pk)).exists()
    refused = leader.post(
        f"/api/v1/visits/due/{due.pk}/assign",
        {"worker_id": plans_world.user("dispatcher").pk},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "worker_not_covering"
    DueVisit.objects.filter(pk=due.pk).update(status=DueStatus.DONE, done_on=TODAY)
    closed = leader.post(
        f"/api/v1/visits/due/{due.pk}/assign", {"worker_id": other.pk}, content_type="application/json"
    )
    assert closed.status_code == 409


def test_compliance_counts_and_recomputing_gives_the_same_rows(agenda_world, plans_world):
    dues = list(DueVisit.objects.filter(sensitive=False).order_by("pk"))
    DueVisit.objects.filter(pk=dues[0].pk).update(status=DueStatus.DONE, done_on=TODAY)  # on time
    DueVisit.objects.filter(pk=dues[1].pk).update(status=DueStatus.DONE, done_on=TODAY + dt.timedelta(days=3))
    assert visit_compliance_compute(TODAY, today=TODAY) >= 1  # the two open ones are not due yet
    pending = VisitCompliance.objects.get(plan=agenda_world["plan"])
    assert (pending.due, pending.on_time, pending.late, pending.missed, pending.pending) == (4, 1, 1, 0, 2)
    page = plans_world.client("street_leader").get("/visits/compliance/?month=2026-10").content.decode()
    assert "未到期" in page and '<td class="text-end" data-pending>2</td>' in page
    later = TODAY + dt.timedelta(days=5)
    assert visit_compliance_compute(TODAY, today=later) >= 1
    rows = list(VisitCompliance.objects.order_by("pk").values("plan_id", "due", "on_time", "late", "missed", "pending"))
    plain = next(row for row in rows if row["plan_id"] == agenda_world["plan"].pk)
    assert plain == {"plan_id": agenda_world["plan"].pk, "due": 4, "on_time": 1, "late": 1, "missed": 2, "pending": 0}
    visit_compliance_compute(TODAY, today=later)
    again = VisitCompliance.objects.order_by("pk").values("plan_id", "due", "on_time", "late", "missed", "pending")
    assert list(again) == rows
    page = plans_world.client("street_leader").get("/visits/compliance/?month=2026-10")
    assert page.status_code == 200 and "25.0%" in page.content.decode()


def test_plan_pages_preview_and_save(plans_world):
    tagged_person(plans_world.grid_a, "disabled", since=D(2026, 1, 1))
    tagged_person(plans_world.grid_c, "disabled", since=D(2026, 1, 1))
    client = plans_world.client("community_staff")
    community = plans_world.areas["110101001001"]
    answer = client.post(
        "/visits/plan/new/",
        {
            "name": "残疾人走访",
            "subject": "tag",
            "tag_category": "disabled",
            "area": community.pk,
            "interval": 30,
            "interval_unit": "working",
            "first_within": 7,
            "active": "on",
        },
    )
    plan = VisitPlan.objects.get(name="残疾人走访")
    assert answer.status_code == 302 and answer["Location"] == f"/visits/plan/#plan-{plan.pk}"
    assert (plan.area, plan.interval_unit, plan.sensitive) == (community, "working", False)
    listing = client.get("/visits/plan/").content.decode()
    assert f'data-plan="{plan.pk}"' in listing
    row = listing.split(f'data-plan="{plan.pk}"')[1].split("</tr>")[0]
    assert "按人员标签 · 残疾人" in row and "disabled" not in row and "<td>7 天</td>" in row
    assert listing.split(f'data-plan="{plan.pk}"')[1].split("data-covered>")[1].startswith("1<")
    # a district-wide plan is the administrator's
    refused = client.post(
        "/visits/plan/new/",
        {
            "name": "全区",
            "subject": "tag",
            "tag_category": "disabled",
            "interval": 30,
            "interval_unit": "natural",
            "first_within": 7,
        },
    )
    assert refused.status_code == 400 and not VisitPlan.objects.filter(name="全区").exists()


def test_world_builds_without_the_plans_fixture_too(db):
    # the default plans are seeded by a migration, so every site has them
    world_build()
    assert VisitPlan.objects.filter(tag_category="elderly_alone").exists()


def test_a_plan_saved_in_the_admin_follows_its_tag_category_and_is_audited(plans_world):
    client = plans_world.client("administrator")
    answer = client.post(
        "/admin/visits/visitplan/add/",
        {
            "name": "吸毒人员走访",
            "subject": "tag",
            "tag_category": "drug_user",
            "interval": 30,
            "interval_unit": "natural",
            "first_within": 7,
            "purpose": "key_person",
            "active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    plan = VisitPlan.objects.get(name="吸毒人员走访")
    assert plan.sensitive
    assert AuditEntry.objects.filter(object_type="visits.visitplan", object_id=str(plan.pk), action="create").exists()


def test_the_daily_sweep_generates_once_a_day(plans_world):
    plan_make("elderly_alone", interval=7)
    tagged_person(plans_world.grid_a, since=D(2026, 9, 24))
    morning = dt.datetime(2026, 10, 8, 1, tzinfo=dt.UTC)
    first = due_visits_sweep(morning)
    assert first["created"] == 1 and first["compliance_rows"] == 1
    assert due_visits_sweep(morning + dt.timedelta(minutes=1)) == {"skipped": True}
    assert due_visits_sweep(morning + dt.timedelta(days=1))["created"] == 0


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/visits/compliance?month=2026-13", None),
        ("get", "/api/v1/visits/compliance?worker_id=0", None),
        ("get", "/api/v1/visits/agenda?date=yesterday", None),
        ("get", "/api/v1/visits/due?status=cancelled", None),
        ("get", "/api/v1/visits/due?limit=100000", None),
        ("post", "/api/v1/visits/due/1/assign", []),
        ("post", "/api/v1/visits/due/1/assign", {"worker_id": 0}),
        ("post", "/api/v1/visits/due/0/assign", {"worker_id": 1}),
    ],
)
def test_bad_input_is_refused_with_a_code(world, method, url, body):
    client = world.client("street_leader")
    answer = client.get(url) if method == "get" else client.post(url, body, content_type="application/json")
    assert 400 <= answer.status_code < 500 and "code" in answer.json(), (answer.status_code, answer.content)

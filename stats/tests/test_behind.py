"""The cases behind a number: for every measure, under every filter, for every reader, the events listed add up to
the figure in the fact table (and the late ones to its count minus its in-time count)."""

from __future__ import annotations

import itertools

import openpyxl
import pytest
from django.http import QueryDict

from accounts.models import Department, DepartmentKind
from audit.models import AuditEntry
from cases.models import Case
from gridgov.errors import NotFound
from stats.behind import behind, fact_count
from stats.facts import Measure
from stats.filters import stat_filter
from stats.tests.conftest import NOVEMBER

MEASURES = (
    Measure.REPORT,
    Measure.SELF_RESOLVED,
    Measure.REJECTED,
    Measure.FILED,
    Measure.VALID_REPORT,
    Measure.PUBLIC_FILED,
    Measure.DISPATCHED,
    Measure.HANDLED,
    Measure.CHECKED,
    Measure.REWORK,
    Measure.CLOSED,
    Measure.VOIDED,
    Measure.OVERDUE,
    Measure.C_HANDLED,
    Measure.C_CLOSED,
    Measure.C_REWORK,
    Measure.C_VOIDED,
)
#: A district-wide reader, a street's, one with both a district and a department (the command centre), one with a
#: department alone.
READERS = ("administrator", "street_leader", "dispatcher", "department_handler")
#: Measures with an in-time count, listed also for their late events.
TIMED = (Measure.DISPATCHED, Measure.HANDLED, Measure.CHECKED, Measure.CLOSED, Measure.C_HANDLED, Measure.C_CLOSED)


def _filters(history) -> list[dict[str, str]]:
    world = history.world
    return [
        {},
        {"category": str(history.garbage.pk)},
        {"category": str(history.parking.parent_id)},  # a class covers its subclasses
        {"area": "110101001"},
        {"grid": str(world.grid_b.pk)},
        {"source": "hotline"},
        {"department": str(world.department.pk)},
        {"person": str(world.user("grid_worker_a").pk)},
        {"person": str(world.user("shift_leader").pk), "category": str(history.garbage.pk)},
        {"start": "2026-11-19", "end": "2026-11-20", "source": "hotline"},
    ]


def test_the_events_listed_add_up_to_the_figure_for_every_measure_filter_and_reader(history):
    mismatches, compared, nonzero = [], 0, 0
    combinations = [(measure, False) for measure in MEASURES] + [(measure, True) for measure in TIMED]
    for persona, filters in itertools.product(READERS, _filters(history)):
        user = history.world.user(persona)
        try:
            selection = stat_filter(user, {"period": NOVEMBER, **filters} if "start" not in filters else filters)
        except NotFound:
            continue  # a filter outside the reader's scope (tested apart)
        for measure, late in combinations:
            found = behind(user, selection, measure, late=late)
            figure = fact_count(user, selection, measure, late=late)
            compared += 1
            nonzero += bool(figure)
            if found.count() != figure or found.too_many:
                mismatches.append((persona, filters, measure, late, found.count(), figure))
    assert mismatches == []
    assert compared > 700 and nonzero > 250


def test_late_lists_the_events_not_in_time(history):
    admin = history.world.user("administrator")
    selection = stat_filter(admin, {"period": NOVEMBER})
    closed = behind(admin, selection, Measure.CLOSED)
    late = behind(admin, selection, Measure.CLOSED, late=True)
    assert closed.count() == 3 and late.count() == 1
    assert [row.case_id for row in late[0:10]] == [history.cases["late_b"].pk]
    assert fact_count(admin, selection, Measure.CLOSED) - fact_count(admin, selection, Measure.CLOSED, late=True) == 2
    handled_late = behind(admin, selection, Measure.HANDLED, late=True)
    assert {row.case_id for row in handled_late[0:10]} == {history.cases["late_b"].pk, history.cases["reworked_a"].pk}


def test_a_measure_counted_twice_on_one_case_lists_the_case_twice(history):
    admin = history.world.user("administrator")
    found = behind(admin, stat_filter(admin, {"period": NOVEMBER}), Measure.REWORK)
    assert [row.case_id for row in found[0:10]] == [history.cases["reworked_a"].pk] * 2


def test_a_street_leader_never_sees_the_other_streets_cases(history):
    leader = history.world.user("street_leader")
    found = behind(leader, stat_filter(leader, {"period": NOVEMBER}), Measure.REPORT)
    listed = set(Case.objects.filter(pk__in=[row.case_id for row in found[0:100]]).values_list("grid__code", flat=True))
    assert listed == {history.world.grid_a.code, history.world.grid_b.code}
    assert found.count() == 9


def test_a_department_handler_lists_only_what_was_given_to_the_department(history):
    handler = history.world.user("department_handler")
    selection = stat_filter(handler, {"period": NOVEMBER})
    assert behind(handler, selection, Measure.REPORT).count() == 0  # a report belongs to no department
    dispatched = behind(handler, selection, Measure.DISPATCHED)
    assert {row.case_id for row in dispatched[0:10]} == {
        history.cases[name].pk for name in ("closed_a", "reworked_a", "late_b")
    }


# --- The page and its export ---------------------------------------------------------------------------------------
def test_the_page_shows_the_figure_and_links_each_case(history, django_assert_max_num_queries):
    client = history.world.client("street_leader")
    with django_assert_max_num_queries(30):
        response = client.get("/stats/cases/", {"measure": "closed", "period": NOVEMBER})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-count>3<" in page and "data-mismatch" not in page
    for name in ("closed_a", "reworked_a", "late_b"):
        assert f'href="/cases/{history.cases[name].number}/"' in page
    assert "超时" in page and "按时" in page


def test_the_page_lists_a_category_class_with_its_subclasses(history):
    client = history.world.client("administrator")
    response = client.get(
        "/stats/cases/", {"measure": "report", "period": NOVEMBER, "category": history.parking.parent_id}
    )
    assert response.status_code == 200
    assert history.cases["late_b"].number in response.content.decode()
    assert history.cases["closed_a"].number not in response.content.decode()


def test_the_export_holds_the_listed_cases_and_is_audited(history):
    client = history.world.client("street_leader")
    before = AuditEntry.objects.filter(action="export").count()
    response = client.get("/stats/cases/export.xlsx", {"measure": "report", "period": NOVEMBER})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案卷编号" and len(rows) - 1 == 9
    numbers = {row[0] for row in rows[1:]}
    assert history.cases["voided_c"].number not in numbers and history.cases["hot_a1"].number in numbers
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry.detail["count"] == 9 and entry.detail["query"]["measure"] == "report"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"period": NOVEMBER}, 400, "filter_invalid"),  # no measure
        ({"period": NOVEMBER, "measure": "visits"}, 400, "filter_invalid"),
        ({"period": NOVEMBER, "measure": "report", "late": "yes"}, 400, "filter_invalid"),
        ({"period": "2026-13", "measure": "report"}, 400, "period_invalid"),
        ({"period": NOVEMBER, "measure": "report", "area": "110101002"}, 404, "area_not_found"),
        ({"period": NOVEMBER, "measure": "report", "grid": "abc"}, 400, "filter_invalid"),
    ],
)
def test_bad_filters_answer_a_precise_refusal(world, params, status, code):
    response = world.client("street_leader").get("/stats/cases/", params)
    assert response.status_code == status
    assert f'data-error-code="{code}"' in response.content.decode()


def test_a_reader_without_the_permission_is_refused(world):
    assert world.client("grid_worker_a").get("/stats/cases/", {"measure": "report"}).status_code == 403


def test_a_long_list_is_paged(history):
    client = history.world.client("administrator")
    response = client.get("/stats/cases/?" + QueryDict("measure=report&period=2026-11&page=2").urlencode())
    assert response.status_code == 200  # 10 events: one page; page 2 answers the last page


def test_a_brigade_covers_its_units_and_several_areas_count_together(history):
    """A 大队's figures are its 中队's too, and a person's grids together (repeated ``area``) are their sum: the
    events listed still add up to the figure."""
    world = history.world
    brigade = Department.objects.create(code="DD", name="城管执法大队", kind=DepartmentKind.OTHER)
    Department.objects.filter(pk=world.department.pk).update(parent=brigade)
    a, b = world.grid_a.code, world.grid_b.code
    for persona in ("administrator", "dispatcher"):
        user = world.user(persona)
        for measure in MEASURES:
            unit = stat_filter(user, {"period": NOVEMBER, "department": str(world.department.pk)})
            whole = stat_filter(user, {"period": NOVEMBER, "department": str(brigade.pk)})
            assert (
                fact_count(user, whole, measure)
                == fact_count(user, unit, measure)
                == behind(user, whole, measure).count()
            ), (persona, measure)
            both = stat_filter(user, QueryDict(f"period={NOVEMBER}&area={a}&area={b}"))
            each = sum(
                fact_count(user, stat_filter(user, {"period": NOVEMBER, "area": code}), measure) for code in (a, b)
            )
            assert fact_count(user, both, measure) == each == behind(user, both, measure).count(), (persona, measure)
    page = world.client("street_leader").get(f"/stats/cases/?measure=report&period={NOVEMBER}&area={a}&area={b}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-count>9<" in html and f"area={a}&amp;area={b}" in html  # the export and the toggle keep both

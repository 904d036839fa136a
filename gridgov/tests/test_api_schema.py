"""The whole /api/v1/ schema under Schemathesis: no input yields a server error and every answer has a status the
operation declares (and, for declared statuses, the body its schema says). Runs in-process over WSGI against the
test world with a few real residents and cases, as an administrator and as a grid worker, with valid and invalid
data, a bounded number of examples per operation and a fixed seed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from accounts.models import ApiToken
from alerts.models import WarningAlert
from audit.services import Origin
from bulletins.services import bulletin_publish
from cases.models import Case, CaseRequest, Category
from cases.services import ReportData, report_submit
from diary.models import DiaryEntry
from fieldwork.models import Patrol
from gridgov.testing import World
from gridgov.wsgi import application
from registry.changes import change_propose
from registry.choices import ChangeKind, ChangeSource
from registry.models import Building, Component, House, Household, Person, Place
from registry.tests.factories import HouseholdFactory, PersonFactory
from reports.models import SavedReport
from visits.models import DueVisit, Visit

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
IN_A, IN_B = (116.405, 39.91), (116.415, 39.91)


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)


def _records(world: World) -> dict[str, list[Any]]:
    """Rows the generated paths can name, so that operations on one record reach the database."""
    for grid in (world.grid_a, world.grid_b):
        household = HouseholdFactory(house__building__grid=grid)
        PersonFactory(grid=grid, house=household.house, household=household)
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("code")[0]
    reports = (("grid_worker_a", IN_A), ("grid_worker_a", IN_A), ("grid_worker_b", IN_B))
    for index, (persona, point) in enumerate(reports):
        report_submit(
            Origin(world.users[persona], "api"),
            ReportData(
                source="grid_worker",
                description=f"路边有暴露垃圾 {index}",
                longitude=point[0],
                latitude=point[1],
                category_id=category.pk,
            ),
        )
    return {
        "code": [world.grid_a.code, world.grid_b.code, "110101001", "000000000000000"],
        "number": [case.number for case in Case.objects.all()] + ["2026010100000"],
        "person_id": list(Person.objects.values_list("pk", flat=True)),
        "building_id": list(Building.objects.values_list("pk", flat=True)),
        "house_id": list(House.objects.values_list("pk", flat=True)),
        "household_id": list(Household.objects.values_list("pk", flat=True)),
        "place_id": list(Place.objects.values_list("pk", flat=True)) or [1],
        "component_id": list(Component.objects.values_list("pk", flat=True)) or [1],
        "request_id": list(CaseRequest.objects.values_list("pk", flat=True)) or [1],
        "token_id": [ApiToken.issue(world.user("dispatcher"), "其他设备")[0].pk],  # another person's: 404
        "patrol_id": [
            Patrol.objects.create(worker=world.user(persona), grid=grid, started_at=timezone.now()).pk
            for persona, grid in (("grid_worker_a", world.grid_a), ("grid_worker_b", world.grid_b))
        ],
        "worker_id": [world.user(persona).pk for persona in ("grid_worker_a", "grid_worker_b", "street_leader")],
        "entry_id": [
            DiaryEntry.objects.create(
                author=world.user(persona), grid=grid, day=timezone.localdate(), title="周例会"
            ).pk
            for persona, grid in (("grid_worker_a", world.grid_a), ("grid_worker_b", world.grid_b))
        ],
        "visit_id": [
            Visit.objects.create(
                worker=world.user(persona), grid=grid, visited_at=timezone.now(), purposes=["policy"]
            ).pk
            for persona, grid in (("grid_worker_a", world.grid_a), ("grid_worker_b", world.grid_b))
        ],
        "change_id": [
            change_propose(
                Origin(world.user(persona), "api"),
                ChangeKind.PERSON_UPDATE,
                ChangeSource.OTHER,
                grid,
                {"work_place": "新单位"},
                person=PersonFactory.create(grid=grid),
            ).pk
            for persona, grid in (("grid_worker_a", world.grid_a), ("grid_worker_b", world.grid_b))
        ],
        "due_id": list(DueVisit.objects.values_list("pk", flat=True)) or [1],
        "bulletin_id": [bulletin_publish("month", "2026-01", code).bulletin.pk for code in ("110101001", "110101002")],
        "alert_id": [
            WarningAlert.objects.create(
                grid=grid,
                category=category,
                day=timezone.localdate(),
                observed=9,
                expected=1.2,
                probability=1e-4,
                threshold=6,
                method="poisson",
                created_at=timezone.now(),
            ).pk
            for grid in (world.grid_a, world.grid_b)
        ],
        "report_id": [
            SavedReport.objects.create(
                name="街道上报数",
                owner=world.user(persona),
                spec={"rows": ["area:street"], "measures": ["count:report"], "filters": {"period": "2026-01"}},
            ).pk
            for persona in ("street_leader", "dispatcher")
        ],
    }


def _strategy(operation: Any, mode: schemathesis.GenerationMode, known: dict[str, list[Any]]) -> Any:
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if not names or mode is schemathesis.GenerationMode.NEGATIVE:
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names}).flatmap(
        lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
    )
    return st.one_of(real, real, generated)


def _exercise(operation: Any, strategy: Any, token: str, tally: Tally) -> None:
    label = f"{operation.label}"

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        tally.requests += 1
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Exception as failure:
        tally.failures.append(f"{label}: {str(failure)[:1500]}")


@pytest.fixture
def kept_connection():
    """The WSGI handler closes the database connection after each request; the test's transaction must stay open
    (as Django's test client does it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.parametrize("persona", ["administrator", "grid_worker_a"])
def test_no_operation_answers_a_server_error_or_an_undeclared_status(
    world: World, persona: str, kept_connection: None
) -> None:
    known = _records(world)
    _, token = ApiToken.issue(world.user(persona), "schema test")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    tally = Tally()
    started = time.monotonic()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        tally.operations += 1
        for mode in MODES:
            _exercise(operation, _strategy(operation, mode, known), token, tally)
    elapsed = time.monotonic() - started
    print(f"\n{persona}: {tally.operations} operations, {tally.requests} requests, {elapsed:.1f} s")
    assert tally.operations >= 50
    assert not tally.failures, "\n\n".join(tally.failures)

"""A November of hand-made cases, each walked through the services at chosen times (as ``test_facts.py`` does), so
that every figure of the statistics page has a known answer.

Times are UTC; Beijing is 8 hours ahead, so 09:00 UTC on Monday 16 November is 17:00 that day in the site's zone.

- ``closed_a`` (grid A, 暴露垃圾, 网格员): reported, filed, dispatched on the 16th; handled, checked and closed an hour
  later.
- ``reworked_a`` (grid A, 暴露垃圾, 12345): reported, filed, dispatched on the 16th; failed its check twice; closed on
  the 19th.
- ``rejected_a`` (grid A, 暴露垃圾): reported and rejected on the 19th.
- ``self_a`` (grid A, 暴露垃圾): resolved on the spot on the 19th.
- ``open_b`` (grid B, 暴露垃圾): reported on the 19th, still open.
- ``late_b`` (grid B, 机动车乱停放, 12345): filed and dispatched on the 16th, its handling went red on the 20th, handled
  and closed late on the 20th.
- ``voided_c`` (grid C — the other street, 暴露垃圾, 12345): filed on the 19th and voided.
- ``hot_a1..3`` (grid A, 暴露垃圾): three reports within 20 m of each other on the 21st (a hotspot).

Every case stands at its own place at least 150 m from the others, but for the three of the hotspot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from audit.services import Origin
from cases import services
from cases.deadlines import deadlines_sweep
from cases.models import Case, Category
from cases.photos import CheckedPhoto
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.testing import World, jpeg_bytes

T0 = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
NOVEMBER = "2026-11"
#: "Now" for the figures that look back from today (hotspots, open cases' durations).
END = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def spot(index: int, grid: str = "a") -> tuple[float, float]:
    """A place of its own: 0.0015° of latitude (≈ 166 m) apart from the next, inside the grid."""
    lon = {"a": 116.405, "b": 116.415, "c": 116.43}[grid]
    return lon, 39.901 + 0.0015 * index


def photo() -> CheckedPhoto:
    return CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)


@dataclass
class History:
    world: World
    garbage: Category  # 0102 暴露垃圾
    parking: Category  # 0505 机动车乱停放
    cases: dict[str, Case] = field(default_factory=dict)

    def origin(self, persona: str) -> Origin:
        return Origin(self.world.users[persona], "api")

    def report(self, category: Category, point: tuple[float, float], *, persona: str = "grid_worker_a",
               source: str = "grid_worker", **more) -> Case:  # fmt: skip
        data = ReportData(
            source=source,
            description="路边问题",
            longitude=point[0],
            latitude=point[1],
            category_id=category.pk,
            **more,
        )
        return report_submit(self.origin(persona), data).case

    def file_and_dispatch(self, case: Case) -> Case:
        case = services.case_file(self.origin("shift_leader"), case)
        return services.case_dispatch(self.origin("dispatcher"), case, self.world.department)

    def handle(self, case: Case, *, passed: bool = True) -> Case:
        case = services.case_accept_task(self.origin("department_handler"), case)
        case = services.case_report_result(self.origin("department_handler"), case, "已处理", photos=[photo()])
        checker = "grid_worker_a" if case.grid == self.world.grid_a else "grid_worker_b"
        return services.case_check(self.origin(checker), case, passed=passed, note="核查", photos=[photo()])

    def close(self, case: Case) -> Case:
        return services.case_close(self.origin("shift_leader"), case)


def history_build(world: World) -> History:
    categories_ensure()
    history = History(
        world,
        Category.objects.get(kind="event", code="0102"),
        Category.objects.get(kind="event", code="0505"),
    )
    garbage, parking, cases = history.garbage, history.parking, history.cases
    with timesource.acting_at(T0):
        cases["closed_a"] = history.file_and_dispatch(history.report(garbage, spot(0)))
        cases["late_b"] = history.file_and_dispatch(
            history.report(
                parking, spot(1, "b"), persona="intake_clerk", source="hotline", reporter_phone="13800138000"
            )
        )
    with timesource.acting_at(T0 + dt.timedelta(hours=1)):
        cases["closed_a"] = history.close(history.handle(cases["closed_a"]))
        twice = history.report(garbage, spot(2), persona="intake_clerk", source="hotline", reporter_phone="13800138001")
        twice = history.file_and_dispatch(twice)
        twice = history.handle(twice, passed=False)
        cases["reworked_a"] = history.handle(twice, passed=False)
    with timesource.acting_at(T0 + dt.timedelta(days=3)):
        cases["reworked_a"] = history.close(history.handle(cases["reworked_a"]))
        rejected = history.report(garbage, spot(3))
        cases["rejected_a"] = services.case_reject(history.origin("shift_leader"), rejected, "不属于受理范围")
        voided = history.report(garbage, spot(4, "c"), persona="intake_clerk", source="hotline")
        voided = services.case_file(history.origin("shift_leader"), voided)
        request = services.case_request_open(history.origin("shift_leader"), voided, "void", "重复上报")
        cases["voided_c"] = services.case_request_decide(history.origin("dispatcher"), request, approve=True)
        cases["self_a"] = history.report(
            garbage, spot(5), self_resolved=True, before_photos=[photo()], after_photos=[photo()]
        )
        cases["open_b"] = history.report(garbage, spot(6, "b"), persona="grid_worker_b")
    red = T0 + dt.timedelta(days=4)
    with timesource.acting_at(red):
        deadlines_sweep(red)
    with timesource.acting_at(red + dt.timedelta(hours=1)):
        cases["late_b"] = history.close(history.handle(Case.objects.get(pk=cases["late_b"].pk)))
    with timesource.acting_at(T0 + dt.timedelta(days=5)):
        lon, lat = 116.403, 39.9175
        for index, (east, north) in enumerate(((0, 0), (0.0001, 0.0001), (-0.0001, 0.00005)), start=1):
            cases[f"hot_a{index}"] = history.report(garbage, (lon + east, lat + north))
    for name, case in cases.items():
        cases[name] = Case.objects.get(pk=case.pk)
    return history


@pytest.fixture
def history(world) -> History:
    return history_build(world)

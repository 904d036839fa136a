"""The schemes page (in force, to come, past) and editing through the admin with precise refusals; departments in
two levels (大队 → 中队) set in the department admin."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accounts.models import Department, DepartmentKind
from evaluation.models import Position, ScoringScheme

from .conftest import scheme

pytestmark = pytest.mark.django_db


def test_the_schemes_page_lists_schemes_in_force_to_come_and_past(world):
    past = ScoringScheme.objects.get(position=Position.DISPATCHER)
    current = scheme(Position.DISPATCHER, {"dispatch_on_time_rate": 100}, effective_from=dt.date(2026, 1, 1))
    future = scheme(Position.DISPATCHER, {"dispatch_on_time_rate": 100}, effective_from=dt.date(2099, 1, 1))
    response = world.client("street_leader").get("/evaluation/schemes/")
    assert response.status_code == 200
    html = response.content.decode()
    for shown, status in ((past, "past"), (current, "in_force"), (future, "future")):
        assert f'data-scheme="{shown.pk}" data-status="{status}"' in html
    assert "按时派遣率" in html and "标准未规定受理员的考核权重" in html
    assert "修改" not in html, "editing is the administrator's"
    administrator = world.client("administrator").get("/evaluation/schemes/")
    assert "admin/evaluation/scoringscheme/" in administrator.content.decode()


def _form(**fields):
    data = {
        "position": Position.DISPATCHER,
        "area_class": "",
        "effective_from": "2026-12-01",
        "weights": json.dumps({"dispatched": 20, "dispatch_on_time_rate": 40, "dispatcher_accuracy_rate": 40}),
        "quotas": json.dumps({"dispatched": 200}),
        "bands": json.dumps({"A": 90, "B": 75, "C": 60, "D": 40}),
        "note": "本区 2026 年考核办法",
    }
    return {**data, **fields}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": json.dumps({"dispatched": 20, "dispatch_on_time_rate": 40})}, "权重合计为 60，应为 100"),
        ({"weights": json.dumps({"dispatched": 20, "rework_rate": 80})}, "未知的指标编码“rework_rate”"),
        ({"quotas": json.dumps({"dispatched": -5})}, "“派遣数”的定额应为正数"),
        ({"bands": json.dumps({"A": 60, "B": 75, "C": 60, "D": 40})}, "分数线应从 A 到 D 递减"),
    ],
)
def test_the_admin_refuses_a_scheme_breaking_a_rule_with_a_precise_message(world, change, message):
    client = world.client("administrator")
    before = ScoringScheme.objects.count()
    response = client.post("/admin/evaluation/scoringscheme/add/", _form(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ScoringScheme.objects.count() == before


def test_the_admin_saves_a_sound_scheme(world):
    response = world.client("administrator").post("/admin/evaluation/scoringscheme/add/", _form())
    assert response.status_code == 302
    saved = ScoringScheme.objects.get(effective_from=dt.date(2026, 12, 1))
    assert saved.quotas == {"dispatched": 200}


def test_departments_are_two_levels_deep(world):
    client = world.client("administrator")
    brigade = Department.objects.create(code="ZF", name="城管执法大队", kind=DepartmentKind.ENFORCEMENT)
    squad = Department.objects.create(code="ZF1", name="一中队", kind=DepartmentKind.ENFORCEMENT, parent=brigade)
    fields = {"code": "ZF11", "name": "一分队", "kind": "enforcement", "is_active": "on"}
    under_squad = client.post("/admin/accounts/department/add/", {**fields, "parent": squad.pk})
    assert under_squad.status_code == 200 and "部门只分两级" in under_squad.content.decode()
    moved = {**fields, "code": "ZF", "name": "城管执法大队", "parent": world.department.pk}
    brigade_under = client.post(f"/admin/accounts/department/{brigade.pk}/change/", moved)
    assert "本部门下已有中队" in brigade_under.content.decode()
    assert client.post("/admin/accounts/department/add/", {**fields, "parent": brigade.pk}).status_code == 302
    assert Department.objects.get(code="ZF11").parent == brigade
    listing = client.get("/admin/accounts/department/").content.decode()
    assert "上级部门" in listing

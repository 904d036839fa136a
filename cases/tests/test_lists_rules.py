"""The rules of saved filters and bulk actions pinned at their exact limits: a filter's name (1–40 characters),
its query (at most 1,000 characters), 30 filters per user, the same name replacing the filter, a bulk request of
1–200 distinct case numbers, and each refusal's code, field and message as the API and the pages show them."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from cases.models import Case, CaseEvent, SavedFilter
from cases.services import BULK_LIMIT
from cases.services.lists import (
    SAVED_FILTER_LIMIT,
    cases_accept_many,
    cases_dispatch_many,
    numbers_checked,
    saved_filter_save,
)
from gridgov.errors import ValidationFailed


def refusal(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.as_dict()


def test_a_filter_name_is_one_to_forty_characters_after_trimming(desk):
    origin = desk.origin("dispatcher")
    wanted = {"code": "record_invalid", "message": "请填写名称（不超过 40 字）",
              "details": [{"field": "name", "message": "请填写名称（不超过 40 字）"}]}  # fmt: skip
    assert refusal(lambda: saved_filter_save(origin, "", QueryDict("queue=intake"))) == wanted
    assert refusal(lambda: saved_filter_save(origin, "   ", QueryDict("queue=intake"))) == wanted
    assert refusal(lambda: saved_filter_save(origin, None, QueryDict("queue=intake"))) == wanted
    assert refusal(lambda: saved_filter_save(origin, "名" * 41, QueryDict("queue=intake"))) == wanted
    kept = saved_filter_save(origin, " " + "名" * 40 + " ", QueryDict("queue=intake"))
    assert kept.name == "名" * 40 and kept.query == "queue=intake"
    assert not SavedFilter.objects.exclude(pk=kept.pk).exists()


def test_a_filter_query_is_at_most_a_thousand_characters(desk):
    origin = desk.origin("dispatcher")
    # Each kept parameter is cut at 100 characters: eleven of them reach past 1,000 once encoded.
    long = QueryDict(mutable=True)
    for name in ("queue", "text", "light", "source", "area", "category", "department", "status", "date_from",
                 "date_to", "sort"):  # fmt: skip
        long[name] = "x" * 100
    assert refusal(lambda: saved_filter_save(origin, "太长", long)) == {
        "code": "record_invalid",
        "message": "筛选条件过长",
        "details": [{"field": "query", "message": "筛选条件过长"}],
    }
    exact = QueryDict(mutable=True)  # "text=" + 95 × 10 characters… built to 1,000 exactly
    exact["text"] = "y" * 100
    for name in ("area", "category", "department", "status", "date_from", "date_to", "sort", "source"):
        exact[name] = "y" * 100
    exact["light"] = "y" * (1000 - len(exact.urlencode()) - len("&light="))
    assert len(exact.urlencode()) == 1000
    assert len(saved_filter_save(origin, "刚好", exact).query) == 1000
    assert SavedFilter.objects.filter(name="太长").count() == 0


def test_saving_under_the_same_name_replaces_the_filter_and_its_query_only(desk):
    origin = desk.origin("dispatcher")
    first = saved_filter_save(origin, "红灯", QueryDict("light=red"))
    again = saved_filter_save(origin, "红灯", QueryDict("light=red&queue=intake"))
    assert again.pk == first.pk and SavedFilter.objects.count() == 1
    first.refresh_from_db()
    assert first.query == "queue=intake&light=red" and first.name == "红灯"


def test_the_thirtieth_filter_is_kept_and_the_thirty_first_refused(desk):
    user = desk.world.user("dispatcher")
    origin = desk.origin("dispatcher")
    SavedFilter.objects.bulk_create(SavedFilter(user=user, name=f"f{n}", query="") for n in range(29))
    saved_filter_save(origin, "第三十个", QueryDict("queue=intake"))
    assert SavedFilter.objects.count() == SAVED_FILTER_LIMIT == 30
    message = "最多保存 30 个常用筛选，请先删除不用的"
    assert refusal(lambda: saved_filter_save(origin, "第三十一个", QueryDict(""))) == {
        "code": "saved_filter_limit",
        "message": message,
        "details": None,
    }
    saved_filter_save(origin, "f3", QueryDict("light=red"))  # replacing one is still allowed at the limit
    assert SavedFilter.objects.get(name="f3").query == "light=red"


def test_bulk_numbers_are_trimmed_distinct_in_order_and_at_most_two_hundred():
    assert numbers_checked([" 2", "1 ", "2", "", "  ", "3"]) == ["2", "1", "3"]
    assert refusal(lambda: numbers_checked(["", "  "])) == {
        "code": "record_invalid",
        "message": "请先勾选案卷",
        "details": [{"field": "case", "message": "请先勾选案卷"}],
    }
    assert BULK_LIMIT == 200
    assert len(numbers_checked([str(n) for n in range(200)] + ["0", "1"])) == 200
    message = "一次最多处理 200 件，已选 201 件"
    assert refusal(lambda: numbers_checked([str(n) for n in range(201)])) == {
        "code": "bulk_too_many",
        "message": message,
        "details": [{"field": "case", "message": message}],
    }


def test_bulk_dispatch_needs_a_department_and_keeps_the_reason(desk):
    reported = desk.report(description="井盖缺失")
    from cases import services

    services.case_file(desk.origin("shift_leader"), reported)
    origin = desk.origin("dispatcher")
    assert refusal(lambda: cases_dispatch_many(origin, [reported.number], None)) == {
        "code": "record_invalid",
        "message": "请选择主办部门",
        "details": [{"field": "department", "message": "请选择主办部门"}],
    }
    result = cases_dispatch_many(origin, [reported.number, "nonexistent"], desk.sanitation, reason="批量派遣")
    assert result.done == [reported.number] and result.failed == [("nonexistent", "案卷不存在")]
    event = CaseEvent.objects.filter(case=reported).latest("id")
    assert event.reason == "批量派遣" and event.action == "dispatch"


def test_bulk_accept_keeps_the_reason_and_without_one_leaves_it_empty(desk):
    one, two = desk.report(description="积水"), desk.report(description="路灯不亮")
    origin = desk.origin("intake_clerk")
    assert cases_accept_many(origin, [one.number], reason="批量受理").done == [one.number]
    assert cases_accept_many(origin, [two.number]).done == [two.number]
    assert CaseEvent.objects.filter(case=one).latest("id").reason == "批量受理"
    assert CaseEvent.objects.filter(case=two).latest("id").reason == ""
    assert set(Case.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {"accepted"}


def test_a_refused_case_of_a_bulk_action_is_reported_with_the_services_message(desk):
    one = desk.report(description="积水")
    origin = desk.origin("intake_clerk")
    cases_accept_many(origin, [one.number])
    again = cases_accept_many(origin, [one.number])
    assert again.done == [] and len(again.failed) == 1
    number, message = again.failed[0]
    assert number == one.number and "受理" in message, message

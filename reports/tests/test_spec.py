"""Every fault of a spec is refused with a stable code and the field at fault; a good spec comes back in its normal
form."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.errors import ValidationFailed
from reports.spec import MAX_DAYS, MEASURES, period_named, spec_parse

GOOD = {
    "rows": ["area:street"],
    "columns": ["period:month"],
    "measures": ["rate:close_rate"],
    "filters": {"period": "2026"},
}
TODAY = dt.date(2026, 11, 28)


def refused(spec, code="report_spec_invalid"):
    with pytest.raises(ValidationFailed) as error:
        spec_parse(spec, today=TODAY)
    assert error.value.code == code, error.value.as_dict()
    return {problem["field"]: problem["message"] for problem in error.value.details}


def test_a_good_spec_comes_back_in_its_normal_form():
    spec = spec_parse(GOOD, today=TODAY)
    assert spec.filters.start == dt.date(2026, 1, 1) and spec.filters.end == dt.date(2026, 12, 31)
    assert spec.as_dict() == {"version": 1, **GOOD, "hide_empty": False}
    assert spec_parse(spec.as_dict(), today=TODAY) == spec
    assert spec.fact_measures() == {"c_closed", "filed", "self_resolved"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rows": ["area:town"]}, "rows.0", "未知的维度：area:town"),
        ({"rows": []}, "rows", "请至少选择一个行维度"),
        ({"rows": "area:street"}, "rows", "应为字符串列表"),
        (
            {"rows": ["area:street", "source"], "columns": ["area:grid"]},
            "columns.0",
            "维度重复：网格 与 街道 不能同时使用",
        ),
        ({"rows": ["source", "source"]}, "rows.1", "维度重复：来源 与 来源 不能同时使用"),
        ({"rows": ["period:week"], "columns": ["period:month"]}, "columns.0", "维度重复：月 与 周 不能同时使用"),
        (
            {"rows": ["area:street", "source", "department"], "columns": ["period:month"]},
            "rows",
            "行维度与列维度合计最多 3 个",
        ),
        ({"columns": ["source", "department", "state"], "rows": []}, "columns", "列维度最多 2 个"),
        ({"measures": []}, "measures", "请至少选择一个指标"),
        ({"measures": ["rate:nothing"]}, "measures.0", "未知的指标：rate:nothing"),
        ({"measures": ["count:report", "count:report"]}, "measures.1", "指标重复：上报数"),
        ({"measures": ["count"]}, "measures.0", "「数量」需要把环节作为行或列维度"),
        (
            {"rows": ["state"], "columns": [], "measures": ["count:report"]},
            "measures.0",
            "按环节分组时只能选择数量、按时率或平均用时",
        ),
        (
            {"rows": ["on_time"], "columns": [], "measures": ["rate:close_rate"]},
            "measures.0",
            "按时/超时分组时只能选择数量类指标（「结案率」不可拆分）",
        ),
        ({"filters": {"period": "2026", "source": "pigeon"}}, "filters.source", "未知的来源：pigeon"),
        ({"filters": {"period": "2026", "area": "11a"}}, "filters.area", "区域编码应为不超过 15 位的数字"),
        ({"filters": {"period": "2026", "category": -1}}, "filters.category", "应为正整数编号"),
        ({"filters": {"period": "2026", "department": "x"}}, "filters.department", "应为正整数编号"),
        (
            {"filters": {"period": "2026", "states": ["filed"]}},
            "filters.states",
            "只有把环节作为行或列维度时才能筛选环节",
        ),
        ({"filters": {"period": "2026", "colour": "red"}}, "filters.colour", "未知的筛选条件：colour"),
        ({"filters": "2026"}, "filters", "筛选条件应为对象"),
        ({"hide_empty": "yes"}, "hide_empty", "应为 true 或 false"),
        ({"owner": 3}, "owner", "未知的字段：owner"),
    ],
)
def test_a_faulty_spec_names_the_field(change, field, message):
    problems = refused({**GOOD, **change})
    assert problems[field] == message


def test_several_faults_are_all_named():
    problems = refused({"rows": ["x"], "measures": ["y"], "filters": {"period": "2026-13"}})
    assert set(problems) == {"rows.0", "measures.0", "filters.period"}


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        (
            {"period": "2026-13"},
            "filters.period",
            "统计周期格式不正确（如 2026-11-28、2026-W48、2026-11、2026-Q4、2026）",
        ),
        (
            {"period": "next_month"},
            "filters.period",
            "统计周期格式不正确（如 2026-11-28、2026-W48、2026-11、2026-Q4、2026）",
        ),
        ({}, "filters.period", "请选择统计周期或起止日期"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "filters.start", "日期无效：2026-02-30（应为 YYYY-MM-DD）"),
        ({"start": "2026-03-01"}, "filters.end", "日期应为 YYYY-MM-DD 格式"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "filters.end", "结束日期不能早于开始日期"),
        ({"start": "2020-01-01", "end": "2023-01-01"}, "filters.end", "时间范围不能超过 3 年"),
        ({"start": "1999-12-01", "end": "2000-01-31"}, "filters.start", "日期应在 2000 年至 2100 年之间"),
    ],
)
def test_a_period_that_names_no_period_is_period_invalid(filters, field, message):
    problems = refused({**GOOD, "filters": filters}, code="period_invalid")
    assert problems[field] == message


def test_three_years_is_the_longest_range():
    start = dt.date(2024, 1, 1)
    spec = spec_parse({**GOOD, "filters": {"start": "2024-01-01", "end": "2026-12-31"}}, today=TODAY)
    assert (spec.filters.end - start).days + 1 == MAX_DAYS


def test_relative_periods_are_read_on_the_day():
    assert period_named("this_month", TODAY).key == "2026-11"
    assert period_named("last_month", dt.date(2026, 1, 15)).key == "2025-12"
    assert period_named("last_quarter", TODAY).key == "2026-Q3"
    assert period_named("last_year", TODAY).key == "2025"
    assert period_named("last_week", TODAY).key == "2026-W47"
    spec = spec_parse({**GOOD, "filters": {"period": "this_quarter"}}, today=TODAY)
    assert (spec.filters.start, spec.filters.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert spec.as_dict()["filters"] == {"period": "this_quarter"}


def test_every_indicator_rate_is_a_measure_with_the_facts_it_reads():
    assert MEASURES["rate:file_accuracy_rate"].facts == {"filed", "c_voided"}
    assert MEASURES["rate:dispatch_on_time_rate"].facts == {"dispatched"}
    assert MEASURES["count:closed"].facts == {"closed"}
    assert "rate:reports" not in MEASURES  # a count indicator is a count:* measure

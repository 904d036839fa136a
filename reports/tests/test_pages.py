"""自定报表 pages through the Django test client: the list (mine, shared with my roles, templates), the builder
with its preview, saving, saving as, deleting, exporting; sharing gives the layout, each reader sees their own
areas; not shared answers 404, a shared report is its owner's to change."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from gridgov.testing import make_user
from reports.models import ReportShare, SavedReport
from reports.tests.conftest import spec_of

BUILDER = {
    "name": "街道月结案率",
    "row_1": "area:street",
    "column_1": "period:month",
    "measures": ["rate:close_rate", "count:report"],
    "period": "",
    "start": "2026-01-01",
    "end": "2026-03-31",
}


def _report(world, owner="community_staff", roles=(), name="街道结案率", **filters):
    report = SavedReport.objects.create(
        name=name, owner=world.user(owner), spec=spec_of(["area:street"], ["count:report"], **filters)
    )
    ReportShare.objects.bulk_create([ReportShare(report=report, role=role) for role in roles])
    return report


def test_the_list_shows_my_reports_those_shared_with_my_roles_and_the_templates(world):
    _report(world, name="我的报表")
    _report(world, owner="street_leader", roles=["community_staff"], name="街道共享")
    _report(world, owner="street_leader", roles=["dispatcher"], name="派遣员的")
    page = world.client("community_staff").get(reverse("reports:list")).content.decode()
    assert "我的报表" in page and "街道共享" in page and "派遣员的" not in page
    assert page.index("我的报表") < page.index("共享给我的报表") < page.index("街道共享")
    assert "街道 × 月 结案率" in page and 'data-action="report-new"' in page


def test_the_list_takes_a_few_queries_whatever_the_number_of_reports(world, django_assert_max_num_queries):
    client = world.client("community_staff")
    client.get(reverse("reports:list"))
    for index in range(12):
        _report(world, name=f"报表{index}", roles=["street_leader", "dispatcher"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reports:list")).status_code == 200


def test_roles_without_statistics_are_refused(world):
    for persona in ("grid_worker_a", "department_handler"):
        assert world.client(persona).get(reverse("reports:list")).status_code == 403
        assert world.client(persona).get(reverse("reports:new")).status_code == 403


def test_the_builder_opens_with_a_template(world):
    page = world.client("street_leader").get(reverse("reports:new") + "?template=department_on_time_handled")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="department" selected>' in html and '<option value="on_time" selected>' in html
    assert re.search(r'value="count:handled"[^>]*checked', html)
    assert not re.search(r'value="count:report"[^>]*checked', html)
    assert "自定义起止日期" in html and 'data-preview-url="/reports/preview/"' in html


def test_the_preview_shows_the_table_with_links_to_the_cases(facts):
    world = facts.world
    response = world.client("street_leader").get(reverse("reports:preview"), BUILDER)
    html = response.content.decode()
    assert response.status_code == 200
    assert "一街道" in html and "二街道" not in html  # the leader's street only
    assert ">80.00%<" in html and 'title="结案数 4 / 应结案数 5"' in html
    assert "/stats/cases/?measure=report&amp;area=110101001&amp;period=2026-01" in html
    assert html.count("<tr data-row>") == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"row_1": "", "row_2": ""}, "请至少选择一个行维度"),
        ({"row_2": "area:grid"}, "维度重复：网格 与 街道 不能同时使用"),
        ({"measures": []}, "请至少选择一个指标"),
        ({"end": "2025-12-01"}, "结束日期不能早于开始日期"),
        ({"row_1": "area:town"}, "选择一个有效的选项"),
    ],
)
def test_the_preview_names_what_is_wrong(world, change, message):
    response = world.client("street_leader").get(reverse("reports:preview"), {**BUILDER, **change})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_preview_of_an_area_outside_ones_scope_is_not_found(world):
    response = world.client("street_leader").get(reverse("reports:preview"), {**BUILDER, "area": "110101002"})
    assert response.status_code == 404 and "区域不存在或不在您的管辖范围内" in response.content.decode()
    response = world.client("administrator").get(reverse("reports:preview"), {**BUILDER, "area": "110101002"})
    assert response.status_code == 200


def test_the_preview_takes_a_few_queries(facts, django_assert_max_num_queries):
    client = facts.world.client("street_leader")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reports:preview"), {**BUILDER, "row_2": "category:sub"}).status_code == 200


def test_saving_a_new_report_with_its_shares(world):
    response = world.client("street_leader").post(
        reverse("reports:new"), {**BUILDER, "shared_roles": ["community_staff", "dispatcher"]}
    )
    report = SavedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.owner == world.user("street_leader") and report.name == "街道月结案率"
    assert report.shared_roles == ["dispatcher", "community_staff"]
    assert report.spec == {
        "version": 1,
        "rows": ["area:street"],
        "columns": ["period:month"],
        "measures": ["rate:close_rate", "count:report"],
        "filters": {"start": "2026-01-01", "end": "2026-03-31"},
        "hide_empty": False,
    }


def test_a_report_without_a_name_or_with_a_bad_spec_is_not_saved(world):
    client = world.client("street_leader")
    response = client.post(reverse("reports:new"), {**BUILDER, "name": " "})
    assert response.status_code == 400 and "请填写报表名称" in response.content.decode()
    response = client.post(reverse("reports:new"), {**BUILDER, "measures": []})
    assert response.status_code == 400 and "请至少选择一个指标" in response.content.decode()
    assert not SavedReport.objects.exists()


def test_the_owner_changes_the_report_a_reader_saves_a_copy(world):
    report = _report(world, roles=["street_leader"])
    owner, reader = world.client("community_staff"), world.client("street_leader")
    page = owner.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-action="report-save"' in page and 'data-action="report-delete"' in page
    assert owner.post(reverse("reports:detail", args=[report.pk]), BUILDER).status_code == 302
    report.refresh_from_db()
    assert report.name == "街道月结案率" and report.spec["columns"] == ["period:month"]
    assert report.shared_roles == []  # the form sent no role: no longer shared

    ReportShare.objects.create(report=report, role="street_leader")
    page = reader.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "data-shared-notice" in page and 'data-action="report-delete"' not in page
    assert not re.search(r'name="shared_roles"[^>]*checked', page)  # a copy is shared with no one at first
    refused = reader.post(reverse("reports:detail", args=[report.pk]), {**BUILDER, "name": "改名"})
    assert refused.status_code == 403 and "只有创建人可以修改或删除此报表" in refused.content.decode()
    copy = reader.post(reverse("reports:new"), {**BUILDER, "name": "我的副本"})
    assert copy.status_code == 302
    assert SavedReport.objects.get(name="我的副本").owner == world.user("street_leader")
    report.refresh_from_db()
    assert report.name == "街道月结案率"


def test_only_the_owner_deletes(world):
    report = _report(world, roles=["street_leader"])
    assert world.client("street_leader").post(reverse("reports:delete", args=[report.pk])).status_code == 403
    assert world.client("administrator").post(reverse("reports:delete", args=[report.pk])).status_code == 404
    assert SavedReport.objects.filter(pk=report.pk).exists()
    response = world.client("community_staff").post(reverse("reports:delete", args=[report.pk]))
    assert response.status_code == 302 and not SavedReport.objects.filter(pk=report.pk).exists()


def test_a_report_not_shared_with_me_is_not_found(world):
    report = _report(world, roles=["dispatcher"])
    for name in ("reports:detail", "reports:export"):
        assert world.client("street_leader").get(reverse(name, args=[report.pk])).status_code == 404
    assert world.client("dispatcher").get(reverse("reports:detail", args=[report.pk])).status_code == 200


def test_a_shared_report_shows_each_reader_their_own_areas(facts):
    """Shared with the community staff role: a community staff of the other street sees only that street."""
    world = facts.world
    report = _report(world, owner="street_leader", roles=["community_staff"])
    other = make_user("community_c", Role.COMMUNITY_STAFF, [world.areas["110101002001"]])
    client = world.client("community_staff")
    client.force_login(other)
    response = client.get(reverse("reports:export", args=[report.pk]) + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines == [["街道", "上报数"], ["二街道", "5"], ["合计", "5"]]
    own = world.client("community_staff").get(reverse("reports:export", args=[report.pk]) + "?format=csv")
    lines = list(csv.reader(io.StringIO(b"".join(own.streaming_content).decode("utf-8-sig"))))
    assert lines == [["街道", "上报数"], ["一街道", "7"], ["合计", "7"]]


def test_the_export_as_xlsx_and_a_bad_format(facts):
    world = facts.world
    report = _report(world)
    client = world.client("community_staff")
    response = client.get(reverse("reports:export", args=[report.pk]) + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    bad = client.get(reverse("reports:export", args=[report.pk]) + "?format=pdf")
    assert bad.status_code == 400 and "导出格式无效" in bad.content.decode()


def test_the_builder_speaks_english_when_chosen(world):
    client = world.client("street_leader")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("reports:new")).content.decode()
    assert 'value="count:report"' in html and "Reports" in html and "Closure rate" in html
    assert "上报数" not in html and "结案率" not in html

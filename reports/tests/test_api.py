"""自定报表 under /api/v1/custom-reports: run a spec, save, list, change, delete and export; errors with stable
codes and the field at fault."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from reports.models import ReportShare, SavedReport
from reports.tests.conftest import spec_of

RUN = "/api/v1/custom-reports/run"
REPORTS = "/api/v1/custom-reports"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_running_a_spec_answers_the_table(facts):
    client = facts.world.client("street_leader")
    response = post(client, RUN, spec_of(["area:street"], ["rate:close_rate", "count:report"], ["period:month"]))
    assert response.status_code == 200
    table = response.json()
    assert [dimension["code"] for dimension in table["row_dimensions"]] == ["area:street"]
    assert [measure["unit"] for measure in table["measures"]] == ["rate", "count"]
    assert [column[0]["key"] for column in table["columns"]] == ["2026-01", "2026-02", "2026-03"]
    (row,) = table["rows"]
    assert row["members"] == [{"key": "110101001", "label": "一街道", "filters": {"area": "110101001"}}]
    assert row["cells"][0][0] == {"value": 0.8, "numerator": 4.0, "denominator": 5.0}
    assert row["total"][1] == {"value": 7.0, "numerator": None, "denominator": None}
    assert table["row_count"] == 1 and table["truncated"] is False
    assert table["start"] == "2026-01-01" and table["end"] == "2026-03-31"


def test_a_long_table_is_cut_at_the_limit_asked(facts):
    client = facts.world.client("administrator")
    response = post(client, f"{RUN}?limit=5", spec_of(["period:day"], ["count:report"]))
    table = response.json()
    assert len(table["rows"]) == 5 and table["row_count"] == 90 and table["truncated"] is True
    assert table["totals"]["total"][0]["value"] == 12


@pytest.mark.parametrize(
    ("spec", "status", "code", "field"),
    [
        (spec_of(["area:town"], ["count:report"]), 400, "report_spec_invalid", "rows.0"),
        (spec_of(["source", "source"], ["count:report"]), 400, "report_spec_invalid", "rows.1"),
        (spec_of(["source", "department", "state"], ["count"], ["period:month"]), 400, "report_spec_invalid", "rows"),
        (spec_of(["source"], ["count:nothing"]), 400, "report_spec_invalid", "measures.0"),
        (spec_of(["source"], ["count:report"], period="2026-Q5"), 400, "period_invalid", "filters.period"),
        (
            spec_of(["source"], ["count:report"], start="2020-01-01", end="2024-01-01"),
            400,
            "period_invalid",
            "filters.end",
        ),
        (spec_of(["source"], ["count:report"], area="110101002"), 404, "area_not_found", None),
        ({"rows": "source", "measures": ["count:report"]}, 422, "validation_failed", "rows"),
        ({**spec_of(["source"], ["count:report"]), "colour": 1}, 422, "validation_failed", "colour"),
    ],
)
def test_a_faulty_spec_is_refused_with_its_code_and_field(world, spec, status, code, field):
    response = post(world.client("street_leader"), RUN, spec)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    if field:  # a schema fault names the body's field as payload.<field>
        assert field in [problem["field"].removeprefix("payload.") for problem in body["details"]]


def test_saving_listing_changing_and_deleting(facts):
    world = facts.world
    owner, reader = world.client("community_staff"), world.client("street_leader")
    body = {
        "name": "街道结案率",
        "spec": spec_of(["area:street"], ["rate:close_rate"], period="this_year"),
        "shared_roles": ["street_leader"],
    }
    created = post(owner, REPORTS, body)
    assert created.status_code == 201
    report = created.json()
    assert report["mine"] is True and report["shared_roles"] == ["street_leader"]
    assert report["spec"]["filters"] == {"period": "this_year"} and report["title"] == "街道 · 结案率"
    url = f"{REPORTS}/{report['id']}"

    listed = reader.get(REPORTS).json()
    assert [(item["name"], item["mine"], item["owner_name"]) for item in listed] == [("街道结案率", False, "community")]
    assert world.client("dispatcher").get(url).status_code == 404
    assert world.client("grid_worker_a").get(REPORTS).status_code == 403

    refused = reader.patch(url, {"name": "改名"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "report_not_owner"
    changed = owner.patch(
        url, {"name": "各街道结案率", "shared_roles": ["dispatcher"]}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "各街道结案率" and changed.json()["shared_roles"] == ["dispatcher"]
    assert changed.json()["spec"]["measures"] == ["rate:close_rate"]  # left as it was
    bad = owner.patch(url, {"spec": spec_of(["x"], ["count:report"])}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "report_spec_invalid"
    assert reader.get(url).status_code == 404  # no longer shared with the street leaders

    assert reader.delete(url).status_code == 404
    assert owner.delete(url).status_code == 204
    assert not SavedReport.objects.exists()


def test_a_report_is_refused_without_a_name_or_with_an_unknown_role(world):
    client = world.client("community_staff")
    spec = spec_of(["source"], ["count:report"])
    assert post(client, REPORTS, {"name": "", "spec": spec}).status_code == 422
    refused = post(client, REPORTS, {"name": "来源", "spec": spec, "shared_roles": ["mayor"]})
    assert refused.status_code == 422 and refused.json()["details"][0]["field"] == "payload.shared_roles.0"
    assert not SavedReport.objects.exists()


def test_a_saved_report_runs_and_exports_over_the_readers_areas(facts):
    world = facts.world
    report = SavedReport.objects.create(
        name="上报数", owner=world.user("street_leader"), spec=spec_of(["area:street"], ["count:report"])
    )
    ReportShare.objects.create(report=report, role="dispatcher")
    dispatcher = world.client("dispatcher")  # covers the whole district
    table = dispatcher.get(f"{REPORTS}/{report.pk}/run").json()
    assert [row["members"][0]["label"] for row in table["rows"]] == ["一街道", "二街道"]
    response = dispatcher.get(f"{REPORTS}/{report.pk}/export?format=csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "filename*=utf-8" in response["Content-Disposition"]
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[-1] == ["合计", "12"]
    xlsx = dispatcher.get(f"{REPORTS}/{report.pk}/export")
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["A2"].value == "一街道"
    bad = dispatcher.get(f"{REPORTS}/{report.pk}/export?format=doc")
    assert bad.status_code == 400 and bad.json()["code"] == "export_format"

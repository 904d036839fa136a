"""The case list for people who work all day in it: tabs with counts, sortable columns, the area and category
pickers, saved filters, bulk 受理 and 派遣, the .xlsx export and the htmx updates — each within the user's scope."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEntry
from cases import exports, services
from cases.models import Case, CaseEvent, SavedFilter
from cases.services import BULK_LIMIT
from gridgov.testing import IN_B, IN_C, csrf_token

HTMX = {"HX-Request": "true", "HX-Target": "case-results"}


def numbers_of(response) -> list[str]:
    return re.findall(r'<tr data-number="(\d+)"', response.content.decode())


def counts_of(response) -> dict[str, int]:
    page = response.content.decode()
    return {
        name: int(count)
        for name, count in re.findall(r'data-queue="(\w+)"[^>]*>[^<]*<span[^>]*data-count="(\d+)"', page)
    }


@pytest.fixture
def spread(desk):
    """Cases in several states: 2 reported (A, B), 1 filed, 1 dispatched, 1 red, and 1 reported in grid C."""
    reported_a = desk.report(description="井盖缺失")
    reported_b = desk.report("grid_worker_b", point=IN_B, description="路灯不亮")
    filed = desk.report(description="垃圾满溢")
    services.case_file(desk.origin("shift_leader"), filed)
    dispatched = desk.report(description="占道经营")
    services.case_file(desk.origin("shift_leader"), dispatched)
    services.case_dispatch(desk.origin("dispatcher"), dispatched, desk.sanitation)
    red = desk.report(description="积水")
    Case.objects.filter(pk=red.pk).update(light="red")
    other = desk.report(persona="dispatcher", point=IN_C, description="二街道的案件", source="hotline")
    return {
        "reported_a": reported_a,
        "reported_b": reported_b,
        "filed": filed,
        "dispatched": dispatched,
        "red": red,
        "other": other,
    }


def test_tabs_count_the_cases_of_the_users_scope_in_one_query(desk, spread, django_assert_max_num_queries):
    dispatcher = desk.world.client("dispatcher")
    counts = counts_of(dispatcher.get("/cases/"))
    assert counts["all"] == 6 and counts["intake"] == 4 and counts["file"] == 0
    assert counts["dispatch"] == 1 and counts["handling"] == 1 and counts["overdue"] == 1 and counts["finished"] == 0
    community = desk.world.client("community_staff")
    counts = counts_of(community.get("/cases/"))
    assert counts["all"] == 5 and counts["intake"] == 3  # grid C lies in the other street
    # the tabs count the other filters too
    assert counts_of(community.get("/cases/", {"text": "路灯"}))["intake"] == 1
    handler = desk.world.client("department_handler")
    counts = counts_of(handler.get("/cases/"))
    assert counts["all"] == 1 and counts["handling"] == 1 and counts["mine"] == 1
    with django_assert_max_num_queries(14):  # whatever the number of tabs
        dispatcher.get("/cases/")


def test_the_list_costs_the_same_number_of_queries_whatever_its_rows(desk, spread):
    dispatcher = desk.world.client("dispatcher")
    SavedFilter.objects.create(user=desk.world.user("dispatcher"), name="红灯", query="queue=overdue")
    dispatcher.get("/cases/")  # the session's first request writes more
    with CaptureQueriesContext(connection) as few:
        assert dispatcher.get("/cases/", {"sort": "light"}).status_code == 200
    for _ in range(8):
        desk.report()
    with CaptureQueriesContext(connection) as many:
        response = dispatcher.get("/cases/", {"sort": "light"})
    assert len(numbers_of(response)) == 14
    assert len(few) == len(many), [query["sql"] for query in many]
    with CaptureQueriesContext(connection) as results:
        dispatcher.get("/cases/", {"sort": "light"}, headers=HTMX)
    assert len(results) <= len(many)


def test_columns_sort_by_a_whitelisted_key_with_its_arrow(desk, spread):
    client = desk.world.client("dispatcher")
    by_number = numbers_of(client.get("/cases/", {"sort": "number"}))
    assert by_number == sorted(by_number)
    page = client.get("/cases/", {"sort": "-number"})
    assert numbers_of(page) == sorted(by_number, reverse=True)
    html = page.content.decode()
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*data-sort="number">', html)
    assert 'href="?sort=number"' in html  # the next click reverses it
    assert numbers_of(client.get("/cases/", {"sort": "light"}))[0] == spread["red"].number
    assert numbers_of(client.get("/cases/", {"sort": "status"}))[-1] == spread["dispatched"].number
    default = numbers_of(client.get("/cases/"))
    for unknown in ("password", "-grid__code", "number;drop", "--number"):
        response = client.get("/cases/", {"sort": unknown})
        assert response.status_code == 200 and numbers_of(response) == default
    assert default[0] == spread["other"].number  # newest first
    by_area = numbers_of(client.get("/cases/", {"sort": "-area"}))
    assert by_area[0] == spread["other"].number  # grid C has the largest code


def test_pickers_offer_the_areas_of_the_scope_and_the_two_levels_of_categories(desk, spread):
    community = desk.world.client("community_staff").get("/cases/").content.decode()
    areas = re.findall(r'<option value="(\d+)" data-depth="(\d)"', community)
    assert areas == [("110101001001", "0"), ("110101001001001", "1"), ("110101001001002", "1")]
    dispatcher = desk.world.client("dispatcher").get("/cases/").content.decode()
    assert '<option value="110101002001001" data-depth="3"' in dispatcher
    assert re.search(r'<optgroup label="市容环境（事件）">\s*<option value="E01" data-depth="0"', dispatcher)
    assert '<option value="E0102" data-depth="1" >0102 暴露垃圾</option>' in dispatcher
    client = desk.world.client("dispatcher")
    assert len(numbers_of(client.get("/cases/", {"category": "E01"}))) == 6
    assert len(numbers_of(client.get("/cases/", {"category": "E0102"}))) == 6
    assert numbers_of(client.get("/cases/", {"category": "C01"})) == []  # the component class of the same code
    assert numbers_of(client.get("/cases/", {"area": "110101002"})) == [spread["other"].number]
    chosen = client.get("/cases/", {"area": "110101002", "category": "E0102"}).content.decode()
    assert '<option value="110101002" data-depth="1" selected>' in chosen
    assert '<option value="E0102" data-depth="1" selected>' in chosen


def test_saved_filters_belong_to_their_user(desk, spread):
    dispatcher = desk.world.client("dispatcher")
    response = dispatcher.post(
        "/cases/saved-filters/", {"name": "二街道红灯", "back": "queue=overdue&area=110101002&page=3&evil=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/?queue=overdue&area=110101002"
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.query) == (desk.world.user("dispatcher"), "queue=overdue&area=110101002")
    page = dispatcher.get("/cases/").content.decode()
    assert 'data-saved-filter="二街道红灯"' in page and 'href="?queue=overdue&amp;area=110101002"' in page
    # the same name replaces the set; no name is refused with a message
    dispatcher.post("/cases/saved-filters/", {"name": "二街道红灯", "back": "queue=intake"})
    assert SavedFilter.objects.get().query == "queue=intake"
    refused = dispatcher.post("/cases/saved-filters/", {"name": " ", "back": "queue=all"}, follow=True)
    assert "请填写名称" in refused.content.decode() and SavedFilter.objects.count() == 1
    # nobody else sees it, and deleting another's answers 404
    other = desk.world.client("shift_leader")
    assert 'data-saved-filter="二街道红灯"' not in other.get("/cases/").content.decode()
    assert other.post(f"/cases/saved-filters/{saved.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    assert dispatcher.get(f"/cases/saved-filters/{saved.pk}/delete/").status_code == 405
    response = dispatcher.post(f"/cases/saved-filters/{saved.pk}/delete/", {"back": "queue=intake"})
    assert response["Location"] == "/cases/?queue=intake" and not SavedFilter.objects.exists()


def test_saved_filters_are_bounded_per_user(desk):
    user = desk.world.user("dispatcher")
    SavedFilter.objects.bulk_create(SavedFilter(user=user, name=f"f{n}", query="") for n in range(30))
    response = desk.world.client("dispatcher").post("/cases/saved-filters/", {"name": "one more"}, follow=True)
    assert "最多保存 30 个常用筛选" in response.content.decode() and SavedFilter.objects.count() == 30


def test_bulk_accept_reports_each_case_and_never_half_writes(desk, spread):
    intake = desk.world.client("intake_clerk")
    page = intake.get("/cases/", {"queue": "intake"}).content.decode()
    assert 'id="bulk-form"' in page and '<option value="accept">' in page and 'value="dispatch"' not in page
    assert page.count("data-bulk-case") == 4
    filed_before = Case.objects.get(pk=spread["filed"].pk)
    events_before = CaseEvent.objects.filter(case=filed_before).count()
    picked = [spread["reported_a"].number, spread["filed"].number, "2099010100001", spread["reported_b"].number]
    response = intake.post("/cases/bulk/", {"action": "accept", "case": picked, "back": "queue=intake"}, follow=True)
    assert response.redirect_chain == [("/cases/?queue=intake", 302)]
    text = [str(message) for message in response.context["messages"]]
    assert text[0] == f"已受理 2 件：{spread['reported_a'].number}、{spread['reported_b'].number}"
    assert text[1].startswith(f"{spread['filed'].number} 未受理：") and text[2] == "2099010100001 未受理：案卷不存在"
    assert set(Case.objects.filter(status="accepted").values_list("number", flat=True)) == {
        spread["reported_a"].number,
        spread["reported_b"].number,
    }
    filed_after = Case.objects.get(pk=spread["filed"].pk)
    assert (filed_after.status, filed_after.version) == ("filed", filed_before.version)
    assert CaseEvent.objects.filter(case=filed_after).count() == events_before


def test_bulk_dispatch_goes_through_the_dispatch_service(desk, spread):
    second = desk.report()
    services.case_file(desk.origin("shift_leader"), second)
    dispatcher = desk.world.client("dispatcher")
    picked = [spread["filed"].number, second.number, spread["reported_a"].number]
    missing = dispatcher.post("/cases/bulk/", {"action": "dispatch", "case": picked}, follow=True)
    assert "请选择主办部门" in missing.content.decode() and Case.objects.filter(status="dispatched").count() == 1
    response = dispatcher.post(
        "/cases/bulk/", {"action": "dispatch", "case": picked, "department": desk.sanitation.pk}, headers=HTMX
    )
    assert response.status_code == 200 and response["HX-Push-Url"] == "/cases/"
    html = response.content.decode()
    assert html.startswith('<div id="case-results"') and "<html" not in html
    assert f"已派遣 2 件：{spread['filed'].number}、{second.number}" in html
    assert f"{spread['reported_a'].number} 未派遣：" in html
    for case in Case.objects.filter(number__in=picked[:2]):
        assert (case.status, case.main_department, case.step) == ("dispatched", desk.sanitation, "handle")
        assert case.events.filter(action="dispatch").count() == 1
    # 受理 is not the dispatcher's: refused as a whole
    refused = dispatcher.post("/cases/bulk/", {"action": "file", "case": [second.number]}, follow=True)
    assert "请选择批量操作" in refused.content.decode()


def test_bulk_is_bounded_csrf_protected_and_for_the_command_centre(desk, spread):
    intake = desk.world.client("intake_clerk")
    too_many = [spread["reported_a"].number] + [f"20990101{n:05d}" for n in range(BULK_LIMIT)]
    response = intake.post("/cases/bulk/", {"action": "accept", "case": too_many}, follow=True)
    assert f"一次最多处理 {BULK_LIMIT} 件" in response.content.decode()
    assert Case.objects.get(pk=spread["reported_a"].pk).status == "reported"
    nothing = intake.post("/cases/bulk/", {"action": "accept"}, follow=True)
    assert "请先勾选案卷" in nothing.content.decode()
    community = desk.world.client("community_staff")
    assert 'id="bulk-form"' not in community.get("/cases/").content.decode()
    assert (
        community.post("/cases/bulk/", {"action": "accept", "case": [spread["reported_a"].number]}).status_code == 403
    )
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(desk.world.user("intake_clerk"))
    data = {"action": "accept", "case": [spread["reported_a"].number]}
    assert guarded.post("/cases/bulk/", data).status_code == 403
    assert Case.objects.get(pk=spread["reported_a"].pk).status == "reported"
    token = csrf_token(guarded.get("/cases/").content.decode())
    assert guarded.post("/cases/bulk/", {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Case.objects.get(pk=spread["reported_a"].pk).status == "accepted"


def test_export_is_the_filtered_list_of_the_scope_audited(desk, spread):
    formula = desk.report(description='=HYPERLINK("http://x")', reporter_name="李四", reporter_phone="13800001111")
    community = desk.world.client("community_staff")
    response = community.get("/cases/export.xlsx", {"queue": "intake", "sort": "number"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "案件-" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("案卷编号", "状态", "亮灯")
    numbers = [row[0] for row in rows[1:]]
    expected = [spread["reported_a"].number, spread["reported_b"].number, spread["red"].number, formula.number]
    assert numbers == sorted(expected)  # the tab, the order, and not grid C's case
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any("13800001111" in cell or "李四" in cell for cell in cells)
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == desk.world.user("community_staff") and entry.object_type == "cases.case"
    assert entry.detail == {"query": {"queue": "intake", "sort": "number"}, "count": 4}


def test_export_over_its_limit_is_refused_with_a_message(desk, spread, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 3)
    response = desk.world.client("dispatcher").get("/cases/export.xlsx", {"queue": "all"}, follow=True)
    assert response.redirect_chain == [("/cases/?queue=all", 302)]
    assert "共 6 件，超过单次导出上限 3 件" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_htmx_gets_the_results_only_and_the_plain_form_still_works(desk, spread):
    client = desk.world.client("dispatcher")
    full = client.get("/cases/", {"queue": "intake", "sort": "-created"}).content.decode()
    assert full.startswith("<!doctype html>") and 'id="case-filters"' in full and 'hx-get="/cases/"' in full
    assert "hx-swap-oob" not in full
    response = client.get("/cases/?queue=intake&text=&light=&sort=-created&page=1", headers=HTMX)
    assert response["HX-Push-Url"] == "/cases/?queue=intake&sort=-created&page=1"  # the address without empty filters
    part = response.content.decode()
    assert part.startswith('<div id="case-results"') and 'id="case-filters"' not in part
    assert '<input type="hidden" name="queue" id="filter-queue" value="intake" hx-swap-oob="true">' in part
    assert re.search(r'<select [^>]*id="filter-sort"[^>]*hx-swap-oob="true"', part)
    assert 'hx-get="/cases/?queue=dispatch&amp;sort=-created"' in part  # a tab keeps the filters and the order
    restore = client.get("/cases/", {"queue": "intake"}, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert restore.content.decode().startswith("<!doctype html>")


def test_bulk_reaches_only_the_cases_of_the_users_scope(desk, spread):
    intake = desk.world.user("intake_clerk")
    intake.areas.set([desk.world.areas["110101001"]])  # street 1 only: grid C is not theirs
    client = desk.world.client("intake_clerk")
    other = spread["other"]
    assert other.number not in numbers_of(client.get("/cases/", {"queue": "intake"}))
    response = client.post("/cases/bulk/", {"action": "accept", "case": [other.number]}, follow=True)
    assert [str(message) for message in response.context["messages"]] == [f"{other.number} 未受理：案卷不存在"]
    assert Case.objects.get(pk=other.pk).status == "reported"

"""10+X at 390 × 844 in a real browser: a building head reports a move-in on their phone; the grid worker confirms it
on theirs (completing the ID number) and the person appears in the house."""

from playwright.sync_api import expect

from accounts.roles import Role
from gridgov.testing import make_user
from registry.changes import building_facts_ensure
from registry.choices import ChangeStatus
from registry.models import Person, RegistryChange
from registry.tests.factories import HouseFactory, id_number_new
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser
PHONE = (390, 844)


def test_a_building_head_reports_a_move_in_and_the_grid_worker_confirms_it(browser, live_server):
    world, chromium = browser
    building_facts_ensure()
    house = HouseFactory(building__grid=world.grid_a, room="302")
    head = make_user("head", Role.BUILDING_HEAD, [world.grid_a])
    house.building.head = head
    house.building.save()

    reporter = Visitor(chromium, live_server.url, viewport=PHONE)
    reporter.login("head")
    reporter.visit("/registry/my-buildings/")
    page = reporter.page
    page.click(f"[data-report='{house.building_id}']")
    page.wait_for_url("**/report/")
    assert page.evaluate(SIDEWAYS) == []
    page.fill("#id_fact_households", "1")
    page.fill("#id_fact_residents", "1")
    page.select_option("#id_c_0_kind", "moved_in")
    page.fill("#id_c_0_name", "王小二")
    page.select_option("#id_c_0_house", str(house.pk))
    page.fill("#id_c_0_day", "2026-03-01")
    page.click("[data-submit]")
    page.wait_for_url("**/registry/my-buildings/")
    reporter.check("after report")
    change = RegistryChange.objects.get()
    assert change.status == ChangeStatus.PENDING and not Person.objects.filter(name="王小二").exists()

    worker = Visitor(chromium, live_server.url, viewport=PHONE)
    worker.login("worker_a")
    worker.visit("/registry/changes/?status=pending")
    page = worker.page
    assert page.evaluate(SIDEWAYS) == []
    page.click(f"[data-change='{change.pk}']")
    page.wait_for_url(f"**/registry/changes/{change.pk}/")
    expect(page.locator("[data-identity]")).to_be_visible()
    assert page.evaluate(SIDEWAYS) == []
    reject = page.locator("[data-reject]").bounding_box()
    assert reject is not None and reject["height"] < 56  # "驳回" on one line beside the reason
    page.fill("#fact-id", id_number_new())
    page.click("[data-confirm]")
    page.wait_for_url(f"**/registry/building-reports/{change.building_report_id}/")  # back to the report's review
    expect(page.locator(f"[data-change='{change.pk}']")).to_contain_text("已确认")
    expect(page.locator("[data-differs]")).to_have_count(2)  # 1 household, 1 resident reported; none registered then
    assert page.evaluate(SIDEWAYS) == []
    worker.visit(f"/registry/houses/{house.pk}/")
    expect(page.locator("[data-list=residents]")).to_contain_text("王小二")
    person = Person.objects.get(name="王小二")
    assert person.house == house

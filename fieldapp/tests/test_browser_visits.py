"""走访, 八必报 and 民情日志 in 网格助手 (Chromium at 390 × 844 against the live server): recorded with the network
cut, kept in the outbox, sent once when the network returns — and sent again with the same keys (a lost answer,
a second tab) without a second row."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from cases.models import Case
from diary.models import DiaryEntry
from fieldapp.tests.test_browser_app import WAIT_MS, Phone, photo
from gridgov import timesource
from registry.choices import MustReportItem
from registry.models import RegistryChange
from registry.tests.factories import HouseholdFactory, PersonFactory
from visits.choices import DueStatus
from visits.models import DueVisit, MustReport, Visit, VisitCase, VisitPhoto, VisitPlan
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium

browser = surface.browser  # the fixture: the live world and Chromium

#: Put every item of the outbox back to "waiting" and send them all again (the photos are named by their digests).
REPLAY_ALL = """async () => {
  const outbox = await import("/static/fieldapp/outbox.js");
  const database = await outbox.db();
  for (const item of await database.getAll("outbox")) {
    item.state = outbox.WAITING;
    await database.put("outbox", item);
  }
  await outbox.outboxFlush({ force: true });
}"""


KEPT_ITEMS = """async () => {
  const outbox = await import("/static/fieldapp/outbox.js");
  return JSON.stringify(await (await outbox.db()).getAll("outbox"));
}"""


def _elderly_due(world) -> DueVisit:
    """王奶奶 of grid A, living alone, due for a visit today by grid worker A."""
    household = HouseholdFactory.create(house__building__grid=world.grid_a)
    person = PersonFactory.create(name="王奶奶", grid=world.grid_a, house=household.house, household=household)
    plan = VisitPlan.objects.create(
        name="独居老人每周走访", tag_category="elderly_alone", interval=7, purpose="elderly_alone"
    )
    today = timesource.now().astimezone().date()
    return DueVisit.objects.create(
        plan=plan,
        person=person,
        grid=world.grid_a,
        worker=world.user("grid_worker_a"),
        window_start=today - dt.timedelta(days=7),
        due_on=today,
    )


def _states(page, kind: str):
    return page.locator(f"#m-outbox li[data-kind='{kind}'] [data-state-label]")


def test_a_visit_a_must_report_and_a_diary_entry_made_offline_are_sent_once(browser, live_server):
    world, chromium = browser
    due = _elderly_due(world)
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.screen("visits")  # today's list, read once online: kept for offline use
    stop = page.locator(f"#m-agenda [data-due='{due.pk}']")
    expect(stop).to_contain_text("王奶奶", timeout=WAIT_MS)
    expect(stop.locator("[data-away]")).to_contain_text("距您约", timeout=WAIT_MS)  # from the phone's GPS fix
    phone.shot("visits-agenda")
    phone.context.set_offline(True)

    stop.click()  # the visit form, offline, from the kept agenda
    page.wait_for_selector("#m-visit-form", timeout=WAIT_MS)
    expect(page.locator("#m-visit-subject")).to_contain_text("王奶奶")
    expect(page.locator("#m-gps")).to_have_attribute("data-accuracy", "12", timeout=WAIT_MS)
    expect(page.locator("#m-purpose-elderly_alone")).to_be_checked()  # the plan's purpose, as on the web form
    questions = page.locator("#m-questions [data-purpose-questions='elderly_alone']")
    expect(questions).to_contain_text("身体状况")  # the purpose's questions, as the server asks them
    page.select_option("select[name='q-elderly_alone-health']", "good")
    page.check("#q-elderly_alone-contact_reached-true")
    page.fill("input[name='q-elderly_alone-needs']", "助餐")
    page.fill("#m-findings", "身体尚可，需要助餐服务")
    page.set_input_files("input[name=photo]", [photo("走访.jpg")])
    phone.shot("visit-form")
    page.click("#m-visit-form button[type=submit]")
    page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)

    phone.screen("must")
    page.click("#m-must [data-item='facility_damage']")
    page.wait_for_selector("#m-must-form", timeout=WAIT_MS)
    expect(page.locator("#m-gps")).to_have_attribute("data-accuracy", "12", timeout=WAIT_MS)
    page.fill("#m-must-form textarea[name=description]", "路灯杆倾斜")
    page.set_input_files("input[name=photo]", [photo("路灯.jpg")])
    page.click("#m-must-form button[type=submit]")
    page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)

    phone.screen("diary/new")
    page.fill("#m-diary-form input[name=title]", "楼道议事会")
    page.fill("#m-diary-form textarea[name=content]", "商议加装电梯事宜")
    page.click("#m-diary-form button[type=submit]")
    page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)

    for kind in ("visit", "must_report", "diary"):
        expect(_states(page, kind)).to_have_text("待发送")
    phone.shot("outbox-three-waiting")
    assert not Visit.objects.exists() and not MustReport.objects.exists()
    assert not DiaryEntry.objects.filter(title="楼道议事会").exists()

    phone.context.set_offline(False)
    for kind in ("visit", "must_report", "diary"):
        expect(_states(page, kind)).to_have_text("已发送", timeout=WAIT_MS)
    visit = Visit.objects.get()
    assert visit.person == due.person and visit.worker == world.user("grid_worker_a")
    assert visit.purposes == ["elderly_alone"] and visit.findings == "身体尚可，需要助餐服务"
    assert visit.answers == {"elderly_alone": {"health": "good", "contact_reached": True, "needs": "助餐"}}
    assert visit.accuracy == 12 and VisitPhoto.objects.filter(visit=visit).count() == 1
    due.refresh_from_db()
    assert due.status == DueStatus.DONE and due.visit == visit
    report = MustReport.objects.get()
    assert report.item == MustReportItem.FACILITY_DAMAGE and report.case is not None
    assert DiaryEntry.objects.filter(title="楼道议事会", author=world.user("grid_worker_a")).count() == 1
    counts = (Visit.objects.count(), MustReport.objects.count(), Case.objects.count(), DiaryEntry.objects.count())

    for _ in range(2):  # the same three items again, with their keys: nothing new
        page.evaluate(REPLAY_ALL)
        for kind in ("visit", "must_report", "diary"):
            expect(_states(page, kind)).to_have_text("已发送", timeout=WAIT_MS)
    assert (Visit.objects.count(), MustReport.objects.count(), Case.objects.count(), DiaryEntry.objects.count()) == (
        counts
    )
    phone.shot("outbox-three-sent")

    # 转为案件 from the sent visit
    page.click(f"#m-outbox [data-open-visit='{visit.pk}']")
    page.wait_for_selector("#m-follow-up-form", timeout=WAIT_MS)
    expect(page.locator("#m-follow-up-form textarea[name=description]")).to_have_value("身体尚可，需要助餐服务")
    page.select_option("#m-follow-up-form select[name=category_id]", index=1)
    phone.shot("visit-follow-up")
    page.click("#m-follow-up-form button[type=submit]")
    page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)
    expect(_states(page, "follow_up")).to_have_text("已发送", timeout=WAIT_MS)
    assert VisitCase.objects.get().visit == visit
    phone.check("visits, 八必报 and the diary")


def test_a_resident_found_under_lookup_is_visited_and_a_letting_reported(browser, live_server):
    world, chromium = browser
    household = HouseholdFactory.create(house__building__grid=world.grid_a)
    PersonFactory.create(name="李四", grid=world.grid_a, house=household.house, household=household)
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.screen("lookup")
    page.locator("#m-buildings details summary").first.click()
    page.locator("#m-buildings [data-visit-person]").first.click()
    page.wait_for_selector("#m-visit-form", timeout=WAIT_MS)
    expect(page.locator("#m-visit-subject")).to_contain_text("李四")
    page.select_option("#m-visit-form select[name=kind]", "phone")
    page.check("#m-purpose-policy")
    page.fill("#m-findings", "宣传垃圾分类")
    page.click("#m-visit-form button[type=submit]")
    expect(_states(page, "visit")).to_have_text("已发送", timeout=WAIT_MS)
    visit = Visit.objects.get()
    assert visit.kind == "phone" and visit.person.name == "李四" and visit.purposes == ["policy"]

    phone.screen("must/rented_out")
    page.select_option("#m-building", str(household.house.building_id))
    expect(page.locator(f"#m-house option[value='{household.house_id}']")).to_have_count(1, timeout=WAIT_MS)
    page.select_option("#m-house", str(household.house_id))
    page.fill("#m-must-form input[name=name]", "赵六")
    page.fill("#m-must-form input[name=phone]", "13912345678")
    phone.shot("must-rented-out")
    page.click("#m-must-form button[type=submit]")
    expect(_states(page, "must_report")).to_have_text("已发送", timeout=WAIT_MS)
    report = MustReport.objects.get()
    assert report.item == MustReportItem.RENTED_OUT and report.change is not None
    change = RegistryChange.objects.get(pk=report.change.pk)
    assert change.house_id == household.house_id and change.facts["phone"] == "139******78"
    # The sent item stays on the phone a week to show its result, without the tenant's number.
    kept = page.evaluate(KEPT_ITEMS)
    assert '"name":"赵六"' in kept and "13912345678" not in kept


def test_without_the_position_an_event_is_reported_in_the_workers_grid_and_the_diary_reads_cleanly(
    browser, live_server
):
    world, chromium = browser
    phone = Phone(chromium, live_server.url, located=False)
    phone.sign_in()
    page = phone.page
    phone.screen("must/alley_unclean")
    page.wait_for_selector("#m-must-form", timeout=WAIT_MS)
    fallback = page.locator("#m-must-grid-box")
    expect(fallback).to_be_visible(timeout=WAIT_MS)
    expect(fallback).to_contain_text("未能定位（未授权或信号弱），将按您的网格上报")
    expect(page.locator("#m-must-grid")).to_have_value(world.grid_a.code)  # the worker's only grid
    page.fill("#m-must-form textarea[name=description]", "背街小巷有散落垃圾袋")
    phone.shot("must-without-position")
    page.click("#m-must-form button[type=submit]")
    expect(_states(page, "must_report")).to_have_text("已发送", timeout=WAIT_MS)
    report = MustReport.objects.get()
    assert report.item == MustReportItem.ALLEY_UNCLEAN and report.grid == world.grid_a and report.lon is None
    assert report.case is not None

    phone.screen("diary")
    expect(page.locator("#m-diary")).to_be_visible(timeout=WAIT_MS)
    main = page.locator("main[data-screen='diary']")
    assert "null" not in main.evaluate("(element) => Array.from(element.childNodes, (node) => node.textContent).join()")
    phone.screen("diary/new")
    expect(page.locator("#m-diary-form select[name=kind]")).to_have_value("visit")  # as on the web form
    phone.check("an event without the position, the diary")

"""A grid worker on a 390 × 844 phone in a real browser (Chromium through Playwright against the live server):
opens a resident's page, records a visit with the 独居老人 questions and a GPS fix, and finds it on the person's
page; the visit wrote its diary entry. No CSP violation, nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from diary.models import DiaryEntry
from gridgov.testing import IN_A
from registry.choices import TagCategory
from registry.tests.factories import HouseholdFactory, PersonFactory, PersonTagFactory
from visits.models import Visit
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium
PHONE = (390, 844)
#: Visible purposes, answers and buttons of the form lower than 44 px (a check box or radio counts by its label).
SMALL_OPTIONS = """() => Array.from(document.querySelectorAll("main .visit-option, main button, main textarea"))
  .filter((element) => element.offsetParent !== null)
  .map((element) => [element.textContent.trim().slice(0, 20), Math.round(element.getBoundingClientRect().height)])
  .filter(([, height]) => height < 44)"""


def test_a_grid_worker_records_a_visit_from_the_person_page(browser, live_server):
    world, chromium = browser
    household = HouseholdFactory.create(house__building__grid=world.grid_a)
    person = PersonFactory.create(name="赵大爷", grid=world.grid_a, house=household.house, household=household)
    PersonTagFactory.create(person=person, category=TagCategory.ELDERLY_ALONE)
    here = {"longitude": IN_A[0], "latitude": IN_A[1], "accuracy": 12}
    worker = Visitor(chromium, live_server.url, viewport=PHONE, geolocation=here, permissions=["geolocation"])
    worker.login("worker_a")
    page = worker.page
    worker.visit(f"/registry/persons/{person.pk}/")
    expect(page.locator("[data-list=visits]")).to_contain_text("暂无走访记录")
    page.click("main [data-action=visit-new]")
    page.wait_for_url(f"**/visits/new/?person={person.pk}")
    worker.check("/visits/new/")
    assert page.evaluate(SIDEWAYS) == []
    questions = page.locator("[data-questions=elderly_alone]")
    expect(questions).to_be_hidden()  # shown once its purpose is ticked
    page.get_by_label("独居老人", exact=True).check()
    expect(questions).to_be_visible()
    expect(page.locator("[data-questions=disabled]")).to_be_hidden()
    questions.get_by_label("较差").check()
    questions.get_by_label("生活需求").fill("需要助餐")
    questions.locator("[name=q_elderly_alone__contact_reached][value=yes]").check()
    page.fill("#id_findings", "老人腿脚不便，已联系其女儿")
    page.click("[data-locate]")
    expect(page.locator("[data-located]")).to_contain_text("±12 m")
    assert page.evaluate(SIDEWAYS) == []
    assert page.evaluate(SMALL_OPTIONS) == []
    page.click("[data-action=visit-save]")
    page.wait_for_url("**/visits/*/")
    worker.check("visit detail")
    visit = Visit.objects.get()
    assert visit.answers == {"elderly_alone": {"health": "poor", "needs": "需要助餐", "contact_reached": True}}
    assert (visit.lon, visit.lat, visit.accuracy) == (IN_A[0], IN_A[1], 12)
    expect(page.locator("[data-answers]")).to_contain_text("较差")
    worker.visit(f"/registry/persons/{person.pk}/")
    expect(page.locator("[data-list=visits]")).to_contain_text("入户走访")
    expect(page.locator("[data-list=diary]")).to_contain_text("入户走访 · 赵大爷")
    assert page.evaluate(SIDEWAYS) == []
    entry = DiaryEntry.objects.get(source_visit=visit)
    assert entry.author.username == "worker_a" and list(entry.persons.all()) == [person]

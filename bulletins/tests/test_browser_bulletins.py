"""通报 in a real browser (Chromium through Playwright against the live server) at 1440 × 900: a street leader finds
the new bulletin marked unread, opens it, reads its headline and tables, downloads its PDF (the bulletin's title
inside), and the list no longer marks it. No CSP violation, no request outside the site."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from bulletins.services import bulletin_publish
from bulletins.tests.factories import Facts
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor

browser = surface.browser  # the fixture: the live world and Chromium

OFFICE = (1440, 900)
#: Whether the page itself scrolls sideways (a wide table scrolls inside its own box).
PAGE_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def test_a_leader_reads_a_bulletin_and_downloads_its_pdf(browser, live_server):
    world, chromium = browser
    Facts(world).cases(dt.date(2026, 10, 14), 6, closed=5, closed_on_time=5)
    bulletin = bulletin_publish("month", "2026-10", "110101001").bulletin

    leader = Visitor(chromium, live_server.url, viewport=OFFICE, accept_downloads=True)
    leader.login("street")
    page = leader.page
    leader.visit("/bulletins/")
    entry = page.locator(f"[data-bulletin='{bulletin.pk}']")
    expect(entry).to_contain_text("一街道2026年10月网格化管理工作月评比通报")
    expect(entry).to_have_attribute("data-unread", "")
    entry.click()
    page.wait_for_url(f"**/bulletins/{bulletin.pk}/")
    page.wait_for_load_state("networkidle")
    leader.check("bulletin")
    expect(page.locator("[data-headline]")).to_contain_text("一街道共上报问题6件")
    expect(page.locator("[data-table='by_area']")).to_contain_text("一社区")
    expect(page.locator("[data-ranking='departments']")).to_have_count(0)
    assert page.evaluate(PAGE_SIDEWAYS) is False

    with page.expect_download() as download:
        page.click("[data-download='pdf']")
    saved = download.value
    assert saved.suggested_filename == "bulletin-110101001-month-2026-10-v1.pdf"
    content = Path(saved.path()).read_bytes()
    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(content)).pages)
    assert "一街道2026年10月网格化管理" in text.replace("\n", "")

    leader.visit("/bulletins/")
    expect(page.locator(f"[data-bulletin='{bulletin.pk}']")).not_to_have_attribute("data-unread", "")
    leader.check("list again")

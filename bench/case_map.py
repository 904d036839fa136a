"""The case map endpoint (maps:cases-data) over N cases spread across a district of 340 grids: server time p50/p95
for the whole district (counts per H3 cell), filtered views and a zoomed view (one grid's corner, points or small
cells), each beside a plain count of the same filter in the same run (the floor: the endpoint reads those rows once).
A district's history is mostly closed cases: by default 5 % are open (50,000 of a million, ten times what a busy
district carries) and reported in the last 30 days, the others reported over 3 years; --open-share 0.875 shows
the map over a backlog that large.
With --browser, Chromium (Debian's, through Playwright) then opens the case map page over a local server and
reports, for each load, the endpoint's response time and the time from the response to the map drawn.
  .venv/bin/python bench/case_map.py [--cases 1000000] [--open-share 0.05] [--requests 30] [--browser]
      [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _cases import actors, cases_bulk
from _registry import district_build
from _setup import django_setup

SLOTS = 16  # points per grid; each case takes the point of its grid numbered id % SLOTS


def spread(grids: list, seed: int = 7) -> None:
    """Move every case to one of SLOTS random points inside its grid, with that point's H3 cell (one UPDATE)."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    import h3
    from django.db import connection

    rng = np.random.default_rng(seed)
    rows = []
    for grid in grids:
        boundary = grid.boundaries.get()
        for slot in range(SLOTS):
            lon = float(rng.uniform(boundary.min_lon, boundary.max_lon))
            lat = float(rng.uniform(boundary.min_lat, boundary.max_lat))
            rows.append((grid.pk, slot, lon, lat, h3.latlng_to_cell(lat, lon, 9)))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_spot (grid_id integer, slot integer, lon float, lat float, h3 text)"
        )
        cursor.executemany("INSERT INTO bench_spot VALUES (%s, %s, %s, %s, %s)", rows)
        cursor.execute(
            "UPDATE cases_case SET longitude = s.lon, latitude = s.lat, h3_cell = s.h3 FROM bench_spot s "
            f"WHERE s.grid_id = cases_case.grid_id AND s.slot = cases_case.id % {SLOTS}"
        )
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE cases_case")


def timed(run, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


# Records when the map marks itself drawn (the class ``map-ready`` on #case-map), in the page's clock.
DRAWN_WATCH = """
new MutationObserver(() => {
  const map = document.getElementById("case-map");
  if (map && map.classList.contains("map-ready") && !window.__drawnAt) window.__drawnAt = performance.now();
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
"""


def browser_draw(user, loads: int) -> None:
    """Open the case map ``loads`` times; print the endpoint's time and the time from its response to the drawing."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    import os
    import threading

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.test import Client
    from playwright.sync_api import sync_playwright

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    fetches, draws, totals = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
        )
        context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)  # to read timings
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        context.add_init_script(DRAWN_WATCH)
        page = context.new_page()
        for _ in range(loads):
            page.goto(f"{base}/maps/cases/")
            page.wait_for_function("window.__drawnAt", timeout=60_000)
            timing = page.evaluate(
                """() => {
                  const asks = performance.getEntriesByType("resource").filter((e) => e.name.includes("cases.json"));
                  const last = asks[asks.length - 1];
                  return { start: last.startTime, response: last.responseEnd, drawn: window.__drawnAt,
                           cells: document.querySelectorAll("#case-map path.leaflet-interactive").length };
                }"""
            )
            fetches.append(timing["response"] - timing["start"])
            draws.append(timing["drawn"] - timing["response"])
            totals.append(timing["drawn"])
        browser.close()
    server.shutdown()
    print(
        f"browser (Chromium, 1440×900), {loads} loads of the case map page: {timing['cells']} shapes drawn; "
        f"endpoint as the page saw it p50 {statistics.median(fetches):.0f} ms; from its response to the map drawn "
        f"p50 {statistics.median(draws):.0f} ms, max {max(draws):.0f} ms; page open to drawn p50 "
        f"{statistics.median(totals):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--history-days", type=int, default=1095, help="days over which the closed cases were reported (3 years)"
    )
    parser.add_argument("--open-share", type=float, default=0.05)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--browser", action="store_true", help="also time the drawing in Chromium")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from cases.models import Category
    from maps.selectors import case_map_filter, case_map_queryset

    grids = district_build()
    people = actors(grids)
    categories = list(Category.objects.subclasses("event").values_list("pk", flat=True)[:20])
    started = time.perf_counter()
    cases_bulk(
        arguments.cases, grids, people["sanitation"].pk, categories, arguments.open_share, arguments.history_days
    )
    spread(grids)
    elapsed = time.perf_counter() - started
    print(f"{arguments.cases:,} cases written and spread in {elapsed:.1f} s ({connection.vendor})")
    user = people["dispatcher"]
    client = Client()
    client.force_login(user)
    views = {
        "whole district (zoom 10)": "zoom=10",
        "district, red and yellow only (zoom 11)": "zoom=11&light=yellow&light=red",
        "district, reported in the last 7 days (zoom 10)": "zoom=10&period=7",
        "zoomed: one grid (zoom 13)": "zoom=13&bbox=116.000,39.000,116.020,39.250",
    }
    for label, query in views.items():
        body = client.get(f"/maps/cases.json?{query}").json()
        assert "mode" in body, body
        p50, p95 = timed(lambda q=query: client.get(f"/maps/cases.json?{q}"), arguments.requests)
        cases = case_map_queryset(user, case_map_filter(QueryDict(query)))
        count_p50, _count_p95 = timed(cases.count, arguments.requests)
        shown = len(body["points"]) if body["mode"] == "points" else len(body["cells"])
        print(
            f"{label}: {body['total']:,} open cases → {shown} {body['mode']}; endpoint p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms; plain count of the same filter p50 {count_p50:.1f} ms; ratio {p50 / count_p50:.1f}×"
        )
    if arguments.browser:
        browser_draw(user, max(3, arguments.requests // 3))


if __name__ == "__main__":
    main()

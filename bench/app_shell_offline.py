"""How fast 网格助手 opens in a 390 × 844 Chromium (target with the network cut: ≤ 1 s to a drawn work screen),
side by side with opening it online, in the same run: the first visit (no service worker yet, everything from the
server), a reload online (the shell from the service worker, the data from the server) and a reload with the
network cut (shell and data from the service worker's caches). Each time runs from navigation start to the screen
marking itself drawn (``body[data-ready]``). Run: .venv/bin/python bench/app_shell_offline.py [--loads 10]"""

from __future__ import annotations

import argparse
import os
import statistics
import threading

from _setup import django_setup

#: Records when the app marks its screen drawn, in the page's clock (from navigation start).
READY_WATCH = """
new MutationObserver(() => {
  if (document.body && document.body.dataset.ready && !window.__readyAt) window.__readyAt = performance.now();
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
"""
TARGET_MS = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=10)
    arguments = parser.parse_args()
    django_setup()
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from cases.seed import categories_ensure
    from gridgov.testing import IN_A, world_build

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    categories_ensure()
    world_build()
    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    here = {"longitude": IN_A[0], "latitude": IN_A[1], "accuracy": 10}
    first, online, offline = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
        )

        def phone():
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", geolocation=here, permissions=["geolocation"]
            )
            context.add_init_script(READY_WATCH)
            return context, context.new_page()

        def opened(page) -> float:
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            return page.evaluate("window.__readyAt")

        for _ in range(arguments.loads):  # a new phone each time: nothing kept
            context, page = phone()
            page.goto(f"{base}/m/")
            first.append(opened(page))
            context.close()
        context, page = phone()
        page.goto(f"{base}/m/")
        page.fill("input[name=username]", "worker_a")
        page.fill("input[name=password]", "test-password-1")
        page.click("form.m-signin button[type=submit]")
        # Signed in, the app fetches the worker's data and caches the shell (not what is timed). On a loaded machine
        # (the suite beside it) a first sign-in has once not become ready at all: then the page is opened again, as
        # the worker would, and the run says so.
        ready = "body[data-offline-ready='1'] main[data-screen='work']"
        try:
            page.wait_for_selector(ready, timeout=60_000)
        except PlaywrightTimeout:
            print("note: the signed-in app was not ready offline after 60 s; opened again")
            page.reload()
            page.wait_for_selector(ready, timeout=60_000)
        page.wait_for_load_state("networkidle")
        for _ in range(arguments.loads):
            page.reload()
            online.append(opened(page))
            page.wait_for_load_state("networkidle")
        context.set_offline(True)
        for _ in range(arguments.loads):
            page.reload()
            offline.append(opened(page))
            assert page.locator("main[data-screen='work'] #m-tasks").count() == 1, "the work screen from the cache"
        browser.close()
    server.shutdown()
    p50 = {
        name: statistics.median(times) for name, times in (("first", first), ("online", online), ("offline", offline))
    }
    print(f"Chromium 390×844, {arguments.loads} loads each, navigation start → screen drawn:")
    print(f"  first visit, online (no service worker)      p50 {p50['first']:.0f} ms  max {max(first):.0f} ms")
    print(f"  reload online (shell from the worker's cache) p50 {p50['online']:.0f} ms  max {max(online):.0f} ms")
    print(f"  reload with the network cut                   p50 {p50['offline']:.0f} ms  max {max(offline):.0f} ms"
          f"  (target ≤ {TARGET_MS} ms)")  # fmt: skip
    print(f"ratio offline/first visit = {p50['offline'] / p50['first']:.2f}x")
    assert max(offline) <= TARGET_MS, f"the app took {max(offline):.0f} ms to open offline"


if __name__ == "__main__":
    main()

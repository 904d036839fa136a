"""Portal report submission end to end over HTTP on loopback (target ≥ 50 reports/s sustained, 0 errors): a
gunicorn server on the benchmark database, clients that each load the form (CSRF cookie) and post reports with a
640×480 photo carrying an EXIF location. Beside it, in the same run, the same clients loading the portal's home page.
  .venv/bin/python bench/portal_load.py [--seconds 20] [--clients 8] [--workers 3] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from _registry import district_build
from _setup import ROOT, django_setup


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_clients(base: str, seconds: float, clients: int, work: Callable[[str, Any], Any]) -> tuple[int, int, list[str]]:
    done, errors = [0], [0]
    samples: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop() -> None:
        state = work(base, None)
        while time.monotonic() < stop_at:
            ok, state, note = work(base, state)
            with lock:
                if ok:
                    done[0] += 1
                else:
                    errors[0] += 1
                    if len(samples) < 5:
                        samples.append(note)

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], errors[0], samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    work_dir = django_setup(arguments.database_url)
    sys.path.insert(0, str(ROOT))
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from cases.models import Category
    from gridgov.httpclient import request
    from gridgov.testing import csrf_token, jpeg_bytes

    grids = district_build()
    boundary = grids[0].boundaries.get()
    point = (boundary.centroid_lon, boundary.centroid_lat)
    category = Category.objects.get(kind="event", code="0102").pk
    photo = jpeg_bytes((640, 480), gps=True)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gridgov.settings_test",
        "GRIDGOV_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "GRIDGOV_PORTAL_REPORTS_PER_HOUR": "1000000000",
        "GRIDGOV_VAR_DIR": str(work_dir),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gridgov.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(arguments.workers),
         "--threads", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if request(f"{base}/portal/", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")

        def home(base: str, state: Any) -> Any:
            if state is None:
                return True
            answer = request(f"{base}/portal/")
            return answer.status == 200, True, f"{answer.status}"

        def submit(base: str, state: Any) -> Any:
            if state is None:
                jar = http.cookiejar.CookieJar()
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
                page = request(f"{base}/portal/report/", opener=opener).text
                token = csrf_token(page)
                return opener, token
            opener, token = state
            fields = {
                "csrfmiddlewaretoken": token,
                "category": str(category),
                "description": "门口暴露垃圾",
                "longitude": str(point[0]),
                "latitude": str(point[1]),
                "submission_key": uuid.uuid4().hex,
            }
            answer = request(f"{base}/portal/report/", "POST", fields=fields, opener=opener,
                             files=[("photos", "photo.jpg", photo, "image/jpeg")])  # fmt: skip
            return (
                answer.status == 200 and "data-new-case" in answer.text,
                state,
                f"{answer.status} {answer.text[:200]}",
            )

        reads, read_errors, _ = run_clients(base, min(arguments.seconds, 10), arguments.clients, home)
        done, errors, samples = run_clients(base, arguments.seconds, arguments.clients, submit)
    finally:
        server.terminate()
        server.wait(timeout=20)
    from cases.models import Case

    read_rate = reads / min(arguments.seconds, 10)
    rate = done / arguments.seconds
    stored = Case.objects.filter(source="public_web").count()
    vendor = "PostgreSQL" if (arguments.database_url or "").startswith("postgres") else "SQLite"
    print(f"{vendor}, {arguments.workers} gunicorn workers × 2 threads, {arguments.clients} clients, "
          f"{arguments.seconds:.0f} s")  # fmt: skip
    print(f"portal home page: {read_rate:.1f} pages/s, {read_errors} errors")
    print(f"report submissions (form + photo, followed to the case page): {rate:.1f} reports/s, {errors} errors")
    print(f"cases stored: {stored:,} (submissions counted: {done:,})")
    print(f"ratio submissions / home pages: {rate / max(read_rate, 0.01):.2f}")
    for sample in samples:
        print("error sample:", sample)
    assert stored == done, "every counted submission is a stored case"


if __name__ == "__main__":
    main()

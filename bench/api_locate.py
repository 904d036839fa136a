"""Single grid lookup through the HTTP API on the demo district (target p50 ≤ 5 ms), measured over a real
gunicorn server on loopback, side by side with a plain area read. Run: .venv/bin/python bench/api_locate.py"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time

import numpy as np
from _setup import ROOT, django_setup


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _timings(connection: http.client.HTTPConnection, paths: list[str], token: str) -> list[float]:
    result = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        result.append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    arguments = parser.parse_args()
    work = django_setup()
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from accounts.models import ApiToken, User
    from areas.services import areas_import
    from demo import district

    district.departments_create()
    areas_import(district.district_collection(1, np.random.default_rng(2026)))
    district.users_create()
    _token, key = ApiToken.issue(User.objects.get(username="dispatcher"), "bench")

    port = _free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gridgov.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rng = np.random.default_rng(3)
        lons, lats = rng.uniform(116.39, 116.44, arguments.requests), rng.uniform(39.87, 39.96, arguments.requests)
        connection = http.client.HTTPConnection("127.0.0.1", port)
        _timings(connection, [f"/api/v1/locate?lon={lons[0]}&lat={lats[0]}"] * 20, key)  # warm up: builds the index
        locate = _timings(
            connection, [f"/api/v1/locate?lon={x:.6f}&lat={y:.6f}" for x, y in zip(lons, lats, strict=True)], key
        )
        plain = _timings(connection, ["/api/v1/areas/110101001"] * arguments.requests, key)
    finally:
        server.terminate()
        server.wait()
    p50, p95 = statistics.median(locate), statistics.quantiles(locate, n=20)[18]
    base50 = statistics.median(plain)
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}  work dir {work}")
    print(f"GET /api/v1/locate           p50 {p50:.2f} ms  p95 {p95:.2f} ms (target p50 ≤ 5 ms)")
    print(f"GET /api/v1/areas/{{code}}    p50 {base50:.2f} ms  ratio locate/plain read = {p50 / base50:.2f}x")


if __name__ == "__main__":
    main()

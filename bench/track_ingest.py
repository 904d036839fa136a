"""GPS fixes in through HTTP: POST /api/v1/tracks in batches of 50 from concurrent clients to a real gunicorn
server (target ≥ 2,000 fixes/s with 0 errors), beside raw single-row INSERT commits into the same table in the
same run. Run on SQLite, then with --database-url for PostgreSQL:
  .venv/bin/python bench/track_ingest.py [--fixes 100000] [--clients 8] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

from _setup import ROOT, django_setup

BATCH = 50
START = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _batches(worker: int, count: int) -> list[bytes]:
    """``count`` fixes of one worker (one every 5 s, walking north) in JSON batches of ``BATCH``."""
    bodies = []
    for first in range(0, count, BATCH):
        points = [
            {
                "time": int((START + dt.timedelta(seconds=5 * index)).timestamp() * 1000),
                "lon": 116.40 + worker * 0.001,
                "lat": 39.90 + index * 0.00005,
                "accuracy": 8,
                "speed": 1.2,
            }
            for index in range(first, min(first + BATCH, count))
        ]
        bodies.append(json.dumps({"points": points}).encode())
    return bodies


def _client(port: int, key: str, bodies: list[bytes], results: list[tuple[int, int]]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    stored = errors = 0
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/api/v1/tracks", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status == 200:
            stored += json.loads(answer)["stored"]
        else:
            errors += 1
    results.append((stored, errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixes", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--raw", type=int, default=5000, help="single-row INSERT commits for the baseline")
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import ApiToken, User
    from accounts.roles import Role
    from fieldwork.models import TrackPoint

    group = Group.objects.get(name=Role.GRID_WORKER)
    keys: list[str] = []
    for index in range(arguments.clients + 1):
        user = User.objects.create_user(username=f"walker{index}", password=None)
        group.user_set.add(user)
        keys.append(ApiToken.issue(user, "bench")[1])
    per_client = arguments.fixes // arguments.clients
    bodies = [_batches(index, per_client) for index in range(arguments.clients)]

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gridgov.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(arguments.server_workers), "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ),
    )  # fmt: skip
    try:
        for _attempt in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        warm: list[tuple[int, int]] = []
        _client(port, keys[-1], _batches(99, BATCH * 4), warm)  # warm up every worker process
        results: list[tuple[int, int]] = []
        threads = [
            threading.Thread(target=_client, args=(port, keys[index], bodies[index], results))
            for index in range(arguments.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        http_s = time.perf_counter() - started
        again: list[tuple[int, int]] = []
        _client(port, keys[0], bodies[0][:20], again)  # a resend stores nothing
    finally:
        server.terminate()
        server.wait()
    stored = sum(item[0] for item in results)
    errors = sum(item[1] for item in results) + warm[0][1] + again[0][1]
    sent = per_client * arguments.clients
    assert stored == sent, (stored, sent)
    assert again[0][0] == 0

    # Baseline: the same rows one INSERT and one commit each, in this process.
    table = connection.ops.quote_name(TrackPoint._meta.db_table)
    worker_id = User.objects.get(username=f"walker{arguments.clients}").pk
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(dt.datetime.now(dt.UTC))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for index in range(arguments.raw):
            moment = adapt(START + dt.timedelta(days=1, seconds=index))
            cursor.execute(
                f"INSERT INTO {table} (worker_id, device_time, server_time, lon, lat, mock, source) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [worker_id, moment, now, 116.4, 39.9, False, "app"],
            )
    raw_s = time.perf_counter() - started
    http_rate, raw_rate = sent / http_s, arguments.raw / raw_s
    print(f"database: {connection.vendor}  gunicorn workers {arguments.server_workers}, clients {arguments.clients}")
    print(
        f"POST /api/v1/tracks, batches of {BATCH}: {sent:,} fixes in {http_s:.1f} s = {http_rate:,.0f} fixes/s, "
        f"{errors} errors (target ≥ 2,000 fixes/s, 0 errors)"
    )
    print(f"raw single-row INSERT commits: {arguments.raw:,} in {raw_s:.1f} s = {raw_rate:,.0f} rows/s")
    print(f"ratio HTTP batches / raw single-row inserts = {http_rate / raw_rate:.2f}x")
    assert errors == 0


if __name__ == "__main__":
    main()

"""Rate limits hold across web processes: the counters are shared by every process of a site and counted
atomically, so N processes hitting one bucket at once never let more than the limit through."""

import concurrent.futures
import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from gridgov.httpclient import request
from gridgov.testing import csrf_token
from open311.services import client_issue

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the test database this test runs on, for the worker processes."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user, host, port = settings_dict["USER"], settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def run_workers(processes: int, limit: int, hits: int) -> list[int]:
    environment = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "gridgov.settings_test"}
    start_at = str(time.time() + 4)  # after every worker has set Django up
    command = [sys.executable, "-m", "web.tests.ratelimit_worker", "race", str(limit), str(hits), start_at]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    return [int(output.strip()) for output in outputs]


@pytest.mark.slow
def test_processes_hitting_one_bucket_never_pass_more_than_the_limit(transactional_db):
    allowed = run_workers(processes=3, limit=100, hits=150)
    assert sum(allowed) == 100  # exactly the limit of the 450 hits, however they interleaved


def window_fresh(per_seconds: int, margin: float = 15.0) -> None:
    """Wait for the next counting window when the current one ends within ``margin`` seconds: the limits count in
    fixed windows, and a burst straddling two of them may pass twice the limit, as it should."""
    left = per_seconds - time.time() % per_seconds
    if left < margin:
        time.sleep(left + 0.05)


def test_open311_reads_are_limited_exactly_under_concurrent_http(live_server, live_world):
    url = f"{live_server.url}/open311/v2/services.json"
    window_fresh(60)
    with override_settings(OPEN311_READS_PER_MINUTE=15), concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _n: request(url).status, range(40)))
    assert statuses.count(200) == 15 and statuses.count(429) == 25


def test_portal_submissions_are_limited_exactly_under_concurrent_http(live_server, live_world):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = request(f"{live_server.url}/portal/report/", opener=opener)
    token = csrf_token(page.text)
    fields = {"csrfmiddlewaretoken": token, "description": ""}  # refused by the form, but counted first

    def submit(_n: int) -> int:
        return request(f"{live_server.url}/portal/report/", "POST", fields=fields, opener=opener).status

    window_fresh(3600)
    with override_settings(PORTAL_REPORTS_PER_HOUR=7), concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(submit, range(30)))
    assert statuses.count(429) == 23 and len(statuses) - statuses.count(429) == 7


def test_an_open311_client_key_is_limited_exactly_under_concurrent_http(live_server, live_world):
    _client, key = client_issue("并发客户端", requests_per_minute=5)
    url = f"{live_server.url}/open311/v2/requests.json"
    fields = {"api_key": key, "service_code": "E0102", "lat": "39.91", "long": "116.405", "description": "垃圾"}
    window_fresh(60)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _n: request(url, "POST", fields=fields).status, range(12)))
    assert statuses.count(429) == 7 and statuses.count(201) == 5

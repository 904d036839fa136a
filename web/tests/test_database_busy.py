"""A write that cannot get the database's lock in time answers 503 with Retry-After and the code
``database_busy`` in each door's own format, writes nothing, and the same request succeeds once the lock is free.

The lock is held from a second, separate database connection: SQLite's write lock (``BEGIN IMMEDIATE``), or on
PostgreSQL an EXCLUSIVE table lock (reads go on, writes wait) with a short ``lock_timeout``.
"""

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from pytest_django.asserts import assertRedirects

from cases.models import Case, Category, Report
from cases.seed import categories_ensure
from gridgov.testing import IN_A, world_build
from hotline.models import Ticket
from open311.services import client_issue
from portal.tests.test_portal import follow_url
from portal.tests.test_portal import form as portal_form
from web.models import RateCounter

LOCKED_TABLES = [Report, Case, Ticket, RateCounter, Session]
WAIT_MS = 300


@contextlib.contextmanager
def write_lock_held() -> Iterator[None]:
    """Another connection holds the write lock; this one waits only WAIT_MS for it."""
    if connection.vendor == "sqlite":
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        wait, restore = f"PRAGMA busy_timeout={WAIT_MS}", f"PRAGMA busy_timeout={settings.SQLITE_BUSY_MS}"
    else:
        holder = connection.get_new_connection(connection.get_connection_params())
        tables = ", ".join(model._meta.db_table for model in LOCKED_TABLES)
        holder.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        wait, restore = f"SET lock_timeout = '{WAIT_MS}ms'", "SET lock_timeout = 0"
    with connection.cursor() as cursor:
        cursor.execute(wait)
    try:
        yield
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute(restore)


@pytest.fixture
def committed_world(transactional_db):
    """A world committed to the database (a test transaction would itself hold the write lock)."""
    categories_ensure()
    return world_build()


def assert_busy(response) -> None:
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"].isdigit()


def nothing_written() -> bool:
    return not Report.objects.exists() and not Case.objects.exists() and not Ticket.objects.exists()


def test_a_portal_submission_answers_503_with_a_retry_page(committed_world, client):
    data = portal_form(Category.objects.get(kind="event", code="0102"))
    with write_lock_held():
        assert client.get("/portal/report/").status_code == 200  # reading goes on
        busy = client.post("/portal/report/", data)
    assert_busy(busy)
    text = busy.content.decode()
    assert 'data-error-code="database_busy"' in text and "系统繁忙，请稍后重试" in text and "data-history-back" in text
    assert nothing_written()
    follow_url(client.post("/portal/report/", data))  # to the new case's private link
    assert Case.objects.count() == 1


def test_an_api_report_answers_503_database_busy(committed_world):
    client = committed_world.client("grid_worker_a")
    assert client.get("/api/v1/areas").status_code == 200  # the session is in use before the lock
    data = {"source": "grid_worker", "description": "井盖缺失", "longitude": IN_A[0], "latitude": IN_A[1]}
    with write_lock_held():
        busy = client.post("/api/v1/reports", data)
    assert_busy(busy)
    assert busy.json() == {"code": "database_busy", "message": "系统繁忙，请稍后重试"}
    assert nothing_written()
    assert client.post("/api/v1/reports", data).status_code == 201 and Case.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_request_answers_503_in_the_spec_error_format(committed_world, client, fmt):
    _client, key = client_issue("随手拍 App", requests_per_minute=100)
    data = {"api_key": key, "service_code": "E0102", "lat": IN_A[1], "long": IN_A[0], "description": "垃圾没人清"}
    with write_lock_held():
        busy = client.post(f"/open311/v2/requests.{fmt}", data)
    assert_busy(busy)
    if fmt == "json":
        errors = json.loads(busy.content)
    else:
        root = ElementTree.fromstring(busy.content)
        assert root.tag == "errors"
        errors = [{child.tag: child.text for child in error} for error in root]
    assert [(str(error["code"]), error["description"]) for error in errors] == [
        ("503", "database_busy: 系统繁忙，请稍后重试")
    ]
    assert nothing_written()
    assert client.post(f"/open311/v2/requests.{fmt}", data).status_code == 201


def test_a_hotline_desk_submission_answers_503(committed_world):
    clerk = committed_world.client("intake_clerk")
    assert clerk.get("/hotline/").status_code == 200
    data = {"caller_phone": "13800001111", "request_type": "complaint", "content": "路边暴露垃圾",
            "longitude": IN_A[0], "latitude": IN_A[1], "submission_key": "k" * 32}  # fmt: skip
    with write_lock_held():
        busy = clerk.post("/hotline/", data)
    assert_busy(busy)
    assert 'data-error-code="database_busy"' in busy.content.decode()
    assert nothing_written()
    assertRedirects(clerk.post("/hotline/", data), "/hotline/")  # back to the desk for the next call
    assert Ticket.objects.count() == 1


def test_a_session_that_cannot_be_saved_answers_503_too(committed_world):
    """The session is saved after the view, outside it: the server-error handler answers for that case."""
    client = Client(raise_request_exception=False)
    client.force_login(committed_world.users["street_leader"])  # the first request stores the login time
    with write_lock_held():
        busy = client.get("/")
    assert_busy(busy)
    assert 'data-error-code="database_busy"' in busy.content.decode()
    assert client.get("/").status_code == 200

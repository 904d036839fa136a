"""Failed logins are counted in the database, so every web process (here: separate clients and real HTTP
connections that share nothing but the database) sees the same count, on the staff login and on /admin/login/."""

import datetime as dt
import http.cookiejar
import time
import urllib.request
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from accounts.models import User
from gridgov.httpclient import Answer, request
from gridgov.testing import csrf_token

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]
PASSWORD = "test-password-1"


def login(path: str, username: str, password: str, **extra: Any) -> Any:
    """One attempt from a fresh client: no cookie, no session, nothing in common with the others but the DB."""
    return Client(**extra).post(path, {"username": username, "password": password})


def logged_in(response) -> bool:
    """Signed in: sent on to the home page (both login pages, posted without a ``next``)."""
    return response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_the_right_password_is_refused_after_the_failure_limit(world, path):
    User.objects.filter(username="worker_a").update(is_staff=True)  # may use the admin too
    limit = settings.AXES_FAILURE_LIMIT
    answers = [login(path, "administrator", f"wrong-{n}") for n in range(limit + 1)]
    assert [answer.status_code for answer in answers[: limit - 1]] == [200] * (limit - 1)
    assert {answer.status_code for answer in answers[limit - 1 :]} == {429}
    refused = login(path, "administrator", PASSWORD)
    text = refused.content.decode()
    assert refused.status_code == 429 and "登录失败次数过多" in text and "_auth_user_id" not in text
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    attempt = AccessAttempt.objects.get(username="administrator")
    assert attempt.failures_since_start >= limit  # counted in the database
    assert logged_in(login(path, "worker_a", PASSWORD))  # another user from the same address is not locked
    assert logged_in(login(path, "administrator", PASSWORD, REMOTE_ADDR="192.0.2.7"))  # nor another address


def test_failures_on_one_login_page_count_on_the_other(world):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(LOGIN_PAGES[n % 2], "Administrator ", "wrong")  # case and blanks do not make a new user name
    assert login("/admin/login/", "administrator", PASSWORD).status_code == 429
    assert login("/accounts/login/", "administrator", PASSWORD).status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login("/accounts/login/", "street", "wrong")
    assert logged_in(login("/accounts/login/", "street", PASSWORD))
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login("/accounts/login/", "street", "wrong")
    assert logged_in(login("/accounts/login/", "street", PASSWORD))


@override_settings(AXES_COOLOFF_TIME=dt.timedelta(seconds=1))
def test_the_lock_ends_after_the_window(world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login("/accounts/login/", "street", "wrong")
    assert login("/accounts/login/", "street", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert logged_in(login("/accounts/login/", "street", PASSWORD))


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login("/accounts/login/", "street", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.1")
    assert login("/accounts/login/", "street", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert logged_in(login("/accounts/login/", "street", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2"))


def http_login(base: str, path: str, username: str, password: str) -> Answer:
    """A login over a new HTTP connection with its own cookie jar, as a browser on its first visit."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = request(base + path, opener=opener)
    token = csrf_token(page.text)
    fields = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    return request(base + path, "POST", fields=fields, headers={"Referer": base + path}, opener=opener)


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_six_wrong_then_right_over_http_is_refused(live_server, live_world, path):
    answers = [http_login(live_server.url, path, "administrator", "wrong") for _ in range(6)]
    assert answers[-1].status == 429
    right = http_login(live_server.url, path, "administrator", PASSWORD)
    assert right.status == 429 and "登录失败次数过多" in right.text
    User.objects.filter(username="worker_a").update(is_staff=True)
    other = http_login(live_server.url, path, "worker_a", PASSWORD)
    assert other.status == 200 and 'id="id_password"' not in other.text  # another user name still logs in

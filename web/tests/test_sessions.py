"""Staff sessions end: after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login, whatever the
activity. Pages send the user to the login page with a message; the API answers 401 session_expired."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from accounts.models import ApiToken
from gridgov.timesource import acting_at

T0 = timezone.now()


def at(minutes: float):
    return acting_at(T0 + dt.timedelta(minutes=minutes))


def test_an_idle_session_ends_with_a_message(world):
    client = world.client("street_leader")
    with at(0):
        assert client.get("/").status_code == 200
    with at(settings.SESSION_IDLE_MINUTES - 1):
        assert client.get("/").status_code == 200  # active again just in time
    with at(2 * settings.SESSION_IDLE_MINUTES + 1):
        expired = client.get("/cases/")
        assert expired.status_code == 302 and expired["Location"] == "/accounts/login/?next=/cases/"
        login_page = client.get(expired["Location"])
    assert "登录已超时，请重新登录" in login_page.content.decode()
    assert "_auth_user_id" not in client.session
    with at(2 * settings.SESSION_IDLE_MINUTES + 2):
        assertRedirects(client.get("/"), "/accounts/login/?next=/")  # logged out for good, not only for one request


def test_an_active_session_ends_after_the_working_day(world):
    client = world.client("dispatcher")
    step = settings.SESSION_IDLE_MINUTES - 5
    minutes = 0
    while minutes <= settings.SESSION_MAX_HOURS * 60:
        with at(minutes):
            assert client.get("/").status_code == 200, minutes
        minutes += step
    with at(settings.SESSION_MAX_HOURS * 60 + 1):
        assertRedirects(client.get("/"), "/accounts/login/?next=/")


def test_the_api_answers_401_for_an_expired_session(world):
    client = world.client("grid_worker_a")
    with at(0):
        assert client.get("/api/v1/areas").status_code == 200
    with at(settings.SESSION_IDLE_MINUTES + 1):
        expired = client.get("/api/v1/areas")
    assert expired.status_code == 401
    assert expired.json() == {"code": "session_expired", "message": "登录已超时，请重新登录"}


def test_tokens_are_not_sessions(world):
    _token, key = ApiToken.issue(world.users["grid_worker_a"], "phone")
    for minutes in (0, 600, 1200):
        with at(minutes):
            assert world.client("anonymous").get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

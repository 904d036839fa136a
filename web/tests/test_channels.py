"""Every way in ends as the same kind of case in the command centre, within 2 seconds, with its source: a grid
worker through the API, the 12345 desk, the public portal and an Open311 client, all over real HTTP."""

import http.cookiejar
import time
import urllib.request

from accounts.models import ApiToken
from cases.models import Case, Category
from gridgov.httpclient import request
from gridgov.testing import csrf_token, jpeg_bytes
from open311.services import client_issue

IN_A = (116.405, 39.91)


def session(base: str, username: str | None = None) -> tuple[urllib.request.OpenerDirector, str]:
    """An opener with a cookie jar (logged in when a user is given) and the CSRF token of the login page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = request(f"{base}/accounts/login/", opener=opener).text
    token = csrf_token(page)
    if username:
        login = {"username": username, "password": "test-password-1", "csrfmiddlewaretoken": token}
        assert request(f"{base}/accounts/login/", "POST", fields=login, opener=opener).status == 200
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken" and cookie.value)
    return opener, token


def test_each_channel_reaches_the_command_centre_within_two_seconds(live_server, live_world):
    base = live_server.url
    garbage = Category.objects.get(kind="event", code="0102")
    _token, bearer = ApiToken.issue(live_world.users["grid_worker_a"], "phone")
    _client, key = client_issue("第三方")
    centre, _csrf = session(base, "shift")
    seat, seat_csrf = session(base, "intake")
    public, public_csrf = session(base)
    photo = [("photos", "p.jpg", jpeg_bytes(), "image/jpeg")]
    point = {"longitude": str(IN_A[0]), "latitude": str(IN_A[1]), "category_id": str(garbage.pk)}
    submissions = {
        "grid_worker": lambda: request(f"{base}/api/v1/reports", "POST", headers={"Authorization": f"Bearer {bearer}"},
            fields={"source": "grid_worker", "description": "巡查发现暴露垃圾", **point}, files=photo),
        "hotline": lambda: request(f"{base}/hotline/", "POST", opener=seat, fields={"csrfmiddlewaretoken": seat_csrf,
            "caller_phone": "13800001111", "request_type": "complaint", "content": "来电反映暴露垃圾",
            "longitude": point["longitude"], "latitude": point["latitude"], "category": str(garbage.pk),
            "submission_key": "1" * 32}),
        "public_web": lambda: request(f"{base}/portal/report/", "POST", opener=public, fields={
            "csrfmiddlewaretoken": public_csrf, "category": str(garbage.pk), "description": "随手拍暴露垃圾",
            "longitude": point["longitude"], "latitude": point["latitude"], "submission_key": "2" * 32}, files=photo),
        "open311": lambda: request(f"{base}/open311/v2/requests.json", "POST", fields={"api_key": key,
            "service_code": "E0102", "lat": point["latitude"], "long": point["longitude"],
            "description": "第三方应用上报暴露垃圾"}),
    }  # fmt: skip
    for source, submit in submissions.items():
        started = time.monotonic()
        answer = submit()
        assert answer.status in (200, 201), (source, answer.status, answer.text[:500])
        case = Case.objects.filter(source=source).get()
        listed = request(f"{base}/cases/?queue=intake&source={source}", opener=centre).text
        elapsed = time.monotonic() - started
        assert case.number in listed and case.get_source_display() in listed, source
        assert (case.status, case.category, case.grid) == ("reported", garbage, live_world.grid_a)
        assert elapsed < 2.0, (source, elapsed)
    assert Case.objects.count() == 4

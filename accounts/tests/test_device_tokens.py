"""A phone signs in with a password for a device token: the login throttle's counters, idle expiry, the person's own
tokens and revoking them, each audited; the password is kept nowhere."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import ApiToken, TokenKind
from accounts.selectors import token_of_tracker
from accounts.services import DEVICE_TOKENS_MAX
from audit.models import AuditEntry
from gridgov.testing import World

PASSWORD = "test-password-1"


def sign_in(username: str = "worker_a", password: str = PASSWORD, device_name: str = "华为 Mate 60", **extra):
    body = {"username": username, "password": password, "device_name": device_name}
    return Client(**extra).post("/api/v1/auth/token", body, content_type="application/json")


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_device_signs_in_and_the_token_works(world: World):
    answer = sign_in()
    assert answer.status_code == 201, answer.content
    body = answer.json()
    token = ApiToken.objects.get()
    assert body["token"].startswith("gg_") and ApiToken.hash_key(body["token"]) == token.key_hash
    assert (body["token_id"], body["device_name"], token.kind) == (token.pk, "华为 Mate 60", TokenKind.DEVICE)
    assert re.fullmatch(r"[a-z0-9]{16}", body["tracker_id"]) and body["tracker_id"] == token.tracker_id
    assert body["expires_after_idle_days"] == settings.TOKEN_IDLE_DAYS == 30
    worker = world.user("grid_worker_a")
    assert body["user"] == {
        "id": worker.pk,
        "username": "worker_a",
        "full_name": worker.full_name,
        "roles": ["grid_worker"],
        "grids": [{"code": world.grid_a.code, "name": world.grid_a.name}],
        "areas": [world.grid_a.code],
    }
    me = bearer(body["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json() == body["user"]
    entry = AuditEntry.objects.get(object_type="accounts.apitoken")
    assert (entry.actor_id, entry.action, entry.channel, entry.object_id) == (worker.pk, "create", "api", str(token.pk))
    stored = repr(list(AuditEntry.objects.values())) + repr(list(AccessAttempt.objects.values()))
    assert PASSWORD not in stored and body["token"] not in stored


def test_two_devices_have_their_own_tracker_ids(world):
    first, second = sign_in().json(), sign_in(device_name="备用机").json()
    assert first["tracker_id"] != second["tracker_id"] and first["token"] != second["token"]
    assert token_of_tracker(first["tracker_id"]).pk == first["token_id"]
    assert token_of_tracker("unknowntracker00") is None


@pytest.mark.parametrize(
    ("username", "password"), [("worker_a", "wrong"), ("nobody", PASSWORD), ("WORKER_A ", "wrong")]
)
def test_wrong_credentials_answer_401(world, username, password):
    answer = sign_in(username, password)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_an_inactive_user_cannot_sign_in(world):
    world.users["grid_worker_a"].__class__.objects.filter(username="worker_a").update(is_active=False)
    assert sign_in().json()["code"] == "invalid_credentials"


def test_bad_bodies_are_refused_before_any_check(world):
    assert sign_in(device_name="").status_code == 422
    assert sign_in(device_name="x" * 101).status_code == 422
    assert sign_in(device_name="   ").json()["code"] == "record_invalid"
    assert not AccessAttempt.objects.exists()  # no password was tried


def test_failures_count_with_the_login_page_and_lock_with_429(world):
    limit = settings.AXES_FAILURE_LIMIT
    Client().post("/accounts/login/", {"username": "worker_a", "password": "wrong"})  # one on the login page
    answers = [sign_in(password=f"wrong-{n}") for n in range(limit - 1)]
    assert [answer.status_code for answer in answers[:-1]] == [401] * (limit - 2)
    assert answers[-1].status_code == 429  # the limit-th failure, counted across both doors
    locked = sign_in()  # the right password, too late
    assert locked.status_code == 429 and locked.json()["code"] == "rate_limited"
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "分钟后再试" in locked.json()["message"]
    assert not ApiToken.objects.exists()
    page = Client().post("/accounts/login/", {"username": "worker_a", "password": PASSWORD})
    assert page.status_code == 429  # and the login page is locked too
    assert sign_in("street").status_code == 201  # another user name is not
    assert sign_in(REMOTE_ADDR="192.0.2.9").status_code == 201  # nor another address


def test_a_success_starts_the_count_again(world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(password="wrong")
    assert sign_in().status_code == 201
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(password="wrong")
    assert sign_in().status_code == 201


def test_an_idle_token_stops_working(world):
    key = sign_in().json()["token"]
    assert bearer(key).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    idle = timezone.now() - dt.timedelta(days=settings.TOKEN_IDLE_DAYS, minutes=1)
    ApiToken.objects.update(last_used_at=idle + dt.timedelta(minutes=2))
    assert bearer(key).get("/api/v1/me").status_code == 200  # a day short of idle: still works
    ApiToken.objects.update(last_used_at=idle, created_at=idle)
    refused = bearer(key).get("/api/v1/me")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert token_of_tracker(token.tracker_id) is None  # its tracker id stops with it
    ApiToken.objects.update(last_used_at=None)  # never used, issued long ago
    assert bearer(key).get("/api/v1/me").status_code == 401


@override_settings(TOKEN_IDLE_DAYS=2)
def test_the_idle_limit_is_a_setting(world):
    key = sign_in().json()["token"]
    assert sign_in().json()["expires_after_idle_days"] == 2
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(days=2, seconds=1))
    assert bearer(key).get("/api/v1/me").status_code == 401


def test_my_tokens_and_revoking_one(world):
    phone = sign_in().json()
    tablet = sign_in(device_name="平板").json()
    ApiToken.issue(world.users["grid_worker_b"], "另一人的手机", TokenKind.DEVICE)
    listed = bearer(phone["token"]).get("/api/v1/auth/tokens")
    assert listed.status_code == 200
    rows = {row["id"]: row for row in listed.json()}
    assert set(rows) == {phone["token_id"], tablet["token_id"]}
    assert rows[phone["token_id"]]["current"] and not rows[tablet["token_id"]]["current"]
    assert rows[tablet["token_id"]]["device_name"] == "平板"
    revoked = bearer(phone["token"]).post(f"/api/v1/auth/tokens/{tablet['token_id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    gone = bearer(tablet["token"]).get("/api/v1/me")
    assert gone.status_code == 401 and gone.json()["code"] == "unauthenticated"
    assert token_of_tracker(tablet["tracker_id"]) is None
    assert [row["id"] for row in bearer(phone["token"]).get("/api/v1/auth/tokens").json()] == [phone["token_id"]]
    entry = AuditEntry.objects.get(action="update", object_type="accounts.apitoken")
    assert entry.object_id == str(tablet["token_id"]) and entry.changes["revoked_at"][0] is None


def test_another_persons_token_answers_404(world):
    other, _key = ApiToken.issue(world.users["grid_worker_b"], "另一人的手机", TokenKind.DEVICE)
    phone = sign_in().json()
    refused = bearer(phone["token"]).post(f"/api/v1/auth/tokens/{other.pk}/revoke")
    assert refused.status_code == 404 and refused.json()["code"] == "token_not_found"
    other.refresh_from_db()
    assert other.revoked_at is None
    assert bearer(phone["token"]).post("/api/v1/auth/tokens/999999/revoke").status_code == 404


def test_a_session_sees_its_tokens_too(world):
    phone = sign_in().json()
    listed = world.client("grid_worker_a").get("/api/v1/auth/tokens").json()
    assert [(row["id"], row["current"]) for row in listed] == [(phone["token_id"], False)]


def test_signing_in_beyond_the_device_limit_revokes_the_least_recently_used(world):
    keys = [sign_in(device_name=f"手机{n}").json() for n in range(DEVICE_TOKENS_MAX)]
    ApiToken.objects.filter(pk=keys[0]["token_id"]).update(last_used_at=timezone.now())  # the first is in use
    newest = sign_in(device_name="新手机").json()
    live = ApiToken.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)
    assert len(live) == DEVICE_TOKENS_MAX and newest["token_id"] in live and keys[0]["token_id"] in live
    assert keys[1]["token_id"] not in live  # the oldest unused one

"""The page of my devices: my tokens with their tracker ids, revoking one, the pairing instructions; and the admin's
list and revoke action."""

from django.test import Client
from pytest_django.asserts import assertRedirects

from accounts.models import ApiToken, TokenKind
from audit.models import AuditEntry
from gridgov.testing import World


def issue(world: World, persona: str = "grid_worker_a", name: str = "华为 Mate 60") -> tuple[ApiToken, str]:
    return ApiToken.issue(world.user(persona), name, TokenKind.DEVICE)


def test_the_page_lists_my_devices_and_how_to_pair_a_tracker(world):
    phone, _key = issue(world)
    issue(world, "grid_worker_b", "别人的手机")
    revoked, _key = issue(world, name="旧手机")
    revoked.revoke()
    page = world.client("grid_worker_a").get("/accounts/devices/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "华为 Mate 60" in text and f"<code data-tracker-id>{phone.tracker_id}</code>" in text
    assert "别人的手机" not in text and "旧手机" not in text
    assert "<code data-tracker-url>http://testserver/api/v1/tracks/osmand</code>" in text
    assert "30 秒" in text and 'href="/accounts/devices/"' in text  # linked from the menu


def test_the_list_takes_the_same_queries_for_many_devices(world, django_assert_max_num_queries):
    client = world.client("grid_worker_a")
    issue(world)
    client.get("/accounts/devices/")
    with django_assert_max_num_queries(20) as one:
        client.get("/accounts/devices/")
    for n in range(6):
        issue(world, name=f"手机{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/accounts/devices/")
    assert page.content.decode().count("data-device=") == 7


def test_revoking_a_device_on_the_page(world):
    phone, key = issue(world)
    client = world.client("grid_worker_a")
    answer = client.post(f"/accounts/devices/{phone.pk}/revoke/", follow=True)
    assertRedirects(answer, "/accounts/devices/")
    phone.refresh_from_db()
    assert phone.revoked_at is not None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me").status_code == 401
    entry = AuditEntry.objects.get(object_type="accounts.apitoken", action="update")
    assert (entry.actor, entry.channel, entry.object_id) == (world.user("grid_worker_a"), "page", str(phone.pk))
    page = answer.content.decode()
    assert "已吊销“华为 Mate 60”" in page and "data-devices-empty" in page


def test_another_persons_device_is_404_and_stays(world):
    theirs, _key = issue(world, "grid_worker_b")
    client = world.client("grid_worker_a")
    assert client.post(f"/accounts/devices/{theirs.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/devices/{theirs.pk}/revoke/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_admin_lists_searches_and_revokes(world):
    phone, _key = issue(world)
    other, _key = issue(world, "grid_worker_b", "别人的手机")
    client = world.client("administrator")
    listed = client.get("/admin/accounts/apitoken/", {"q": phone.tracker_id})
    assert listed.status_code == 200
    text = listed.content.decode()
    assert "华为 Mate 60" in text and "别人的手机" not in text
    answer = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [phone.pk, other.pk]}, follow=True
    )
    assert "已吊销 2 个令牌" in answer.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", action="update").count() == 2
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403

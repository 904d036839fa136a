import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client

from accounts.access import user_scope
from accounts.models import ApiToken
from accounts.roles import ROLE_PERMISSIONS, Role, roles_sync
from areas.models import Area
from registry.models import Person


def test_scope_is_the_union_of_subtrees_without_redundant_prefixes(world):
    street = world.users["street_leader"]
    street.areas.add(world.grid_a, world.grid_c)  # grid A is already inside the street
    street.refresh_from_db()
    assert user_scope(street).codes == ("110101001", "110101002001001")
    assert set(Area.objects.visible_to(street).values_list("code", flat=True)) == {
        "110101001",
        "110101001001",
        "110101001001001",
        "110101001001002",
        "110101002001001",
    }


def test_department_area_counts_for_its_members(world):
    handler = world.users["department_handler"]
    assert not Area.objects.visible_to(handler).exists()
    world.department.area = world.areas["110101002"]
    world.department.save()
    handler = type(handler).objects.get(pk=handler.pk)  # a new request loads the user afresh
    assert set(Area.objects.visible_to(handler).values_list("code", flat=True)) == {
        "110101002",
        "110101002001",
        "110101002001001",
    }


def test_anonymous_and_inactive_users_see_nothing(world):
    assert not Person.objects.visible_to(AnonymousUser()).exists()
    dispatcher = world.users["dispatcher"]
    dispatcher.is_active = False
    assert not Area.objects.visible_to(dispatcher).exists()


def test_roles_are_groups_with_the_declared_permissions(db):
    roles_sync()
    roles_sync()  # idempotent
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    admin = Group.objects.get(name=Role.ADMINISTRATOR)
    names = {f"{p.content_type.app_label}.{p.codename}" for p in admin.permissions.select_related("content_type")}
    assert names == set(ROLE_PERMISSIONS[Role.ADMINISTRATOR])


def test_api_tokens_authenticate_until_revoked(world):
    token, key = ApiToken.issue(world.users["grid_worker_a"], "phone")
    assert key not in str(list(ApiToken.objects.values_list("key_hash", flat=True)))
    client = Client()
    ok = client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and [area["code"] for area in ok.json()] == [world.grid_a.code]
    token.revoke()
    denied = client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert denied.status_code == 401 and denied.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("persona", ["grid_worker_a", "street_leader", "dispatcher"])
def test_home_page_shows_the_persona_scope(world, persona):
    response = world.client(persona).get("/")
    assert response.status_code == 200
    roots = [area.code for area in response.context["scope_roots"]]
    assert roots == sorted(world.users[persona].areas.values_list("code", flat=True))

"""The access-layer rules of ``accounts.access`` pinned one at a time: a scope covers the subtrees of its codes and
nothing else; a filter keeps exactly those rows; a superuser sees everything, nobody else without an area sees
anything; a user's scope is computed once per user object; "who covers this area" follows the area's lineage, the
department's area when asked, the roles asked for and active users only, each user once."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.access import EVERYTHING, NOTHING, Scope, user_scope, users_covering
from accounts.models import User
from accounts.roles import Role
from areas.models import Area
from gridgov.testing import make_user

GRID_A, GRID_B, GRID_C = "110101001001001", "110101001001002", "110101002001001"
ALL_CODES = {"110101", "110101001", "110101002", "110101001001", "110101002001", GRID_A, GRID_B, GRID_C}


def visible_codes(scope: Scope) -> set[str]:
    return set(Area.objects.filter(scope.q("code")).values_list("code", flat=True))


@pytest.mark.parametrize(
    ("code", "covered"),
    [
        ("110101001", True),
        (GRID_A, True),  # below the street
        ("110101002001001", True),
        ("110101002001002", False),  # a sibling of the grid in the scope
        ("110101002", False),  # above it
        ("110101", False),
        ("210101001", False),
    ],
)
def test_rule_a_scope_covers_the_subtrees_of_its_codes_only(code, covered):
    scope = Scope(everything=False, codes=("110101001", "110101002001001"))
    assert scope.covers(code) is covered
    assert EVERYTHING.covers(code) is True
    assert NOTHING.covers(code) is False


def test_rule_a_scope_filter_keeps_exactly_what_it_covers(world):
    scope = Scope(everything=False, codes=("110101001001", GRID_C))
    assert visible_codes(scope) == {"110101001001", GRID_A, GRID_B, GRID_C}
    assert visible_codes(Scope(everything=False, codes=(GRID_B,))) == {GRID_B}
    assert visible_codes(EVERYTHING) == ALL_CODES
    assert visible_codes(NOTHING) == set()


def test_rule_a_superuser_sees_everything_without_any_area(world):
    root = User.objects.create_superuser("root", password="test-password-1")
    assert user_scope(root) == EVERYTHING
    assert set(Area.objects.visible_to(root).values_list("code", flat=True)) == ALL_CODES


def test_rule_no_user_an_anonymous_one_or_an_inactive_one_has_a_scope(world):
    assert user_scope(None) == NOTHING
    assert user_scope(AnonymousUser()) == NOTHING
    worker = User.objects.get(pk=world.user("grid_worker_a").pk)
    worker.is_active = False
    assert user_scope(worker) == NOTHING
    root = User.objects.create_superuser("root", password="test-password-1", is_active=False)
    assert user_scope(root) == NOTHING


def test_rule_a_scope_is_its_own_areas_and_the_departments_area_without_redundant_codes(world):
    world.department.area = world.areas["110101002001"]
    world.department.save()
    handler = User.objects.get(pk=world.user("department_handler").pk)
    handler.areas.set([world.grid_b, world.grid_a, world.areas["110101001001"]])
    assert user_scope(handler) == Scope(everything=False, codes=("110101001001", "110101002001"))
    worker = User.objects.get(pk=world.user("grid_worker_b").pk)  # no department
    assert user_scope(worker) == Scope(everything=False, codes=(GRID_B,))
    nobody = User.objects.get(pk=world.user("grid_worker_a").pk)
    nobody.areas.clear()
    assert user_scope(nobody) == NOTHING
    assert not Area.objects.visible_to(nobody).exists()


def test_rule_a_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    worker = User.objects.get(pk=world.user("grid_worker_a").pk)
    with django_assert_num_queries(1):
        first = user_scope(worker)
    worker.areas.add(world.grid_c)  # seen by the next request's user object, not by this one
    with django_assert_num_queries(0):
        assert user_scope(worker) is first
    assert user_scope(User.objects.get(pk=worker.pk)).codes == (GRID_A, GRID_C)


def covering(code: str, roles, **options) -> list[str]:
    return sorted(users_covering(code, roles, **options).values_list("username", flat=True))


def test_rule_the_users_covering_an_area_hold_it_or_an_area_above_it(world):
    everyone = list(Role)
    assert covering(GRID_A, everyone) == ["administrator", "community", "dispatcher", "grid_leader", "intake",
                                          "shift", "street", "worker_a"]  # fmt: skip
    assert covering("110101001001", everyone) == [
        "administrator", "community", "dispatcher", "grid_leader", "intake", "shift", "street"
    ]  # fmt: skip
    assert covering(GRID_C, everyone) == ["administrator", "dispatcher", "intake", "shift"]


def test_rule_the_users_covering_an_area_have_one_of_the_roles_asked_for(world):
    assert covering(GRID_A, [Role.GRID_WORKER]) == ["worker_a"]
    assert covering(GRID_A, [Role.STREET_LEADER, Role.SHIFT_LEADER]) == ["shift", "street"]
    assert covering(GRID_A, [Role.DEPARTMENT_HANDLER]) == []
    assert covering(GRID_A, []) == []


def test_rule_the_users_covering_an_area_are_active(world):
    street = world.user("street_leader")
    street.is_active = False
    street.save()
    assert covering(GRID_A, [Role.STREET_LEADER, Role.GRID_WORKER]) == ["worker_a"]


def test_rule_a_departments_area_covers_its_members_unless_asked_otherwise(world):
    world.department.area = world.areas["110101001"]
    world.department.save()
    assert covering(GRID_B, [Role.DEPARTMENT_HANDLER]) == ["handler"]
    assert covering(GRID_B, [Role.DEPARTMENT_HANDLER], through_department=True) == ["handler"]
    assert covering(GRID_B, [Role.DEPARTMENT_HANDLER], through_department=False) == []
    assert covering(GRID_C, [Role.DEPARTMENT_HANDLER]) == []


def test_rule_a_user_covering_an_area_twice_is_named_once(world):
    worker = make_user("worker_ab", Role.GRID_WORKER, [world.grid_a, world.areas["110101001001"], world.grid_b])
    world.department.area = world.areas["110101"]
    world.department.save()
    worker.department = world.department
    worker.save()
    assert covering(GRID_A, [Role.GRID_WORKER]) == ["worker_a", "worker_ab"]
    assert users_covering(GRID_A, [Role.GRID_WORKER]).filter(username="worker_ab").count() == 1

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from cases.seed import categories_ensure
from gridgov.testing import World, world_build
from notifications.channels import channels_forget
from web.models import RateCounter


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever an earlier request switched to."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _uses_database(request: pytest.FixtureRequest) -> bool:
    return bool(
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server", "django_db_setup"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _fresh_counters(request, django_db_blocker):
    """The cache and rate-limit counters (both in the test database, as on a site without Redis) and configured
    channels do not leak from one test into the next."""
    if _uses_database(request):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            cache.clear()
            RateCounter.objects.all().delete()
    channels_forget()
    yield
    channels_forget()


@pytest.fixture
def world(db) -> World:
    return world_build()


@pytest.fixture
def live_world(live_server, transactional_db) -> World:
    """The test world for tests that talk to the running server (the database is flushed after each one, so the
    seeded categories are put back first)."""
    categories_ensure()
    return world_build()


SLOW_TEST_TIMEOUT = 900  # seconds; the default for every other test is ``timeout`` in pyproject.toml


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (building the demo district…) get a longer timeout than the default, which a loaded
    machine could otherwise reach; a test that never ends still fails."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT))

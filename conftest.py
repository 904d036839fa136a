import pytest
from django.conf import settings
from django.utils import translation

from gridgov.testing import World, world_build


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever an earlier request switched to."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters and configured channels do not leak from one test into the next."""
    from django.core.cache import cache

    from notifications.channels import channels_forget

    cache.clear()
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
    from cases.seed import categories_ensure

    categories_ensure()
    return world_build()

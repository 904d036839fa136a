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


@pytest.fixture
def world(db) -> World:
    return world_build()

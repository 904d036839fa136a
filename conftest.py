import pytest

from gridgov.testing import World, world_build


@pytest.fixture
def world(db) -> World:
    return world_build()

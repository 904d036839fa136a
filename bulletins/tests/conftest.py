"""Bulletins' fixtures: facts written by hand (with the seeded categories), so a test knows every figure."""

from __future__ import annotations

import pytest

from bulletins.tests.factories import Facts
from cases.seed import categories_ensure


@pytest.fixture
def facts(world) -> Facts:
    categories_ensure()
    return Facts(world)

"""Bulletins' fixtures: facts written by hand for exact figures, and a published bulletin of each street."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletins.tests.factories import Facts
from cases.seed import categories_ensure


@pytest.fixture
def facts(world) -> Facts:
    categories_ensure()
    return Facts(world)


@pytest.fixture
def november() -> dt.date:
    return dt.date(2026, 11, 10)

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import utils as django_test_utils
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
    machine could otherwise reach; a test that never ends still fails. A mutant's tests run fastest first (their
    times from mutmut's first run), so the first test that notices the change ends the run early."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT))
    if _mutant_under_test():
        durations = _recorded_durations()
        items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


# --- Mutation runs (docs/mutation-testing.md) -------------------------------------------------------------------
# mutmut forks one process per mutant from a server that imported the settings once, so every mutant would name the
# same SQLite test file and build it anew (about 7 s of migrations, often more than the tests it runs, and more than
# mutmut's time limit on a busy machine). mutmut's first run over all tests ("stats") keeps a copy of the database it
# migrated; each mutant process then starts from its own copy of it, which also lets mutants run side by side.


def _mutant_under_test() -> bool:
    return "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", "")


def _recorded_durations() -> dict[str, float]:
    """Each test's time in mutmut's first run (``mutmut-stats.json`` in the folder a mutant runs in)."""
    try:
        return json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}


def _sqlite_test_name() -> str | None:
    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return database.get("TEST", {}).get("NAME")


def _migrated_template() -> Path:
    """Where the migrated test database of this schema is kept (named by the migrations' contents)."""
    digest = hashlib.sha256()
    for migration in sorted(Path().glob("*/migrations/*.py")):
        digest.update(migration.read_bytes())
    return Path(tempfile.gettempdir()) / f"gridgov-test-migrated-{digest.hexdigest()[:16]}.sqlite3"


@pytest.fixture(scope="session")
def django_db_keepdb(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getvalue("reuse_db")) or (
        _mutant_under_test() and _sqlite_test_name() is not None and _migrated_template().exists()
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb):
    """A mutant's tests run on a copy of the migrated database of their own."""
    shared_name = _sqlite_test_name()
    if not (_mutant_under_test() and shared_name and django_db_keepdb):
        yield
        return
    own = Path(shared_name).with_name(f"gridgov-test-mutant-{os.getpid()}.sqlite3")
    connections["default"].settings_dict["TEST"]["NAME"] = str(own)
    shutil.copyfile(_migrated_template(), own)
    # The copy is migrated already: pytest-django's set-up only points the connection at it (no migrate run).
    original_setup = django_test_utils.setup_databases
    django_test_utils.setup_databases = _copy_in_use
    yield
    django_test_utils.setup_databases = original_setup
    for leftover in own.parent.glob(own.name + "*"):
        leftover.unlink(missing_ok=True)


def _copy_in_use(*args: object, **kwargs: object) -> list:
    """Stands for Django's ``setup_databases`` in a mutant's process: its own migrated copy is the test database."""
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = connection.settings_dict["TEST"]["NAME"]
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"]
    return []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up; in mutmut's first run it also keeps the migrated database for the mutants."""
    name = _sqlite_test_name()
    if os.environ.get("MUTANT_UNDER_TEST") == "stats" and name and not _migrated_template().exists():
        template = _migrated_template()
        building = template.with_suffix(f".{os.getpid()}")
        with django_db_blocker.unblock(), sqlite3.connect(name) as source, sqlite3.connect(building) as copy:
            source.backup(copy)  # the write-ahead log included
        building.replace(template)  # atomic: no mutant ever sees half a file
    yield

"""Lean test override: production settings (DEBUG off) with fixed test keys and a fast hasher."""

import os

os.environ.setdefault("GRIDGOV_SECRET_KEY", "test-secret-key-" + "0123456789" * 5)
os.environ.setdefault("GRIDGOV_FIELD_KEYS", "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA=")
os.environ.setdefault("GRIDGOV_HTTPS", "0")
os.environ.setdefault("GRIDGOV_LOG_LEVEL", "WARNING")
os.environ.setdefault("GRIDGOV_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from gridgov.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gridgov-test-media-"))  # noqa: F405
SENDFILE_ROOT = MEDIA_ROOT
IMPORT_UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="gridgov-test-imports-"))  # noqa: F405
# No base map unless a test writes one (the demo build in tests writes it here, not into var/).
MAP_BASEMAP_PMTILES = Path(tempfile.mkdtemp(prefix="gridgov-test-basemap-")) / "basemap.pmtiles"  # noqa: F405
# A file, not SQLite's shared in-memory database: tests with two connections at once (two people acting on one
# case) then see SQLite's real locking with its busy timeout, as the demo and small sites do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"gridgov-test-{os.getpid()}.sqlite3")}  # noqa: F405

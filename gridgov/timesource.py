"""The current time for services that record when something happened.

Normally the wall clock. ``acting_at`` lets a trusted caller (the demo seed, an import of historical cases)
run services as of an earlier moment in the current thread, so their events carry the times they happened.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_local = threading.local()


def now() -> dt.datetime:
    return getattr(_local, "at", None) or timezone.now()


@contextmanager
def acting_at(moment: dt.datetime) -> Iterator[None]:
    previous = getattr(_local, "at", None)
    _local.at = moment
    try:
        yield
    finally:
        _local.at = previous

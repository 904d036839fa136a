"""Query helpers shared by every app."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` starts with ``prefix``, in a form each database answers from an index: PostgreSQL's
    pattern-ops index serves LIKE 'x%'; SQLite's LIKE ignores indexes here, so it gets a binary range."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})

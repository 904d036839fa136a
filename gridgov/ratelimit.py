"""A fixed-window rate limit for the public doors (portal, Open311, one-time codes), exact across processes.

Each (bucket, window) is one counter that every web process of a site shares: a row of ``web.RateCounter``
incremented by one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL), or,
when the cache is Redis (``GRIDGOV_REDIS_URL``), Redis's atomic INCR. Django's database cache is not used for
counting: its ``incr`` is a read followed by a write, which lets concurrent processes lose hits.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from web.models import RateCounter


def rate_allow(bucket: str, limit: int, per_seconds: int) -> bool:
    """Count one hit in ``bucket``; False once more than ``limit`` hits fall in the current window."""
    window = int(time.time() // per_seconds)
    key = f"rate:{bucket}:{window}"[:200]
    expires_at = (window + 1) * per_seconds
    count = _count_in_redis(key, expires_at) if _cache_is_redis() else _count_in_database(key, expires_at)
    return count <= limit


def _cache_is_redis() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def _count_in_redis(key: str, expires_at: int) -> int:
    if cache.add(key, 1, expires_at - time.time() + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, expires_at - time.time() + 1)
        return 1


def _count_in_database(key: str, expires_at: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, count, expires_at) VALUES (%s, 1, %s)"  # the table name is fixed
            f" ON CONFLICT (bucket) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, expires_at],
        )
        count = cursor.fetchone()[0]
    if count == 1:  # a new window began: forget the counters of windows that are over
        RateCounter.objects.filter(expires_at__lt=time.time()).delete()
    return count


def client_ip(request: Any) -> str:
    """The caller's address: the first X-Forwarded-For hop behind a trusted proxy, else the socket's."""
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]

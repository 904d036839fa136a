"""A fixed-window rate limit on Django's cache, for the public doors (portal, Open311, one-time codes).

Each (bucket, window) is one cache counter. With the default in-process cache the limit holds per web process;
set ``GRIDGOV_REDIS_URL`` so that every process of a site shares the counters.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache


def rate_allow(bucket: str, limit: int, per_seconds: int) -> bool:
    """Count one hit in ``bucket``; False once more than ``limit`` hits fall in the current window."""
    window = int(time.time() // per_seconds)
    key = f"rate:{bucket}:{window}"
    if cache.add(key, 1, per_seconds + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, per_seconds + 1)
        count = 1
    return count <= limit


def client_ip(request: Any) -> str:
    """The caller's address: the first X-Forwarded-For hop behind a trusted proxy, else the socket's."""
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]

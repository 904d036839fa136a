from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fieldwork.monitoring import may_monitor


def watching(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation offers the field work pages (在岗监控, 巡查统计): read only where a page asks."""
    user = getattr(request, "user", None)
    return {"WATCHES_FIELD": SimpleLazyObject(lambda: user is not None and may_monitor(user))}

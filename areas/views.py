"""Area pages: the browser (tree + map), a grid's card, and the partition report. Thin views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from areas.choices import AreaLevel
from areas.codes import ancestor_codes
from areas.models import Area
from areas.partition import partition_check_area
from areas.selectors import access_area, area_children, area_roots
from registry.selectors import grid_counts


@login_required
def area_browser(request: HttpRequest, code: str | None = None) -> HttpResponse:
    roots = area_roots(request.user)
    selected = access_area(request.user, code) if code else (roots[0] if roots else None)
    trail = (
        list(Area.objects.visible_to(request.user).filter(code__in=ancestor_codes(selected.code)).order_by("code"))
        if selected
        else []
    )
    context = {
        "roots": roots,
        "selected": selected,
        "trail": trail,
        "children": area_children(selected) if selected else [],
    }
    return render(request, "areas/browser.html", context)


@login_required
def area_tree_children(request: HttpRequest, code: str) -> HttpResponse:
    area = access_area(request.user, code)
    return render(request, "areas/_tree_children.html", {"children": area_children(area)})


@login_required
def area_card(request: HttpRequest, code: str) -> HttpResponse:
    area = access_area(request.user, code)
    counts = grid_counts([area.pk]).get(area.pk, {}) if area.level == AreaLevel.GRID else {}
    staff = User.objects.filter(areas=area, is_active=True).prefetch_related("groups").order_by("username")
    return render(request, "areas/_card.html", {"area": area, "counts": counts, "staff": staff})


@login_required
@permission_required("areas.check_partition", raise_exception=True)
def area_partition(request: HttpRequest, code: str) -> HttpResponse:
    area = access_area(request.user, code)
    return render(request, "areas/partition.html", {"area": area, "report": partition_check_area(area)})

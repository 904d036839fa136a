"""Shared pages: the home page of each role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import user_scope
from accounts.models import User
from areas.choices import AreaLevel
from areas.models import Area
from areas.selectors import area_roots
from registry.models import Household, Person


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    visible = Area.objects.visible_to(user).current()
    context = {
        "roles": user.roles,
        "scope_roots": area_roots(user),
        "scope_everything": user_scope(user).everything,
        "grid_count": visible.filter(level=AreaLevel.GRID).count(),
        "community_count": visible.filter(level=AreaLevel.COMMUNITY).count(),
        "household_count": Household.objects.visible_to(user).count(),
        "population": Person.objects.visible_to(user).count(),
        "can_check_partition": user.has_perm("areas.check_partition"),
    }
    return render(request, "web/home.html", context)

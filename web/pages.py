"""Shared pages: the home page of each role, its workbench (工作台)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import user_scope
from gridgov.http import AuthenticatedHttpRequest
from web.workbench import workbench


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    prefetch_related_objects([user], "groups")  # the roles, read by the sections and the template
    now = timezone.now()
    bench = workbench(user, now)
    context = {
        "bench": bench,
        "now": now,
        "roles": user.roles,
        "scope_roots": bench.roots,
        # Only a user with neither areas nor a department is told to ask for a scope.
        "no_scope": not bench.roots and not user_scope(user).everything and not user.department_id,
        "can_check_partition": user.has_perm("areas.check_partition"),
    }
    return render(request, "web/home.html", context)

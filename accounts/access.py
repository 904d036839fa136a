"""The one access layer: which areas a user covers, and querysets filtered to them.

A user's data scope is the set of area subtrees they cover (their assigned areas plus their department's
area). Area codes are hierarchical (DESIGN §4), so "inside a subtree" is "code starts with the area code".
Every area-bound model uses :class:`ScopedQuerySet` with the path to its area code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q, QuerySet

from accounts.models import User
from areas.codes import lineage_codes

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Scope:
    everything: bool
    codes: tuple[str, ...]

    def covers(self, code: str) -> bool:
        return self.everything or any(code.startswith(prefix) for prefix in self.codes)

    def q(self, code_field: str) -> Q:
        """A filter on ``code_field`` (a path to an area code) that keeps what this scope covers."""
        if self.everything:
            return Q()
        if not self.codes:
            return Q(pk__in=[])
        condition = Q()
        for prefix in self.codes:
            condition |= Q(**{f"{code_field}__startswith": prefix})
        return condition


NOTHING = Scope(everything=False, codes=())
EVERYTHING = Scope(everything=True, codes=())


def _minimal_prefixes(codes: set[str]) -> tuple[str, ...]:
    """Drop codes already covered by a shorter code (a street covers its communities)."""
    kept: list[str] = []
    for code in sorted(codes, key=lambda value: (len(value), value)):
        if not any(code.startswith(prefix) for prefix in kept):
            kept.append(code)
    return tuple(sorted(kept))


def user_scope(user: User | AnonymousUser | None) -> Scope:
    """The data scope of ``user``, computed once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_gridgov_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = EVERYTHING
    else:
        # The user's own areas and their department's area, in one query through the user's relations.
        rows = User.objects.filter(pk=user.pk).values_list("areas__code", "department__area__code")
        codes = {code for row in rows for code in row if code}
        scope = Scope(everything=False, codes=_minimal_prefixes(codes))
    user._gridgov_scope = scope  # computed once per user object
    return scope


def users_covering(code: str, roles: Iterable[str], *, through_department: bool = True) -> QuerySet[User]:
    """Active users of one of ``roles`` whose scope covers the area ``code``: one of their areas (and, with
    ``through_department``, their department's area) is that area or one above it."""
    lineage = lineage_codes(code)
    covering = Q(areas__code__in=lineage)
    if through_department:
        covering |= Q(department__area__code__in=lineage)
    return User.objects.filter(covering, is_active=True, groups__name__in=[str(role) for role in roles]).distinct()


class ScopedQuerySet(models.QuerySet):
    """A queryset of area-bound rows; ``scope_code_field`` is the path to the area code of each row."""

    scope_code_field = "area__code"

    def visible_to(self, user: Any) -> Self:
        return self.filter(user_scope(user).q(self.scope_code_field))

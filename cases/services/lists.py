"""What people who work all day in the case lists do there besides opening a case: keep their filter sets under a
name, and 受理 or 派遣 many cases at once, each through the same service as the single action."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from accounts.models import Department
from audit.services import Origin
from cases.models import Case, SavedFilter
from cases.services.base import department_checked
from cases.services.dispatching import case_dispatch
from cases.services.intake import case_accept
from gridgov.errors import DomainError, ValidationFailed

#: The parameters of the case list a saved filter keeps (the page number is not one of them).
LIST_PARAMS = (
    "queue",
    "text",
    "light",
    "source",
    "area",
    "category",
    "department",
    "status",
    "date_from",
    "date_to",
    "sort",
)
SAVED_FILTER_LIMIT = 30
#: At most this many cases are acted on by one bulk request.
BULK_LIMIT = 200


def list_query(params: QueryDict) -> str:
    """The list's own parameters of ``params`` as a query string, empty ones left out."""
    kept = QueryDict(mutable=True)
    for name in LIST_PARAMS:
        value = params.get(name, "").strip()[:100]
        if value:
            kept[name] = value
    return kept.urlencode()


def saved_filter_save(origin: Origin, name: str, params: QueryDict) -> SavedFilter:
    """Keep the list's current filters under ``name`` for the acting user (the same name is replaced)."""
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise ValidationFailed(_("请填写名称（不超过 40 字）"), code="record_invalid", details={"field": "name"})
    query = list_query(params)
    if len(query) > 1000:
        raise ValidationFailed(_("筛选条件过长"), code="record_invalid", details={"field": "query"})
    user = origin.actor
    mine = SavedFilter.objects.filter(user_id=user.pk)
    with transaction.atomic():
        existing = mine.select_for_update().filter(name=name).first()
        if existing is not None:
            existing.query = query
            existing.save(update_fields=["query"])
            return existing
        if mine.count() >= SAVED_FILTER_LIMIT:
            raise ValidationFailed(
                _("最多保存 %(limit)s 个常用筛选，请先删除不用的") % {"limit": SAVED_FILTER_LIMIT},
                code="saved_filter_limit",
            )
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(user_id=user.pk, name=name, query=query)
        except IntegrityError:  # saved at the same moment from another tab
            raise ValidationFailed(_("同名的常用筛选已存在"), code="conflict", details={"field": "name"}) from None


def saved_filter_delete(saved: SavedFilter) -> None:
    """Forget a saved filter (fetched for its owner with ``cases.selectors.access_saved_filter``)."""
    saved.delete()


@dataclass
class BulkResult:
    """Which cases an action was applied to and which were refused, each with its reason."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def numbers_checked(numbers: Iterable[str]) -> list[str]:
    """The case numbers of a bulk request, each once, in their order; refused above :data:`BULK_LIMIT`."""
    unique = list(dict.fromkeys(number.strip() for number in numbers if number and number.strip()))
    if not unique:
        raise ValidationFailed(_("请先勾选案卷"), code="record_invalid", details={"field": "case"})
    if len(unique) > BULK_LIMIT:
        raise ValidationFailed(
            _("一次最多处理 %(limit)s 件，已选 %(count)s 件") % {"limit": BULK_LIMIT, "count": len(unique)},
            code="bulk_too_many",
            details={"field": "case"},
        )
    return unique


def _each(origin: Origin, numbers: Iterable[str], act: Callable[[Case], Any]) -> BulkResult:
    """Apply ``act`` to each case the user may see, each in its own transaction: one refused case changes
    nothing of the others, and every refusal is reported with its reason."""
    wanted = numbers_checked(numbers)
    found = {case.number: case for case in Case.objects.visible_to(origin.actor).filter(number__in=wanted)}
    result = BulkResult()
    for number in wanted:
        case = found.get(number)
        if case is None:
            result.failed.append((number, _("案卷不存在")))
            continue
        try:
            act(case)
        except DomainError as error:
            result.failed.append((number, str(error.message)))
        else:
            result.done.append(number)
    return result


def cases_accept_many(origin: Origin, numbers: Iterable[str], *, reason: str = "") -> BulkResult:
    """受理 each of the cases (their category stays as reported)."""
    return _each(origin, numbers, lambda case: case_accept(origin, case, reason=reason))


def cases_dispatch_many(
    origin: Origin, numbers: Iterable[str], department: Department | int | None, *, reason: str = ""
) -> BulkResult:
    """派遣 each of the cases to one main department with the category's handling limit."""
    if department is None:
        raise ValidationFailed(_("请选择主办部门"), code="record_invalid", details={"field": "department"})
    main = department_checked(department)
    return _each(origin, numbers, lambda case: case_dispatch(origin, case, main, reason=reason))

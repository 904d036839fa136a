"""Queries over cases: lists with filters, fetch-and-authorize, duplicate proposals, and the public lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case as Choose
from django.db.models import Count, F, IntegerField, Max, OrderBy, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from areas.geometry import box_around, distance_m
from areas.models import Area
from cases.choices import ENDED_STATUSES, FINISHED_STATUSES, OPEN_STATUSES, CaseStatus, Light
from cases.models import Case, CaseEvent, CasePhoto, Category, Report, SavedFilter
from cases.public import PUBLIC_PHOTO_STAGES, PublicStep, public_cases, public_steps
from cases.workflow import FIELD, actor_roles
from gridgov.errors import NotFound
from gridgov.queries import prefix_q


def access_case(user: Any, number: str) -> Case:
    """The case with this number if ``user`` may see it; "not yours" answers 404 like "does not exist"."""
    case = (
        Case.objects.visible_to(user)
        .select_related("grid", "category", "main_department")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(_("案卷不存在"), code="case_not_found")
    return case


def cases_near(
    category_id: int,
    longitude: float,
    latitude: float,
    *,
    since: dt.datetime,
    radius_m: float | None = None,
    exclude_pk: int | None = None,
) -> list[tuple[Case, float]]:
    """Open cases of one category within ``radius_m`` of a point, reported since ``since``, nearest first.
    The bounding box uses the indexed columns; the exact distance is then the great-circle one."""
    radius = radius_m or settings.CASE_DUPLICATE_RADIUS_M
    longitudes, latitudes = box_around(longitude, latitude, radius)
    candidates = Case.objects.filter(
        category_id=category_id,
        status__in=OPEN_STATUSES,
        created_at__gte=since,
        latitude__range=latitudes,
        longitude__range=longitudes,
    ).select_related("category")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = [
        (other, distance_m(longitude, latitude, other.longitude, other.latitude))
        for other in candidates
        if other.longitude is not None and other.latitude is not None
    ]
    return sorted([item for item in found if item[1] <= radius], key=lambda item: item[1])


def duplicates_of(case: Case, *, radius_m: float | None = None, days: int | None = None) -> list[tuple[Case, float]]:
    """Open cases of the same category within ``radius_m`` reported in the last ``days``, nearest first."""
    if case.category_id is None or case.latitude is None or case.longitude is None:
        return []
    window = dt.timedelta(days=days or settings.CASE_DUPLICATE_WINDOW_DAYS)
    return cases_near(
        case.category_id,
        case.longitude,
        case.latitude,
        since=case.created_at - window,
        radius_m=radius_m,
        exclude_pk=case.pk,
    )


def duplicates_at(
    category_id: int, longitude: float, latitude: float, *, radius_m: float | None = None
) -> list[tuple[Case, float]]:
    """Before a report is submitted: open cases of this category near this point (the duplicate window)."""
    since = timezone.now() - dt.timedelta(days=settings.CASE_DUPLICATE_WINDOW_DAYS)
    return cases_near(category_id, longitude, latitude, since=since, radius_m=radius_m)


@dataclass
class CaseFilter:
    """The filters of every case list (pages, API, exports): all optional, all combined with AND."""

    status: str = ""
    light: str = ""
    category: str = ""  # a category code, or its service code (E0102, C01, G1): a class covers its subclasses
    area: str = ""  # an area code: covers its subtree
    department: str = ""  # a department code
    source: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    open_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value not in (None, "", False)}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: The kind a service code's first letter names (``E0102``, ``C01``; governance codes are ``G…`` themselves).
SERVICE_KINDS = {"E": "event", "C": "component", "G": "governance"}


def _category_q(code: str) -> Q:
    """A category and its subclasses, by code (any kind) or by service code (one kind: ``E01``, ``C0101``)."""
    kind = SERVICE_KINDS.get(code[:1], "")
    if kind and kind != "governance":
        code = code[1:]
    either = Q(category__code=code) | Q(category__parent__code=code)
    return Q(category__kind=kind) & either if kind else either


def case_list(user: Any, query: CaseFilter | None = None) -> QuerySet[Case]:
    """Cases the user may see, filtered, newest first, with what a list row shows in the same query."""
    query = query or CaseFilter()
    cases = Case.objects.visible_to(user)
    if query.status:
        cases = cases.filter(status__in=query.status.split(","))
    if query.open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if query.light:
        cases = cases.filter(light=query.light)
    if query.category:
        cases = cases.filter(_category_q(query.category))
    if query.area:
        cases = cases.filter(grid__in=Area.objects.filter(prefix_q("code", query.area)).values("pk"))
    if query.department:
        cases = cases.filter(main_department__code=query.department)
    if query.source:
        cases = cases.filter(source=query.source)
    if query.date_from:
        cases = cases.filter(created_at__gte=_day_start(query.date_from))
    if query.date_to:
        cases = cases.filter(created_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    text = query.text.strip()
    if text:
        cases = (
            cases.filter(number=text)
            if text.isdigit() and len(text) == 13
            else cases.filter(Q(description__contains=text) | Q(address__contains=text))
        )
    return cases.select_related("category", "grid", "main_department").order_by("-created_at", "-id")


# --- The case list's tabs, order and pickers ------------------------------------------------------------------
S = CaseStatus


@dataclass(frozen=True)
class Queue:
    """A tab of the case list: the states (or the light) it shows; ``mine``: the user's own tasks."""

    label: Any
    statuses: tuple[str, ...] = ()
    light: str = ""
    mine: bool = False


QUEUES: dict[str, Queue] = {
    "all": Queue(_l("全部")),
    "intake": Queue(_l("待受理"), (S.REPORTED,)),
    "file": Queue(_l("待立案"), (S.ACCEPTED, S.VERIFYING)),
    "dispatch": Queue(_l("待派遣"), (S.FILED, S.RETURNED)),
    "handling": Queue(_l("处置中"), (S.DISPATCHED, S.HANDLING)),
    "check": Queue(_l("待核查"), (S.HANDLED, S.SELF_RESOLVED, S.CHECKING)),
    "close": Queue(_l("待结案"), (S.CHECKED,)),
    "suspended": Queue(_l("挂账"), (S.SUSPENDED,)),
    "overdue": Queue(_l("超时"), light=Light.RED),
    "finished": Queue(_l("已结案"), FINISHED_STATUSES),
    "mine": Queue(_l("我的任务"), mine=True),
}


def queue_q(user: Any, name: str) -> Q:
    """The condition of one tab for ``user`` (an unknown tab is "all")."""
    queue = QUEUES.get(name, QUEUES["all"])
    condition = Q()
    if queue.statuses:
        condition &= Q(status__in=queue.statuses)
    if queue.light:
        condition &= Q(light=queue.light)
    if queue.mine:
        if actor_roles(user) & FIELD:
            condition &= Q(assignee=user, status__in=[S.VERIFYING, S.CHECKING])
        elif user.department_id:
            condition &= Q(main_department_id=user.department_id, status__in=[S.DISPATCHED, S.HANDLING])
    return condition


def cases_of_worker(cases: QuerySet[Case], user: Any, queue: str = "", reported_by_me: bool = False) -> QuerySet[Case]:
    """``cases`` narrowed to one tab of the list for ``user`` (``mine``: the 核实/核查 tasks assigned to a grid worker)
    and, if asked, to the cases of the user's own reports."""
    if queue:
        cases = cases.filter(queue_q(user, queue))
    if reported_by_me:
        cases = cases.filter(pk__in=Report.objects.filter(reported_by=user).values("case_id"))
    return cases


def queue_counts(cases: QuerySet[Case], user: Any) -> dict[str, int]:
    """How many of ``cases`` each tab holds, in one query (one conditional count per tab)."""
    return cases.order_by().aggregate(**{name: Count("pk", filter=queue_q(user, name)) for name in QUEUES})


#: Red, yellow, green, untimed: a case's light in order of urgency.
LIGHT_RANK = Choose(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
#: The states in the order of the loop (DESIGN §5), for sorting by state.
STATUS_RANK = Choose(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(CaseStatus.values)),
    default=Value(len(CaseStatus.values)),
    output_field=IntegerField(),
)
#: The columns a list may be sorted by (``sort=key`` ascending, ``sort=-key`` descending); any other is ignored.
SORTS: dict[str, Any] = {
    "number": F("number"),
    "created": F("created_at"),
    "due": F("due_at"),
    "light": LIGHT_RANK,
    "category": F("category__code"),
    "area": F("grid__code"),
    "status": STATUS_RANK,
}
DEFAULT_SORT = "-created"


def sort_checked(sort: str) -> str:
    """The sort key as given when it is one of :data:`SORTS`, else the default (newest first)."""
    return sort if sort.removeprefix("-") in SORTS else DEFAULT_SORT


def case_sorted(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    """``cases`` in the order of a whitelisted column (empty values last), ties newest first."""
    sort = sort_checked(sort)
    descending = sort.startswith("-")
    column = SORTS[sort.removeprefix("-")]
    order: OrderBy = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return cases.order_by(order, "-created_at", "-id")


#: Above this many areas in a user's scope, the area picker lists the areas above the grids only.
AREA_PICKER_LIMIT = 2000


@dataclass(frozen=True)
class AreaOption:
    code: str
    name: str
    level: str
    depth: int  # levels below the user's top areas (each level adds three digits to the code)


def area_options(user: Any) -> list[AreaOption]:
    """The areas of the user's scope in tree order (codes sort parents before their children), from one query
    (two when the scope has more than :data:`AREA_PICKER_LIMIT` areas)."""
    visible = Area.objects.visible_to(user).current().order_by("code")
    rows = list(visible.values_list("code", "name", "level")[: AREA_PICKER_LIMIT + 1])
    if len(rows) > AREA_PICKER_LIMIT:
        rows = list(visible.exclude(level="grid").values_list("code", "name", "level")[:AREA_PICKER_LIMIT])
    top = min((len(code) for code, _name, _level in rows), default=0)
    return [AreaOption(code, name, level, (len(code) - top) // 3) for code, name, level in rows]


@dataclass
class CategoryGroup:
    label: str
    value: str  # the class's service code: choosing it covers its subclasses
    subclasses: list[tuple[str, str]]  # service code, "code name"


def category_options() -> list[CategoryGroup]:
    """Every active class (大类) with its subclasses (小类), by service code, from one query."""
    groups: dict[int, CategoryGroup] = {}
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("kind", "code")
    for category in rows:
        if category.parent_id is None:
            label = f"{category.name}（{category.get_kind_display()}）"
            groups.setdefault(category.pk, CategoryGroup(label, category.service_code, []))
    for category in rows:
        if category.parent_id in groups:
            groups[category.parent_id].subclasses.append((category.service_code, f"{category.code} {category.name}"))
    return list(groups.values())


def saved_filters_of(user: Any) -> QuerySet[SavedFilter]:
    """The user's own saved filter sets (nobody sees another's)."""
    return SavedFilter.objects.filter(user_id=user.pk).order_by("name", "id")


def access_saved_filter(user: Any, pk: int) -> SavedFilter:
    """The user's saved filter ``pk``; another user's answers 404 like one that does not exist."""
    found = saved_filters_of(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("筛选不存在"), code="saved_filter_not_found")
    return found


RECENT_CATEGORIES = 6


def categories_recent(user: Any, limit: int = RECENT_CATEGORIES) -> list[int]:
    """The categories of the user's last reports, the most recently used first (one query)."""
    used = (
        Report.objects.filter(reported_by=user, category__isnull=False)
        .values("category_id")
        .annotate(last=Max("created_at"))
        .order_by("-last", "category_id")
    )
    return [row["category_id"] for row in used[:limit]]


def categories_to_report() -> QuerySet[Category]:
    """The active subclasses a report may name, with their class, in code order."""
    return (
        Category.objects.filter(parent__isnull=False, is_active=True, parent__is_active=True)
        .select_related("parent")
        .order_by("kind", "code")
    )


# --- The public side: what anyone may look up (Open311, the portal) -------------------------------------------
def public_categories() -> QuerySet[Category]:
    """Subclasses the public may report under, with their class."""
    return Category.objects.filter(parent__isnull=False, is_active=True, is_public=True).select_related("parent")


def public_category_by_service_code(code: str) -> Category | None:
    """The public subclass with this Open311 service code (``E``/``C``/``G`` + code), if any."""
    return public_categories().filter(Category.by_service_code(code)).first() if code else None


def category_ids_by_service_codes(codes: list[str]) -> list[int]:
    """The categories (any, public or not) named by these Open311 service codes."""
    condition = Q()
    for code in codes:
        condition |= Category.by_service_code(code)
    return list(Category.objects.filter(condition).values_list("pk", flat=True))


@dataclass(frozen=True)
class Circle:
    longitude: float
    latitude: float
    radius_m: float


@dataclass(frozen=True)
class PublicCaseFilter:
    """The filters of the public case list: all optional, combined with AND; ``numbers`` alone when given."""

    numbers: tuple[str, ...] = ()
    category_ids: tuple[int, ...] | None = None
    closed: bool | None = None  # True: ended cases only; False: the others
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    updated_from: dt.datetime | None = None
    updated_to: dt.datetime | None = None
    near: Circle | None = None


#: At most this many cases in the bounding box are measured for a radius search.
NEAR_SCAN_LIMIT = 20_000


def cases_within(cases: QuerySet[Case], circle: Circle) -> QuerySet[Case]:
    """Those of ``cases`` within the circle: the bounding box on the indexed columns, then the exact distance."""
    longitudes, latitudes = box_around(circle.longitude, circle.latitude, circle.radius_m)
    box = cases.filter(latitude__range=latitudes, longitude__range=longitudes)
    inside = [
        pk
        for pk, longitude, latitude in box.values_list("pk", "longitude", "latitude")[:NEAR_SCAN_LIMIT]
        if longitude is not None
        and latitude is not None
        and distance_m(circle.longitude, circle.latitude, longitude, latitude) <= circle.radius_m
    ]
    return cases.filter(pk__in=inside)


def public_cases_filtered(query: PublicCaseFilter) -> QuerySet[Case]:
    """Public cases matching ``query``, newest first, with their category and main department."""
    cases = public_cases()
    if query.numbers:
        cases = cases.filter(number__in=query.numbers)
    else:
        if query.category_ids is not None:
            cases = cases.filter(category_id__in=query.category_ids)
        if query.closed is not None:
            ended = Q(status__in=ENDED_STATUSES)
            cases = cases.filter(ended) if query.closed else cases.exclude(ended)
        if query.created_from:
            cases = cases.filter(created_at__gte=query.created_from)
        if query.created_to:
            cases = cases.filter(created_at__lte=query.created_to)
        if query.updated_from:
            cases = cases.filter(updated_at__gte=query.updated_from)
        if query.updated_to:
            cases = cases.filter(updated_at__lte=query.updated_to)
        if query.near is not None:
            cases = cases_within(cases, query.near)
    return cases.select_related("category", "main_department").order_by("-created_at", "-id")


def public_case_by_number(number: str) -> Case | None:
    return public_cases().select_related("category", "main_department").filter(number=number).first()


def case_public_steps_grouped(cases: list[Case]) -> dict[int, list[PublicStep]]:
    """The public timeline of each case, by case id, from one query over their events."""
    events = CaseEvent.objects.filter(case__in=cases).only("case_id", "action", "at").order_by("at", "id")
    by_case: dict[int, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    return {case_id: public_steps(rows) for case_id, rows in by_case.items()}


def case_public_photos_grouped(cases: list[Case]) -> dict[int, list[CasePhoto]]:
    """The photos of each case that have a public copy (report, before and after stages), by case id."""
    photos = CasePhoto.objects.filter(case__in=cases, stage__in=PUBLIC_PHOTO_STAGES).exclude(public_image="")
    found: dict[int, list[CasePhoto]] = {}
    for photo in photos.only("pk", "case_id"):
        found.setdefault(photo.case_id, []).append(photo)
    return found

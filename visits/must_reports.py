"""八必报 from the field. The four events (公共设施损坏, 背街小巷不洁, 安全隐患, 不稳定因素) enter the case loop with
the category mapped here (or the one given); the four registry items (新增孕妇, 外来人员流入, 居民病重住院, 房屋出租)
open a pending registry change with the facts, which a grid worker or community staff member confirms
(``registry.changes.change_confirm``). Each report is a :class:`MustReport` row counted for the worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from accounts.access import user_scope
from areas.locate import grid_locate
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.models import Category
from cases.photos import CheckedPhoto
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.errors import NotFound, Problems
from registry.changes import change_propose
from registry.choices import MUST_REPORT_EVENTS, SENSITIVE_TAGS, ChangeKind, ChangeSource, MustReportItem
from registry.models import House, Person
from registry.selectors import access_house, access_person
from visits.models import MustReport

#: The case category of each event item: (kind, subclass code) of ``cases/data/categories.csv``.
EVENT_CATEGORIES: dict[str, tuple[str, str]] = {
    # 市容环境 / 其他: a broken facility that is not a known part (a known part is reported as that component)
    MustReportItem.FACILITY_DAMAGE: ("event", "0199"),
    MustReportItem.ALLEY_UNCLEAN: ("event", "0104"),  # 市容环境 / 道路不洁
    MustReportItem.SAFETY_HAZARD: ("governance", "G301"),  # 安全隐患 / 消防隐患
    MustReportItem.INSTABILITY: ("governance", "G199"),  # 矛盾纠纷 / 其他纠纷
}

#: The registry change each registry item proposes.
CHANGE_KINDS: dict[str, str] = {
    MustReportItem.PREGNANCY: ChangeKind.PREGNANCY,
    MustReportItem.FLOATING_ARRIVAL: ChangeKind.FLOATING_ARRIVAL,
    MustReportItem.HOSPITALIZED: ChangeKind.HOSPITALIZED,
    MustReportItem.RENTED_OUT: ChangeKind.RENTED_OUT,
}

#: The facts each registry item may carry (anything else is dropped).
ITEM_FACTS: dict[str, tuple[str, ...]] = {
    MustReportItem.PREGNANCY: ("name", "day", "note"),
    MustReportItem.HOSPITALIZED: ("name", "day", "hospital", "note"),
    MustReportItem.FLOATING_ARRIVAL: (
        "name",
        "sex",
        "birth_date",
        "id_number",
        "phone",
        "origin_place",
        "arrival_date",
        "expected_until",
        "reason",
    ),
    MustReportItem.RENTED_OUT: (
        "name",
        "sex",
        "birth_date",
        "id_number",
        "phone",
        "contract_start",
        "contract_end",
        "landlord_id",
    ),
}


@dataclass
class MustReportData:
    item: str
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    grid_code: str = ""
    person_id: int | None = None
    house_id: int | None = None
    category_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    photos: list[CheckedPhoto] = field(default_factory=list)
    idempotency_key: str = ""


def event_category(item: str, category_id: int | None = None) -> Category | None:
    if category_id:
        return Category.objects.filter(pk=category_id).first()
    kind, code = EVENT_CATEGORIES[item]
    return Category.objects.filter(kind=kind, code=code).first()


def _grid_of(
    origin: Origin, data: MustReportData, person: Person | None, house: House | None, problems: Problems
) -> Area | None:
    if house is not None:
        return house.grid
    if person is not None:
        return person.grid
    if data.grid_code:
        grid = Area.objects.current().filter(code=data.grid_code, level="grid").first()
        if grid is None or not user_scope(origin.actor).covers(grid.code):
            raise NotFound(
                _("网格 %(code)s 不存在或不在您的管辖范围内") % {"code": data.grid_code}, code="grid_not_found"
            )
        return grid
    if data.lon is not None and data.lat is not None:
        found = grid_locate(float(data.lon), float(data.lat))
        if found.grid is None:
            problems.add("lon", _("位置不在任何网格内"))
        return found.grid
    problems.add("grid_code", _("请提供位置、网格、人员或房屋"))
    return None


def must_report_submit(origin: Origin, data: MustReportData) -> MustReport:
    """One 八必报 item: an event becomes a case (mapped category), a registry item a pending change."""
    problems = Problems()
    if data.item not in MustReportItem.values:
        problems.add("item", _("未知的八必报事项“%(item)s”") % {"item": data.item})
        problems.raise_if_any()
    person = access_person(origin.actor, data.person_id) if data.person_id else None
    house = access_house(origin.actor, data.house_id) if data.house_id else None
    grid = _grid_of(origin, data, person, house, problems)
    if grid is not None and not user_scope(origin.actor).covers(grid.code):
        problems.add("grid_code", _("网格 %(code)s 不在您的管辖范围内") % {"code": grid.code})
    is_event = data.item in MUST_REPORT_EVENTS
    category = None
    if is_event:
        category = event_category(data.item, data.category_id)
        if category is None:
            problems.add("category_id", _("类别不存在"))
        if not data.description.strip():
            problems.add("description", _("请描述情况"))
    elif data.item == MustReportItem.FLOATING_ARRIVAL and house is None:
        problems.add("house_id", _("请指明居住房屋"))
    elif data.item == MustReportItem.RENTED_OUT and house is None:
        problems.add("house_id", _("请指明出租的房屋"))
    elif person is None and not str(data.facts.get("name") or "").strip():  # 新增孕妇, 居民病重住院
        problems.add("person_id", _("请指明人员"))
    problems.raise_if_any()
    assert grid is not None
    sensitive = bool(person and person.tags.filter(category__in=SENSITIVE_TAGS).exists())
    with transaction.atomic():
        report = MustReport(
            item=data.item,
            worker=origin.actor,
            grid=grid,
            reported_at=timesource.now(),
            description=data.description.strip(),
            lon=data.lon,
            lat=data.lat,
            sensitive=sensitive,
        )
        if is_event:
            assert category is not None
            lon, lat = data.lon, data.lat
            if (lon is None or lat is None) and house is not None:
                lon, lat = house.building.lon, house.building.lat
            intake = report_submit(
                origin,
                ReportData(
                    source="grid_worker",
                    description=_("【八必报·%(item)s】%(text)s")
                    % {"item": MustReportItem(data.item).label, "text": data.description.strip()},
                    longitude=lon,
                    latitude=lat,
                    grid_code=grid.code if lon is None else "",
                    category_id=category.pk,
                    idempotency_key=data.idempotency_key,
                    photos=data.photos,
                ),
            )
            report.case = intake.case
        else:
            allowed = ITEM_FACTS[data.item]
            facts = {key: value for key, value in data.facts.items() if key in allowed and value not in (None, "")}
            if data.description.strip():
                facts.setdefault("note", data.description.strip()[:200])
            report.change = change_propose(
                origin,
                CHANGE_KINDS[data.item],
                ChangeSource.MUST_REPORT,
                grid,
                facts,
                person=person,
                house=house,
                note=data.description,
            )
        report.save()
        audit_record(origin, AuditAction.CREATE, report, area_code=grid.code, changes={"item": [None, data.item]})
    return report


def must_reports_of(
    user: Any, mine: bool = True, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[MustReport]:
    """八必报 visible to ``user`` (their own with ``mine``), newest first."""
    rows = MustReport.objects.visible_to(user).select_related("grid", "case", "change", "worker")
    if mine:
        rows = rows.filter(worker=user)
    if date_from:
        rows = rows.filter(reported_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(reported_at__date__lte=date_to)
    return rows.order_by("-reported_at", "-id")


def must_report_counts(user: Any, worker: Any) -> dict[str, int]:
    """How many of each item ``worker`` reported (as ``user`` may see them)."""
    rows = MustReport.objects.visible_to(user).filter(worker=worker).values("item").annotate(total=Count("id"))
    return {row["item"]: row["total"] for row in rows}

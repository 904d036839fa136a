"""Export of registry lists to .xlsx or .csv: the user's scope, masked ID numbers and phones, the birth year
instead of the birth date unless the user may reveal it, sensitive tags only for those who may see them, and
no cell a spreadsheet would run as a formula. Streams rows (write-only workbook, iterator over the query); each
export is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from audit.models import AuditAction
from audit.services import Origin, audit_list_read, exact_search_allow
from gridgov.errors import ValidationFailed
from registry.models import Building, Component, House, PersonTag, Place
from registry.selectors import PersonQuery, may_reveal, person_search, query_is_exact
from registry.tabular import csv_bytes, workbook_bytes


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable[[Any], Any]


def _display(field: str) -> Callable[[Any], Any]:
    return lambda record: getattr(record, f"get_{field}_display")()


def _attr(path: str) -> Callable[[Any], Any]:
    def read(record: Any) -> Any:
        for part in path.split("."):
            record = getattr(record, part, None) if record is not None else None
        return "" if record is None else record

    return read


BIRTH_DATE = ExportColumn("出生日期", _attr("birth_date"))
BIRTH_YEAR = ExportColumn("出生年份", _attr("birth_year"))
PERSON_COLUMNS = (
    ExportColumn("姓名", _attr("name")),
    ExportColumn("证件类型", _display("document_type")),
    ExportColumn("证件号码", _attr("id_number_masked")),
    ExportColumn("性别", _display("sex")),
    BIRTH_YEAR,
    ExportColumn("联系电话", _attr("phone_masked")),
    ExportColumn("民族", _attr("ethnicity")),
    ExportColumn("户籍地", _attr("hukou_place")),
    ExportColumn("人口类型", _display("residency_type")),
    ExportColumn("人户状态", _display("household_status")),
    ExportColumn("现住房屋地址", _attr("house.address")),
    ExportColumn("与户主关系", _display("relation_to_head")),
    ExportColumn("网格编码", _attr("grid.code")),
    ExportColumn("工作单位", _attr("work_place")),
    ExportColumn("标签", lambda person: "、".join(tag.get_category_display() for tag in person.tags.all())),
)
BUILDING_COLUMNS = (
    ExportColumn("街路巷", _attr("road")),
    ExportColumn("门牌号", _attr("door_number")),
    ExportColumn("小区", _attr("estate")),
    ExportColumn("楼栋号", _attr("number")),
    ExportColumn("类型", _display("kind")),
    ExportColumn("单元数", _attr("units")),
    ExportColumn("层数", _attr("floors")),
    ExportColumn("经度", _attr("lon")),
    ExportColumn("纬度", _attr("lat")),
    ExportColumn("网格编码", _attr("grid.code")),
)
HOUSE_COLUMNS = (
    ExportColumn("楼栋地址", _attr("building.address")),
    ExportColumn("单元", _attr("unit")),
    ExportColumn("楼层", _attr("floor")),
    ExportColumn("户室号", _attr("room")),
    ExportColumn("用途", _display("use")),
    ExportColumn("建筑面积", lambda house: float(house.area_m2) if house.area_m2 is not None else ""),
    ExportColumn("产权性质", _display("ownership")),
    ExportColumn("是否出租", lambda house: "是" if house.is_rental else "否"),
    ExportColumn("网格编码", _attr("grid.code")),
)
PLACE_COLUMNS = (
    ExportColumn("名称", _attr("name")),
    ExportColumn("类型", _display("kind")),
    ExportColumn("地址", _attr("address")),
    ExportColumn("经度", _attr("lon")),
    ExportColumn("纬度", _attr("lat")),
    ExportColumn("统一社会信用代码", _attr("credit_code")),
    ExportColumn("负责人", _attr("responsible_name")),
    ExportColumn("负责人电话", _attr("responsible_phone_masked")),
    ExportColumn("风险等级", _display("risk_level")),
    ExportColumn("从业人数", _attr("employees")),
    ExportColumn("网格编码", _attr("grid.code")),
)
COMPONENT_COLUMNS = (
    ExportColumn("部件编码", _attr("code")),
    ExportColumn("小类代码", _attr("category.code")),
    ExportColumn("小类名称", _attr("category.name")),
    ExportColumn("经度", _attr("lon")),
    ExportColumn("纬度", _attr("lat")),
    ExportColumn("位置描述", _attr("address")),
    ExportColumn("权属单位", _attr("owner_department.name")),
    ExportColumn("养护单位", _attr("maintainer_department.name")),
    ExportColumn("状态", _display("state")),
    ExportColumn("在用", lambda component: "是" if component.in_use else "否"),
    ExportColumn("网格编码", _attr("grid.code")),
)


def _people(user: Any, query: PersonQuery) -> QuerySet:
    tags = PersonTag.objects.visible_categories(user)
    return person_search(user, query).select_related("grid", "house").prefetch_related(Prefetch("tags", tags))


EXPORTS: dict[str, tuple[str, tuple[ExportColumn, ...], Callable[[Any, PersonQuery], QuerySet]]] = {
    "persons": ("人员", PERSON_COLUMNS, _people),
    "buildings": ("楼栋", BUILDING_COLUMNS, lambda user, _q: Building.objects.visible_to(user).select_related("grid")),
    "houses": (
        "房屋",
        HOUSE_COLUMNS,
        lambda user, _q: House.objects.visible_to(user).select_related("grid", "building"),
    ),
    "places": ("单位场所", PLACE_COLUMNS, lambda user, _q: Place.objects.visible_to(user).select_related("grid")),
    "components": (
        "部件",
        COMPONENT_COLUMNS,
        lambda user, _q: Component.objects.visible_to(user).select_related(
            "grid", "category", "owner_department", "maintainer_department"
        ),
    ),
}


def _columns_for(user: Any, columns: tuple[ExportColumn, ...]) -> tuple[ExportColumn, ...]:
    """Users who may reveal a birth date get it in full; the others its year (docs/privacy.md)."""
    if not may_reveal(user):
        return columns
    return tuple(BIRTH_DATE if column is BIRTH_YEAR else column for column in columns)


FORMATS = ("xlsx", "csv")


def registry_export(
    origin: Origin, kind: str, query: PersonQuery, grid: str = "", file_format: str = "xlsx"
) -> tuple[bytes, str]:
    """The .xlsx (or .csv) of one list as the user may see it, and its file name."""
    if kind not in EXPORTS:
        raise ValidationFailed(f"未知的导出类型：{kind}", code="export_kind_unknown")
    if file_format not in FORMATS:
        raise ValidationFailed(f"未知的导出格式：{file_format}", code="export_format_unknown")
    label, columns, rows_of = EXPORTS[kind]
    columns = _columns_for(origin.actor, columns)
    if query_is_exact(query):
        exact_search_allow(origin, "registry.person", query.text.strip())
    records = rows_of(origin.actor, query)
    if grid:
        records = records.filter(grid__code__startswith=grid)
    records = records.order_by("pk")
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        for record in records.iterator(chunk_size=2000):
            count += 1
            yield [column.value(record) for column in columns]

    headers = [column.header for column in columns]
    content = csv_bytes(headers, rows()) if file_format == "csv" else workbook_bytes(label, headers, rows())
    audit_list_read(origin, AuditAction.EXPORT, records.model, count=count, query={**query.as_dict(), "grid": grid})
    return content, f"{label}.{file_format}"

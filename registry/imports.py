"""Import of buildings, houses, persons, places and components from .xlsx/.csv with Chinese headers.

One pass over the file, in chunks: every row is parsed column by column, its references (building, house, grid,
category, department) are resolved for the whole chunk in one query each, then the same ``*_prepare`` service
as the forms checks it. Every problem is reported with its row number, column and reason; duplicates (same ID
number, same address, same code) inside the file or against the database are reported, never merged.

``dry_run`` writes nothing and runs outside any transaction (on SQLite a transaction takes the write lock for
its whole length). Otherwise all rows are written in one transaction, and any problem rolls it back: a failed
import changes nothing. Memory stays bounded: only a chunk of records and the keys seen are held.

A person's ID number that is already registered outside the user's scope is reported with a neutral message, and
each such row counts against the user's exact-search limit: a file of guessed numbers is no oracle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery

from accounts.access import ScopedQuerySet, user_scope
from accounts.models import Department
from areas.choices import AreaLevel, Datum
from areas.models import Area
from audit.models import AuditEntry
from audit.services import Origin, exact_search_allow
from cases.models import Category
from gridgov.errors import ValidationFailed
from registry.choices import (
    BuildingKind,
    ComponentState,
    DocumentType,
    HouseholdStatus,
    HouseUse,
    Ownership,
    PlaceKind,
    Relation,
    ResidencyType,
    RiskLevel,
    Sex,
)
from registry.models import Building, Component, House, Household, Person, Place, Residence
from registry.services import (
    ID_NUMBER_ELSEWHERE,
    RecordInvalid,
    audit_entries_for_created,
    building_prepare,
    component_code_next,
    component_prepare,
    house_prepare,
    person_prepare,
    place_prepare,
)
from registry.tabular import EXCEL_PRECISION_LOST, Sheet, sheet_open

CHUNK = 2000


# ── Column parsers: text → value, or ValueError with the reason ─────────────────────────────────────────────


def text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value == EXCEL_PRECISION_LOST:
            raise ValueError("Excel 把该单元格存成了数字，末几位已丢失；请把该列设为文本后重新填写")
        if len(value) > limit:
            raise ValueError(f"不能超过 {limit} 个字")
        return value

    return parse


def integer(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"“{value}”不是整数") from None
        if not low <= number <= high:
            raise ValueError(f"应在 {low}–{high} 之间")
        return number

    return parse


def decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    if number < 0 or number > 999999:
        raise ValueError("应在 0–999999 之间")
    return number.quantize(Decimal("0.01"))


def coordinate(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"“{value}”不是数字") from None


def date(value: str) -> dt.date:
    for layout in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value[:10], layout).date()
        except ValueError:
            continue
    raise ValueError(f"“{value}”不是日期（格式：2024-05-01）")


def yes_no(value: str) -> bool:
    if value in ("是", "Y", "y", "1", "true", "TRUE", "yes"):
        return True
    if value in ("否", "N", "n", "0", "false", "FALSE", "no"):
        return False
    raise ValueError("应填“是”或“否”")


@dataclass(frozen=True)
class Choice:
    """A cell holding one of a choices class's values, given by its label or its value; ``labels`` fill the
    template's drop-down."""

    by_text: dict[str, str]
    labels: list[str]

    def __call__(self, value: str) -> str:
        if value not in self.by_text:
            raise ValueError(f"“{value}”不是可选值（{'、'.join(self.labels)}）")
        return self.by_text[value]


def choice(choices: type[models.TextChoices]) -> Choice:
    by_text = {str(label): value for value, label in choices.choices} | {value: value for value in choices.values}
    return Choice(by_text, [str(label) for label in choices.labels])


def datum(value: str) -> str:
    normalised = value.lower().replace("-", "")
    if normalised not in Datum.values:
        raise ValueError("坐标系应为 wgs84、gcj02 或 bd09")
    return normalised


@dataclass(frozen=True)
class Reference:
    """A column naming another record; resolved per chunk with one query, inside the user's scope."""

    load: Callable[[Origin, set[str]], dict[str, Any]]
    missing: str  # "… {value} …"


def _visible(rows: ScopedQuerySet, origin: Origin) -> ScopedQuerySet:
    return rows.visible_to(origin.actor) if origin.actor is not None else rows


def _load_buildings(origin: Origin, keys: set[str]) -> dict[str, Any]:
    return {
        b.address: b for b in _visible(Building.objects.all(), origin).filter(address__in=keys).select_related("grid")
    }


def _load_houses(origin: Origin, keys: set[str]) -> dict[str, Any]:
    return {
        h.address: h
        for h in _visible(House.objects.all(), origin).filter(address__in=keys).select_related("grid", "building")
    }


def _load_grids(origin: Origin, keys: set[str]) -> dict[str, Any]:
    return {area.code: area for area in Area.objects.filter(code__in=keys, level=AreaLevel.GRID).current()}


def _load_categories(origin: Origin, keys: set[str]) -> dict[str, Any]:
    found = Category.objects.subclasses("component").filter(code__in=keys)
    return {category.code: category for category in found}


def _load_departments(origin: Origin, keys: set[str]) -> dict[str, Any]:
    found = Department.objects.filter(Q(code__in=keys) | Q(name__in=keys), is_active=True)
    return {key: department for department in found for key in (department.code, department.name)}


BUILDING = Reference(_load_buildings, "找不到地址为“{value}”的楼栋（或不在您的管辖范围内）")
HOUSE = Reference(_load_houses, "找不到地址为“{value}”的房屋（或不在您的管辖范围内）")
GRID = Reference(_load_grids, "网格编码 {value} 不存在")
CATEGORY = Reference(_load_categories, "部件小类代码 {value} 不存在")
DEPARTMENT = Reference(_load_departments, "部门“{value}”不存在")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[str], Any] | Reference
    required: bool = False
    example: str = ""
    note: str = ""


@dataclass
class RowProblem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: int = 0
    valid: int = 0
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "problems": [problem.as_dict() for problem in self.problems],
        }


@dataclass
class Pending:
    row: int
    values: dict[str, Any]
    record: models.Model | None = None


class ImportKind:
    """What one kind of record needs: its columns, its prepare service, its duplicate key, how it is written."""

    name: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]

    #: The service that checks one row's values and returns its unsaved record (raises RecordInvalid).
    prepare: Callable[[Origin, dict[str, Any]], Any]

    def duplicate_key(self, record: Any) -> tuple[str, str] | None:
        """(column header, key) that must be unique; checked in the file and against the database."""
        return None

    def existing_keys(self, keys: set[str]) -> set[str]:
        return set()

    def taken_message(self, origin: Origin, keys: set[str]) -> dict[str, str]:
        """For each key of ``keys`` already in the database, what its row is told."""
        return dict.fromkeys(self.existing_keys(keys), "已登记，不能重复导入")

    def area_code(self, record: Any) -> str:
        return record.grid.code

    def write(self, origin: Origin, records: list[Any]) -> None:
        self.model._default_manager.bulk_create(records, batch_size=1000)

    def finish(self, origin: Origin) -> None:
        """Called once after all chunks are written, inside the transaction."""

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def header_for(self, key: str) -> str:
        for column in self.columns:
            if column.key == key:
                return column.header
        return {"lon": "经度", "grid": "网格编码", "address": "地址"}.get(key, key)


def _prepared(prepare: Callable[..., tuple[Any, dict]]) -> Callable[[Origin, dict[str, Any]], Any]:
    def call(origin: Origin, values: dict[str, Any]) -> Any:
        record, _changes = prepare(origin, values)
        return record

    return call


class BuildingImport(ImportKind):
    name, label, model = "buildings", "楼栋", Building
    columns = (
        Column("road", "街路巷", text(64), True, "东四北大街"),
        Column("door_number", "门牌号", text(32), True, "107号"),
        Column("estate", "小区", text(64), False, "东四小区"),
        Column("number", "楼栋号", text(32), False, "3号楼"),
        Column("kind", "类型", choice(BuildingKind), False, "住宅小区"),
        Column("units", "单元数", integer(1, 99), False, "2"),
        Column("floors", "层数", integer(1, 200), True, "6"),
        Column("lon", "经度", coordinate, True, "116.417"),
        Column("lat", "纬度", coordinate, True, "39.936"),
        Column("datum", "坐标系", datum, False, "wgs84", "wgs84（默认）、gcj02（高德/腾讯）或 bd09（百度）"),
        Column("grid", "网格编码", GRID, False, "", "可不填；填写时须与位置所在网格一致"),
    )
    prepare = staticmethod(_prepared(building_prepare))

    def duplicate_key(self, record: Building) -> tuple[str, str]:
        return "地址", record.address

    def existing_keys(self, keys: set[str]) -> set[str]:
        return set(Building.objects.filter(address__in=keys).values_list("address", flat=True))


class HouseImport(ImportKind):
    name, label, model = "houses", "房屋", House
    columns = (
        Column("building", "楼栋地址", BUILDING, True, "东四北大街107号东四小区3号楼"),
        Column("unit", "单元", integer(1, 99), True, "1"),
        Column("floor", "楼层", integer(-9, 200), True, "3", "地下层填负数"),
        Column("room", "户室号", text(16), True, "302"),
        Column("use", "用途", choice(HouseUse), False, "住宅"),
        Column("area_m2", "建筑面积", decimal, False, "68.5"),
        Column("ownership", "产权性质", choice(Ownership), False, "私有"),
        Column("is_rental", "是否出租", yes_no, False, "否"),
        Column("grid", "网格编码", GRID, False, "", "可不填；填写时须与楼栋所在网格一致"),
    )
    prepare = staticmethod(_prepared(house_prepare))

    def duplicate_key(self, record: House) -> tuple[str, str]:
        return "户室号", record.address

    def existing_keys(self, keys: set[str]) -> set[str]:
        return set(House.objects.filter(address__in=keys).values_list("address", flat=True))


class PersonImport(ImportKind):
    name, label, model = "persons", "人员", Person
    columns = (
        Column("name", "姓名", text(64), True, "张三"),
        Column("document_type", "证件类型", choice(DocumentType), False, "居民身份证"),
        Column("id_number", "证件号码", text(32), True, "110101199003074514"),
        Column("sex", "性别", choice(Sex), False, "", "居民身份证可不填（由证件号码得出）"),
        Column("birth_date", "出生日期", date, False, "", "居民身份证可不填（由证件号码得出）"),
        Column("phone", "联系电话", text(15), False, "13812345678"),
        Column("ethnicity", "民族", text(16), False, "汉族"),
        Column("hukou_place", "户籍地", text(200), False, "北京市东城区"),
        Column("residency_type", "人口类型", choice(ResidencyType), True, "户籍人口"),
        Column("household_status", "人户状态", choice(HouseholdStatus), False, "人户同在"),
        Column("house", "现住房屋地址", HOUSE, False, "东四北大街107号东四小区3号楼1单元302室"),
        Column("relation_to_head", "与户主关系", choice(Relation), False, "户主"),
        Column("grid", "网格编码", GRID, False, "", "没有现住房屋时必填"),
        Column("work_place", "工作单位", text(200), False, ""),
    )
    prepare = staticmethod(_prepared(person_prepare))

    def __init__(self) -> None:
        self.touched_houses: set[int] = set()

    def duplicate_key(self, record: Person) -> tuple[str, str]:
        return "证件号码", record.id_number_hash

    def existing_keys(self, keys: set[str]) -> set[str]:
        return set(Person.objects.filter(id_number_hash__in=keys).values_list("id_number_hash", flat=True))

    def taken_message(self, origin: Origin, keys: set[str]) -> dict[str, str]:
        holders = Person.objects.filter(id_number_hash__in=keys).values_list("id_number_hash", "grid__code")
        scope = user_scope(origin.actor) if origin.actor is not None else None
        messages = {}
        for key, grid_code in holders:
            if scope is None or scope.covers(grid_code):
                messages[key] = "已登记，不能重复导入"
            else:
                exact_search_allow(origin, "registry.person", "")
                messages[key] = ID_NUMBER_ELSEWHERE
        return messages

    def write(self, origin: Origin, records: list[Person]) -> None:
        Person.objects.bulk_create(records, batch_size=1000)
        today = dt.date.today()
        Residence.objects.bulk_create(
            [
                Residence(person=person, house_id=person.house_id, moved_in=today)
                for person in records
                if person.house_id
            ],
            batch_size=1000,
        )
        self.touched_houses.update(person.house_id for person in records if person.house_id)

    def finish(self, origin: Origin) -> None:
        households_attach(self.touched_houses)


def households_attach(house_ids: Iterable[int]) -> None:
    """Give every house that has residents but no household one household, headed by its 户主, and put the
    residents without a household into it (a few queries per thousand houses)."""
    house_ids = list(house_ids)
    for start in range(0, len(house_ids), 1000):
        chunk = house_ids[start : start + 1000]
        have = set(Household.objects.filter(house_id__in=chunk).values_list("house_id", flat=True))
        heads = dict(
            Person.objects.filter(house_id__in=chunk, relation_to_head=Relation.HEAD).values_list("house_id", "pk")
        )
        grids = dict(House.objects.filter(pk__in=chunk).values_list("pk", "grid_id"))
        Household.objects.bulk_create(
            [Household(house_id=pk, grid_id=grids[pk], head_id=heads.get(pk)) for pk in chunk if pk not in have]
        )
        first_household = Household.objects.filter(house_id=OuterRef("house_id")).order_by("pk").values("pk")[:1]
        Person.objects.filter(house_id__in=chunk, household__isnull=True).update(household_id=Subquery(first_household))


class PlaceImport(ImportKind):
    name, label, model = "places", "单位场所", Place
    columns = (
        Column("name", "名称", text(100), True, "东四便民超市"),
        Column("kind", "类型", choice(PlaceKind), True, "九小场所"),
        Column("address", "地址", text(200), True, "东四北大街109号"),
        Column("lon", "经度", coordinate, True, "116.417"),
        Column("lat", "纬度", coordinate, True, "39.936"),
        Column("datum", "坐标系", datum, False, "wgs84"),
        Column("credit_code", "统一社会信用代码", text(18), False, ""),
        Column("responsible_name", "负责人", text(64), False, "李四"),
        Column("responsible_phone", "负责人电话", text(15), False, "13912345678"),
        Column("risk_level", "风险等级", choice(RiskLevel), False, "一般"),
        Column("employees", "从业人数", integer(0, 1_000_000), False, "5"),
        Column("house", "所在房屋地址", HOUSE, False, ""),
        Column("grid", "网格编码", GRID, False, ""),
    )
    prepare = staticmethod(_prepared(place_prepare))

    def duplicate_key(self, record: Place) -> tuple[str, str]:
        return "名称", f"{record.name}@{record.address}"

    def existing_keys(self, keys: set[str]) -> set[str]:
        names = {key.split("@", 1)[0] for key in keys}
        found = Place.objects.filter(name__in=names).values_list("name", "address")
        return {f"{name}@{address}" for name, address in found} & keys


class ComponentImport(ImportKind):
    name, label, model = "components", "部件", Component
    columns = (
        Column("code", "部件编码", text(16), False, "", "可不填，按区县代码+小类代码+序号自动编号"),
        Column("category", "小类代码", CATEGORY, True, "0101", "见类别表，如 0101 上水井盖、0118 路灯"),
        Column("lon", "经度", coordinate, True, "116.417"),
        Column("lat", "纬度", coordinate, True, "39.936"),
        Column("datum", "坐标系", datum, False, "wgs84"),
        Column("address", "位置描述", text(200), False, "东四北大街107号门前"),
        Column("authority_department", "主管部门", DEPARTMENT, False, ""),
        Column("owner_department", "权属单位", DEPARTMENT, False, ""),
        Column("maintainer_department", "养护单位", DEPARTMENT, False, ""),
        Column("state", "状态", choice(ComponentState), False, "完好"),
        Column("in_use", "在用", yes_no, False, "是"),
        Column("installed_on", "设置日期", date, False, ""),
        Column("data_source", "数据来源", text(64), False, "普查"),
        Column("grid", "网格编码", GRID, False, ""),
    )
    prepare = staticmethod(_prepared(component_prepare))

    def __init__(self) -> None:
        self.numbered: dict[str, int] = {}

    def duplicate_key(self, record: Component) -> tuple[str, str] | None:
        return ("部件编码", record.code) if record.code else None

    def existing_keys(self, keys: set[str]) -> set[str]:
        return set(Component.objects.filter(code__in=keys).values_list("code", flat=True))

    def write(self, origin: Origin, records: list[Component]) -> None:
        for record in records:
            if not record.code:
                prefix = record.grid.code[:6] + record.category.code
                record.code = component_code_next(prefix[:6], prefix[6:], self.numbered.get(prefix, 0))
                self.numbered[prefix] = self.numbered.get(prefix, 0) + 1
        Component.objects.bulk_create(records, batch_size=1000)


KINDS: dict[str, type[ImportKind]] = {
    kind.name: kind for kind in (BuildingImport, HouseImport, PersonImport, PlaceImport, ComponentImport)
}


def import_kind(name: str) -> ImportKind:
    if name not in KINDS:
        raise ValidationFailed(f"未知的导入类型：{name}", code="import_kind_unknown")
    return KINDS[name]()


class _Rollback(Exception):
    pass


def registry_import(
    origin: Origin,
    kind_name: str,
    path: Path,
    file_name: str | None = None,
    *,
    dry_run: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Check (and unless ``dry_run``, write) a file of records. All or nothing; every problem reported."""
    kind = import_kind(kind_name)
    sheet = sheet_open(path, file_name or path.name)
    report = ImportReport(kind=kind.name, dry_run=dry_run)
    columns = _match_headers(kind, sheet, report)
    if not report.ok:
        return report
    if dry_run:
        _run(origin, kind, sheet, columns, report, dry_run, progress)
        return report
    try:
        with transaction.atomic():
            _run(origin, kind, sheet, columns, report, dry_run, progress)
            if dry_run or not report.ok:
                raise _Rollback
            kind.finish(origin)
    except _Rollback:
        report.created = 0
    return report


def _match_headers(kind: ImportKind, sheet: Sheet, report: ImportReport) -> list[Column | None]:
    by_header = {column.header: column for column in kind.columns}
    matched: list[Column | None] = []
    for header in sheet.headers:
        if header and header not in by_header:
            report.problems.append(RowProblem(1, header, f"未知的列“{header}”，请使用下载的模板"))
        matched.append(by_header.get(header))
    present = {column.header for column in matched if column}
    for column in kind.columns:
        if column.required and column.header not in present:
            report.problems.append(RowProblem(1, column.header, f"缺少必填列“{column.header}”"))
    return matched


def _run(
    origin: Origin,
    kind: ImportKind,
    sheet: Sheet,
    columns: list[Column | None],
    report: ImportReport,
    dry_run: bool,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    seen: set[str] = set()
    chunk: list[Pending] = []
    for number, cells in sheet.rows:
        report.rows += 1
        values: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is None:
                continue
            if not cell:
                if column.required:
                    report.problems.append(RowProblem(number, column.header, f"“{column.header}”不能为空"))
                continue
            if isinstance(column.parse, Reference):
                values[column.key] = cell  # resolved with the whole chunk
                continue
            try:
                values[column.key] = column.parse(cell)
            except ValueError as error:
                report.problems.append(RowProblem(number, column.header, str(error)))
        for column in columns[len(cells) :]:
            if column is not None and column.required:
                report.problems.append(RowProblem(number, column.header, f"“{column.header}”不能为空"))
        chunk.append(Pending(number, values))
        if len(chunk) >= CHUNK:
            _chunk_check(origin, kind, chunk, report, seen, dry_run)
            chunk = []
            if progress:
                progress(report.rows, sheet.total)
    if chunk:
        _chunk_check(origin, kind, chunk, report, seen, dry_run)
    if progress:
        progress(report.rows, sheet.total)


def _chunk_check(
    origin: Origin, kind: ImportKind, chunk: list[Pending], report: ImportReport, seen: set[str], dry_run: bool
) -> None:
    reported = {(problem.row, problem.column) for problem in report.problems}
    bad_rows = {row for row, _column in reported}
    for column in kind.columns:
        if not isinstance(column.parse, Reference):
            continue
        keys = {pending.values[column.key] for pending in chunk if column.key in pending.values}
        found = column.parse.load(origin, keys) if keys else {}
        for pending in chunk:
            key = pending.values.get(column.key)
            if key is None:
                continue
            if key in found:
                pending.values[column.key] = found[key]
            else:
                del pending.values[column.key]
                report.problems.append(RowProblem(pending.row, column.header, column.parse.missing.format(value=key)))
                reported.add((pending.row, column.header))
                bad_rows.add(pending.row)
    keys_here: dict[str, tuple[int, str]] = {}
    for pending in chunk:
        try:
            record = kind.prepare(origin, pending.values)
        except RecordInvalid as error:
            # Every rule the row breaks, except where its cell was already reported as unreadable.
            for item in error.details or []:
                header = kind.header_for(item["field"])
                if (pending.row, header) not in reported:
                    report.problems.append(RowProblem(pending.row, header, item["message"]))
            continue
        if pending.row in bad_rows:
            continue
        pending.record = record
        duplicate = kind.duplicate_key(pending.record)
        if duplicate is not None:
            header, key = duplicate
            if key in seen:
                report.problems.append(RowProblem(pending.row, header, "与文件中前面的行重复"))
                pending.record = None
                continue
            seen.add(key)
            keys_here[key] = (pending.row, header)
    taken = {
        keys_here[key][0]: (keys_here[key][1], message)
        for key, message in kind.taken_message(origin, set(keys_here)).items()
    }
    for pending in chunk:
        if pending.row in taken:
            header, message = taken[pending.row]
            report.problems.append(RowProblem(pending.row, header, message))
            pending.record = None
    records = [pending.record for pending in chunk if pending.record is not None]
    report.valid += len(records)
    if not dry_run and report.ok and records:
        kind.write(origin, records)
        AuditEntry.objects.bulk_create(
            audit_entries_for_created(origin, records, [kind.area_code(record) for record in records]), batch_size=1000
        )
        report.created += len(records)


def template_rows(kind: ImportKind) -> tuple[list[str], list[list[str]], dict[int, list[str]], list[tuple[str, ...]]]:
    """Headers, one example row, drop-down choices and the notes sheet of the download template."""
    choices = {
        index: list(column.parse.labels)
        for index, column in enumerate(kind.columns)
        if isinstance(column.parse, Choice)
    }
    notes: list[tuple[str, ...]] = [("列名", "必填", "示例", "说明")]
    notes += [
        (column.header, "是" if column.required else "否", column.example, column.note) for column in kind.columns
    ]
    return kind.headers, [], choices, notes

"""自定报表 endpoints under /api/v1/: run a spec, save reports and share them with roles, export one as .xlsx or
.csv. A report runs over the facts of whoever asks (their areas), whoever saved it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from accounts.roles import Role
from audit.models import Channel
from audit.services import Origin
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, absent
from gridgov.errors import DomainError
from reports import exports, services
from reports.engine import report_run
from reports.models import SavedReport
from reports.selectors import access_report, report_reader, reports_visible
from reports.spec import spec_parse, spec_title

router = Router(tags=["reports"])

Name = Annotated[str, Field(max_length=40)]
Names = Annotated[list[Name], Field(max_length=10)]
#: The most rows one answer carries; ``row_count`` tells how many the table has (the export has them all).
MAX_ROWS_ANSWERED = 10_000


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


class FiltersIn(Schema):
    """``period`` (a key such as ``2026-Q4``, or ``this_month``, ``last_year``…) or ``start`` and ``end``
    (``YYYY-MM-DD``, at most 3 years); ``area`` (a code: its subtree, within your areas), ``category`` (a class
    takes its subclasses), ``source``, ``department``; ``states`` with the ``state`` dimension."""

    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(max_length=20)] | None = None
    start: Annotated[str, Field(max_length=10)] | None = None
    end: Annotated[str, Field(max_length=10)] | None = None
    area: Annotated[str, Field(max_length=15)] | None = None
    category: RecordId | None = None
    source: Name | None = None
    department: RecordId | None = None
    states: Annotated[list[Name], Field(max_length=30)] = []


class SpecIn(BodyIn):
    """Rows and columns (at most 3 dimensions together): ``area:street|community|grid``, ``category:class|sub``,
    ``source``, ``department``, ``state``, ``on_time``, ``period:day|week|month|quarter|year``. Measures:
    ``count:<measure>``, ``rate:<indicator>``, ``minutes:<measure>``; with the state dimension ``count``,
    ``on_time_rate``, ``minutes``."""

    model_config = ConfigDict(extra="forbid")

    rows: Names = []
    columns: Names = []
    measures: Names = []
    filters: FiltersIn = Field(default_factory=FiltersIn)
    hide_empty: bool = False
    version: int | None = None

    def spec(self) -> dict[str, Any]:
        spec = self.model_dump(exclude_none=True, exclude={"version"})
        if not spec["filters"].get("states"):
            spec["filters"].pop("states", None)
        return spec


class CellOut(Schema):
    value: float | None
    numerator: float | None
    denominator: float | None


class MemberOut(Schema):
    key: Any
    label: str
    filters: dict[str, str]


class RowOut(Schema):
    members: list[MemberOut]
    cells: list[list[CellOut]]
    total: list[CellOut]


class DimensionOut(Schema):
    code: str
    label: str


class MeasureOut(Schema):
    code: str
    label: str
    unit: str


class TableOut(Schema):
    """``rows[i].cells[j][k]``: row i, column j, measure k; ``total`` is the row's totals column. A rate's value
    is numerator / denominator (0–1), a mean's the minutes over the count; null without a denominator."""

    spec: dict[str, Any]
    start: dt.date
    end: dt.date
    row_dimensions: list[DimensionOut]
    column_dimensions: list[DimensionOut]
    measures: list[MeasureOut]
    columns: list[list[MemberOut]]
    rows: list[RowOut]
    row_count: int
    truncated: bool
    totals: RowOut


class RowsQuery(Schema):
    limit: int = Field(1000, ge=1, le=MAX_ROWS_ANSWERED)


@router.post("/custom-reports/run", response={200: TableOut, **ERRORS}, summary="Run a report spec over your areas")
def custom_report_spec_run(request: HttpRequest, payload: SpecIn, query: Query[RowsQuery]) -> dict[str, Any]:
    report_reader(request.user)
    return report_run(spec_parse(payload.spec()), request.user).as_dict(limit=query.limit)


class SavedReportOut(Schema):
    id: int
    name: str
    title: str
    owner_id: int
    owner_name: str
    mine: bool
    shared_roles: list[str]
    spec: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(report: SavedReport, viewer: Any) -> dict[str, Any]:
        try:
            title = spec_title(spec_parse(report.spec))
        except DomainError:
            title = ""
        return {
            "id": report.pk,
            "name": report.name,
            "title": title,
            "owner_id": report.owner_id,
            "owner_name": report.owner.full_name or report.owner.username,
            "mine": report.owner_id == viewer.pk,
            "shared_roles": report.shared_roles,
            "spec": report.spec,
            "created_at": report.created_at,
            "updated_at": report.updated_at,
        }


@router.get(
    "/custom-reports",
    response={200: list[SavedReportOut], **ERRORS},
    summary="My reports and those shared with my roles",
)
def custom_report_list(request: HttpRequest) -> list[dict[str, Any]]:
    report_reader(request.user)
    return [SavedReportOut.of(report, request.user) for report in reports_visible(request.user).order_by("name", "pk")]


class SavedReportIn(BodyIn):
    name: str = Field(min_length=1, max_length=100)
    spec: SpecIn
    shared_roles: Annotated[list[Role], Field(max_length=len(Role))] = []


class SavedReportPatchIn(BodyIn):
    name: str = absent(min_length=1, max_length=100)
    spec: SpecIn = absent()
    shared_roles: Annotated[list[Role], Field(max_length=len(Role))] = absent()


@router.post("/custom-reports", response={201: SavedReportOut, **ERRORS}, summary="Save a report")
def custom_report_create(request: HttpRequest, payload: SavedReportIn) -> tuple[int, dict[str, Any]]:
    report = services.report_create(_origin(request), payload.name, payload.spec.spec(), payload.shared_roles)
    return 201, SavedReportOut.of(access_report(request.user, report.pk), request.user)


@router.get("/custom-reports/{report_id}", response={200: SavedReportOut, **ERRORS}, summary="One report (its spec)")
def custom_report_detail(request: HttpRequest, report_id: PathId) -> dict[str, Any]:
    return SavedReportOut.of(access_report(request.user, report_id), request.user)


@router.patch(
    "/custom-reports/{report_id}", response={200: SavedReportOut, **ERRORS}, summary="Change one's own report"
)
def custom_report_update(request: HttpRequest, report_id: PathId, payload: SavedReportPatchIn) -> dict[str, Any]:
    report = access_report(request.user, report_id)
    sent = payload.model_fields_set
    services.report_update(
        _origin(request),
        report,
        name=payload.name if "name" in sent else None,
        spec=payload.spec.spec() if "spec" in sent and payload.spec is not None else None,
        roles=payload.shared_roles if "shared_roles" in sent else None,
    )
    return SavedReportOut.of(access_report(request.user, report_id), request.user)


@router.delete("/custom-reports/{report_id}", response={204: None, **ERRORS}, summary="Delete one's own report")
def custom_report_delete(request: HttpRequest, report_id: PathId) -> tuple[int, None]:
    services.report_delete(_origin(request), access_report(request.user, report_id))
    return 204, None


@router.get(
    "/custom-reports/{report_id}/run", response={200: TableOut, **ERRORS}, summary="Run a saved report over your areas"
)
def custom_report_saved_run(request: HttpRequest, report_id: PathId, query: Query[RowsQuery]) -> dict[str, Any]:
    report = access_report(request.user, report_id)
    return report_run(spec_parse(report.spec), request.user).as_dict(limit=query.limit)


class ExportQuery(Schema):
    format: str = Field("xlsx", max_length=10)


@router.get(
    "/custom-reports/{report_id}/export",
    response={200: None, **ERRORS},
    summary="Export a report over your areas (.xlsx, a sheet per 10,000 rows; or .csv, UTF-8 with BOM)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {exports.XLSX_TYPE: {}, exports.CSV_TYPE.split(";")[0]: {}},
            }
        }
    },
)
def custom_report_export(request: HttpRequest, report_id: PathId, query: Query[ExportQuery]) -> HttpResponse:
    report = access_report(request.user, report_id)
    exported = exports.report_export(_origin(request), report, query.format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.file_name)
    return response

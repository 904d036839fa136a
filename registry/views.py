"""Registry pages: drill-down area → building → house → household → person, search, forms, import, export.
Thin views: parse → fetch-and-authorize (``access_*``) → one service → render."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.models import Area
from areas.selectors import access_area
from audit.selectors import history_of
from audit.services import Origin
from cases.photos import photo_check
from gridgov.errors import DomainError, NotFound, PermissionDenied
from registry import changes, exports, forms, services
from registry.choices import (
    SENSITIVE_TAGS,
    ChangeKind,
    ChangeStatus,
    ComponentState,
    MustReportItem,
    PlaceKind,
    ResidencyType,
    Sex,
    TagCategory,
    XItemKind,
)
from registry.imports import import_kind, template_rows
from registry.models import Building, BuildingReport, Component, House, ImportJob, ImportStatus, Place
from registry.selectors import (
    PersonQuery,
    access_building,
    access_component,
    access_house,
    access_household,
    access_person,
    access_place,
    building_floor_table,
    history_shown,
    may_reveal,
    may_see_sensitive_tags,
    person_rows,
)
from registry.tabular import workbook_bytes
from registry.tasks import import_job_start, import_job_write
from visits.must_reports import MustReportData, must_report_counts, must_report_submit, must_reports_of
from visits.selectors import subject_activity

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: Any) -> dict[str, Any]:
    """A page of ``rows`` and the query string that keeps the filters on the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    rest = params.urlencode()
    return {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring_without_page": rest + "&" if rest else "",
    }


def _query_of(request: HttpRequest) -> PersonQuery:
    return PersonQuery(**{key: request.GET.get(key, "").strip()[:100] for key in PersonQuery.__dataclass_fields__})


def _tag_choices(user: Any) -> list[tuple[str, str]]:
    sensitive = may_see_sensitive_tags(user)
    return [(value, str(label)) for value, label in TagCategory.choices if sensitive or value not in SENSITIVE_TAGS]


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    query = _query_of(request)
    people = services.person_find(Origin.of_request(request), query)
    paged = _page(request, person_rows(people, request.user))
    if query.as_dict():
        services.person_search_audit(Origin.of_request(request), query.as_dict(), paged["page"].paginator.count)
    context = {
        **paged,
        "query": query,
        "residency_types": ResidencyType.choices,
        "tag_choices": _tag_choices(request.user),
        "querystring": request.GET.urlencode(),
    }
    return render(request, "registry/person_list.html", context)


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    services.person_view(Origin.of_request(request), person)
    context = {
        "person": person,
        "tags": person.tags.visible_categories(request.user).select_related("responsible"),
        "residences": person.residences.select_related("house"),
        "registrations": person.floating_registrations.select_related("house", "landlord"),
        "tenancies": person.tenancies.select_related("house", "landlord"),
        "members": person.household.members.order_by("pk") if person.household else [],
        "history": history_shown(history_of(person)[:50], request.user),
        "can_reveal": may_reveal(request.user),
        "can_edit": request.user.has_perm("registry.change_person"),
        "floating_expired": person.floating_registrations.filter(expected_until__lt=changes.today()).first()
        if person.residency_type == ResidencyType.FLOATING
        and not person.floating_registrations.filter(
            Q(expected_until__isnull=True) | Q(expected_until__gte=changes.today())
        ).exists()
        else None,
        "activity": subject_activity(request.user, person=person),
        "pending_changes": changes.pending_changes_of(request.user, person),
    }
    return render(request, "registry/person_detail.html", context)


@login_required
@require_POST
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    field = request.POST.get("field", "")
    values = services.person_reveal(Origin.of_request(request), person, (field,))
    return render(request, "registry/_revealed.html", {"value": values[field]})


def _save(request: HttpRequest, form: Any, save: Any, instance: Any, **extra: Any) -> Any:
    """Run the service for a valid form; its problems come back onto the form. Returns the saved record or None."""
    if not form.is_valid():
        return None
    values = form.service_values() if hasattr(form, "service_values") else dict(form.cleaned_data)
    try:
        return save(Origin.of_request(request), {**values, **extra}, instance)
    except DomainError as error:
        forms.form_problems_add(form, error)
        return None


def _edit_page(request: HttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    return render(request, "registry/form.html", {"form": form, "title": title, "back": back})


def _form_page(
    request: HttpRequest, form: Any, save: Any, instance: Any, detail: str, title: str, back: str, **extra: Any
) -> HttpResponse:
    """The create/edit page of a record: on a valid POST the service saves and the record's page follows."""
    if request.method == "POST" and (saved := _save(request, form, save, instance, **extra)):
        return redirect(detail, saved.pk)
    return _edit_page(request, form, title, back)


@login_required
@permission_required("registry.add_person", raise_exception=True)
def person_create(request: HttpRequest) -> HttpResponse:
    house = access_house(request.user, int(request.GET["house"])) if request.GET.get("house") else None
    initial = {"house": house.address} if house else {}
    form = forms.PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and (person := _save(request, form, services.person_save, None)):
        messages.success(request, _("已登记 %(name)s") % {"name": person.name})
        return redirect("person-detail", person.pk)
    return _edit_page(request, form, _("登记人员"), reverse("person-list"))


@login_required
@permission_required("registry.change_person", raise_exception=True)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    form = forms.PersonForm(request.POST or None, user=request.user, instance=copy.copy(person))
    if request.method == "POST" and _save(request, form, services.person_save, person):
        messages.success(request, _("已保存"))
        return redirect("person-detail", person.pk)
    return _edit_page(
        request, form, _("编辑人员 %(name)s") % {"name": person.name}, reverse("person-detail", args=[person.pk])
    )


@login_required
@permission_required("registry.add_persontag", raise_exception=True)
def person_tag_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    form = forms.PersonTagForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {**form.cleaned_data, "responsible": request.user}
        try:
            services.person_tag_add(Origin.of_request(request), person, values)
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            return redirect("person-detail", person.pk)
    return _edit_page(
        request, form, _("为 %(name)s 添加标签") % {"name": person.name}, reverse("person-detail", args=[person.pk])
    )


# ── Drill-down ──────────────────────────────────────────────────────────────────────────────────────────────


@login_required
@permission_required("registry.view_building", raise_exception=True)
def area_buildings(request: HttpRequest, code: str) -> HttpResponse:
    area = access_area(request.user, code)
    buildings = (
        area_buildings_query(request.user, area)
        .select_related("grid")
        .annotate(house_count=Count("houses", distinct=True), resident_count=Count("houses__residents"))
        .order_by("grid__code", "address")
    )
    return render(request, "registry/area_buildings.html", {"area": area, **_page(request, buildings)})


def area_buildings_query(user: Any, area: Area) -> Any:
    return Building.objects.visible_to(user).filter(grid__code__startswith=area.code)


@login_required
@permission_required("registry.view_building", raise_exception=True)
def building_detail(request: HttpRequest, building_id: int) -> HttpResponse:
    building = access_building(request.user, building_id)
    context = {
        "building": building,
        "floors": building_floor_table(building),
        "units": range(1, building.units + 1),
        "history": history_of(building)[:20],
    }
    return render(request, "registry/building_detail.html", context)


@login_required
@permission_required("registry.add_building", raise_exception=True)
def building_create(request: HttpRequest) -> HttpResponse:
    form = forms.BuildingForm(request.POST or None)
    return _form_page(
        request, form, services.building_save, None, "building-detail", _("登记楼栋"), reverse("person-list")
    )


@login_required
@permission_required("registry.change_building", raise_exception=True)
def building_edit(request: HttpRequest, building_id: int) -> HttpResponse:
    building = access_building(request.user, building_id)
    form = forms.BuildingForm(request.POST or None, instance=copy.copy(building))
    back = reverse("building-detail", args=[building.pk])
    return _form_page(request, form, services.building_save, building, "building-detail", _("编辑楼栋"), back)


@login_required
@permission_required("registry.view_house", raise_exception=True)
def house_detail(request: HttpRequest, house_id: int) -> HttpResponse:
    house = access_house(request.user, house_id)
    context = {
        "house": house,
        "households": house.households.select_related("head").prefetch_related("members"),
        "residents": house.residents.order_by("pk"),
        "tenancies": house.tenancies.select_related("tenant", "landlord"),
        "places": house.places.all(),
        "history": history_of(house)[:20],
        "activity": subject_activity(request.user, house=house),
    }
    return render(request, "registry/house_detail.html", context)


@login_required
@permission_required("registry.add_house", raise_exception=True)
def house_create(request: HttpRequest, building_id: int) -> HttpResponse:
    building = access_building(request.user, building_id)
    form = forms.HouseForm(request.POST or None, instance=House(building=building, grid=building.grid))
    return _form_page(
        request,
        form,
        services.house_save,
        None,
        "house-detail",
        _("在 %(building)s 登记房屋") % {"building": building},
        reverse("building-detail", args=[building.pk]),
        building=building,
    )


@login_required
@permission_required("registry.change_house", raise_exception=True)
def house_edit(request: HttpRequest, house_id: int) -> HttpResponse:
    house = access_house(request.user, house_id)
    form = forms.HouseForm(request.POST or None, instance=copy.copy(house))
    back = reverse("house-detail", args=[house.pk])
    return _form_page(request, form, services.house_save, house, "house-detail", _("编辑房屋"), back)


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = access_household(request.user, household_id)
    members = person_rows(household.members.order_by("pk"), request.user)
    context = {
        "household": household,
        "members": members,
        "activity": subject_activity(request.user, household=household),
    }
    return render(request, "registry/household_detail.html", context)


# ── Places and components ───────────────────────────────────────────────────────────────────────────────────


@login_required
@permission_required("registry.view_place", raise_exception=True)
def place_list(request: HttpRequest) -> HttpResponse:
    places = Place.objects.visible_to(request.user).select_related("grid")
    text, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    if text:
        places = places.filter(Q(name__contains=text) | Q(address__contains=text))
    if kind:
        places = places.filter(kind=kind)
    context = {**_page(request, places.order_by("name", "pk")), "kinds": PlaceKind.choices, "q": text, "kind": kind}
    return render(request, "registry/place_list.html", context)


@login_required
@permission_required("registry.view_place", raise_exception=True)
def place_detail(request: HttpRequest, place_id: int) -> HttpResponse:
    place = access_place(request.user, place_id)
    context = {
        "place": place,
        "history": history_of(place)[:20],
        "activity": subject_activity(request.user, place=place),
    }
    return render(request, "registry/place_detail.html", context)


@login_required
@permission_required("registry.add_place", raise_exception=True)
def place_create(request: HttpRequest) -> HttpResponse:
    form = forms.PlaceForm(request.POST or None)
    return _form_page(
        request, form, services.place_save, None, "place-detail", _("登记单位场所"), reverse("place-list")
    )


@login_required
@permission_required("registry.change_place", raise_exception=True)
def place_edit(request: HttpRequest, place_id: int) -> HttpResponse:
    place = access_place(request.user, place_id)
    form = forms.PlaceForm(request.POST or None, instance=copy.copy(place))
    back = reverse("place-detail", args=[place.pk])
    return _form_page(request, form, services.place_save, place, "place-detail", _("编辑单位场所"), back)


@login_required
@permission_required("registry.view_component", raise_exception=True)
def component_list(request: HttpRequest) -> HttpResponse:
    components = Component.objects.visible_to(request.user).select_related("grid", "category", "owner_department")
    text, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    if text:
        components = components.filter(Q(code__startswith=text) | Q(category__name__contains=text))
    if state:
        components = components.filter(state=state)
    context = {
        **_page(request, components.order_by("code")),
        "states": ComponentState.choices,
        "q": text,
        "state": state,
    }
    return render(request, "registry/component_list.html", context)


@login_required
@permission_required("registry.view_component", raise_exception=True)
def component_detail(request: HttpRequest, component_id: int) -> HttpResponse:
    component = access_component(request.user, component_id)
    context = {
        "component": component,
        "photos": component.photos.all(),
        "photo_form": forms.ComponentPhotoForm(),
        "history": history_of(component)[:20],
    }
    return render(request, "registry/component_detail.html", context)


@login_required
@permission_required("registry.add_component", raise_exception=True)
def component_create(request: HttpRequest) -> HttpResponse:
    form = forms.ComponentForm(request.POST or None)
    back = reverse("component-list")
    return _form_page(request, form, services.component_save, None, "component-detail", _("登记部件"), back)


@login_required
@permission_required("registry.change_component", raise_exception=True)
def component_edit(request: HttpRequest, component_id: int) -> HttpResponse:
    component = access_component(request.user, component_id)
    form = forms.ComponentForm(request.POST or None, instance=copy.copy(component))
    back = reverse("component-detail", args=[component.pk])
    return _form_page(request, form, services.component_save, component, "component-detail", _("编辑部件"), back)


@login_required
@permission_required("registry.change_component", raise_exception=True)
@require_POST
def component_photo_add(request: HttpRequest, component_id: int) -> HttpResponse:
    component = access_component(request.user, component_id)
    form = forms.ComponentPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        services.component_photo_add(Origin.of_request(request), component, form.cleaned_data["image"])
    else:
        messages.error(request, "；".join(str(message) for errors in form.errors.values() for message in errors))
    return redirect("component-detail", component.pk)


# ── Import and export ───────────────────────────────────────────────────────────────────────────────────────


@login_required
@permission_required("registry.import_registry", raise_exception=True)
def import_page(request: HttpRequest) -> HttpResponse:
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_start(request.user, form.cleaned_data["kind"], form.cleaned_data["file"])
        return redirect("import-job", job.pk)
    jobs = ImportJob.objects.filter(created_by_id=request.user.pk)[:20]
    return render(request, "registry/import.html", {"form": form, "jobs": jobs, "kinds": forms.KINDS.items()})


def _own_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, created_by_id=request.user.pk).first()
    if job is None:
        raise NotFound(_("导入任务不存在"), code="import_job_not_found")
    return job


@login_required
@permission_required("registry.import_registry", raise_exception=True)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    template = "registry/_import_job.html" if request.headers.get("HX-Request") else "registry/import_job.html"
    return render(request, template, {"job": job, "kind": import_kind(job.kind)})


@login_required
@permission_required("registry.import_registry", raise_exception=True)
@require_POST
def import_job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(status=ImportStatus.WRITING):
        import_job_write.enqueue(job.pk)
    return redirect("import-job", job.pk)


@login_required
@permission_required("registry.import_registry", raise_exception=True)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = import_kind(kind)
    headers, rows, choices, notes = template_rows(spec)
    content = workbook_bytes(spec.label, headers, rows, choices=choices, notes=notes)
    return _xlsx_response(content, f"{spec.label}导入模板.xlsx")


def _download(content: bytes, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


def _xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    return _download(content, file_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@permission_required("registry.export_registry", raise_exception=True)
def export(request: HttpRequest, kind: str, file_format: str = "xlsx") -> HttpResponse:
    origin = Origin.of_request(request)
    content, file_name = exports.registry_export(
        origin, kind, _query_of(request), grid=request.GET.get("grid", ""), file_format=file_format
    )
    if file_format == "csv":
        return _download(content, file_name, "text/csv; charset=utf-8")
    return _xlsx_response(content, file_name)


# ── Registry changes from the field, 八必报, 10+X, floating registration, tenancy, households ───────────────


@login_required
@permission_required("registry.view_registrychange", raise_exception=True)
def change_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ChangeStatus.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ChangeKind.values else ""
    rows = changes.change_list(request.user, status, request.GET.get("grid", "").strip()[:15], kind)
    context = {
        **_page(request, rows),
        "status": status,
        "kind": kind,
        "statuses": ChangeStatus.choices,
        "kinds": ChangeKind.choices,
    }
    return render(request, "registry/change_list.html", context)


@login_required
@permission_required("registry.view_registrychange", raise_exception=True)
def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    change = changes.access_change(request.user, change_id)
    conflict_error = None
    may_confirm = request.user.has_perm("registry.confirm_registrychange")
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(_("您的角色不能确认基础信息变动"))
        origin = Origin.of_request(request)
        try:
            if request.POST.get("action") == "reject":
                changes.change_reject(origin, change, request.POST.get("reason", "")[:500])
                messages.success(request, _("已驳回"))
            else:
                choices = {
                    key.removeprefix("choice_"): value
                    for key, value in request.POST.items()
                    if key.startswith("choice_") and value in ("proposed", "current")
                }
                facts = {
                    key: request.POST.get(f"fact_{key}", "").strip()[:200]
                    for key in CONFIRM_FACTS
                    if request.POST.get(f"fact_{key}", "").strip()
                }
                changes.change_confirm(origin, change, choices, facts, request.POST.get("note", "")[:500])
                messages.success(request, _("已确认，登记信息已更新"))
            if change.building_report_id:
                return redirect("building-report-review", change.building_report_id)
            return redirect("change-detail", change.pk)
        except DomainError as error:
            conflict_error = error
            problems = error.details or [{"field": "", "message": str(error.message)}]
        change = changes.access_change(request.user, change_id)
    fields = changes.change_fields_shown(change)
    context = {
        "change": change,
        "facts": changes.change_fact_rows(change, request.user),
        "fields": fields,
        "error": conflict_error,
        "problems": problems,
        "may_confirm": may_confirm and change.status == ChangeStatus.PENDING,
        "needs_identity": change.person_id is None
        and change.kind in (ChangeKind.MOVED_IN, ChangeKind.FLOATING_ARRIVAL, ChangeKind.RENTED_OUT, ChangeKind.BORN),
        "sexes": Sex.choices,
        "identity": {key: change.fact(key) for key in ("sex", "birth_date", "contract_end")},
    }
    return render(
        request, "registry/change_detail.html", context, status=conflict_error.status if conflict_error else 200
    )


#: Facts a confirmer may complete on the confirm page (a new person's identity, dates).
CONFIRM_FACTS = {"name", "sex", "birth_date", "id_number", "phone", "contract_end", "arrival_date", "day"}


@login_required
@permission_required("registry.add_buildingreport", raise_exception=True)
def my_buildings(request: HttpRequest) -> HttpResponse:
    buildings = list(changes.headed_buildings(request.user).annotate(house_count=Count("houses")))
    last: dict[int, BuildingReport] = {}
    for report in BuildingReport.objects.filter(building__in=buildings).order_by("building_id", "-reported_on", "-id"):
        last.setdefault(report.building_id, report)
    rows = [(building, last.get(building.pk)) for building in buildings]
    return render(request, "registry/building_report_mine.html", {"rows": rows})


@login_required
@permission_required("registry.add_buildingreport", raise_exception=True)
def building_report_create(request: HttpRequest, building_id: int) -> HttpResponse:
    building = changes.access_headed_building(request.user, building_id)
    houses = list(building.houses.order_by("unit", "floor", "room"))
    facts = changes.building_facts()
    measures = changes.building_measures(building) if request.method != "POST" else {}
    initial = {f"fact_{fact.key}": measures.get(fact.measure) for fact in facts if fact.measure in measures}
    form = forms.BuildingReportForm(request.POST or None, facts=facts, houses=houses, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = changes.building_report_submit(Origin.of_request(request), building, form.report_data())
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            messages.success(
                request,
                _("已提交：X项 %(items)s 项；人口变动 %(count)s 项，等待网格员或社区工作人员确认")
                % {"items": len(report.x_items), "count": report.changes.count()},
            )
            return redirect("my-buildings")
    return render(request, "registry/building_report_form.html", {"building": building, "form": form})


@login_required
@permission_required("registry.view_buildingreport", raise_exception=True)
def building_report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = changes.access_building_report(request.user, report_id)
    if request.method == "POST":
        if not request.user.has_perm("registry.confirm_registrychange"):
            raise PermissionDenied(_("您的角色不能确认基础信息变动"))
        if request.POST.get("action") == "reviewed":
            changes.building_report_reviewed(Origin.of_request(request), report)
            messages.success(request, _("已核对"))
        elif request.POST.get("action") == "hazard":
            case = changes.building_report_hazard_case(
                Origin.of_request(request), report, request.POST.get("index", "")
            )
            messages.success(request, _("已转为案件 %(number)s") % {"number": case.number})
        return redirect("building-report-review", report.pk)
    context = {
        "report": report,
        "differences": changes.building_report_differences(report),
        "x_items": [
            {**item, "kind_label": XItemKind(item["kind"]).label if item.get("kind") in XItemKind.values else ""}
            for item in report.x_items
        ],
        "changes": report.changes.select_related("person", "house").order_by("status", "pk"),
        "may_confirm": request.user.has_perm("registry.confirm_registrychange"),
    }
    return render(request, "registry/building_report_review.html", context)


@login_required
@permission_required("visits.add_mustreport", raise_exception=True)
def must_report(request: HttpRequest) -> HttpResponse:
    item = request.GET.get("item", "")
    if item not in MustReportItem.values:
        counts = must_report_counts(request.user, request.user)
        recent = [(row, MustReportItem(row.item).label) for row in must_reports_of(request.user)[:10]]
        items = [(value, label, counts.get(value, 0)) for value, label in MustReportItem.choices]
        return render(request, "registry/must_report.html", {"items": items, "recent": recent})
    form = forms.MustReportForm(request.POST or None, request.FILES or None, user=request.user, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        house = data.get("house")
        grid = data.get("grid")
        facts = {key: data.get(key) for key in ("name", "sex", "id_number", "phone", "origin_place") if data.get(key)}
        day = data.get("day")
        if day:
            facts.update({"day": day.isoformat(), "arrival_date": day.isoformat(), "contract_start": day.isoformat()})
        if data.get("contract_end"):
            facts["contract_end"] = data["contract_end"].isoformat()
        try:
            photos = [photo_check(data["photo"])] if data.get("photo") else []
            report = must_report_submit(
                Origin.of_request(request),
                MustReportData(
                    item=item,
                    description=data.get("description") or "",
                    lon=data.get("lon"),
                    lat=data.get("lat"),
                    grid_code=grid.code if grid else "",
                    person_id=data.get("person"),
                    house_id=house.pk if house else None,
                    facts=facts,
                    photos=photos,
                ),
            )
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            if report.case is not None:
                messages.success(request, _("已上报，案件号 %(number)s") % {"number": report.case.number})
            else:
                messages.success(request, _("已上报，等待确认后更新登记信息"))
            return redirect("must-report")
    label = MustReportItem(item).label
    return render(request, "registry/must_report.html", {"form": form, "item": item, "label": label})


@login_required
@permission_required("registry.change_person", raise_exception=True)
def floating_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    initial = {"house": person.house.address} if person.house else {}
    form = forms.FloatingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.floating_register(Origin.of_request(request), person, form.cleaned_data)
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            messages.success(request, _("已登记"))
            return redirect("person-detail", person.pk)
    back = reverse("person-detail", args=[person.pk])
    return render(
        request,
        "registry/floating_form.html",
        {"form": form, "title": _("流动人口登记：%(name)s") % {"name": person.name}, "back": back},
    )


@login_required
@permission_required("registry.change_house", raise_exception=True)
def tenancy_create(request: HttpRequest, house_id: int) -> HttpResponse:
    house = access_house(request.user, house_id)
    form = forms.TenancyForm(request.POST or None, user=request.user, house=house)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenancy_add(Origin.of_request(request), house, form.cleaned_data)
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            messages.success(request, _("已登记"))
            return redirect("house-detail", house.pk)
    back = reverse("house-detail", args=[house.pk])
    title = _("登记租住：%(address)s") % {"address": house.address}
    return render(request, "registry/tenancy_form.html", {"form": form, "title": title, "back": back})


@login_required
@permission_required("registry.add_household", raise_exception=True)
def household_create(request: HttpRequest, house_id: int) -> HttpResponse:
    house = access_house(request.user, house_id)
    return _household_form(request, house, None)


@login_required
@permission_required("registry.change_household", raise_exception=True)
def household_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    household = access_household(request.user, household_id)
    return _household_form(request, household.house, household)


def _household_form(request: HttpRequest, house: House, household: Any) -> HttpResponse:
    initial = {"household_type": household.household_type, "head": household.head_id} if household else {}
    form = forms.HouseholdForm(request.POST or None, house=house, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.household_save(
                Origin.of_request(request), {**form.cleaned_data, "house": house}, household
            )
        except DomainError as error:
            forms.form_problems_add(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("household-detail", saved.pk)
    back = reverse("house-detail", args=[house.pk])
    title = _("编辑户") if household else _("在 %(address)s 建户") % {"address": house.address}
    return render(request, "registry/household_form.html", {"form": form, "title": title, "back": back})

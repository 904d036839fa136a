"""The report builder's form: plain selects and checkboxes for rows, columns, measures and filters. The form only
collects; :func:`reports.spec.spec_parse` judges the spec (its messages name the field at fault)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Department
from accounts.roles import Role
from areas.choices import LEVEL_ORDER, AreaLevel
from areas.models import Area
from cases.choices import Source
from cases.models import Category
from reports.spec import (
    DIMENSIONS,
    MAX_COLUMN_DIMENSIONS,
    MAX_DIMENSIONS,
    MEASURES,
    RELATIVE_PERIODS,
    STATE_LABELS,
)

#: A scope with at most this many grids offers each grid in the area filter; a larger one streets and communities.
GRIDS_IN_AREA_CHOICES = 300
ROW_FIELDS = [f"row_{index}" for index in range(1, MAX_DIMENSIONS + 1)]
COLUMN_FIELDS = [f"column_{index}" for index in range(1, MAX_COLUMN_DIMENSIONS + 1)]
MEASURE_GROUPS = {
    "count": _l("数量"),
    "rate": _l("比率（分子/分母）"),
    "minutes": _l("平均用时"),
    "state": _l("按环节分组时"),
}
SELECT = {"class": "form-select form-select-sm"}
CHECK = {"class": "form-check-input"}


def _dimension_choices() -> list[tuple[str, Any]]:
    return [("", _l("（不选）")), *((code, label) for code, label in DIMENSIONS.items())]


def area_choices(user: Any) -> list[tuple[str, str]]:
    """The areas the user covers down to communities (and grids, in a small scope), indented by level."""
    visible = Area.objects.visible_to(user).filter(retired_in__isnull=True)
    levels = [AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]
    if visible.filter(level=AreaLevel.GRID).count() <= GRIDS_IN_AREA_CHOICES:
        levels.append(AreaLevel.GRID)
    rows = list(visible.filter(level__in=levels).order_by("code").values_list("code", "name", "level"))
    top = min((LEVEL_ORDER.index(AreaLevel(level)) for _code, _name, level in rows), default=0)
    choices = [("", _("全部（我的管辖范围）"))]
    for code, name, level in rows:
        choices.append((code, "\u3000" * (LEVEL_ORDER.index(AreaLevel(level)) - top) + name))
    return choices


def category_choices() -> list[tuple[str, str]]:
    choices = [("", _("全部类别"))]
    categories = Category.objects.order_by("kind", "code").values_list("pk", "name", "parent_id")
    for pk, name, parent in categories:
        choices.append((str(pk), f"\u3000{name}" if parent else _("%(name)s（整个大类）") % {"name": name}))
    return choices


class AreaField(forms.ChoiceField):
    """The areas offered are the user's; any code is accepted here, and the engine answers 404 for one that is not
    theirs (as the API does), rather than a choice "not offered"."""

    def valid_value(self, value: Any) -> bool:
        return not value or (str(value).isascii() and str(value).isdigit() and len(str(value)) <= 15)


class BuilderForm(forms.Form):
    name = forms.CharField(label=_l("报表名称"), max_length=100, required=False)
    period = forms.ChoiceField(label=_l("统计周期"), required=False)
    start = forms.DateField(label=_l("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_l("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = AreaField(label=_l("区域"), required=False)
    category = forms.ChoiceField(label=_l("类别"), required=False)
    source = forms.ChoiceField(label=_l("来源"), required=False)
    department = forms.ChoiceField(label=_l("部门"), required=False)
    states = forms.MultipleChoiceField(
        label=_l("环节（按环节分组时）"),
        required=False,
        choices=list(STATE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple(attrs=CHECK),
    )
    measures = forms.MultipleChoiceField(
        label=_l("指标"), required=False, choices=[], widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    hide_empty = forms.BooleanField(
        label=_l("隐藏没有数据的行和列"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    shared_roles = forms.MultipleChoiceField(
        label=_l("共享给角色"), required=False, choices=Role.choices, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [*ROW_FIELDS, *COLUMN_FIELDS]:
            row = name.startswith("row_")
            number = name.rsplit("_", 1)[1]
            label = _("行维度 %(n)s") % {"n": number} if row else _("列维度 %(n)s") % {"n": number}
            self.fields[name] = forms.ChoiceField(
                label=label, required=False, choices=_dimension_choices(), widget=forms.Select(attrs=SELECT)
            )
        periods: list[tuple[str, Any]] = [*((name, label) for name, (label, _kind, _back) in RELATIVE_PERIODS.items())]
        chosen = (self.data.get("period") if self.is_bound else self.initial.get("period")) or ""
        if chosen and chosen not in RELATIVE_PERIODS:
            periods.append((chosen, chosen))  # a period given by its key (2026-Q1) through the API
        departments = Department.objects.filter(is_active=True).order_by("code").values_list("pk", "name")
        for name, choices in (
            ("period", [*periods, ("", _l("自定义起止日期"))]),
            ("area", area_choices(user)),
            ("category", category_choices()),
            ("source", [("", _l("全部来源")), *Source.choices]),
            ("department", [("", _l("全部部门")), *((str(pk), name) for pk, name in departments)]),
            ("measures", [(code, info.label) for code, info in MEASURES.items()]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        for name in ("period", "area", "category", "source", "department"):
            self.fields[name].widget.attrs.update(SELECT)
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})
        self.fields["name"].widget.attrs.update({"class": "form-control", "maxlength": "100"})

    def measure_groups(self) -> list[tuple[Any, list[Any]]]:
        """The measure checkboxes, grouped as the builder lists them."""
        boxes = {box.data["value"]: box for box in self["measures"]}
        return [
            (label, [boxes[code] for code, info in MEASURES.items() if info.group == group])
            for group, label in MEASURE_GROUPS.items()
        ]

    def dimension_fields(self) -> tuple[list[Any], list[Any]]:
        return [self[name] for name in ROW_FIELDS], [self[name] for name in COLUMN_FIELDS]

    def spec(self) -> dict[str, Any]:
        """The spec the form describes (checked afterwards by ``spec_parse``)."""
        values = self.cleaned_data
        filters: dict[str, Any] = {}
        if values.get("period"):
            filters["period"] = values["period"]
        else:
            if values.get("start"):
                filters["start"] = values["start"].isoformat()
            if values.get("end"):
                filters["end"] = values["end"].isoformat()
        for name in ("area", "source"):
            if values.get(name):
                filters[name] = values[name]
        for name in ("category", "department"):
            if values.get(name):
                filters[name] = int(values[name])
        if values.get("states"):
            filters["states"] = list(values["states"])
        return {
            "rows": [values[name] for name in ROW_FIELDS if values.get(name)],
            "columns": [values[name] for name in COLUMN_FIELDS if values.get(name)],
            "measures": list(values.get("measures") or []),
            "filters": filters,
            "hide_empty": bool(values.get("hide_empty")),
        }

    @staticmethod
    def initial_of(spec: dict[str, Any], name: str = "", roles: list[str] | None = None) -> dict[str, Any]:
        """The form's initial values for a stored spec."""
        filters = spec.get("filters") or {}
        initial: dict[str, Any] = {
            "name": name,
            "measures": list(spec.get("measures") or []),
            "hide_empty": bool(spec.get("hide_empty")),
            "shared_roles": list(roles or []),
            "period": filters.get("period", ""),
            "start": filters.get("start"),
            "end": filters.get("end"),
            "area": filters.get("area", ""),
            "category": str(filters.get("category") or ""),
            "source": filters.get("source", ""),
            "department": str(filters.get("department") or ""),
            "states": list(filters.get("states") or []),
        }
        for fields, key in ((ROW_FIELDS, "rows"), (COLUMN_FIELDS, "columns")):
            for field, value in zip(fields, spec.get(key) or [], strict=False):
                initial[field] = value
        return initial

"""Forms of the registry pages. They parse and check single fields; the services check the rules that span
records, and their problems come back onto the form's fields (``form_problems_add``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from areas.choices import AreaLevel, Datum
from areas.models import Area
from cases.models import Category
from cases.photos import CheckedPhoto, photo_check
from gridgov.errors import DomainError
from gridgov.forms import StyledForm
from registry.choices import (
    ETHNICITIES,
    MUST_REPORT_EVENTS,
    SENSITIVE_TAGS,
    ChangeKind,
    FloatingReason,
    HouseholdType,
    Sex,
    TagCategory,
    XItemKind,
)
from registry.imports import KINDS
from registry.models import Building, Component, House, Person, PersonTag, Place
from registry.selectors import may_reveal


class HouseAddressField(forms.CharField):
    """A house named by its full address, looked up inside the user's scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user: Any = None
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> House | None:
        text = super().clean(value)
        if not text:
            return None
        house = House.objects.visible_to(self.user).select_related("grid").filter(address=text.strip()).first()
        if house is None:
            raise forms.ValidationError(_("找不到该地址的房屋（或不在您的管辖范围内）"))
        return house


def form_problems_add(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's problems on the form's fields (or on the form when the field is not on it)."""
    for item in error.details or [{"field": "", "message": str(error.message)}]:
        field = item.get("field")
        form.add_error(field if field in form.fields else None, item["message"])


class PersonForm(forms.ModelForm):
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    phone = forms.CharField(label=_("联系电话"), max_length=15, required=False)
    house = HouseAddressField(label=_("现住房屋地址"), required=False, help_text=_("完整地址，如“…3号楼1单元302室”"))
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Area.objects.none(), required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[("", "—"), *((name, name) for name in ETHNICITIES)])

    class Meta:
        model = Person
        fields = [
            "name",
            "document_type",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "ethnicity",
            "hukou_place",
            "residency_type",
            "household_status",
            "house",
            "relation_to_head",
            "grid",
            "work_place",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"sex": _("居民身份证由号码得出"), "birth_date": _("居民身份证由号码得出")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        house, grid = self.fields["house"], self.fields["grid"]
        assert isinstance(house, HouseAddressField) and isinstance(grid, forms.ModelChoiceField)
        house.user = user
        grid.queryset = Area.objects.visible_to(user).current().filter(level=AreaLevel.GRID)
        self.fields["sex"].required = False
        self.fields["birth_date"].required = False
        self.fields["ethnicity"].required = False
        if self.instance.pk:
            # The clear values are not put into the page; left empty, they stay as they are.
            self.fields["id_number"].required = False
            self.fields["id_number"].widget.attrs["placeholder"] = self.instance.id_number_masked
            self.fields["id_number"].help_text = _("当前：%(masked)s；不修改请留空") % {
                "masked": self.instance.id_number_masked
            }
            self.fields["phone"].widget.attrs["placeholder"] = self.instance.phone_masked
            self.fields["phone"].help_text = _("当前：%(masked)s；不修改请留空") % {
                "masked": self.instance.phone_masked or "—"
            }
            self.initial["house"] = self.instance.house.address if self.instance.house_id else ""
            if not may_reveal(user):
                # Without the reveal permission the birth date is not put into the page either (only its year).
                self.initial["birth_date"] = None
                self.fields["birth_date"].help_text = _("当前：%(year)s 年；不修改请留空") % {
                    "year": self.instance.birth_year
                }

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        for key in ("id_number", "phone", "birth_date"):
            if self.instance.pk and not values.get(key):
                values.pop(key, None)
        if values.get("document_type") == "id_card":
            values.pop("sex", None)
            values.pop("birth_date", None)
        return values


class PersonTagForm(forms.ModelForm):
    class Meta:
        model = PersonTag
        fields = ["category", "since", "until", "note"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"}), "until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.has_perm("registry.view_sensitive_tags"):
            category = self.fields["category"]
            assert isinstance(category, forms.ChoiceField)
            category.choices = [(value, label) for value, label in TagCategory.choices if value not in SENSITIVE_TAGS]


class LocatedForm(forms.ModelForm):
    """Forms of records with a location: the grid is found from it, never typed."""

    datum = forms.ChoiceField(label=_("坐标系"), choices=Datum.choices, initial=Datum.WGS84)


class BuildingForm(LocatedForm):
    class Meta:
        model = Building
        fields = ["road", "door_number", "estate", "number", "kind", "units", "floors", "lon", "lat"]


class HouseForm(forms.ModelForm):
    class Meta:
        model = House
        fields = ["unit", "floor", "room", "use", "area_m2", "ownership", "is_rental"]


class PlaceForm(LocatedForm):
    responsible_phone = forms.CharField(label=_("负责人电话"), max_length=15, required=False)

    class Meta:
        model = Place
        fields = [
            "kind",
            "name",
            "address",
            "lon",
            "lat",
            "credit_code",
            "responsible_name",
            "risk_level",
            "employees",
            "note",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["responsible_phone"].help_text = _("当前：%(masked)s；不修改请留空") % {
                "masked": self.instance.responsible_phone_masked or "—"
            }

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if self.instance.pk and not values.get("responsible_phone"):
            values.pop("responsible_phone", None)
        return values


class ComponentForm(LocatedForm):
    class Meta:
        model = Component
        fields = [
            "category",
            "lon",
            "lat",
            "address",
            "authority_department",
            "owner_department",
            "maintainer_department",
            "state",
            "in_use",
            "installed_on",
            "data_source",
            "note",
        ]
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Department.objects.filter(is_active=True)
        for key, rows in (
            ("category", Category.objects.subclasses("component").select_related("parent")),
            ("authority_department", active),
            ("owner_department", active),
            ("maintainer_department", active),
        ):
            field = self.fields[key]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = rows


class ComponentPhotoForm(forms.Form):
    """One photo, checked like a case photo (JPEG, PNG or WebP by content, size and pixel limits)."""

    image = forms.FileField(label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def clean_image(self) -> CheckedPhoto:
        try:
            return photo_check(self.cleaned_data["image"], "image")
        except DomainError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=[(name, kind.label) for name, kind in KINDS.items()])
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx 和 .csv 文件"))
        if upload.size > settings.IMPORT_MAX_MEGABYTES * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 %(size)s MB") % {"size": settings.IMPORT_MAX_MEGABYTES})
        return upload


# ── Registry changes from the field, 八必报, 10+X ───────────────────────────────────────────────────────────────


POPULATION_CHANGE_KINDS = (
    ChangeKind.MOVED_IN,
    ChangeKind.MOVED_OUT,
    ChangeKind.BORN,
    ChangeKind.DIED,
    ChangeKind.RENTED_OUT,
)


class FloatingForm(forms.Form):
    house = HouseAddressField(label=_("居住房屋地址"))
    arrival_date = forms.DateField(label=_("来本地日期"), widget=forms.DateInput(attrs={"type": "date"}))
    expected_until = forms.DateField(
        label=_("预计居住至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=_("来本地事由"), choices=FloatingReason.choices)
    origin_place = forms.CharField(label=_("来源地"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        house = self.fields["house"]
        assert isinstance(house, HouseAddressField)
        house.user = user


class TenancyForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("承租人"), queryset=Person.objects.none())
    landlord = forms.ModelChoiceField(label=_("房东"), queryset=Person.objects.none(), required=False)
    contract_start = forms.DateField(label=_("合同开始"), widget=forms.DateInput(attrs={"type": "date"}))
    contract_end = forms.DateField(label=_("合同结束"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, house: House, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(user).filter(grid=house.grid).order_by("name", "pk")
        for name in ("tenant", "landlord"):
            chooser = self.fields[name]
            assert isinstance(chooser, forms.ModelChoiceField)
            chooser.queryset = people


class HouseholdForm(forms.Form):
    household_type = forms.ChoiceField(label=_("户别"), choices=HouseholdType.choices)
    head = forms.ModelChoiceField(label=_("户主"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, house: House, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        head = self.fields["head"]
        assert isinstance(head, forms.ModelChoiceField)
        head.queryset = house.residents.order_by("name", "pk")


class MustReportForm(StyledForm):
    """One 八必报 item; which fields count depends on the item (events: description and photo; registry items:
    the person's facts)."""

    description = forms.CharField(
        label=_("情况说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Area.objects.none(), required=False)
    house = HouseAddressField(label=_("房屋地址"), required=False)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Sex.choices], required=False)
    id_number = forms.CharField(label=_("证件号码"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=15, required=False)
    origin_place = forms.CharField(label=_("来源地"), max_length=200, required=False)
    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contract_end = forms.DateField(label=_("合同结束"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    photo = forms.ImageField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    EVENT_FIELDS = ("description", "grid", "house", "photo")
    ITEM_FIELDS = {
        "pregnancy": ("house", "name", "day", "description"),
        "hospitalized": ("house", "name", "day", "description"),
        "floating_arrival": ("house", "name", "sex", "id_number", "phone", "origin_place", "day"),
        "rented_out": ("house", "name", "id_number", "phone", "day", "contract_end"),
    }

    def __init__(self, *args: Any, user: Any, item: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        house = self.fields["house"]
        grid = self.fields["grid"]
        assert isinstance(house, HouseAddressField) and isinstance(grid, forms.ModelChoiceField)
        house.user = user
        grid.queryset = Area.objects.visible_to(user).current().filter(level=AreaLevel.GRID).order_by("code")
        own = list(user.areas.filter(level=AreaLevel.GRID).values_list("pk", flat=True)[:2])
        if len(own) == 1:  # a worker of one grid reports in it unless they pick another
            self.initial.setdefault("grid", own[0])
        shown = self.EVENT_FIELDS if item in MUST_REPORT_EVENTS else self.ITEM_FIELDS.get(item, ())
        for name in list(self.fields):
            if name not in (*shown, "lon", "lat", "person"):
                del self.fields[name]


class BuildingReportForm(forms.Form):
    """The ten facts (as configured), three X items and three population changes."""

    ROWS = 3

    def __init__(self, *args: Any, facts: list[Any], houses: list[House], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fact_keys = [fact.key for fact in facts]
        for fact in facts:
            self.fields[f"fact_{fact.key}"] = forms.IntegerField(
                label=fact.label, min_value=0, max_value=100_000, required=False
            )
        for index in range(self.ROWS):
            self.fields[f"x_{index}_kind"] = forms.ChoiceField(
                label=_("X项类型"),
                choices=XItemKind.choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"x_{index}_text"] = forms.CharField(label=_("X项内容"), max_length=500, required=False)
        house_choices = [("", "—"), *((str(house.pk), f"{house.unit}-{house.room}") for house in houses)]
        kinds = [("", "—"), *((kind.value, kind.label) for kind in POPULATION_CHANGE_KINDS)]
        for index in range(self.ROWS):
            self.fields[f"c_{index}_kind"] = forms.ChoiceField(
                label=_("人口变动"), choices=kinds, required=False, widget=forms.Select(attrs={"class": "form-select"})
            )
            self.fields[f"c_{index}_name"] = forms.CharField(
                label=_("姓名"), max_length=64, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
            )
            self.fields[f"c_{index}_house"] = forms.ChoiceField(
                label=_("房屋"),
                choices=house_choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"c_{index}_day"] = forms.DateField(
                label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
            )
            self.fields[f"c_{index}_note"] = forms.CharField(
                label=_("备注"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
            )

    def fact_fields(self) -> list[Any]:
        return [self[f"fact_{key}"] for key in self.fact_keys]

    def x_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"x_{index}_kind"], self[f"x_{index}_text"]) for index in range(self.ROWS)]

    def change_rows(self) -> list[list[Any]]:
        return [
            [self[f"c_{index}_{part}"] for part in ("kind", "name", "house", "day", "note")]
            for index in range(self.ROWS)
        ]

    def report_data(self) -> Any:
        from registry.changes import BuildingReportData, PopulationChange

        data = self.cleaned_data
        facts = {key: data[f"fact_{key}"] for key in self.fact_keys if data.get(f"fact_{key}") is not None}
        x_items = [
            {"kind": data[f"x_{index}_kind"] or "other", "text": data[f"x_{index}_text"]}
            for index in range(self.ROWS)
            if data.get(f"x_{index}_text")
        ]
        changes = [
            PopulationChange(
                kind=data[f"c_{index}_kind"],
                name=data[f"c_{index}_name"],
                house_id=int(data[f"c_{index}_house"]) if data[f"c_{index}_house"] else None,
                day=data[f"c_{index}_day"],
                note=data[f"c_{index}_note"],
            )
            for index in range(self.ROWS)
            if data.get(f"c_{index}_kind")
        ]
        return BuildingReportData(facts=facts, x_items=x_items, changes=changes)

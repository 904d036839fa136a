"""Forms of the case pages: they validate input and hand clean values to one service each."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from cases.choices import CaseLevel, CategoryKind, PhotoStage, Priority, Rating, RequestKind, Source, Supervision
from cases.models import Case, Category
from cases.photos import CheckedPhoto, photo_check
from cases.services import SOURCES_BY_ROLE, field_workers_of, priority_default
from cases.workflow import ANY_STAGE, Input, Takes, actor_roles
from gridgov.errors import ValidationFailed
from gridgov.forms import StyledForm, choice_field, model_choice_field
from gridgov.spelling import pinyin_spelling


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos, each checked by content (:func:`cases.photos.photo_check`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedPhoto]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(_("请上传照片"))
        checked = []
        for upload in files:
            try:
                checked.append(photo_check(upload))
            except ValidationFailed as error:
                raise forms.ValidationError(str(error.message)) from None
        return checked


def subclass_choices() -> Any:
    return Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent")


class CategoryPrioritySelect(forms.Select):
    """Each category carries its default priority (``data-priority``): the page preselects it (web/gridgov.js)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        option["attrs"]["data-priority"] = priority_default(instance if isinstance(instance, Category) else None)
        return option


class CategoryChoiceField(forms.ModelChoiceField):
    widget = CategoryPrioritySelect

    def label_from_instance(self, obj: Category) -> str:
        parent = obj.parent.name if obj.parent else ""
        return f"{obj.get_kind_display()} / {parent} / {obj.code} {obj.name}"


class CategorySelect(forms.Select):
    """A plain select of subclasses whose options also carry what the two-step picker
    (cases/static/cases/category_picker.js) shows and searches: ``details`` maps an option's value to its attributes."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.details: dict[str, dict[str, str]] = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"].update(self.details.get(str(option["value"]), {}))
        return option


def category_picker_fill(field: forms.ModelChoiceField[Any], recent: list[int]) -> None:
    """The subclasses grouped by class (事件 / 市容环境), the user's recent ones first in a group of their own, each
    option with its class, name, default priority and what a search matches (name, code, pinyin and initials)."""
    kinds = list(CategoryKind.values)
    categories = sorted(
        subclass_choices(), key=lambda c: (kinds.index(c.kind), c.parent.code if c.parent else "", c.code)
    )
    by_id = {category.pk: category for category in categories}
    recent = [pk for pk in recent if pk in by_id]
    groups: dict[str, list[tuple[int, str]]] = {}
    widget = field.widget
    assert isinstance(widget, CategorySelect)
    for rank, category in enumerate(categories):
        parent = category.parent
        assert parent is not None  # subclasses only
        spelled = [*pinyin_spelling(category.name), parent.name, *pinyin_spelling(parent.name)]
        widget.details[str(category.pk)] = {
            "data-name": category.name,
            "data-code": category.code,
            "data-class": str(parent.pk),
            "data-class-name": parent.name,
            "data-kind": str(category.get_kind_display()),
            "data-rank": str(rank),
            "data-priority": priority_default(category),  # preselected in the priority field (web/gridgov.js)
            "data-priority-label": str(category.get_default_priority_display()),
            "data-search": " ".join([category.name, category.code, *spelled]).lower(),
        }
        if category.pk not in recent:
            groups.setdefault(f"{category.get_kind_display()} / {parent.name}", []).append(
                (category.pk, f"{category.code} {category.name}")
            )
    for pk in recent:
        widget.details[str(pk)]["data-recent"] = "1"
    first = [(_("最近使用"), [(pk, f"{by_id[pk].code} {by_id[pk].name}") for pk in recent])] if recent else []
    field.choices = [("", "---------"), *first, *groups.items()]


PRIORITY_REASON_HELP = _("所选优先级与类别默认的不同时必填")


def priority_fields_mark(form: forms.Form, category: Category | None) -> None:
    """The priority select knows its category's default (``data-default``); the page shows the reason box only for
    another priority (web/gridgov.js), and without JavaScript the box is always there."""
    form.fields["category"].widget.attrs["data-priority-source"] = ""
    form.fields["priority"].widget.attrs["data-default"] = priority_default(category)


class ReportForm(StyledForm):
    """The report in the order a person fills it: category, photos, location, description, then the rest."""

    source = forms.ChoiceField(label=_("来源"))
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False, widget=CategorySelect
    )
    photos = PhotosField(label=_("现场照片"))
    longitude = forms.FloatField(label=_("经度"), required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(label=_("纬度"), required=False, widget=forms.HiddenInput)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    self_resolved = forms.BooleanField(label=_("已自行处置（自处置）"), required=False)
    before_photos = PhotosField(label=_("处置前照片"))
    after_photos = PhotosField(label=_("处置后照片"))
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)
    priority_reason = forms.CharField(
        label=_("优先级理由"), max_length=500, required=False, help_text=PRIORITY_REASON_HELP
    )
    reporter_name = forms.CharField(label=_("反映人"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=15, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, user: Any, recent: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = actor_roles(user)
        allowed = (
            set(Source.values) if user.is_superuser else set().union(*(SOURCES_BY_ROLE.get(r, set()) for r in roles))
        )
        source = choice_field(self, "source")
        source.choices = [(value, label) for value, label in Source.choices if value in allowed]
        if len(source.choices) == 1:  # nothing to choose (a grid worker reports as one)
            source.widget = forms.HiddenInput()
            source.initial = source.choices[0][0]
        category = model_choice_field(self, "category")
        category.queryset = subclass_choices()
        category_picker_fill(category, recent or [])
        self.fields["photos"].widget.attrs["capture"] = "environment"  # a phone opens its camera
        self.fields["idempotency_key"].initial = uuid.uuid4().hex  # a double submit files one case
        chosen = self.data.get("category") if self.is_bound else None
        chosen_category = Category.objects.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else None
        self.fields["priority"].initial = priority_default(chosen_category)
        priority_fields_mark(self, chosen_category)


class CaseForm(StyledForm):
    """The form of an action on one case (a panel of the case page)."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case


class VersionedForm(CaseForm):
    """An action form that carries the case version its user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.case.version


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class FileForm(ReasonForm):
    category = CategoryChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, required=False)
    priority_reason = forms.CharField(
        label=_("优先级理由"), max_length=500, required=False, help_text=PRIORITY_REASON_HELP
    )
    level = forms.ChoiceField(label=_("层级"), choices=[("", "—"), *CaseLevel.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = subclass_choices()
        self.fields["category"].initial = self.case.category_id
        self.fields["priority"].initial = self.case.priority
        self.fields["level"].initial = self.case.level
        priority_fields_mark(self, self.case.category)
        # The case's own priority under its own category needs no new reason (it was given when it was chosen).
        self.fields["priority"].widget.attrs["data-current"] = self.case.priority
        self.fields["category"].widget.attrs["data-initial"] = self.case.category_id or ""


class WorkerForm(ReasonForm):
    worker = forms.ModelChoiceField(label=_("网格员"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workers = field_workers_of(self.case)
        model_choice_field(self, "worker").queryset = User.objects.filter(pk__in=[worker.pk for worker in workers])


class DispatchForm(ReasonForm):
    department = forms.ModelChoiceField(label=_("主办部门"), queryset=Department.objects.filter(is_active=True))
    assists = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    handle_hours = forms.FloatField(
        label=_("处置时限（小时，留空按类别）"), required=False, min_value=0.1, max_value=24 * 365
    )

    def __init__(self, *args: Any, suggestion: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suggestion:
            self.fields["department"].initial = suggestion.department.pk
            self.fields["assists"].initial = [department.pk for department in suggestion.assists]


class MergeForm(ReasonForm):
    main = forms.CharField(label=_("主案卷编号"), max_length=16)


class NoteForm(VersionedForm):
    """The result of work (处置反馈, 核实, 核查): its note is its one text."""

    note = forms.CharField(label=_("处理说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    photos = PhotosField(label=_("照片"))


class VerdictForm(NoteForm):
    passed = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("1", _("通过 / 属实")), ("0", _("不通过 / 不属实"))],
        coerce=lambda value: value == "1",
    )


class EvaluateForm(CaseForm):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices)
    comment = forms.CharField(label=_("意见"), required=False, max_length=2000)


class RequestForm(CaseForm):
    kind = forms.ChoiceField(label=_("申请类型"), choices=RequestKind.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    extra_hours = forms.FloatField(
        label=_("延长（工作小时，仅延期）"), required=False, min_value=0.5, max_value=24 * 60
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            choice_field(self, "kind").choices = [
                (value, label) for value, label in RequestKind.choices if value in kinds
            ]


class DecisionForm(CaseForm):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("同意")), ("0", _("驳回"))], coerce=lambda value: value == "1"
    )
    note = forms.CharField(label=_("审批意见（驳回必填）"), required=False, max_length=2000)


class SuperviseForm(ReasonForm):
    level = forms.TypedChoiceField(label=_("督办级别"), choices=[c for c in Supervision.choices if c[0]], coerce=int)


class SummonForm(ReasonForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("召集部门"), queryset=Department.objects.filter(is_active=True)
    )


class PhotoForm(CaseForm):
    stage = forms.ChoiceField(label=_("阶段"), choices=[])
    photos = PhotosField(label=_("照片"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "stage").choices = PhotoStage.choices


#: The page form of each kind of field a transition takes (``cases.workflow.Takes``), beside its text and version.
TAKES_FORMS: dict[Takes, type[CaseForm]] = {
    Takes.CLASSIFICATION: FileForm,
    Takes.WORKER: WorkerForm,
    Takes.VERDICT: VerdictForm,
    Takes.MAIN_CASE: MergeForm,
    Takes.HANDLERS: DispatchForm,
    Takes.RATING: EvaluateForm,
    Takes.REQUEST_KIND: RequestForm,
    Takes.SUPERVISION: SuperviseForm,
    Takes.DEPARTMENTS: SummonForm,
}


def form_for(declared: Input) -> type[CaseForm]:
    """The page form of a transition's declared input: photos of a stage the user picks, the form of what it
    takes, or its text alone (a result note with photos, or a reason)."""
    if declared.photo_stage == ANY_STAGE:
        return PhotoForm
    if len(declared.takes) > 1:
        raise TypeError(f"no page form takes {', '.join(declared.takes)} together: write one and pick it here")
    if declared.takes:
        return TAKES_FORMS[declared.takes[0]]
    return NoteForm if declared.text_field == "note" else ReasonForm

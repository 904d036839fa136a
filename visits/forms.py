"""Forms of the visit pages: they validate input and hand clean values to one service each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import Priority
from cases.forms import PRIORITY_REASON_HELP, CategorySelect, PhotosField, category_picker_fill, subclass_choices
from cases.models import Category
from gridgov.forms import StyledForm, model_choice_field
from visits.choices import VisitKind, VisitPurpose
from visits.questions import CHOICE, QUESTIONS, TEXT_MAX, YES_NO, Question
from visits.services import FINDINGS_MAX, FollowUpData, VisitData, VisitEdit

YES, NO = "yes", "no"


def answer_field_name(purpose: str, key: str) -> str:
    return f"q_{purpose}__{key}"


def _answer_field(question: Question) -> forms.Field:
    if question.kind == CHOICE:
        return forms.ChoiceField(
            label=question.label, required=False, choices=[("", "—"), *question.choices], widget=forms.RadioSelect
        )
    if question.kind == YES_NO:
        return forms.ChoiceField(
            label=question.label,
            required=False,
            choices=[("", "—"), (YES, _("是")), (NO, _("否"))],
            widget=forms.RadioSelect,
        )
    return forms.CharField(label=question.label, required=False, max_length=TEXT_MAX)


class VisitForm(StyledForm):
    """The visit as a worker fills it on a phone: how, why (each purpose's questions beside it), what was found,
    photos and the location fix. Subjects and the due visit come from the page's address."""

    kind = forms.ChoiceField(label=_("走访方式"), choices=VisitKind.choices, initial=VisitKind.HOME)
    purposes = forms.MultipleChoiceField(
        label=_("走访事由"), choices=VisitPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    visited_at = forms.DateTimeField(
        label=_("走访时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    findings = forms.CharField(
        label=_("走访情况"), required=False, max_length=FINDINGS_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("现场照片"))
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, purposes: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if purposes is not None:
            self.fields["purposes"].choices = purposes  # type: ignore[attr-defined]
        self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["photos"].widget.attrs["capture"] = "environment"
        offered = {value for value, _label in self.fields["purposes"].choices}  # type: ignore[attr-defined]
        for purpose, questions in QUESTIONS.items():
            if purpose not in offered:
                continue
            for question in questions:
                self.fields[answer_field_name(purpose, question.key)] = _answer_field(question)

    def question_groups(self) -> list[tuple[str, str, list[Any]]]:
        """Each purpose with questions: its value, label and bound fields (the page shows them for a ticked one)."""
        labels = dict(VisitPurpose.choices)
        groups = []
        for purpose, questions in QUESTIONS.items():
            fields = [self[name] for q in questions if (name := answer_field_name(purpose, q.key)) in self.fields]
            if fields:
                groups.append((purpose, str(labels[purpose]), fields))
        return groups

    def answers(self) -> dict[str, dict[str, Any]]:
        chosen = self.cleaned_data.get("purposes") or []
        answers: dict[str, dict[str, Any]] = {}
        for purpose in chosen:
            for question in QUESTIONS.get(purpose, ()):
                value = self.cleaned_data.get(answer_field_name(purpose, question.key))
                if value in (None, ""):
                    continue
                if question.kind == YES_NO:
                    value = value == YES
                answers.setdefault(purpose, {})[question.key] = value
        return answers

    def visit_data(self, subjects: dict[str, int | None], due_visit_id: int | None) -> VisitData:
        data = self.cleaned_data
        visited_at: dt.datetime = data["visited_at"]
        return VisitData(
            kind=data["kind"],
            purposes=list(data["purposes"]),
            visited_at=visited_at,
            findings=data.get("findings") or "",
            answers=self.answers(),
            photos=data.get("photos") or [],
            lon=data.get("lon"),
            lat=data.get("lat"),
            accuracy=data.get("accuracy"),
            due_visit_id=due_visit_id,
            person_id=subjects.get("person"),
            household_id=subjects.get("household"),
            house_id=subjects.get("house"),
            building_id=subjects.get("building"),
            place_id=subjects.get("place"),
        )

    def visit_edit(self) -> VisitEdit:
        data = self.cleaned_data
        return VisitEdit(
            kind=data["kind"],
            purposes=list(data["purposes"]),
            findings=data.get("findings") or "",
            answers=self.answers(),
        )


class VisitEditForm(VisitForm):
    """Its worker corrects how, why, the answers and what was found (time, place and photos stay as recorded)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("visited_at", "photos", "lon", "lat", "accuracy"):
            del self.fields[name]


def edit_initial(visit: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"kind": visit.kind, "purposes": list(visit.purposes), "findings": visit.findings}
    for purpose, given in (visit.answers or {}).items():
        for key, value in given.items():
            initial[answer_field_name(purpose, key)] = (YES if value else NO) if isinstance(value, bool) else value
    return initial


class FollowUpForm(StyledForm):
    """转为案件上报: a category (searchable), what to report, photos; the place is the visit's."""

    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False, widget=CategorySelect
    )
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photos = PhotosField(label=_("现场照片"))
    priority = forms.ChoiceField(label=_("优先级"), choices=[("", "—"), *Priority.choices], required=False)
    priority_reason = forms.CharField(
        label=_("优先级理由"), max_length=500, required=False, help_text=PRIORITY_REASON_HELP
    )

    def __init__(self, *args: Any, recent: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = model_choice_field(self, "category")
        category.queryset = subclass_choices()
        category_picker_fill(category, recent or [])

    def follow_up_data(self) -> FollowUpData:
        data = self.cleaned_data
        category = data.get("category")
        return FollowUpData(
            category_id=category.pk if category else None,
            description=data["description"],
            priority=data.get("priority") or "",
            priority_reason=data.get("priority_reason") or "",
            photos=data.get("photos") or [],
        )

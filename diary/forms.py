"""Forms of the diary pages: they parse single fields; the services check scope and links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diary.choices import EntryKind
from diary.models import DiaryEntry
from diary.selectors import grids_of
from diary.services import LINKS, EntryData
from gridgov.forms import StyledForm


class IdsField(forms.Field):
    """Ids picked in a searchable select (diary/static/diary/links.js loads the choices the user may see)."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value]
        values = [item for item in values if item not in (None, "")]  # an empty pick means no filter
        if not values:
            return []
        try:
            ids = [int(item) for item in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("所选记录无效")) from None
        if any(not 1 <= item < 2**31 for item in ids) or len(ids) > 200:
            raise forms.ValidationError(_("所选记录无效"))
        return ids


#: The link fields of the form: name, the kind the search serves, label.
LINK_FIELDS = (
    ("person_ids", "person", _("相关人员")),
    ("household_ids", "household", _("相关户")),
    ("place_ids", "place", _("相关场所")),
    ("case_ids", "case", _("相关案件")),
)


class EntryForm(StyledForm):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("类型"), choices=EntryKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    content = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=20_000
    )
    summary = forms.CharField(label=_("小结"), max_length=500, required=False)
    grid_code = forms.ChoiceField(label=_("网格"), required=False)
    person_ids = IdsField(label=_("相关人员"), required=False)
    household_ids = IdsField(label=_("相关户"), required=False)
    place_ids = IdsField(label=_("相关场所"), required=False)
    case_ids = IdsField(label=_("相关案件"), required=False)

    def __init__(self, *args: Any, user: Any, entry: DiaryEntry | None = None, **kwargs: Any) -> None:
        if entry is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "day": entry.day,
                "kind": entry.kind,
                "title": entry.title,
                "content": entry.content,
                "summary": entry.summary,
                "grid_code": entry.grid.code,
            }
        kwargs.setdefault("initial", {}).setdefault("day", timezone.localdate())
        super().__init__(*args, **kwargs)
        grids = list(grids_of(user).values_list("code", "name")[:500])
        choice = self.fields["grid_code"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", _("我的网格")), *grids]
        for name, kind, _label in LINK_FIELDS:
            widget = self.fields[name].widget
            widget.attrs.pop("data-picker", None)
            widget.attrs["data-links"] = kind
            if entry is not None:
                rows = getattr(entry, LINKS[name]).all()
                widget.choices = [(row.pk, row.number if kind == "case" else str(row)) for row in rows]
                self.initial[name] = [row.pk for row in rows]

    def clean_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天"))
        return day

    def entry_data(self) -> EntryData:
        values = self.cleaned_data
        return EntryData(
            day=values["day"],
            kind=values["kind"],
            title=values["title"],
            content=values["content"],
            summary=values["summary"],
            grid_code=values["grid_code"] or None,
            links={name: values[name] for name, _kind, _label in LINK_FIELDS},
        )


class CommentForm(StyledForm):
    text = forms.CharField(label=_("点评"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、JPEG、PNG、Word 或 Excel，不超过 10 MB"))


class SearchForm(StyledForm):
    q = forms.CharField(label=_("关键字"), required=False, max_length=100)
    person = IdsField(label=_("相关人员"), required=False)
    author = forms.TypedChoiceField(label=_("记录人"), required=False, coerce=int, empty_value=None)
    grid = forms.ChoiceField(label=_("网格"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *EntryKind.choices])
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(
        self, *args: Any, user: Any, authors: list[tuple[int, str]], persons: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        author = self.fields["author"]
        assert isinstance(author, forms.ChoiceField)
        author.choices = [("", _("全部记录人")), *authors]
        grid = self.fields["grid"]
        assert isinstance(grid, forms.ChoiceField)
        grid.choices = [("", _("全部网格")), *grids_of(user).values_list("code", "name")[:500]]
        widget = self.fields["person"].widget
        widget.attrs.pop("data-picker", None)
        widget.attrs["data-links"] = "person"
        widget.attrs["data-single"] = ""
        widget.choices = persons

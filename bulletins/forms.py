"""Forms of the bulletin pages: the list's filter and the publishers' 发布/更正 form. They parse fields; the services
check the period (its kind, that it is over) and the area (in the publisher's scope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.choices import AreaLevel
from areas.models import Area
from gridgov.errors import ValidationFailed
from gridgov.forms import StyledForm, choice_field
from stats.periods import PeriodKind, period_current, period_parse

#: The areas offered in the publish form (a grid's bulletin is published by its code through the API).
PUBLISH_LEVELS = (AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY)
AREA_CHOICES_MAX = 500


class FilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("周期"), choices=[("", _("全部")), *PeriodKind.choices], required=False)
    period = forms.CharField(
        label=_("统计周期"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2026-11"}),
    )

    def clean_period(self) -> str:
        value = (self.cleaned_data.get("period") or "").strip()
        if value:
            try:
                value = period_parse(value).key
            except ValidationFailed as error:
                raise forms.ValidationError(error.message) from None
        return value


class PublishForm(StyledForm):
    kind = forms.ChoiceField(label=_("周期"), choices=PeriodKind.choices, initial=PeriodKind.MONTH)
    period = forms.CharField(
        label=_("统计周期"),
        max_length=16,
        help_text=_("如 2026-11-28（日）、2026-W48（周）、2026-11（月）、2026-Q4（季度）、2026（年）"),
    )
    area = forms.ChoiceField(label=_("范围"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = period_current(PeriodKind.MONTH).previous().key
        areas = (
            Area.objects.visible_to(user)
            .current()
            .filter(level__in=PUBLISH_LEVELS)
            .order_by("code")
            .values_list("code", "name", "level")[:AREA_CHOICES_MAX]
        )
        labels = dict(AreaLevel.choices)
        indent = "\u3000"  # one full-width space per level below the district
        choice_field(self, "area").choices = [
            (code, f"{indent * (len(code) // 3 - 2)}{name}（{labels.get(level, level)}）")
            for code, name, level in areas
        ]

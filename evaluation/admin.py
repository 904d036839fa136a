"""Scoring schemes and area classes, edited by administrators. A scheme is saved only when it keeps the rules of
``evaluation.schemes.scheme_problems``, each breach shown on its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from evaluation.models import AreaClass, ScoringScheme
from evaluation.schemes import scheme_problems


class ScoringSchemeForm(forms.ModelForm):
    class Meta:
        model = ScoringScheme
        fields = ["position", "area_class", "effective_from", "weights", "quotas", "bands", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problems = scheme_problems(
            data.get("position", ""), data.get("weights"), data.get("quotas") or {}, data.get("bands")
        )
        for problem in problems:
            self.add_error(problem["field"] if problem["field"] in self.fields else None, problem["message"])
        return data


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    form = ScoringSchemeForm
    list_display = ["position", "area_class", "effective_from", "note"]
    list_filter = ["position", "area_class"]
    search_fields = ["area_class", "note"]
    date_hierarchy = "effective_from"


@admin.register(AreaClass)
class AreaClassAdmin(admin.ModelAdmin):
    list_display = ["area", "area_class"]
    list_select_related = ["area"]
    search_fields = ["area__name", "area__code", "area_class"]
    autocomplete_fields = ["area"]

"""Typed access to a form's fields, for forms that fill choices or querysets per request; Bootstrap's classes on
every widget (:class:`StyledForm`)."""

from __future__ import annotations

from typing import Any

from django import forms


def widget_class(widget: forms.Widget) -> str:
    """Bootstrap's class for a widget: a check box, a select (a searchable picker when multiple, see
    web/static/web/pickers.js), or a text-like control."""
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, and whose fields with errors are marked invalid (with
    ``aria-describedby`` naming the box of their messages, ``<id>-errors`` in the templates)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            wanted = widget_class(widget)
            classes = widget.attrs.get("class", "").split()
            widget.attrs["class"] = " ".join([*classes, wanted] if wanted not in classes else classes)
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs["data-picker"] = ""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = " ".join(dict.fromkeys([*widget.attrs.get("class", "").split(), "is-invalid"]))
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-errors"


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field

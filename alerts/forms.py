"""Forms of the alert pages: they parse single fields; the services check permission, scope and state."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.services import NOTE_MAX
from gridgov.forms import StyledForm


class AcknowledgeForm(StyledForm):
    note = forms.CharField(
        label=_("处理说明"),
        max_length=NOTE_MAX,
        error_messages={"required": _("请填写处理说明")},
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("核实情况、已采取的措施")}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)

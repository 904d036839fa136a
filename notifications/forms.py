from __future__ import annotations

from typing import Any

from django import forms

from notifications.choices import CHANNEL_LABELS, NoticeKind


class ChannelChoicesForm(forms.Form):
    """One row of channels per kind of message: the channels ticked stay on (in-app messages always are)."""

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(name, CHANNEL_LABELS.get(name, name)) for name in channels]
        for kind in NoticeKind:
            self.fields[kind.value] = forms.MultipleChoiceField(
                label=kind.label,
                choices=options,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

    def chosen(self) -> dict[str, set[str]]:
        return {kind: set(self.cleaned_data.get(kind) or []) for kind in NoticeKind.values}

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import PhotosField
from cases.models import Category
from cases.photos import CheckedPhoto
from cases.selectors import public_categories
from gridgov.forms import model_choice_field
from registry.selectors import addresses_search

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


class PublicCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        parent = obj.parent.name if obj.parent else ""
        return f"{parent} · {obj.name}"


class PublicReportForm(forms.Form):
    category = PublicCategoryField(label=_("问题类型"), queryset=Category.objects.none(), empty_label=_("请选择"))
    description = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
    )
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    address = forms.CharField(label=_("地址（不便定位时填写）"), max_length=200, required=False)
    photos = PhotosField(label=_("现场照片（最多 5 张）"))
    phone = forms.CharField(label=_("手机号（选填，用于接收办理进展）"), max_length=20, required=False)
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = public_categories()

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"]
        if not SUBMISSION_KEY.match(key):
            raise forms.ValidationError(_("表单已失效，请刷新页面后重新提交"))
        return key

    def clean_photos(self) -> list[CheckedPhoto]:
        photos = self.cleaned_data["photos"]
        if len(photos) > 5:
            raise forms.ValidationError(_("最多上传 5 张照片"))
        return photos

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("website"):
            raise forms.ValidationError(_("提交失败，请重试"))
        has_point = data.get("longitude") is not None and data.get("latitude") is not None
        if not has_point and not data.get("address"):
            raise forms.ValidationError(_("请在地图上选择位置，或填写地址"))
        if not has_point and data.get("address"):
            hits = addresses_search(data["address"], limit=1)
            if not hits:
                self.add_error("address", _("找不到这个地址，请在地图上选择位置"))
            else:
                data["longitude"], data["latitude"] = hits[0].longitude, hits[0].latitude
        if data.get("phone") and not data.get("code"):
            self.add_error("code", _("留了手机号时请填写短信验证码"))
        return data


class SupportForm(forms.Form):
    """附议 ("me too") on a known open problem."""

    description = forms.CharField(label=_("补充说明（选填）"), max_length=2000, required=False)
    phone = forms.CharField(label=_("手机号（选填）"), max_length=20, required=False)
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput)
    clean_submission_key = PublicReportForm.clean_submission_key


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对办理结果满意吗"),
        choices=[("satisfied", _("满意")), ("basically_satisfied", _("基本满意")), ("unsatisfied", _("不满意"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

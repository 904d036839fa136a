from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import Rating
from cases.models import Category
from hotline.choices import CallOutcome, RequestType
from hotline.models import KnowledgeArticle


class TicketForm(forms.Form):
    caller_phone = forms.CharField(label=_("来电号码"), max_length=20)
    caller_name = forms.CharField(label=_("来电人"), max_length=64, required=False)
    request_type = forms.ChoiceField(
        label=_("诉求类型"), choices=RequestType.choices, widget=forms.RadioSelect, initial=RequestType.HELP
    )
    urgent = forms.BooleanField(label=_("紧急（当日办结）"), required=False)
    content = forms.CharField(label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent"),
        required=False,
    )
    article = forms.ModelChoiceField(
        queryset=KnowledgeArticle.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )
    answer = forms.CharField(
        label=_("答复内容（咨询即时答复）"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    area = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    approximate = forms.BooleanField(widget=forms.HiddenInput, required=False)
    suggested_category = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), max_length=500)


class CallbackForm(forms.Form):
    outcome = forms.ChoiceField(label=_("回访结果"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    rating = forms.ChoiceField(label=_("评价"), choices=[("", "—"), *Rating.choices], required=False)
    note = forms.CharField(
        label=_("回访记录"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ArticleForm(forms.ModelForm):
    class Meta:
        model = KnowledgeArticle
        fields = ["title", "question", "answer", "keywords", "department", "is_active"]
        widgets: dict[str, Any] = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }

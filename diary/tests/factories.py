"""Factories for diary entries in the test world (grids A, B, C of ``gridgov.testing``)."""

from __future__ import annotations

import datetime as dt

import factory

from diary.choices import EntryKind
from diary.models import DiaryComment, DiaryEntry


class DiaryEntryFactory(factory.django.DjangoModelFactory[DiaryEntry]):
    class Meta:
        model = DiaryEntry

    day = dt.date(2026, 3, 10)
    kind = EntryKind.OTHER
    title = factory.Sequence(lambda n: f"入户了解情况{n}")
    content = "了解居民近况"
    summary = ""


class DiaryCommentFactory(factory.django.DjangoModelFactory[DiaryComment]):
    class Meta:
        model = DiaryComment

    text = "记录详实，继续跟进"

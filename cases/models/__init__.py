"""Cases: categories, reports, the case workflow and its configuration."""

from cases.models.cases import (
    Case,
    CaseAssignment,
    CaseCounter,
    CaseEvent,
    CasePhoto,
    CaseQuerySet,
    CaseRequest,
    Report,
    Summons,
)
from cases.models.categories import Category, CategoryQuerySet
from cases.models.config import CalendarDay, DispatchRule, WorkingHours
from cases.models.lists import SavedFilter
from cases.models.uploads import PhotoUpload

__all__ = [
    "CalendarDay",
    "Case",
    "CaseAssignment",
    "CaseCounter",
    "CaseEvent",
    "CasePhoto",
    "CaseQuerySet",
    "CaseRequest",
    "Category",
    "CategoryQuerySet",
    "DispatchRule",
    "PhotoUpload",
    "Report",
    "SavedFilter",
    "Summons",
    "WorkingHours",
]

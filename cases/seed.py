"""Loads the seed categories from ``cases/data/categories.csv`` (idempotent: existing codes are kept)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cases.models import Category

SEED_FILE = Path(__file__).resolve().parent / "data" / "categories.csv"


def categories_seed(category_model: Any) -> int:
    """Create the classes and subclasses that are missing; returns how many were created."""
    created = 0
    # A migration's historical model may predate a column of the file: such a column is left to its default.
    columns = {field.name for field in category_model._meta.get_fields()}
    with SEED_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            parent, was_created = category_model.objects.get_or_create(
                kind=row["kind"], code=row["class_code"], defaults={"name": row["class_name"]}
            )
            created += was_created
            _child, was_created = category_model.objects.get_or_create(
                kind=row["kind"],
                code=row["sub_code"],
                defaults={
                    "name": row["sub_name"],
                    "parent": parent,
                    "handle_limit": int(row["handle_limit"]),
                    "limit_unit": row["limit_unit"],
                    "urgent": row["urgent"] == "yes",
                    "source_of_limit": row["source_of_limit"],
                    **({"check_by_rule": row["check_by_rule"] == "yes"} if "check_by_rule" in columns else {}),
                },
            )
            created += was_created
    return created


# The usual responsible department type per class (administrators change it per category).
DEPARTMENT_KIND_OF_CLASS = {
    ("event", "01"): "sanitation",
    ("event", "02"): "enforcement",
    ("event", "03"): "housing",
    ("event", "04"): "municipal",
    ("event", "05"): "enforcement",
    ("component", "01"): "municipal",
    ("component", "02"): "municipal",
    ("component", "03"): "sanitation",
    ("component", "04"): "landscaping",
    ("component", "05"): "housing",
    ("component", "06"): "other",
    ("governance", "G1"): "community_committee",
    ("governance", "G2"): "police",
    ("governance", "G3"): "street_office",
    ("governance", "G4"): "civil_affairs",
    ("governance", "G5"): "community_committee",
    ("governance", "G6"): "community_committee",
}
FILE_CONDITION = {
    "event": "在责任网格内发现“{name}”问题，位置明确，有现场照片，经核实属实且属于城市管理范围。",
    "component": "“{name}”部件破损、丢失、被占用或功能异常，部件编码或位置明确，有现场照片。",
    "governance": "辖区内发生“{name}”事项，当事人或地点明确，经网格员核实属实。",
}
CLOSE_CONDITION = {
    "event": "“{name}”问题已按要求处置完毕，核查照片与处置前对比可见整改到位。",
    "component": "“{name}”部件已修复、补齐或清除占用，恢复完好可用，核查照片清晰。",
    "governance": "“{name}”事项已化解或办结，当事人或上报人确认，网格员核查属实。",
}


def categories_complete(category_model: Any) -> int:
    """Fill the workflow defaults that are still empty: 立案/结案 conditions, department type, urgent limits."""
    changed = 0
    for category in category_model.objects.filter(parent__isnull=False).select_related("parent"):
        if category.file_condition and category.close_condition and category.department_kind:
            continue
        category.file_condition = category.file_condition or FILE_CONDITION[category.kind].format(name=category.name)
        category.close_condition = category.close_condition or CLOSE_CONDITION[category.kind].format(name=category.name)
        category.department_kind = category.department_kind or DEPARTMENT_KIND_OF_CLASS.get(
            (category.kind, category.parent.code), "other"
        )
        if category.urgent:
            category.default_priority = "urgent"
            category.intake_minutes = category.dispatch_minutes = 10
            category.verify_minutes = category.check_minutes = 30
        category.save()
        changed += 1
    return changed


# Classes taken only by phone or in person, never offered to or listed for the public.
PRIVATE_CLASSES = ("G1", "G2", "G6")  # 矛盾纠纷, 治安隐患, 八必报


def categories_private(category_model: Any) -> int:
    classes = category_model.objects.filter(kind="governance", code__in=PRIVATE_CLASSES)
    return classes.update(is_public=False) + category_model.objects.filter(parent__in=classes).update(is_public=False)


def categories_ensure() -> None:
    """The seeded categories, when a test flushed the database (the migrations' data is gone then)."""
    if not Category.objects.exists():
        categories_seed(Category)
        categories_complete(Category)
        categories_private(Category)

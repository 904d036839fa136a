"""Loads the seed categories from ``cases/data/categories.csv`` (idempotent: existing codes are kept)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

SEED_FILE = Path(__file__).resolve().parent / "data" / "categories.csv"


def categories_seed(category_model: Any) -> int:
    """Create the classes and subclasses that are missing; returns how many were created."""
    created = 0
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
                },
            )
            created += was_created
    return created

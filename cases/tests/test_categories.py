import csv

from cases.models import Category
from cases.seed import SEED_FILE, categories_seed


def test_the_seed_categories_are_loaded_once(db):
    with SEED_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    subclasses = Category.objects.filter(parent__isnull=False)
    assert subclasses.count() == len(rows)
    manhole = Category.objects.get(kind="component", code="0101")
    assert (manhole.name, manhole.parent.name, manhole.urgent) == ("上水井盖", "公用设施", True)
    assert categories_seed(Category) == 0  # idempotent

"""The default daily targets of the field roles (监督员 8 h, 网格员 2 h), editable in the admin afterwards."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULTS = [
    ("supervisor", 480, "points"),
    ("grid_worker", 120, "buildings"),
]


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    RoleTarget = apps.get_model("fieldwork", "RoleTarget")
    for role, minutes, basis in DEFAULTS:
        RoleTarget.objects.get_or_create(role=role, defaults={"minutes_per_day": minutes, "coverage_basis": basis})


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("fieldwork", "RoleTarget").objects.filter(role__in=[role for role, _m, _b in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

"""The default visit plans (六必访 groups, 重点人员 by category, floating residents)."""

from django.db import migrations

from visits.plans import visit_plans_seed


def seed(apps, schema_editor):
    visit_plans_seed(apps.get_model("visits", "VisitPlan"))


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

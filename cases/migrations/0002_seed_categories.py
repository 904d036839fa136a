from django.db import migrations


def seed(apps, schema_editor):
    from cases.seed import categories_seed

    categories_seed(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

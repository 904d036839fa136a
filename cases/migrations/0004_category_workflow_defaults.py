from django.db import migrations


def complete(apps, schema_editor):
    from cases.seed import categories_complete

    categories_complete(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_workflow")]

    operations = [migrations.RunPython(complete, migrations.RunPython.noop)]

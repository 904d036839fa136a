from django.db import migrations


def forwards(apps, schema_editor):
    from registry.changes import building_facts_ensure

    building_facts_ensure(apps.get_model("registry", "BuildingFact"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_person_deceased_on")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

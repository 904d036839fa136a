"""Code hashes were unkeyed SHA-256 over the phone's lookup hash (stored beside them) and the code, so a reader of
the table could try the million codes. Clear them: no stored hash matches any more, and new codes are HMACs."""

from django.db import migrations


def spend(apps, schema_editor):
    apps.get_model("portal", "OneTimeCode").objects.update(code_hash="")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(spend, migrations.RunPython.noop)]

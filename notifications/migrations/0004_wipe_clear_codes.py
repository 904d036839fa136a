"""One-time codes were kept in clear in the outbox (title and data): mask them, and give up the rows not yet sent
(a code lives minutes; the resident asks for a new one)."""

import re

from django.db import migrations
from django.db.models import Q

MASK = "******"
DIGITS = re.compile(r"\d{4,8}")


def wipe(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    codes = Delivery.objects.filter(Q(template="verification_code") | Q(cause__startswith="portal_code:"))
    for row in codes.iterator():
        row.title = DIGITS.sub(MASK, row.title)
        row.body = DIGITS.sub(MASK, row.body)
        row.data = {key: MASK for key in (row.data or {})}
        row.secret = ""
        fields = ["title", "body", "data", "secret"]
        if row.status in ("pending", "sending"):
            row.status, row.next_attempt_at, row.last_error = "failed", None, "code wiped: it was stored in clear"
            fields += ["status", "next_attempt_at", "last_error"]
        row.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_delivery_secret")]

    operations = [migrations.RunPython(wipe, migrations.RunPython.noop)]

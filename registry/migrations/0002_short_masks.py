"""Recompute every stored mask of a phone or ID number with the short masks of docs/privacy.md (ID number: region
and check character; mobile: first 3 and last 2 digits), and take clear values out of the audit trail.

Masks are recomputed from the decrypted value; where that is not possible (history rows keep only the old mask,
or a row's key is no longer configured) the old mask is masked again, which gives the same result because the
new masks keep a subset of the characters the old ones kept. Rows are read and written in batches of 2,000, so
the migration runs in bounded memory on a district's 66,000 residents.

Audit rows: a searched phone or ID number in ``detail.query`` becomes its keyed hash and its mask, and ``path``
loses its query string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from django.db import connection, migrations

from gridgov import crypto

BATCH = 2000
NUMBER_LIKE = re.compile(r"^\d{6,17}[\dXx]$")
SECRET_KEYS = {"id_number": crypto.mask_id_number, "phone": crypto.mask_phone, "responsible_phone": crypto.mask_phone}


def _batches(model, **filters) -> Iterator[list]:  # type: ignore[no-untyped-def]
    last = 0
    while True:
        rows = list(model.objects.filter(pk__gt=last, **filters).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _save(model, rows: list, fields: list[str]) -> None:  # type: ignore[no-untyped-def]
    """One parametrised UPDATE per row through ``executemany`` (Django's bulk_update spends minutes building its
    CASE expressions for 66,000 rows)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    values = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _clear(stored: str) -> str | None:
    try:
        return crypto.decrypt(stored)
    except Exception:  # a key no longer configured, a damaged value: fall back to the old mask
        return None


def _recompute(apps, label: str, pairs: tuple[tuple[str, str, Callable[[str], str]], ...], **filters: object) -> None:  # type: ignore[no-untyped-def]
    model = apps.get_model(label)
    fields = [masked for _encrypted, masked, _mask in pairs]
    for rows in _batches(model, **filters):
        for row in rows:
            for encrypted, masked, mask in pairs:
                clear = _clear(getattr(row, encrypted))
                old = getattr(row, masked)
                setattr(row, masked, mask(clear) if clear else mask(old) if old else old)
        _save(model, rows, fields)


def _delivery_mask(address: str) -> str:
    return crypto.mask_phone(address) if address.isdigit() else address


def _deliveries(apps) -> None:  # type: ignore[no-untyped-def]
    model = apps.get_model("notifications.Delivery")
    for rows in _batches(model):
        changed = []
        for row in rows:
            if row.channel == "inapp":
                continue
            clear = _clear(row.address)
            if clear and clear.isdigit():
                row.address_masked = crypto.mask_phone(clear)
                changed.append(row)
            elif clear is None and "*" in row.address_masked and "@" not in row.address_masked:
                row.address_masked = crypto.mask_phone(row.address_masked)
                changed.append(row)
        _save(model, changed, ["address_masked"])


def _value_safe(value: object) -> object:
    if not isinstance(value, str):
        return value
    compact = value.replace(" ", "")
    if not NUMBER_LIKE.match(compact):
        return value
    masked = crypto.mask_id_number(compact) if len(compact) == 18 else crypto.mask_phone(compact)
    return {"hash": crypto.lookup_hash(compact), "masked": masked}


def _audit(apps) -> None:  # type: ignore[no-untyped-def]
    model = apps.get_model("audit.AuditEntry")
    for rows in _batches(model):
        changed = []
        for row in rows:
            before = (dict(row.changes), dict(row.detail), row.path)
            for key, mask in SECRET_KEYS.items():
                if key in row.changes and isinstance(row.changes[key], list):
                    row.changes[key] = [
                        mask(value) if isinstance(value, str) and value else value for value in row.changes[key]
                    ]
            query = row.detail.get("query") if isinstance(row.detail, dict) else None
            if isinstance(query, dict):
                row.detail["query"] = {key: _value_safe(value) for key, value in query.items()}
            row.path = row.path.split("?", 1)[0]
            if (row.changes, row.detail, row.path) != before:
                changed.append(row)
        _save(model, changed, ["changes", "detail", "path"])


def forwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _recompute(
        apps,
        "registry.Person",
        (
            ("id_number_encrypted", "id_number_masked", crypto.mask_id_number),
            ("phone_encrypted", "phone_masked", crypto.mask_phone),
        ),
    )
    _recompute(
        apps, "registry.Place", (("responsible_phone_encrypted", "responsible_phone_masked", crypto.mask_phone),)
    )
    _recompute(apps, "cases.Report", (("reporter_phone", "reporter_phone_masked", crypto.mask_phone),))
    _recompute(apps, "hotline.Ticket", (("caller_phone", "caller_phone_masked", crypto.mask_phone),))
    _deliveries(apps)
    _audit(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("audit", "0002_security_alert"),
        ("cases", "0005_public_channels"),
        ("hotline", "0001_initial"),
        ("notifications", "0002_delivery"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

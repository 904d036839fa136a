"""Changes to the registry proposed from the field (八必报, the building head's 10+X, visits), confirmed before
they are made.

``change_propose`` records the facts and, for every field of an existing record the change will write, its value
at that moment (``base``). ``change_fields`` compares base, current and proposed values: a field that changed
since the proposal *and* that the change would set to something else is a conflict. ``change_confirm`` refuses
(409 ``change_conflict``, with both versions) until every conflicting field has a choice, then makes the change
through the registry's services (their scope checks, validation, masking and history apply).

ID numbers and phones among the facts are kept only encrypted (``secret_encrypted``); ``facts`` holds their masked
forms, ``base`` their masked forms and keyed hashes (for comparison).

A pregnancy is not a registry field: confirming it records the note on the change and a line in the person's
history (no tag category exists for it); a hospitalisation likewise, with ``result.visit_proposed`` so the
visit can be planned. A death sets ``Person.deceased_on``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.access import user_scope
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_record
from gridgov import crypto, timesource
from gridgov.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from registry import services
from registry.choices import (
    ChangeKind,
    ChangeSource,
    ChangeStatus,
    FloatingReason,
    PlaceKind,
    ResidencyType,
    Sex,
    TagCategory,
    XItemKind,
)
from registry.models import (
    Building,
    BuildingFact,
    BuildingReport,
    FloatingRegistration,
    House,
    Household,
    Person,
    PersonTag,
    Place,
    RegistryChange,
    Tenancy,
)

#: Facts kept only encrypted; ``facts`` keeps their masked form.
SECRET_FACTS = {"id_number": crypto.mask_id_number, "phone": crypto.mask_phone}

#: Person fields a change may propose, with their labels.
PERSON_FIELDS: dict[str, Any] = {
    "name": _l("姓名"),
    "id_number": _l("证件号码"),
    "phone": _l("联系电话"),
    "hukou_place": _l("户籍地"),
    "work_place": _l("工作单位"),
    "ethnicity": _l("民族"),
    "residency_type": _l("人口类型"),
    "household_status": _l("人户状态"),
    "relation_to_head": _l("与户主关系"),
    "house": _l("现住房屋"),
    "household": _l("户"),
    "deceased_on": _l("死亡日期"),
}
#: The facts a person update may carry (the foreign keys as ``house_id``/``household_id``).
UPDATE_KEYS = {key for key in PERSON_FIELDS if key not in ("house", "household")} | {"house_id", "household_id"}

#: The model field behind a fact, for its label and the labels of its choices.
_FACT_MODEL_FIELDS: dict[str, Any] = {
    **dict.fromkeys(("name", "sex", "birth_date", "ethnicity", "hukou_place", "work_place"), Person),
    **dict.fromkeys(("residency_type", "household_status", "relation_to_head", "deceased_on"), Person),
    **dict.fromkeys(("arrival_date", "expected_until", "reason", "origin_place"), FloatingRegistration),
    **dict.fromkeys(("contract_start", "contract_end"), Tenancy),
}
#: The label of every fact a change may carry (unknown keys are shown by their key).
FACT_LABELS: dict[str, Any] = {
    **PERSON_FIELDS,
    **{name: model._meta.get_field(name).verbose_name for name, model in _FACT_MODEL_FIELDS.items()},
    "landlord_id": Tenancy._meta.get_field("landlord").verbose_name,
    "day": _l("日期"),
    "hospital": _l("医院"),
    "note": _l("备注"),
}
#: Facts that are dates (shown as dates).
DATE_FACTS = {"day", "birth_date", "deceased_on", "arrival_date", "expected_until", "contract_start", "contract_end"}
#: Facts not shown among the change's facts (the house and the person are shown apart).
HIDDEN_FACTS = {"house_id", "household_id", "person_id"}


def fact_shown(key: str, value: Any) -> Any:
    """A fact's value as shown: a choice by its label, a date as a date, an ID number or phone masked."""
    if value in (None, ""):
        return ""
    if key in SECRET_FACTS:
        return SECRET_FACTS[key](str(value))
    if key in DATE_FACTS and not isinstance(value, dt.date):
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return value
    model = _FACT_MODEL_FIELDS.get(key)
    if model is not None:
        choices = dict(model._meta.get_field(key).flatchoices)
        if choices:
            return choices.get(value, value)
    return value


@dataclass
class FactRow:
    key: str
    label: str
    value: Any

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, dt.date)


def change_fact_rows(change: RegistryChange, user: Any = None) -> list[FactRow]:
    """The change's facts as labelled rows; a note equal to the change's note and the name of the person the change
    is about are shown once (as the note, as the person)."""
    rows = []
    note = change.note.strip()
    for key, value in change.facts.items():
        if key in HIDDEN_FACTS or value in (None, ""):
            continue
        if key == "note" and note and str(value).strip() == note[:200].strip():
            continue
        if key == "name" and change.person is not None and str(value).strip() == change.person.name:
            continue
        label = FACT_LABELS.get(key, key)
        if key == "day" and change.kind == ChangeKind.DIED:
            label = PERSON_FIELDS["deceased_on"]
        shown = fact_shown(key, value)
        if key == "landlord_id":
            landlord_pk = _int(value)
            landlords = Person.objects.visible_to(user) if user is not None and landlord_pk else Person.objects.none()
            shown = landlords.filter(pk=landlord_pk or 0).values_list("name", flat=True).first() or "—"
        rows.append(FactRow(key=key, label=str(label), value=shown))
    return rows


def today() -> dt.date:
    return timezone.localdate(timesource.now())


# ── Facts and secrets ───────────────────────────────────────────────────────────────────────────────────────────


def _clean_facts(facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The facts with ID numbers and phones masked, and those values apart (to be encrypted)."""
    public: dict[str, Any] = {}
    secret: dict[str, str] = {}
    for key, value in facts.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        if key in SECRET_FACTS:
            text = str(value or "").strip().upper() if key == "id_number" else str(value or "").strip()
            if text:
                secret[key] = text
                public[key] = SECRET_FACTS[key](text)
            continue
        public[key] = value
    return public, secret


def change_secrets(change: RegistryChange) -> dict[str, str]:
    """The clear ID number and phone among the change's facts (only for applying the change)."""
    if not change.secret_encrypted:
        return {}
    return json.loads(crypto.decrypt(change.secret_encrypted))


def _merge_facts(change: RegistryChange, facts: Mapping[str, Any]) -> None:
    public, secret = _clean_facts(facts)
    change.facts = {**change.facts, **public}
    if secret:
        change.secret_encrypted = crypto.encrypt(json.dumps({**change_secrets(change), **secret}))


def _date(value: Any, field_name: str, problems: Problems, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            problems.add(field_name, _("请填写日期"))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(field_name, _("日期“%(value)s”格式不对（应为 YYYY-MM-DD）") % {"value": value})
        return None


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ── What a change writes: base, current and proposed values ───────────────────────────────────────────────────


def _shown_of(person: Person, name: str) -> tuple[Any, Any]:
    """(value compared, value shown) of a person's field now."""
    if name == "house":
        return person.house_id, person.house.address if person.house_id and person.house else ""
    if name == "household":
        return person.household_id, str(person.household_id or "")
    if name == "id_number":
        return person.id_number_hash, person.id_number_masked
    if name == "phone":
        return person.phone_hash, person.phone_masked
    value = getattr(person, name)
    if isinstance(value, dt.date):
        value = value.isoformat()
    return value, value


def _proposed_of(change: RegistryChange, secrets: Mapping[str, str] | None = None) -> dict[str, tuple[Any, Any]]:
    """The person fields the change would write: ``{field: (value compared, value shown)}`` (existing person)."""
    facts = change.facts
    proposed: dict[str, tuple[Any, Any]] = {}
    if change.person_id is None:
        return proposed
    if change.kind == ChangeKind.PERSON_UPDATE:
        secrets = change_secrets(change) if secrets is None else secrets
        for key in UPDATE_KEYS & set(facts):
            if key in SECRET_FACTS:
                clear = secrets.get(key, "")
                proposed[key] = (crypto.lookup_hash(clear) if clear else "", facts[key])
            elif key == "house_id":
                proposed["house"] = _house_value(facts[key])
            elif key == "household_id":
                proposed["household"] = (_int(facts[key]), str(facts[key] or ""))
            else:
                proposed[key] = (facts[key], facts[key])
    elif change.kind in (ChangeKind.MOVED_IN, ChangeKind.FLOATING_ARRIVAL):
        house_id = _int(facts.get("house_id")) or change.house_id
        proposed["house"] = _house_value(house_id)
        if change.kind == ChangeKind.FLOATING_ARRIVAL:
            proposed["residency_type"] = (ResidencyType.FLOATING.value, ResidencyType.FLOATING.value)
    elif change.kind == ChangeKind.RENTED_OUT:
        house_id = _int(facts.get("house_id")) or change.house_id
        proposed["house"] = _house_value(house_id)
    elif change.kind == ChangeKind.MOVED_OUT:
        proposed["house"] = (None, "")
        proposed["household"] = (None, "")
    elif change.kind == ChangeKind.DIED:
        day = facts.get("day") or facts.get("deceased_on") or ""
        proposed["deceased_on"] = (day or None, day)
    return proposed


def _house_value(house_id: Any) -> tuple[Any, Any]:
    pk = _int(house_id)
    address = House.objects.filter(pk=pk).values_list("address", flat=True).first() if pk else None
    return pk, address or ""


def _base_of(change: RegistryChange, secrets: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    if change.person is None:
        return {}
    base = {}
    for name in _proposed_of(change, secrets):
        value, shown = _shown_of(change.person, name)
        base[name] = {"value": value, "shown": shown}
    return base


@dataclass
class FieldState:
    name: str
    label: str
    base: Any
    current: Any
    proposed: Any
    conflict: bool
    changed: bool = field(default=False)  # the proposal differs from the current value

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "base": self.base,
            "current": self.current,
            "proposed": self.proposed,
            "conflict": self.conflict,
        }


def change_fields(change: RegistryChange, person: Person | None = None) -> list[FieldState]:
    """Per field the change writes: its value when proposed, now, and proposed; a conflict when the value changed
    since the proposal and the proposal would set something else."""
    person = person or change.person
    if person is None:
        return []
    rows = []
    for name, (value, shown) in _proposed_of(change).items():
        base = change.base.get(name)
        now_value, now_shown = _shown_of(person, name)
        moved = base is not None and base.get("value") != now_value
        differs = value != now_value
        rows.append(
            FieldState(
                name=name,
                label=str(PERSON_FIELDS.get(name, name)),
                base=base.get("shown") if base else None,
                current=now_shown,
                proposed=shown,
                conflict=bool(moved and differs),
                changed=differs,
            )
        )
    return rows


def change_fields_shown(change: RegistryChange) -> list[FieldState]:
    """:func:`change_fields` with the values as shown on a page (choices by label, dates as dates, masked)."""
    return [
        replace(
            row,
            base=fact_shown(row.name, row.base),
            current=fact_shown(row.name, row.current),
            proposed=fact_shown(row.name, row.proposed),
        )
        for row in change_fields(change)
    ]


# ── Propose, confirm, reject ────────────────────────────────────────────────────────────────────────────────


def _check_kind_facts(kind: str, facts: Mapping[str, Any], person: Person | None, house: House | None) -> None:
    problems = Problems()
    if kind not in ChangeKind.values:
        problems.add("kind", _("未知的变动类型“%(kind)s”") % {"kind": kind})
    needs_person = {ChangeKind.MOVED_OUT, ChangeKind.DIED, ChangeKind.PERSON_UPDATE}
    if kind in needs_person and person is None:
        problems.add("person_id", _("请指明人员"))
    if kind in (ChangeKind.PREGNANCY, ChangeKind.HOSPITALIZED) and person is None and not facts.get("name"):
        problems.add("name", _("请指明人员或填写姓名"))
    new_person = kind in (ChangeKind.BORN, ChangeKind.MOVED_IN, ChangeKind.FLOATING_ARRIVAL) and person is None
    if new_person and not str(facts.get("name") or "").strip():
        problems.add("name", _("缺少姓名"))
    housed = (ChangeKind.BORN, ChangeKind.MOVED_IN, ChangeKind.FLOATING_ARRIVAL, ChangeKind.RENTED_OUT)
    if kind in housed and house is None:
        problems.add("house_id", _("请指明房屋"))
    if kind == ChangeKind.PERSON_UPDATE and not (UPDATE_KEYS & set(facts)):
        problems.add("facts", _("没有要变更的内容"))
    if kind == ChangeKind.PERSON_UPDATE and set(facts) & {"house", "household"}:
        problems.add("facts", _("房屋和户请用 house_id、household_id"))
    for key in ("day", "arrival_date", "contract_start", "contract_end", "birth_date", "deceased_on"):
        if facts.get(key) not in (None, ""):
            _date(facts[key], key, problems)
    problems.raise_if_any()


def change_propose(
    origin: Origin,
    kind: str,
    source: str,
    grid: Area,
    facts: Mapping[str, Any],
    *,
    person: Person | None = None,
    house: House | None = None,
    household: Household | None = None,
    building_report: BuildingReport | None = None,
    note: str = "",
) -> RegistryChange:
    """A pending change with its facts (ID numbers and phones encrypted) and the base values of what it writes."""
    facts = dict(facts)
    if house is not None:
        facts.setdefault("house_id", house.pk)
    if household is not None:
        facts.setdefault("household_id", household.pk)
    _check_kind_facts(kind, facts, person, house)
    if origin.actor is not None and not user_scope(origin.actor).covers(grid.code):
        raise NotFound(_("网格不存在或不在您的管辖范围内"), code="grid_not_found")
    public, secret = _clean_facts(facts)
    change = RegistryChange(
        kind=kind,
        source=source if source in ChangeSource.values else ChangeSource.OTHER,
        grid=grid,
        person=person,
        house=house,
        household=household,
        building_report=building_report,
        facts=public,
        secret_encrypted=crypto.encrypt(json.dumps(secret)) if secret else "",
        note=note[:500],
        proposer=origin.actor,
    )
    change.base = _base_of(change, secret)
    with transaction.atomic():
        change.save()
        audit_record(
            origin,
            AuditAction.CREATE,
            change,
            area_code=grid.code,
            changes={"kind": [None, kind], "facts": [None, public]},
        )
    return change


def _conflict_error(conflicts: list[FieldState]) -> Conflict:
    details = [
        {
            "field": row.name,
            "message": _("%(label)s：提出时“%(base)s”，现为“%(current)s”，提议“%(proposed)s”")
            % {
                "label": row.label,
                "base": row.base or "—",
                "current": row.current or "—",
                "proposed": row.proposed or "—",
            },
        }
        for row in conflicts
    ]
    return Conflict(_("登记信息在提出变动后已被修改，请逐项选择保留哪个版本"), code="change_conflict", details=details)


@transaction.atomic
def change_confirm(
    origin: Origin,
    change: RegistryChange,
    choices: Mapping[str, str] | None = None,
    facts: Mapping[str, Any] | None = None,
    note: str = "",
) -> RegistryChange:
    """Make the change through the registry's services, under a row lock. A conflicting field needs a choice
    (``proposed`` or ``current``); a field kept ``current`` is not written."""
    if not origin.actor.has_perm("registry.confirm_registrychange"):
        raise PermissionDenied(_("您的角色不能确认基础信息变动"), code="forbidden")
    locked = RegistryChange.objects.select_for_update().select_related("grid").get(pk=change.pk)
    if locked.status != ChangeStatus.PENDING:
        raise Conflict(_("该变动已处理"), code="change_decided")
    choices = dict(choices or {})
    bad = {value for value in choices.values() if value not in ("proposed", "current")}
    if bad:
        raise ValidationFailed(_("选择应为 proposed 或 current"), code="bad_choice")
    if facts:
        _merge_facts(locked, facts)
    person = Person.objects.select_for_update().get(pk=locked.person_id) if locked.person_id else None
    rows = change_fields(locked, person)
    missing = [row for row in rows if row.conflict and row.name not in choices]
    if missing:
        raise _conflict_error(missing)
    keep_current = {name for name, choice in choices.items() if choice == "current"}
    result = _apply(origin, locked, person, keep_current)
    locked.status = ChangeStatus.APPLIED
    locked.decided_by = origin.actor
    locked.decided_at = timesource.now()
    locked.decision_note = note[:500]
    locked.result = result
    locked.save()
    audit_record(
        origin,
        AuditAction.UPDATE,
        locked,
        area_code=locked.grid.code,
        changes={"status": [ChangeStatus.PENDING, ChangeStatus.APPLIED], "result": [None, result]},
    )
    change.refresh_from_db()
    return change


@transaction.atomic
def change_reject(origin: Origin, change: RegistryChange, reason: str) -> RegistryChange:
    if not origin.actor.has_perm("registry.confirm_registrychange"):
        raise PermissionDenied(_("您的角色不能确认基础信息变动"), code="forbidden")
    if not reason.strip():
        raise ValidationFailed(_("请填写驳回理由"), code="reason_required", details=[{"field": "reason"}])
    locked = RegistryChange.objects.select_for_update().select_related("grid").get(pk=change.pk)
    if locked.status != ChangeStatus.PENDING:
        raise Conflict(_("该变动已处理"), code="change_decided")
    locked.status = ChangeStatus.REJECTED
    locked.decided_by = origin.actor
    locked.decided_at = timesource.now()
    locked.decision_note = reason.strip()[:500]
    locked.save()
    audit_record(
        origin,
        AuditAction.UPDATE,
        locked,
        area_code=locked.grid.code,
        changes={"status": [ChangeStatus.PENDING, ChangeStatus.REJECTED], "reason": [None, locked.decision_note]},
    )
    change.refresh_from_db()
    return change


# ── Applying a change through the registry's services ───────────────────────────────────────────────────────


def _house(facts: Mapping[str, Any], change: RegistryChange) -> House | None:
    pk = _int(facts.get("house_id")) or change.house_id
    return House.objects.select_related("grid", "building").filter(pk=pk).first() if pk else None


def _household(facts: Mapping[str, Any], change: RegistryChange) -> Household | None:
    pk = _int(facts.get("household_id")) or change.household_id
    return Household.objects.filter(pk=pk).first() if pk else None


def _new_person_values(facts: Mapping[str, Any], secrets: Mapping[str, str], problems: Problems) -> dict[str, Any]:
    values: dict[str, Any] = {"name": str(facts.get("name") or "").strip()}
    if secrets.get("id_number"):
        values["id_number"] = secrets["id_number"]
    else:
        sex = facts.get("sex")
        if sex not in Sex.values:
            problems.add("sex", _("请填写性别（或身份证号码）"))
        birth = _date(facts.get("birth_date"), "birth_date", problems, required=True)
        values.update(sex=sex, birth_date=birth)
    if secrets.get("phone"):
        values["phone"] = secrets["phone"]
    for key in ("hukou_place", "work_place", "ethnicity", "relation_to_head"):
        if facts.get(key):
            values[key] = facts[key]
    return values


def _person_of(facts: Mapping[str, Any]) -> Person | None:
    pk = _int(facts.get("person_id"))
    return Person.objects.select_for_update().filter(pk=pk).first() if pk else None


def _apply(origin: Origin, change: RegistryChange, person: Person | None, keep: set[str]) -> dict[str, Any]:
    facts = change.facts
    secrets = change_secrets(change)
    kind = change.kind
    problems = Problems()
    result: dict[str, Any] = {}
    if kind == ChangeKind.PERSON_UPDATE:
        assert person is not None
        values: dict[str, Any] = {}
        for key in UPDATE_KEYS & set(facts):
            name = key.removesuffix("_id") if key in ("house_id", "household_id") else key
            if name in keep:
                continue
            if key == "house_id":
                values["house"] = _house(facts, change)
            elif key == "household_id":
                values["household"] = _household(facts, change)
            elif key in SECRET_FACTS:
                values[key] = secrets.get(key, "")
            elif key == "deceased_on":
                values[key] = _date(facts[key], key, problems)
            else:
                values[key] = facts[key]
        problems.raise_if_any()
        services.person_save(origin, values, person)
        result = {"person_id": person.pk, "fields": sorted(values)}
    elif kind in (ChangeKind.MOVED_IN, ChangeKind.BORN):
        house = _house(facts, change)
        household = _household(facts, change)
        if person is not None:
            if "house" not in keep:
                values = {"house": house, "household": household if household else None}
                services.person_save(origin, values, person)
            result = {"person_id": person.pk, "house_id": house.pk if house else None}
        else:
            values = _new_person_values(facts, secrets, problems)
            if kind == ChangeKind.BORN:
                values["birth_date"] = _date(facts.get("birth_date") or facts.get("day"), "birth_date", problems)
                values.setdefault("sex", facts.get("sex"))
                if facts.get("sex") not in Sex.values and "id_number" not in values:
                    problems.add("sex", _("请填写性别"))
            problems.raise_if_any()
            created = services.person_save(origin, {**values, "house": house, "household": household})
            result = {"person_id": created.pk, "house_id": house.pk if house else None, "created": True}
    elif kind == ChangeKind.MOVED_OUT:
        assert person is not None
        if "house" not in keep:
            services.person_save(origin, {"house": None, "household": None, "grid": person.grid}, person)
        result = {"person_id": person.pk, "moved_out": True}
    elif kind == ChangeKind.DIED:
        assert person is not None
        day = _date(facts.get("day") or facts.get("deceased_on"), "day", problems, required=True)
        problems.raise_if_any()
        if "deceased_on" not in keep:
            services.person_save(origin, {"deceased_on": day}, person)
        result = {"person_id": person.pk, "deceased_on": day.isoformat() if day else None}
    elif kind == ChangeKind.FLOATING_ARRIVAL:
        house = _house(facts, change)
        arrival = _date(facts.get("arrival_date") or facts.get("day"), "arrival_date", problems) or today()
        expected = _date(facts.get("expected_until"), "expected_until", problems)
        reason = facts.get("reason") or FloatingReason.OTHER
        if reason not in FloatingReason.values:
            problems.add("reason", _("来本地事由“%(reason)s”不在可选项中") % {"reason": reason})
        if person is None:
            values = _new_person_values(facts, secrets, problems)
            problems.raise_if_any()
            person = services.person_save(origin, {**values, "house": house, "residency_type": ResidencyType.FLOATING})
            result["created"] = True
        problems.raise_if_any()
        assert house is not None
        registration = services.floating_register(
            origin,
            person,
            {
                "house": house,
                "arrival_date": arrival,
                "expected_until": expected,
                "reason": reason,
                "origin_place": str(facts.get("origin_place") or "")[:200],
            },
        )
        result.update(person_id=person.pk, floating_registration_id=registration.pk)
    elif kind == ChangeKind.RENTED_OUT:
        house = _house(facts, change)
        assert house is not None
        start = _date(facts.get("contract_start") or facts.get("day"), "contract_start", problems) or today()
        end = _date(facts.get("contract_end"), "contract_end", problems, required=True)
        landlord_id = _int(facts.get("landlord_id"))
        landlord = Person.objects.visible_to(origin.actor).filter(pk=landlord_id).first() if landlord_id else None
        tenant = person
        if tenant is None:
            values = _new_person_values(facts, secrets, problems)
            problems.raise_if_any()
            tenant = services.person_save(origin, {**values, "grid": house.grid})
            result["created"] = True
        problems.raise_if_any()
        tenancy = services.tenancy_add(
            origin, house, {"tenant": tenant, "landlord": landlord, "contract_start": start, "contract_end": end}
        )
        result.update(person_id=tenant.pk, tenancy_id=tenancy.pk)
    elif kind in (ChangeKind.PREGNANCY, ChangeKind.HOSPITALIZED):
        day = _date(facts.get("day"), "day", problems) or today()
        problems.raise_if_any()
        if person is not None:
            audit_record(
                origin,
                AuditAction.UPDATE,
                person,
                area_code=person.grid.code,
                changes={kind: [None, day.isoformat()]},
            )
        result = {"person_id": person.pk if person else None, "day": day.isoformat(), "note": facts.get("note", "")}
        if kind == ChangeKind.HOSPITALIZED:
            result["visit_proposed"] = True
        else:
            result["follow_up_visit"] = True
    return result


# ── Queries ─────────────────────────────────────────────────────────────────────────────────────────────────


def access_change(user: Any, change_id: int) -> RegistryChange:
    found = (
        RegistryChange.objects.visible_to(user)
        .select_related("grid", "person__house", "house", "household", "proposer", "decided_by", "building_report")
        .filter(pk=change_id)
        .first()
    )
    if found is None:
        raise NotFound(_("变动不存在或不在您的管辖范围内"), code="change_not_found")
    return found


def change_list(user: Any, status: str = "", grid_code: str = "", kind: str = "") -> Any:
    """Changes in scope, pending first, newest first."""
    changes = RegistryChange.objects.visible_to(user).select_related("grid", "person", "house", "proposer")
    if status:
        changes = changes.filter(status=status)
    if grid_code:
        changes = changes.filter(grid__code__startswith=grid_code)
    if kind:
        changes = changes.filter(kind=kind)
    pending_first = Q(status=ChangeStatus.PENDING)
    return changes.annotate(
        pending=Case(When(pending_first, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("pending", "-proposed_at", "-id")


def pending_changes_of(user: Any, person: Person) -> list[RegistryChange]:
    """The pending changes about ``person`` the user may see (none without the right to see changes)."""
    if not user.has_perm("registry.view_registrychange"):
        return []
    pending = RegistryChange.objects.visible_to(user).filter(person=person, status=ChangeStatus.PENDING)
    return list(pending.order_by("-proposed_at", "-id")[:5])


# ── 10+X: the building head's report ────────────────────────────────────────────────────────────────────────

#: The ten facts seeded (key, label, measure).
TEN_FACTS = (
    ("households", "户数", "households"),
    ("registered", "户籍人口", "registered"),
    ("residents", "常住人口", "residents"),
    ("floating", "流动人口", "floating"),
    ("rental_houses", "出租房屋", "rental_houses"),
    ("vacant_houses", "空置房屋", "vacant_houses"),
    ("elderly_alone", "独居老人", "elderly_alone"),
    ("disabled", "残疾人", "disabled"),
    ("low_income", "低保户", "low_income_households"),
    ("shops", "沿街商铺", "shops"),
)


def building_facts_ensure(model: Any = BuildingFact) -> None:
    """The ten facts, when missing (the data migration, and tests that flushed the database)."""
    for order, (key, label, measure) in enumerate(TEN_FACTS, start=1):
        model.objects.get_or_create(key=key, defaults={"label": label, "measure": measure, "order": order})


def building_measures(building: Building) -> dict[str, int]:
    """The registry's counts for a building (the living only), by measure name."""
    living = Person.objects.filter(house__building=building, deceased_on__isnull=True)
    people = living.aggregate(
        residents=Count("pk"),
        registered=Count("pk", filter=Q(residency_type=ResidencyType.REGISTERED)),
        floating=Count("pk", filter=Q(residency_type=ResidencyType.FLOATING)),
    )
    houses = House.objects.filter(building=building).aggregate(
        rental_houses=Count("pk", filter=Q(is_rental=True), distinct=True),
        vacant_houses=Count("pk", filter=~Q(pk__in=living.exclude(house=None).values("house_id")), distinct=True),
    )
    tags = PersonTag.objects.filter(person__in=living.values("pk"), until__isnull=True)
    tag_counts = tags.aggregate(
        elderly_alone=Count("person", filter=Q(category=TagCategory.ELDERLY_ALONE), distinct=True),
        disabled=Count("person", filter=Q(category=TagCategory.DISABLED), distinct=True),
        low_income_households=Count("person__household", filter=Q(category=TagCategory.LOW_INCOME), distinct=True),
    )
    shops = Place.objects.filter(house__building=building, kind=PlaceKind.SHOP).count()
    households = Household.objects.filter(house__building=building).count()
    return {**people, **houses, **tag_counts, "shops": shops, "households": households}


def building_facts() -> list[BuildingFact]:
    return list(BuildingFact.objects.filter(active=True))


def headed_buildings(user: Any) -> Any:
    """The buildings ``user`` heads (within their scope)."""
    return Building.objects.visible_to(user).filter(head=user).select_related("grid").order_by("address")


def access_headed_building(user: Any, building_id: int) -> Building:
    """A building the user heads; any other answers 404."""
    found = headed_buildings(user).filter(pk=building_id).first()
    if found is None:
        raise NotFound(_("楼栋不存在或您不是该楼栋的楼栋长"), code="building_not_found")
    return found


@dataclass
class PopulationChange:
    kind: str
    name: str = ""
    house_id: int | None = None
    person_id: int | None = None
    day: dt.date | None = None
    note: str = ""


@dataclass
class BuildingReportData:
    facts: dict[str, int]
    x_items: list[dict[str, str]] = field(default_factory=list)
    changes: list[PopulationChange] = field(default_factory=list)
    note: str = ""


POPULATION_KINDS = (ChangeKind.MOVED_IN, ChangeKind.MOVED_OUT, ChangeKind.BORN, ChangeKind.DIED, ChangeKind.RENTED_OUT)


def building_report_submit(origin: Origin, building: Building, data: BuildingReportData) -> BuildingReport:
    """A 10+X report: the numbers as reported beside the registry's, the X items, and each population change as a
    pending change (never written blindly). Everything or nothing."""
    problems = Problems()
    facts = building_facts()
    keys = {fact.key for fact in facts}
    for key, value in data.facts.items():
        if key not in keys:
            problems.add(f"facts.{key}", _("未配置的十项信息“%(key)s”") % {"key": key})
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
            problems.add(f"facts.{key}", _("应为 0–100000 的整数"))
    for index, item in enumerate(data.x_items):
        if item.get("kind") not in XItemKind.values:
            problems.add(f"x_items.{index}.kind", _("X项类型应为 request、hazard 或 other"))
        if not str(item.get("text") or "").strip():
            problems.add(f"x_items.{index}.text", _("请填写内容"))
    houses = {house.pk: house for house in building.houses.all()}
    people: dict[int, Person] = {}
    for index, entry in enumerate(data.changes):
        if entry.kind not in POPULATION_KINDS:
            problems.add(f"changes.{index}.kind", _("人口变动类型“%(kind)s”不可用") % {"kind": entry.kind})
            continue
        if entry.house_id is not None and entry.house_id not in houses:
            problems.add(f"changes.{index}.house_id", _("房屋不在本楼栋"))
        if entry.person_id is not None:
            person = Person.objects.filter(pk=entry.person_id, house__building=building).first()
            if person is None:
                problems.add(f"changes.{index}.person_id", _("人员不在本楼栋"))
            else:
                people[entry.person_id] = person
        needs_person = entry.kind in (ChangeKind.MOVED_OUT, ChangeKind.DIED)
        if needs_person and entry.person_id is None and not entry.name.strip():
            problems.add(f"changes.{index}.name", _("请填写姓名"))
        if entry.kind in (ChangeKind.MOVED_IN, ChangeKind.BORN, ChangeKind.RENTED_OUT) and entry.house_id is None:
            problems.add(f"changes.{index}.house_id", _("请选择房屋"))
        if entry.kind in (ChangeKind.MOVED_IN, ChangeKind.BORN) and entry.person_id is None and not entry.name.strip():
            problems.add(f"changes.{index}.name", _("请填写姓名"))
    problems.raise_if_any()
    measures = building_measures(building)
    counts = {fact.key: measures.get(fact.measure) for fact in facts if fact.measure}
    with transaction.atomic():
        report = BuildingReport.objects.create(
            building=building,
            grid=building.grid,
            reporter=origin.actor,
            reported_on=today(),
            facts=dict(data.facts),
            registry_counts=counts,
            x_items=[{"kind": item["kind"], "text": str(item["text"]).strip()[:500]} for item in data.x_items],
            note=data.note[:500],
        )
        audit_record(
            origin, AuditAction.CREATE, report, area_code=building.grid.code, changes={"facts": [None, data.facts]}
        )
        for entry in data.changes:
            person = people.get(entry.person_id) if entry.person_id else None
            if person is None and entry.kind in (ChangeKind.MOVED_OUT, ChangeKind.DIED):
                person = Person.objects.filter(house__building=building, name=entry.name.strip()).first()
            house = houses.get(entry.house_id) if entry.house_id else (person.house if person else None)
            fact_values: dict[str, Any] = {"name": entry.name.strip() or (person.name if person else "")}
            if entry.day:
                fact_values["day"] = entry.day.isoformat()
                if entry.kind == ChangeKind.BORN:
                    fact_values["birth_date"] = entry.day.isoformat()
                if entry.kind == ChangeKind.RENTED_OUT:
                    fact_values["contract_start"] = entry.day.isoformat()
            if entry.note:
                fact_values["note"] = entry.note[:200]
            change_propose(
                origin,
                entry.kind,
                ChangeSource.BUILDING_REPORT,
                building.grid,
                fact_values,
                person=person,
                house=house,
                building_report=report,
                note=entry.note,
            )
    return report


def building_report_differences(report: BuildingReport) -> list[dict[str, Any]]:
    """Reported beside registered, for every configured fact (``differs`` where they disagree)."""
    rows = []
    for fact in building_facts():
        reported = report.facts.get(fact.key)
        registered = report.registry_counts.get(fact.key)
        rows.append(
            {
                "key": fact.key,
                "label": fact.label,
                "reported": reported,
                "registered": registered,
                "differs": reported is not None and registered is not None and reported != registered,
            }
        )
    return rows


def access_building_report(user: Any, report_id: int) -> BuildingReport:
    found = (
        BuildingReport.objects.visible_to(user)
        .select_related("building", "grid", "reporter")
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise NotFound(_("报告不存在或不在您的管辖范围内"), code="building_report_not_found")
    return found


@transaction.atomic
def building_report_reviewed(origin: Origin, report: BuildingReport) -> BuildingReport:
    report.reviewed_by = origin.actor
    report.reviewed_at = timesource.now()
    report.save(update_fields=["reviewed_by", "reviewed_at"])
    audit_record(origin, AuditAction.UPDATE, report, area_code=report.grid.code, changes={"reviewed": [None, True]})
    return report


#: The case category an X hazard becomes: 安全隐患 / 消防隐患 (the dispatcher may recategorise).
HAZARD_CATEGORY = ("governance", "G301")


@transaction.atomic
def building_report_hazard_case(origin: Origin, report: BuildingReport, index: Any) -> Any:
    """Turn an X item into a case report in one step (at the building), keeping the case number on the item."""
    from cases.models import Category
    from cases.services import ReportData, report_submit

    position = _int(index)
    locked = BuildingReport.objects.select_for_update().select_related("building", "grid").get(pk=report.pk)
    if position is None or not 0 <= position < len(locked.x_items):
        raise ValidationFailed(_("X项不存在"), code="x_item_not_found", details=[{"field": "index"}])
    item = dict(locked.x_items[position])
    if item.get("case_number"):
        raise Conflict(_("该X项已转为案件"), code="x_item_reported")
    kind, code = HAZARD_CATEGORY
    category = Category.objects.filter(kind=kind, code=code).first()
    intake = report_submit(
        origin,
        ReportData(
            source="grid_worker",
            description=_("【楼栋长10+X】%(address)s：%(text)s")
            % {"address": locked.building.address, "text": item.get("text", "")},
            longitude=locked.building.lon,
            latitude=locked.building.lat,
            category_id=category.pk if category else None,
        ),
    )
    item["case_number"] = intake.case.number
    items = list(locked.x_items)
    items[position] = item
    locked.x_items = items
    locked.save(update_fields=["x_items"])
    audit_record(origin, AuditAction.UPDATE, locked, area_code=locked.grid.code, changes={"x_items": [None, item]})
    report.x_items = items
    return intake.case

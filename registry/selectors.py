"""Queries of the registry. Every list goes through ``visible_to`` (the access layer); single records are
fetched with ``access_*`` which answers "not found" for records outside the user's scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.access import ScopedQuerySet
from audit.models import AuditEntry
from gridgov import crypto
from gridgov.errors import NotFound
from gridgov.phones import is_phone
from gridgov.queries import prefix_q
from registry.choices import SENSITIVE_TAGS
from registry.models import Building, Component, House, Household, Person, PersonTag, Place


def grid_counts(grid_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Buildings, households and population per grid id, in three grouped queries."""
    ids = list(grid_ids)
    counts: dict[int, dict[str, int]] = {grid_id: {"buildings": 0, "households": 0, "population": 0} for grid_id in ids}
    for model, key in ((Building, "buildings"), (Household, "households"), (Person, "population")):
        rows = model.objects.filter(grid_id__in=ids).values("grid_id").annotate(total=Count("id"))
        for row in rows:
            counts[row["grid_id"]][key] = row["total"]
    return counts


def may_see_sensitive_tags(user: Any) -> bool:
    return user.has_perm("registry.view_sensitive_tags")


def may_reveal(user: Any) -> bool:
    """May see a resident's full ID number, phone and birth date (each reveal is audited)."""
    return bool(user.has_perm("registry.view_person_full_identity"))


# Fields whose history shows only the year to users who may not reveal (the birth date completes an ID number).
YEAR_ONLY_FIELDS = ("birth_date",)


def _year_only(value: Any) -> Any:
    return value[:4] if isinstance(value, str) and len(value) >= 4 else value


def history_shown(entries: Iterable[AuditEntry], user: Any) -> list[AuditEntry]:
    """History rows as ``user`` may read them (``None``: as anyone): without the reveal permission a birth date
    shows its year."""
    rows = list(entries)
    if user is not None and may_reveal(user):
        return rows
    for entry in rows:
        for field in YEAR_ONLY_FIELDS:
            if field in entry.changes:
                entry.changes[field] = [_year_only(value) for value in entry.changes[field]]
    return rows


ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
INITIALS_LIKE = re.compile(r"^[A-Za-z]{1,12}$")


@dataclass
class PersonQuery:
    """Person search: one free text (name prefix, pinyin initials, phone, ID number) plus filters."""

    text: str = ""
    address: str = ""
    tag: str = ""
    residency_type: str = ""
    grid: str = ""

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value}


def query_is_exact(query: PersonQuery) -> bool:
    """The search names one phone or ID number exactly (an answer confirms or refutes a guess)."""
    text = query.text.strip()
    return bool(ID_LIKE.match(text) or is_phone(text))


def person_search(user: Any, query: PersonQuery) -> QuerySet[Person]:
    """People in ``user``'s scope matching ``query``, ordered by name. Phone and ID number match exactly through
    their keyed hashes; a name matches by prefix; Latin letters match pinyin initials."""
    people = Person.objects.visible_to(user)
    text = query.text.strip()
    if ID_LIKE.match(text):
        people = people.filter(id_number_hash=crypto.lookup_hash(text))
    elif is_phone(text):
        people = people.filter(phone_hash=crypto.lookup_hash(text))
    elif INITIALS_LIKE.match(text):
        people = people.filter(prefix_q("name_initials", text.lower()))
    elif text:
        people = people.filter(prefix_q("name", text))
    if query.grid:
        people = people.filter(grid__code__startswith=query.grid)
    if query.residency_type:
        people = people.filter(residency_type=query.residency_type)
    if query.address.strip():
        buildings = Building.objects.visible_to(user).filter(address__contains=query.address.strip())
        people = people.filter(house__building__in=buildings.values("pk"))
    if query.tag:
        if query.tag in SENSITIVE_TAGS and not may_see_sensitive_tags(user):
            return people.none()
        people = people.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), category=query.tag)))
    return people.order_by("name", "pk")


def person_rows(people: QuerySet[Person], user: Any) -> QuerySet[Person]:
    """A page of people ready to render: grid, house and visible tags in a fixed number of queries."""
    tags = PersonTag.objects.visible_categories(user).order_by("category")
    return people.select_related("grid", "house").prefetch_related(Prefetch("tags", queryset=tags))


def access_person(user: Any, person_id: int) -> Person:
    person = (
        Person.objects.visible_to(user)
        .select_related("grid", "house__building", "household__head")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound("人员不存在或不在您的管辖范围内", code="person_not_found")
    return person


def _access(queryset: ScopedQuerySet, user: Any, pk: int, code: str, message: str) -> Any:
    found = queryset.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(message, code=code)
    return found


def access_building(user: Any, building_id: int) -> Building:
    return _access(
        Building.objects.select_related("grid"),
        user,
        building_id,
        "building_not_found",
        "楼栋不存在或不在您的管辖范围内",
    )


def access_house(user: Any, house_id: int) -> House:
    return _access(
        House.objects.select_related("grid", "building"),
        user,
        house_id,
        "house_not_found",
        "房屋不存在或不在您的管辖范围内",
    )


def access_household(user: Any, household_id: int) -> Household:
    return _access(
        Household.objects.select_related("grid", "house__building", "head"),
        user,
        household_id,
        "household_not_found",
        "户不存在或不在您的管辖范围内",
    )


def access_place(user: Any, place_id: int) -> Place:
    return _access(
        Place.objects.select_related("grid", "house"),
        user,
        place_id,
        "place_not_found",
        "场所不存在或不在您的管辖范围内",
    )


def access_component(user: Any, component_id: int) -> Component:
    return _access(
        Component.objects.select_related(
            "grid", "category", "owner_department", "maintainer_department", "authority_department"
        ),
        user,
        component_id,
        "component_not_found",
        "部件不存在或不在您的管辖范围内",
    )


@dataclass
class FloorRow:
    floor: int
    cells: list[list[House]]  # one list of houses per unit


def building_floor_table(building: Building) -> list[FloorRow]:
    """Units as columns and floors as rows (top floor first), each house with its households and heads."""
    houses = list(
        building.houses.prefetch_related(
            Prefetch("households", queryset=Household.objects.select_related("head")),
        ).annotate(resident_count=Count("residents"))
    )
    floors = sorted({house.floor for house in houses} | set(range(1, building.floors + 1)), reverse=True)
    units = max([building.units, *(house.unit for house in houses)]) if houses else building.units
    grid: dict[tuple[int, int], list[House]] = {}
    for house in houses:
        grid.setdefault((house.floor, house.unit), []).append(house)
    return [FloorRow(floor, [grid.get((floor, unit), []) for unit in range(1, units + 1)]) for floor in floors]


def building_of_id(pk: int) -> Building | None:
    """A building by its id, or None. Buildings' addresses and locations are not personal data (no scope)."""
    return Building.objects.filter(pk=pk).first()


def building_at_address(address: str) -> Building | None:
    """The building with exactly this address, else the first (by address) whose address starts with it."""
    return (
        Building.objects.filter(address=address).first()
        or Building.objects.filter(address__startswith=address).order_by("address").first()
    )


@dataclass(frozen=True)
class AddressHit:
    """A place to put a report: a building's address or a public place's name, with its location."""

    kind: str  # "building" | "place"
    pk: int
    label: str
    longitude: float
    latitude: float


def addresses_search(text: str, limit: int = 10) -> list[AddressHit]:
    """Buildings and public places whose address (or name) contains every word of ``text``, prefix matches
    first. Addresses of buildings and the names of public places are not personal data."""
    words = [word for word in re.split(r"\s+", (text or "").strip()) if word][:5]
    if not words or len(text) > 100:
        return []
    buildings = Building.objects.all()
    places = Place.objects.all()
    for word in words:
        buildings = buildings.filter(address__contains=word)
        places = places.filter(Q(name__contains=word) | Q(address__contains=word))
    hits = [
        AddressHit("building", pk, address, lon, lat)
        for pk, address, lon, lat in buildings.values_list("pk", "address", "lon", "lat")[:limit]
    ]
    hits += [
        AddressHit("place", pk, f"{name}（{address}）", lon, lat)
        for pk, name, address, lon, lat in places.values_list("pk", "name", "address", "lon", "lat")[:limit]
    ]
    first = words[0]
    hits.sort(key=lambda hit: (not hit.label.startswith(first), len(hit.label)))
    return hits[:limit]

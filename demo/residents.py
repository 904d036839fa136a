"""The demo district's resource registry: buildings, houses, households, residents with realistic shares
(floating population in rental houses, elderly living alone, people with disabilities, a few key persons),
places and components. Deterministic for a seed; written in bulk through the registry's models."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from faker import Faker

from accounts.models import Department
from areas.choices import AreaLevel
from areas.models import Area, AreaBoundary
from cases.models import Category
from demo.district import DATA, points_inside
from registry.choices import (
    ETHNICITIES,
    BuildingKind,
    ComponentState,
    FloatingReason,
    HouseholdStatus,
    HouseUse,
    Ownership,
    PlaceKind,
    Relation,
    ResidencyType,
    RiskLevel,
    TagCategory,
)
from registry.idnumber import id_number_make
from registry.models import (
    Building,
    Component,
    FloatingRegistration,
    House,
    Household,
    Person,
    PersonTag,
    Place,
    Residence,
    Tenancy,
)
from registry.services import name_initials

TODAY = dt.date(2026, 1, 1)
DISTRICT_CODE = "110101"
OTHER_REGIONS = ["130102", "370102", "410102", "510104", "340102", "130602", "150102", "230102", "420102", "610102"]
ESTATES = [
    "东四",
    "和平里",
    "安贞",
    "幸福",
    "光明",
    "花市",
    "龙潭",
    "天坛",
    "北新",
    "交道口",
    "南锣",
    "景山",
    "建国",
    "朝阳",
]
SHOP_WORDS = ["便民超市", "小吃店", "理发店", "洗衣店", "药店", "五金店", "水果店", "快递驿站", "早餐铺", "烟酒店"]
RELATIONS_AFTER_HEAD = [Relation.SPOUSE, Relation.CHILD, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD]
COMPONENT_SHARES = {
    "0101": 6,
    "0102": 5,
    "0103": 5,
    "0105": 2,
    "0118": 8,
    "0117": 3,
    "0209": 2,
    "0213": 2,
    "0301": 1,
    "0305": 4,
    "0402": 6,
    "0407": 2,
    "0501": 1,
    "0136": 2,
}
COMPONENT_OWNERS = {"01": "DC-SZ", "02": "DC-SZ", "03": "DC-HW", "04": "DC-YL", "05": "DC-ZJ", "06": "DC-CG"}


class _People:
    """Valid, unique ID numbers with the right sex and birth date."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sequences: dict[tuple[str, dt.date], int] = {}

    def id_number(self, region: str, birth: dt.date, male: bool) -> str:
        key = (region, birth)
        sequence = self.sequences.get(
            key, self.rng.randrange(1, 300) * 2 - 1 if male else self.rng.randrange(1, 300) * 2
        )
        if (sequence % 2 == 1) != male:
            sequence += 1
        self.sequences[key] = sequence + 1
        return id_number_make(region, birth, sequence % 1000 or 2)

    def birth(self, age: int) -> dt.date:
        return TODAY - dt.timedelta(days=age * 365 + self.rng.randrange(365))


def populate(
    scale_households: tuple[int, int], seed: int, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    people = _People(rng)
    totals = dict.fromkeys(("buildings", "houses", "households", "persons", "tags", "places", "components"), 0)
    grids = list(Area.objects.current().filter(level=AreaLevel.GRID).select_related("parent__parent").order_by("code"))
    shapes = dict(AreaBoundary.objects.filter(area__in=grids, valid_to__isnull=True).values_list("area_id", "geometry"))
    categories = {category.code: category for category in Category.objects.subclasses("component")}
    departments = {department.code: department for department in Department.objects.all()}
    serials: dict[str, int] = {}
    roads = json.loads((DATA / "roads.json").read_text(encoding="utf-8"))
    grids_in_street: Counter[int] = Counter()
    for grid_number, grid in enumerate(grids):
        low, high = scale_households
        wanted = rng.randint(low, high)
        if grid_number % 37 == 5:  # a few grids out of balance, as in any real district
            wanted = int(wanted * rng.choice([0.6, 1.35]))
        shape = shapely.from_geojson(shapes[grid.pk])
        street = grid.parent.parent if grid.parent else None
        # The street's real roads in turn (东四十条, 东四六条… in 东四街道), so the desk finds what callers say.
        names = roads.get(street.name, []) if street else []
        road = names[grids_in_street[street.pk] % len(names)] if street and names else fake.street_name()
        if street:
            grids_in_street[street.pk] += 1
        counts = _grid_populate(grid, shape, wanted, rng, nprng, fake, people, road)
        counts["components"] = _components(grid, shape, rng, nprng, categories, departments, serials)
        for key, value in counts.items():
            totals[key] += value
        if progress:
            progress(1)
    return totals


def _grid_populate(
    grid: Area,
    shape: Any,
    wanted: int,
    rng: random.Random,
    nprng: np.random.Generator,
    fake: Faker,
    people: _People,
    road: str,
) -> dict[str, int]:
    estate = rng.choice(ESTATES)
    positions = points_inside(shape, wanted // 12 + 12, nprng)
    buildings: list[Building] = []
    remaining, number = wanted, 0
    while remaining > 0:
        units, floors = rng.choice([(1, 3), (2, 6), (3, 6), (2, 12), (4, 18)])
        size = min(remaining, units * floors * 2)
        lon, lat = positions[number]
        number += 1
        kind = (
            BuildingKind.RESIDENTIAL
            if rng.random() < 0.85
            else rng.choice([BuildingKind.SELF_BUILT, BuildingKind.BUNGALOW, BuildingKind.SHARED_RENTAL])
        )
        door = f"{rng.randrange(1, 300)}号"
        label = f"{number}号楼"
        buildings.append(
            Building(
                grid=grid,
                road=road,
                door_number=door,
                estate=f"{estate}{grid.code[-5:]}小区",
                number=label,
                address=Building.address_of(road, door, f"{estate}{grid.code[-5:]}小区", label),
                kind=kind,
                units=units,
                floors=floors,
                lon=float(lon),
                lat=float(lat),
            )
        )
        remaining -= size
    Building.objects.bulk_create(buildings)
    houses: list[House] = []
    for building in buildings:
        for unit in range(1, building.units + 1):
            for floor in range(1, building.floors + 1):
                for side in (1, 2):
                    room = f"{floor}{side:02d}"
                    rental = building.kind == BuildingKind.SHARED_RENTAL or rng.random() < 0.12
                    houses.append(
                        House(
                            building=building,
                            grid=grid,
                            unit=unit,
                            floor=floor,
                            room=room,
                            address=House.address_of(building, unit, room),
                            use=HouseUse.RESIDENTIAL,
                            area_m2=round(rng.uniform(38, 140), 2),
                            ownership=rng.choices(list(Ownership), weights=[70, 10, 15, 3, 2])[0],
                            is_rental=rental,
                        )
                    )
    houses = houses[: max(wanted, 1)]
    House.objects.bulk_create(houses, batch_size=2000)
    occupied = [house for house in houses if rng.random() < 0.93]
    households = [Household(house=house, grid=grid) for house in occupied]
    Household.objects.bulk_create(households, batch_size=2000)

    persons: list[Person] = []
    members_of: list[list[Person]] = []
    for household in households:
        floating = household.house.is_rental and rng.random() < 0.8
        size = rng.choices([1, 2, 3, 4, 5], weights=[18, 30, 27, 17, 8])[0]
        members: list[Person] = []
        for index in range(size):
            relation = Relation.HEAD if index == 0 else RELATIONS_AFTER_HEAD[min(index - 1, 4)]
            age = {
                Relation.CHILD: rng.randint(0, 30),
                Relation.GRANDCHILD: rng.randint(0, 12),
                Relation.PARENT: rng.randint(62, 95),
            }.get(relation, min(max(int(rng.gauss(46, 16)), 18), 95))
            if size == 1 and rng.random() < 0.35:
                age = rng.randint(66, 94)  # many one-person households are elderly living alone
            male = rng.random() < 0.5
            region = rng.choice(OTHER_REGIONS) if floating else DISTRICT_CODE
            birth = people.birth(age)
            name = fake.name_male() if male else fake.name_female()
            residency = (
                ResidencyType.FLOATING
                if floating
                else rng.choices(
                    [ResidencyType.REGISTERED, ResidencyType.RESIDENT, ResidencyType.UNREGISTERED], weights=[82, 17, 1]
                )[0]
            )
            person = Person(
                grid=grid,
                house=household.house,
                household=household,
                relation_to_head=relation,
                name=name,
                name_initials=name_initials(name),
                sex="male" if male else "female",
                birth_date=birth,
                ethnicity=ETHNICITIES[0] if rng.random() < 0.95 else rng.choice(ETHNICITIES[1:12]),
                hukou_place="北京市东城区" if region == DISTRICT_CODE else fake.province() + fake.city(),
                residency_type=residency,
                household_status=HouseholdStatus.TOGETHER
                if rng.random() < 0.9
                else HouseholdStatus.PRESENT_UNREGISTERED,
                work_place=fake.company() if 22 <= age <= 60 and rng.random() < 0.7 else "",
            )
            person.set_id_number(people.id_number(region, birth, male))
            if age >= 12:
                person.set_phone(fake.phone_number())
            members.append(person)
        persons.extend(members)
        members_of.append(members)
    Person.objects.bulk_create(persons, batch_size=5000)
    for household, members in zip(households, members_of, strict=True):
        household.head = members[0]
    Household.objects.bulk_update(households, ["head"], batch_size=2000)
    Residence.objects.bulk_create(
        [
            Residence(person=person, house=person.house, moved_in=TODAY - dt.timedelta(days=rng.randrange(30, 9000)))
            for person in persons
        ],
        batch_size=5000,
    )

    tags, registrations, tenancies = _tags_and_tenancies(grid, households, members_of, rng)
    PersonTag.objects.bulk_create(tags, batch_size=2000)
    FloatingRegistration.objects.bulk_create(registrations, batch_size=2000)
    Tenancy.objects.bulk_create(tenancies, batch_size=2000)
    places = _places(grid, shape, houses, rng, nprng, fake)
    return {
        "buildings": len(buildings),
        "houses": len(houses),
        "households": len(households),
        "persons": len(persons),
        "tags": len(tags),
        "places": places,
    }


def _tags_and_tenancies(
    grid: Area, households: list[Household], members_of: list[list[Person]], rng: random.Random
) -> tuple[list[PersonTag], list[FloatingRegistration], list[Tenancy]]:
    tags: list[PersonTag] = []
    registrations: list[FloatingRegistration] = []
    tenancies: list[Tenancy] = []
    landlords = [
        members[0] for household, members in zip(households, members_of, strict=True) if not household.house.is_rental
    ]
    key_categories = [
        TagCategory.COMMUNITY_CORRECTION,
        TagCategory.RELEASED_PRISONER,
        TagCategory.SEVERE_MENTAL_ILLNESS,
        TagCategory.PETITIONER,
        TagCategory.DRUG_USER,
    ]
    for household, members in zip(households, members_of, strict=True):
        for person in members:
            age = person.age_on(TODAY)
            since = TODAY - dt.timedelta(days=rng.randrange(30, 2000))
            if len(members) == 1 and age >= 65:
                tags.append(PersonTag(person=person, category=TagCategory.ELDERLY_ALONE, since=since))
            if rng.random() < 0.022:
                tags.append(PersonTag(person=person, category=TagCategory.DISABLED, since=since))
            if rng.random() < 0.012:
                tags.append(PersonTag(person=person, category=TagCategory.LOW_INCOME, since=since))
            if 18 <= age <= 60 and rng.random() < 0.015:
                tags.append(PersonTag(person=person, category=TagCategory.UNEMPLOYED, since=since))
            if age >= 18 and rng.random() < 0.0015:
                tags.append(PersonTag(person=person, category=rng.choice(key_categories), since=since, note="定期走访"))
        if household.house.is_rental:
            landlord = rng.choice(landlords) if landlords else None
            start = TODAY - dt.timedelta(days=rng.randrange(10, 700))
            tenant = members[0]
            tenancies.append(
                Tenancy(
                    house=household.house,
                    tenant=tenant,
                    landlord=landlord,
                    contract_start=start,
                    contract_end=start + dt.timedelta(days=365 * rng.choice([1, 1, 2])),
                )
            )
            for person in members:
                if person.residency_type == ResidencyType.FLOATING:
                    registrations.append(
                        FloatingRegistration(
                            person=person,
                            house=household.house,
                            arrival_date=start,
                            expected_until=start + dt.timedelta(days=365 * rng.choice([1, 2, 3])),
                            reason=rng.choices(list(FloatingReason), weights=[55, 15, 8, 15, 3, 4])[0],
                            origin_place=person.hukou_place,
                            landlord=landlord,
                        )
                    )
    return tags, registrations, tenancies


def _places(
    grid: Area, shape: Any, houses: list[House], rng: random.Random, nprng: np.random.Generator, fake: Faker
) -> int:
    count = rng.randint(6, 14)
    positions = points_inside(shape, count + 2, nprng)
    places: list[Place] = []
    for index in range(count):
        kind = rng.choices(
            [
                PlaceKind.SHOP,
                PlaceKind.NINE_SMALL,
                PlaceKind.RESTAURANT,
                PlaceKind.ENTERPRISE,
                PlaceKind.SCHOOL,
                PlaceKind.HOSPITAL,
                PlaceKind.HAZARDOUS_CHEMICALS,
                PlaceKind.ENTERTAINMENT,
            ],
            weights=[30, 25, 20, 12, 3, 2, 1, 3],
        )[0]
        name = {
            PlaceKind.SCHOOL: f"东城区第{rng.randint(1, 160)}小学",
            PlaceKind.HOSPITAL: f"{fake.last_name()}氏社区卫生服务站",
            PlaceKind.HAZARDOUS_CHEMICALS: f"{fake.last_name()}记加油站",
            PlaceKind.ENTERPRISE: fake.company(),
        }.get(kind, f"{fake.last_name()}记{rng.choice(SHOP_WORDS)}")
        lon, lat = positions[index]
        risk = (
            RiskLevel.HIGH if kind == PlaceKind.HAZARDOUS_CHEMICALS else rng.choices(list(RiskLevel), [30, 60, 9, 1])[0]
        )
        place = Place(
            kind=kind,
            name=name,
            grid=grid,
            address=f"{fake.street_name()}{rng.randrange(1, 200)}号",
            lon=float(lon),
            lat=float(lat),
            responsible_name=fake.name(),
            risk_level=risk,
            employees=rng.randint(1, 60),
        )
        place.set_responsible_phone(fake.phone_number())
        places.append(place)
    rentals = [house for house in houses if house.is_rental]
    for house in rng.sample(rentals, min(len(rentals), 3)):
        place = Place(
            kind=PlaceKind.RENTAL_HOUSE,
            name=f"出租房 {house.address[-12:]}",
            grid=grid,
            address=house.address,
            lon=house.building.lon,
            lat=house.building.lat,
            house=house,
            responsible_name=fake.name(),
            risk_level=RiskLevel.NORMAL,
        )
        places.append(place)
    Place.objects.bulk_create(places)
    return len(places)


def _components(
    grid: Area,
    shape: Any,
    rng: random.Random,
    nprng: np.random.Generator,
    categories: dict[str, Category],
    departments: dict[str, Department],
    serials: dict[str, int],
) -> int:
    codes = [code for code in COMPONENT_SHARES if code in categories]
    chosen = rng.choices(codes, weights=[COMPONENT_SHARES[code] for code in codes], k=rng.randint(25, 45))
    positions = points_inside(shape, len(chosen), nprng)
    components = []
    for subclass, (lon, lat) in zip(chosen, positions, strict=True):
        prefix = DISTRICT_CODE + subclass
        serials[prefix] = serials.get(prefix, 0) + 1
        owner = departments.get(COMPONENT_OWNERS[subclass[:2]])
        components.append(
            Component(
                code=f"{prefix}{serials[prefix]:06d}",
                category=categories[subclass],
                grid=grid,
                lon=float(lon),
                lat=float(lat),
                owner_department=owner,
                maintainer_department=owner,
                authority_department=owner,
                state=rng.choices(list(ComponentState), weights=[90, 6, 2, 2])[0],
                data_source="普查",
                installed_on=TODAY - dt.timedelta(days=rng.randrange(100, 6000)),
            )
        )
    Component.objects.bulk_create(components)
    return len(components)

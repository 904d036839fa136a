"""Factories for registry records in the test world (grids A, B, C of ``gridgov.testing``)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from registry.choices import PlaceKind, ResidencyType
from registry.idnumber import id_number_make
from registry.models import Building, House, Household, Person, PersonTag, Place
from registry.services import name_initials

_sequence = itertools.count(1)


def id_number_new(region: str = "110101", birth: dt.date = dt.date(1980, 5, 17)) -> str:
    """A valid ID number never handed out before in this test run."""
    serial = next(_sequence)
    return id_number_make(region, birth + dt.timedelta(days=serial // 900), serial % 900 + 1)


class BuildingFactory(factory.django.DjangoModelFactory[Building]):
    class Meta:
        model = Building

    road = "东四北大街"
    door_number = factory.Sequence(lambda n: f"{n + 1}号")
    estate = "测试小区"
    number = "1号楼"
    address = factory.LazyAttribute(lambda o: Building.address_of(o.road, o.door_number, o.estate, o.number))
    units = 2
    floors = 6
    lon = factory.LazyAttribute(lambda o: o.grid.boundaries.get().centroid_lon)
    lat = factory.LazyAttribute(lambda o: o.grid.boundaries.get().centroid_lat)


class HouseFactory(factory.django.DjangoModelFactory[House]):
    class Meta:
        model = House

    building = factory.SubFactory(BuildingFactory)
    grid = factory.SelfAttribute("building.grid")
    unit = 1
    floor = 3
    room = factory.Sequence(lambda n: f"3{n % 100:02d}")
    address = factory.LazyAttribute(lambda o: House.address_of(o.building, o.unit, o.room))


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household

    house = factory.SubFactory(HouseFactory)
    grid = factory.SelfAttribute("house.grid")


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = "张三"
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))
    sex = "male"
    birth_date = dt.date(1980, 5, 17)
    residency_type = ResidencyType.REGISTERED

    @factory.post_generation
    def identity(person: Person, create: bool, extracted: str | None, **kwargs: str) -> None:
        person.set_id_number(extracted or id_number_new())
        person.set_phone(kwargs.get("phone", "139" + f"{next(_sequence):08d}"))
        if create:
            person.save()


class PersonTagFactory(factory.django.DjangoModelFactory[PersonTag]):
    class Meta:
        model = PersonTag

    since = dt.date(2025, 1, 1)


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place

    kind = PlaceKind.SHOP
    name = factory.Sequence(lambda n: f"测试商店{n}")
    address = "东四北大街1号"
    lon = 116.405
    lat = 39.91

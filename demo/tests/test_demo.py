import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.locate import grid_locate_many
from areas.models import Area
from areas.partition import partition_check_area
from bulletins.models import Bulletin
from demo import build, district, residents
from diary.models import DiaryEntry
from fieldwork.models import DailyMetric, Patrol, TrackPoint
from registry.choices import SENSITIVE_TAGS, ResidencyType, TagCategory
from registry.idnumber import id_number_problem
from registry.models import (
    Building,
    BuildingReport,
    Component,
    FloatingRegistration,
    House,
    Person,
    PersonTag,
    Place,
    RegistryChange,
    Tenancy,
)
from visits.choices import DueStatus
from visits.models import DueVisit, MustReport, Visit, VisitCompliance


def test_the_tree_is_deterministic():
    first = district.district_collection(1, np.random.default_rng(5))
    second = district.district_collection(1, np.random.default_rng(5))
    assert first == second
    assert sum(item["properties"]["level"] == "street" for item in first["features"]) == 17


@pytest.mark.slow
def test_demo_district_is_believable(db, monkeypatch):
    monkeypatch.setattr(residents, "populate", _small_populate(residents.populate))
    monkeypatch.setattr(build, "patrols_populate", _short_patrols(build.patrols_populate))
    call_command("demo_seed")
    assert TrackPoint.objects.exists() and DailyMetric.objects.filter(distance_m__gt=0).exists()
    outline = Area.objects.get(code=district.DISTRICT_CODE)
    assert outline.name == "东城区" and 41e6 < outline.boundaries.get().area_m2 < 42.5e6  # the real 41.8 km²
    assert Area.objects.filter(level=AreaLevel.STREET).count() == 17
    for area in Area.objects.exclude(level=AreaLevel.GRID):
        report = partition_check_area(area)
        assert report.ok, (area.code, report.overlaps, report.gap_m2, report.outside)
    grids = Area.objects.filter(level=AreaLevel.GRID)
    assert all(
        grid.code.startswith(grid.parent.code) and len(grid.code) == 15 for grid in grids.select_related("parent")
    )
    buildings = list(Building.objects.values_list("lon", "lat", "grid__code"))
    located = grid_locate_many([row[0] for row in buildings], [row[1] for row in buildings])
    assert located.codes == [row[2] for row in buildings]  # every building lies in its own grid
    people = list(Person.objects.all()[:500])
    assert people and all(id_number_problem(person.id_number) is None for person in people)
    assert {person.id_number[:6] for person in people} > {"110101"}  # floating population from elsewhere
    assert {group for user in User.objects.all() for group in user.groups.values_list("name", flat=True)} == set(
        Role.values
    )
    assert shapely.from_geojson(outline.boundaries.get().geometry).is_valid
    # Realistic shares: floating population in rental houses, elderly living alone, disabled, a few key persons.
    total = Person.objects.count()
    floating = Person.objects.filter(residency_type=ResidencyType.FLOATING).count()
    assert 0.04 < floating / total < 0.25
    assert FloatingRegistration.objects.count() == floating
    assert 0.05 < House.objects.filter(is_rental=True).count() / House.objects.count() < 0.25
    assert Tenancy.objects.exists() and not Person.objects.exclude(grid=F("house__grid")).exists()
    assert PersonTag.objects.filter(category=TagCategory.ELDERLY_ALONE).exists()
    assert 0.01 < PersonTag.objects.filter(category=TagCategory.DISABLED).count() / total < 0.04
    assert 0 < PersonTag.objects.filter(category__in=SENSITIVE_TAGS).count() / total < 0.01
    assert Place.objects.filter(kind="rental_house").exists() and Place.objects.filter(kind="nine_small").exists()
    components = list(Component.objects.select_related("category", "grid"))
    assert all(c.code[:6] == "110101" and c.code[6:10] == c.category.code and len(c.code) == 16 for c in components)
    located = grid_locate_many([c.lon for c in components], [c.lat for c in components])
    assert located.codes == [c.grid.code for c in components]
    # A month of visits: due visits made by the plans, most done (on time or late), some overdue on the agenda;
    # a diary entry for every visit and patrol; 八必报 and 10+X waiting for confirmation; compliance computed.
    done = DueVisit.objects.filter(status=DueStatus.DONE)
    assert done.exists() and not done.filter(visit__isnull=True).exists()
    assert DueVisit.objects.filter(status=DueStatus.OPEN, due_on__lt=timezone.localdate()).exists()
    # overdue by days or weeks (each group's visit before the month is on record), not since people joined the group
    assert not DueVisit.objects.filter(due_on__lt=timezone.localdate() - dt.timedelta(days=62), status="open").exists()
    assert Visit.objects.filter(place__isnull=False).exists() and Visit.objects.filter(sensitive=True).exists()
    assert DiaryEntry.objects.filter(kind="visit").count() == Visit.objects.count()
    assert DiaryEntry.objects.filter(kind="patrol").count() == Patrol.objects.filter(ended_at__isnull=False).count()
    assert set(DiaryEntry.objects.filter(kind="visit").values_list("sensitive", flat=True)) == {True, False}
    assert MustReport.objects.filter(case__isnull=False).count() == 4
    assert MustReport.objects.filter(change__isnull=False).count() == 2
    assert BuildingReport.objects.count() == 2
    assert RegistryChange.objects.filter(status="pending", source="building_report").exists()
    assert VisitCompliance.objects.filter(due__gt=0).exists()
    # Last week's and yesterday's bulletins of the district and each street, ready to read.
    assert Bulletin.objects.filter(kind="week").count() == Bulletin.objects.filter(kind="day").count() == 18


def _small_populate(populate):
    def small(households, seed, progress=None):
        return populate((20, 30), seed, progress)

    return small


def _short_patrols(populate):
    """Two working days of patrols (Tuesday 24 and Wednesday 25 November 2026) instead of a month."""

    def short(seed, progress=None):
        evening = dt.datetime(2026, 11, 25, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        return populate(seed, progress, days=2, now=evening)

    return short

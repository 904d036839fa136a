"""The desk's address gazetteer (地名地址库): every name a caller may give for a place — streets, communities and
grids by name, roads, 小区, buildings by address or by 小区 and building number, public places — kept as rows of
``AddressEntry`` with a normalized key and its pinyin, so a keystroke is a few indexed prefix queries instead of a
scan of the registry.

Rebuilt whole by ``manage.py gazetteer_rebuild`` (and at the end of the demo build); kept current by signals
(``hotline.signals``): a saved or deleted building or place refreshes its own entries and those of its road and
小区, a changed area or boundary refreshes the area entries once the transaction commits. Imports that bulk-create
rows bypass the signals: run the command after them.

Matching (:func:`places_search`), best first: the key equal to the query's, the key starting with it, the key
containing it, the same pinyin (a homophone typed: 东四时条), pinyin or initials typed in letters (dongsishitiao,
dsst), then near misses (one character wrong or left out) scored by similarity. Keys drop the characters callers
leave out or add (号 路 街 道) and fold full-width digits (``hotline.text.address_key``).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import transaction
from django.db.models import Q, QuerySet

from areas.choices import AreaLevel
from areas.models import Area, AreaBoundary
from gridgov.queries import prefix_q
from hotline.choices import PlaceKind
from hotline.models import AddressEntry
from hotline.text import address_key, address_spelling
from registry.models import Building, Place

#: Kinds in the order a hit of equal quality is shown (the most precise first).
KIND_ORDER: dict[str, int] = {
    PlaceKind.BUILDING: 0,
    PlaceKind.PLACE: 1,
    PlaceKind.ROAD: 2,
    PlaceKind.ESTATE: 3,
    PlaceKind.GRID: 4,
    PlaceKind.COMMUNITY: 5,
    PlaceKind.STREET: 6,
}
AREA_KINDS = {
    AreaLevel.STREET: PlaceKind.STREET,
    AreaLevel.COMMUNITY: PlaceKind.COMMUNITY,
    AreaLevel.GRID: PlaceKind.GRID,
}
CANDIDATES = 200
FUZZY_RATIO = 0.6


# --- Building the table -----------------------------------------------------------------------------------------
def _entry(kind: str, label: str, keys: Iterable[str], **fields: Any) -> list[AddressEntry]:
    rows = []
    for key in dict.fromkeys(address_key(text) for text in keys):
        if not key:
            continue
        pinyin, initials = address_spelling(key)
        rows.append(AddressEntry(kind=kind, label=label[:200], key=key, pinyin=pinyin, initials=initials, **fields))
    return rows


class _Areas:
    """The current areas with their names, their path for display and a point inside each (for a street or
    community: the inner point of its grid nearest to its centroid, so a ticket filed there lies in a grid)."""

    def __init__(self, with_points: bool = False) -> None:
        self.by_id = {area.pk: area for area in Area.objects.current().filter(level__in=list(AREA_KINDS))}
        self.points: dict[int, tuple[float, float, int]] = {}
        if with_points:
            self._points_find()

    def _points_find(self) -> None:
        shapes = dict(
            AreaBoundary.objects.filter(area_id__in=list(self.by_id), valid_to__isnull=True).values_list(
                "area_id", "geometry"
            )
        )
        centroids: dict[int, tuple[float, float]] = {}
        for area_id, text in shapes.items():
            shape = shapely.from_geojson(text)
            centroid = shape.centroid
            inner = centroid if shape.contains(centroid) else shape.representative_point()
            centroids[area_id] = (centroid.x, centroid.y)
            if self.by_id[area_id].level == AreaLevel.GRID:
                self.points[area_id] = (inner.x, inner.y, area_id)
        grids = [area for area in self.by_id.values() if area.pk in self.points]
        for area_id, (cx, cy) in centroids.items():
            area = self.by_id[area_id]
            if area.level == AreaLevel.GRID:
                continue
            inside = [grid for grid in grids if grid.code.startswith(area.code)]
            if inside:
                distances = {(self.points[g.pk][0] - cx) ** 2 + (self.points[g.pk][1] - cy) ** 2: g.pk for g in inside}
                self.points[area_id] = self.points[distances[min(distances)]]

    def label(self, area: Area) -> str:
        if area.name:
            return area.name
        parent = self.by_id.get(area.parent_id or 0)
        return f"{parent.name if parent else ''}{area.code[-3:]}网格"

    def context(self, area_id: int | None) -> str:
        """The street and community of an area (网格's path for display): 东四街道 · 东四社区."""
        names = []
        area = self.by_id.get(area_id or 0)
        while area is not None:
            if area.level != AreaLevel.GRID:
                names.append(area.name)
            area = self.by_id.get(area.parent_id or 0)
        return " · ".join(reversed(names))


def _area_entries(areas: _Areas) -> list[AddressEntry]:
    rows: list[AddressEntry] = []
    for area in areas.by_id.values():
        point = areas.points.get(area.pk)
        if point is None:
            continue
        label = areas.label(area)
        parent_context = areas.context(area.parent_id)
        rows += _entry(
            AREA_KINDS[area.level],
            label,
            [label, area.code],
            context=parent_context,
            lon=point[0],
            lat=point[1],
            grid_id=point[2],
            area_id=area.pk,
            exact=False,
        )
    return rows


def _middle(points: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The member nearest to the mean of a group of buildings (a point that lies in a grid)."""
    mx = sum(point[0] for point in points) / len(points)
    my = sum(point[1] for point in points) / len(points)
    return min(points, key=lambda point: (point[0] - mx) ** 2 + (point[1] - my) ** 2)


def _building_entries(areas: _Areas, buildings: Iterable[tuple[Any, ...]]) -> list[AddressEntry]:
    rows: list[AddressEntry] = []
    for pk, road, door, estate, number, address, lon, lat, grid_id in buildings:
        keys = [address, f"{road}{door}{number}"]
        if estate:
            keys.append(f"{estate}{number}")
        rows += _entry(
            PlaceKind.BUILDING, address, keys, context=areas.context(grid_id), lon=lon, lat=lat, grid_id=grid_id,
            exact=True, source_id=pk,
        )  # fmt: skip
    return rows


def _group_entries(areas: _Areas, kind: str, groups: dict[str, list[tuple[float, float, int]]]) -> list[AddressEntry]:
    rows: list[AddressEntry] = []
    for name, points in groups.items():
        if not name:
            continue
        lon, lat, grid_id = _middle(points)
        contexts = dict.fromkeys(areas.context(point[2]).split(" · ")[0] for point in points)
        rows += _entry(kind, name, [name], context="、".join(list(contexts)[:3]), lon=lon, lat=lat, grid_id=grid_id)
    return rows


def _place_entries(areas: _Areas, places: Iterable[tuple[Any, ...]]) -> list[AddressEntry]:
    rows: list[AddressEntry] = []
    for pk, name, address, lon, lat, grid_id in places:
        rows += _entry(
            PlaceKind.PLACE, f"{name}（{address}）" if address else name, [name, address],
            context=areas.context(grid_id), lon=lon, lat=lat, grid_id=grid_id, exact=True, source_id=pk,
        )  # fmt: skip
    return rows


BUILDING_FIELDS = ("pk", "road", "door_number", "estate", "number", "address", "lon", "lat", "grid_id")
PLACE_FIELDS = ("pk", "name", "address", "lon", "lat", "grid_id")


def _groups(field: str, names: Iterable[str] | None = None) -> dict[str, list[tuple[float, float, int]]]:
    buildings = Building.objects.all() if names is None else Building.objects.filter(**{f"{field}__in": list(names)})
    groups: defaultdict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for name, lon, lat, grid_id in buildings.values_list(field, "lon", "lat", "grid_id").iterator(chunk_size=5000):
        groups[name].append((lon, lat, grid_id))
    return groups


@transaction.atomic
def gazetteer_rebuild() -> int:
    """Build the whole table again from the areas and the registry; returns the number of entries."""
    areas = _Areas(with_points=True)
    AddressEntry.objects.all().delete()
    rows = _area_entries(areas)
    rows += _group_entries(areas, PlaceKind.ROAD, _groups("road"))
    rows += _group_entries(areas, PlaceKind.ESTATE, _groups("estate"))
    AddressEntry.objects.bulk_create(rows, batch_size=2000)
    total = len(rows)
    batch: list[AddressEntry] = []
    for values in Building.objects.values_list(*BUILDING_FIELDS).iterator(chunk_size=5000):
        batch += _building_entries(areas, [values])
        if len(batch) >= 5000:
            AddressEntry.objects.bulk_create(batch, batch_size=2000)
            total, batch = total + len(batch), []
    batch += _place_entries(areas, Place.objects.values_list(*PLACE_FIELDS))
    AddressEntry.objects.bulk_create(batch, batch_size=2000)
    return total + len(batch)


@transaction.atomic
def gazetteer_areas_refresh() -> None:
    """Areas or boundaries changed: their entries again (roads, 小区 and buildings keep theirs)."""
    areas = _Areas(with_points=True)
    AddressEntry.objects.filter(kind__in=list(AREA_KINDS.values())).delete()
    AddressEntry.objects.bulk_create(_area_entries(areas), batch_size=2000)


@transaction.atomic
def gazetteer_building_refresh(building_id: int, roads: Iterable[str] = (), estates: Iterable[str] = ()) -> None:
    """One building saved or deleted: its entries, and those of the roads and 小区 it was or is on."""
    areas = _Areas()
    AddressEntry.objects.filter(kind=PlaceKind.BUILDING, source_id=building_id).delete()
    rows = _building_entries(areas, Building.objects.filter(pk=building_id).values_list(*BUILDING_FIELDS))
    for kind, field, names in ((PlaceKind.ROAD, "road", set(roads)), (PlaceKind.ESTATE, "estate", set(estates))):
        names.discard("")
        if names:
            AddressEntry.objects.filter(kind=kind, label__in=names).delete()
            rows += _group_entries(areas, kind, _groups(field, names))
    AddressEntry.objects.bulk_create(rows)


@transaction.atomic
def gazetteer_place_refresh(place_id: int) -> None:
    AddressEntry.objects.filter(kind=PlaceKind.PLACE, source_id=place_id).delete()
    AddressEntry.objects.bulk_create(
        _place_entries(_Areas(), Place.objects.filter(pk=place_id).values_list(*PLACE_FIELDS))
    )


# --- Searching --------------------------------------------------------------------------------------------------
@dataclass
class PlaceHit:
    entry: AddressEntry
    tier: int  # 0 equal, 1 starts with, 2 contains, 3 same pinyin, 4 pinyin or initials typed, 5 near miss
    cover: float = 1.0  # how much of the entry the query matched (东四十 covers the road 东四十条 more than a building)

    @property
    def order(self) -> tuple[int, float, int, int]:
        return (self.tier, -self.cover, KIND_ORDER.get(self.entry.kind, 9), len(self.entry.label))


def places_search(text: str, limit: int = 10) -> list[PlaceHit]:
    """The entries matching what the seat typed, best first, one hit per place."""
    key = address_key(text[:100])
    if not key:
        return []
    found: dict[tuple[str, object], PlaceHit] = {}

    def take(hits: Iterable[AddressEntry], tier: int, similarity: float | None = None) -> None:
        for entry in hits:
            place = (entry.kind, entry.source_id or entry.area_id or entry.label)
            if similarity is not None:  # a near miss: its similarity, then how much of the entry it is
                cover = round(similarity, 2) + len(key) / max(len(entry.key), 1) / 100
            elif tier <= 2:
                cover = len(key) / max(len(entry.key), 1)
            elif tier == 3:
                cover = len(pinyin) / max(len(entry.pinyin), 1)
            else:
                spelled = entry.pinyin if entry.pinyin.startswith(key) else entry.initials
                cover = len(key) / max(len(spelled), 1)
            hit = PlaceHit(entry, 0 if tier == 1 and entry.key == key else tier, cover)
            if place not in found or hit.order < found[place].order:
                found[place] = hit

    entries = AddressEntry.objects.select_related("grid")
    pinyin, _initials = address_spelling(key)
    if key.isascii():
        # Letters typed: pinyin or its initials (dongsishitiao, dsst); digits alone: a number in a key.
        take(entries.filter(prefix_q("pinyin", key) | prefix_q("initials", key))[:CANDIDATES], 4)
        take(entries.filter(prefix_q("key", key))[:CANDIDATES], 1)
        return _best(found, limit)
    take(entries.filter(prefix_q("key", key))[:CANDIDATES], 1)
    if len(found) < limit:
        take(entries.filter(key__contains=key).exclude(prefix_q("key", key))[:CANDIDATES], 2)
    if len(found) < limit:
        take(entries.filter(prefix_q("pinyin", pinyin))[:CANDIDATES], 3)
    if not found and len(key) >= 2:  # nothing spelled alike: near misses (the slowest step, so only then)
        _near_misses(key, entries, take)
    return _best(found, limit)


def _near_misses(key: str, entries: QuerySet[AddressEntry], take: Callable[..., None]) -> None:
    """Keys sharing a pair of characters with the query, kept when their start is similar enough (one wrong or
    missing character in a name of four)."""
    pairs = list(dict.fromkeys(key[index : index + 2] for index in range(len(key) - 1)))[:6]
    condition = Q()
    for pair in pairs:
        condition |= Q(key__contains=pair)
    scored = []
    for entry in entries.filter(condition)[:CANDIDATES]:
        similarity = difflib.SequenceMatcher(None, key, entry.key[: len(key) + 1]).ratio()
        if similarity >= FUZZY_RATIO:
            scored.append((similarity, entry))
    for similarity, entry in scored:
        take([entry], 5, similarity)


def _best(found: dict[tuple[str, object], PlaceHit], limit: int) -> list[PlaceHit]:
    return sorted(found.values(), key=lambda hit: hit.order)[:limit]


def area_point(area_id: int) -> AddressEntry | None:
    """The entry of a street, community or grid: its centre as the desk files it."""
    return AddressEntry.objects.filter(area_id=area_id).select_related("grid").first()


def area_choices() -> list[AddressEntry]:
    """Communities and grids for the fallback picker, in code order (a community before its grids)."""
    rows = AddressEntry.objects.filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.GRID]).select_related("area")
    unique = {entry.area_id: entry for entry in rows}
    return sorted(unique.values(), key=lambda entry: entry.area.code if entry.area else "")

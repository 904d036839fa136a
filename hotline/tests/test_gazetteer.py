"""The desk's address gazetteer: what a caller says (a road, a 小区 and building number, a community, a typo, pinyin)
finds a place with its point and grid; a call without a point files at a community's centre with its text kept."""

import uuid

import pytest

from areas.models import Area
from audit.services import Origin
from cases.models import Category
from gridgov.errors import RecordInvalid
from gridgov.testing import IN_A, IN_B, IN_C
from hotline import services
from hotline.gazetteer import area_choices, gazetteer_rebuild, places_search
from hotline.models import AddressEntry, Ticket
from registry.tests.factories import BuildingFactory, PlaceFactory


@pytest.fixture
def places(world):
    found = {
        "b88": BuildingFactory(grid=world.grid_a, road="东四十条", door_number="88号", estate="南新仓小区",
                               number="3号楼", lon=IN_A[0], lat=IN_A[1]),
        "b90": BuildingFactory(grid=world.grid_a, road="东四十条", door_number="90号", estate="南新仓小区",
                               number="5号楼", lon=IN_A[0] + 0.001, lat=IN_A[1]),
        "c12": BuildingFactory(grid=world.grid_c, road="朝阳门北小街", door_number="12号", estate="竹杆小区",
                               number="1号楼", lon=IN_C[0], lat=IN_C[1]),
        "post": PlaceFactory(grid=world.grid_b, name="东四邮局", address="东四北大街1号", lon=IN_B[0], lat=IN_B[1]),
    }  # fmt: skip
    gazetteer_rebuild()
    return found


def labels(text):
    return [(hit.entry.kind, hit.entry.label) for hit in places_search(text)]


def test_a_road_typed_in_part_is_found_first_then_its_buildings(places, world):
    hits = places_search("东四十")
    road = hits[0].entry
    assert (road.kind, road.label, road.exact, road.grid) == ("road", "东四十条", False, world.grid_a)
    assert {hit.entry.label for hit in hits[1:3]} == {places["b88"].address, places["b90"].address}
    assert places["c12"].address not in {hit.entry.label for hit in hits}
    # The road's point is one of its buildings (so it lies in a grid).
    assert (road.lon, road.lat) in {(IN_A[0], IN_A[1]), (IN_A[0] + 0.001, IN_A[1])}


@pytest.mark.parametrize("typed", ["东四十条88号", "东四十条路８８号", "东四十条 88", "东四十条88号南新仓小区3号楼"])
def test_a_building_number_with_or_without_suffixes_and_in_full_width_digits(places, typed):
    top = places_search(typed)[0].entry
    assert (top.kind, top.label, top.exact) == ("building", places["b88"].address, True)
    assert (top.lon, top.lat) == IN_A


def test_a_building_by_its_compound_and_number(places):
    top = places_search("南新仓小区5号楼")[0].entry
    assert (top.kind, top.label) == ("building", places["b90"].address)
    assert labels("南新仓")[0] == ("estate", "南新仓小区")


@pytest.mark.parametrize("typed", ["dongsishitiao", "DongSi ShiTiao", "dsst", "ＤＳＳＴ"])
def test_pinyin_and_its_initials(places, typed):
    assert labels(typed)[0] == ("road", "东四十条")


def test_initials_with_the_door_number(places):
    assert labels("dsst90")[0] == ("building", places["b90"].address)


@pytest.mark.parametrize("typed", ["东四时条", "东西十条", "东十条"])
def test_typos_a_homophone_a_wrong_or_a_missing_character(places, typed):
    assert labels(typed)[0] == ("road", "东四十条")


def test_streets_communities_and_grids_by_name_and_code(places, world):
    community = places_search("一社区")[0].entry
    assert (community.kind, community.area, community.exact) == ("community", world.areas["110101001001"], False)
    assert community.grid in (world.grid_a, world.grid_b)  # its centre lies in one of its grids
    grid = places_search("110101002001001")[0].entry
    assert (grid.kind, grid.area, grid.grid) == ("grid", world.grid_c, world.grid_c)
    assert places_search("网格ａ")[0].entry.area == world.grid_a
    assert labels("二街道")[0] == ("street", "二街道")
    assert labels("东四邮局")[0] == ("place", "东四邮局（东四北大街1号）")


def test_nothing_matches_and_the_fallback_lists_communities_then_their_grids(places):
    assert places_search("完全无关的地名") == []
    assert places_search("  ") == []
    assert [entry.label for entry in area_choices()] == ["一社区", "网格A", "网格B", "二社区", "网格C"]


def test_saved_and_deleted_buildings_and_renamed_areas_keep_the_table_current(
    places, world, django_capture_on_commit_callbacks
):
    building = BuildingFactory(grid=world.grid_b, road="演乐胡同", door_number="7号", estate="", number="")
    assert labels("演乐胡同7")[0] == ("building", building.address)
    building.road, building.address = "本司胡同", "本司胡同7号"
    building.save()
    assert labels("演乐胡同") == [] and labels("本司胡同")[0] == ("road", "本司胡同")
    building.delete()
    assert labels("本司胡同") == []
    community = Area.objects.get(code="110101002001")
    with django_capture_on_commit_callbacks(execute=True):
        community.name = "东四社区"
        community.save()
    assert labels("东四社区")[0] == ("community", "东四社区")
    assert ("community", "二社区") not in labels("二社区")


def test_a_search_is_a_few_queries_however_many_buildings_match(places, world, django_assert_max_num_queries):
    for number in range(20):
        BuildingFactory(grid=world.grid_a, road="东四十条", door_number=f"{100 + number}号")
    client = world.client("intake_clerk")
    with django_assert_max_num_queries(8):
        page = client.get("/hotline/addresses/", {"address": "东四十条"}).content.decode()
    assert page.count("data-address-hit") == 10 and "东四十条" in page
    empty = client.get("/hotline/addresses/", {"address": "完全无关的地名"}).content.decode()
    assert "data-address-none" in empty and "data-address-hit" not in empty


def seat_call(world, **fields):
    data = {
        "caller_phone": "13800001111",
        "request_type": "complaint",
        "content": "路边垃圾没人清运",
        "submission_key": uuid.uuid4().hex,
        "category_id": Category.objects.get(kind="event", code="0102").pk,
        **fields,
    }
    return services.ticket_take(Origin(world.user("intake_clerk"), "page"), services.TicketData(**data))


def test_a_call_without_a_point_files_at_the_picked_communitys_centre_with_its_text_kept(places, world):
    community = world.areas["110101001001"]
    centre = AddressEntry.objects.filter(area=community).first()
    ticket = seat_call(world, address="东四十条胡同口东侧", area_id=community.pk)
    assert (ticket.longitude, ticket.latitude) == (centre.lon, centre.lat)
    assert ticket.location_approximate and ticket.area == community and ticket.address == "东四十条胡同口东侧"
    case = ticket.case
    assert case.address == "东四十条胡同口东侧（约略位置：一社区中心）"
    assert case.grid == centre.grid and case.grid.parent == community


def test_an_address_typed_but_not_picked_files_at_its_best_match(places, world):
    exact = seat_call(world, address="东四十条88号")
    assert (exact.longitude, exact.latitude, exact.location_approximate) == (IN_A[0], IN_A[1], False)
    assert exact.case.address == "东四十条88号" and exact.case.grid == world.grid_a
    road = seat_call(world, address="东四十条")
    assert road.location_approximate and road.area is None
    assert road.case.address == "东四十条（约略位置：东四十条）" and road.case.grid == world.grid_a


def test_no_point_no_match_and_no_area_is_refused(places, world):
    with pytest.raises(RecordInvalid) as refused:
        seat_call(world, address="完全无关的地名")
    assert [problem["field"] for problem in refused.value.details] == ["location"]
    assert not Ticket.objects.exists()


def test_the_desk_posts_a_picked_grid_and_files_an_approximate_ticket(places, world):
    clerk = world.client("intake_clerk")
    desk = clerk.get("/hotline/").content.decode()
    assert 'id="area-pick"' in desk and f'value="{world.grid_c.pk}"' in desk
    response = clerk.post("/hotline/", {"caller_phone": "13800001111", "request_type": "complaint",
        "content": "井盖丢了", "address": "二社区菜市场后面", "area": world.grid_c.pk, "approximate": "True",
        "submission_key": "k" * 32})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/hotline/"
    ticket = Ticket.objects.get()
    assert ticket.location_approximate and ticket.case.grid == world.grid_c
    assert ticket.case.address == "二社区菜市场后面（约略位置：网格C中心）"

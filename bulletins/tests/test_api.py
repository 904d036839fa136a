"""The bulletins' API: list and read (which marks a bulletin read), publish and correct (201; 200 when nothing
changed), and the refusals with their codes: 403 without the permission, period_invalid, area_not_found."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bulletins.models import Bulletin, BulletinRead
from bulletins.services import bulletin_publish

URL = "/api/v1/bulletins"
OCTOBER = dt.date(2026, 10, 14)


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_publishing_correcting_and_reading_through_the_api(facts, world):
    facts.cases(OCTOBER, 5, closed=4, closed_on_time=4)
    client = world.client("shift_leader")
    first = _post(client, {"kind": "month", "period": "2026-10", "area": "110101001"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["outcome"] == "published" and body["bulletin"]["version"] == 1
    bulletin = body["bulletin"]
    assert (bulletin["kind"], bulletin["period"], bulletin["area_code"]) == ("month", "2026-10", "110101001")
    main = next(table for table in bulletin["content"]["tables"] if table["key"] == "main")
    assert main["rows"][0]["cells"]["value"] == 5
    assert any(table["key"] == "workers" for table in bulletin["content"]["tables"])

    unchanged = _post(client, {"kind": "month", "period": "2026-10", "area": "110101001"})
    assert unchanged.status_code == 200 and unchanged.json()["outcome"] == "unchanged"
    facts.cases(OCTOBER, 1)
    corrected = _post(client, {"kind": "month", "period": "2026-10", "area": "110101001"})
    assert corrected.status_code == 201 and corrected.json()["outcome"] == "corrected"
    latest = corrected.json()["bulletin"]
    assert latest["supersedes_id"] == bulletin["id"] and [v["version"] for v in latest["versions"]] == [1, 2]
    assert {(c["table_key"], c["row_key"], c["column_key"], c["old"], c["new"]) for c in latest["changes"]} >= {
        ("main", "reports", "value", 5, 6)
    }

    reader = world.client("street_leader")
    listed = reader.get(URL).json()
    assert [(row["id"], row["unread"]) for row in listed] == [(latest["id"], True)]
    detail = reader.get(f"{URL}/{latest['id']}").json()
    assert any(table["key"] == "workers" for table in detail["content"]["tables"])  # a leader reads their workers'
    assert BulletinRead.objects.get(bulletin_id=latest["id"], user=world.user("street_leader")).read_at is not None
    assert reader.get(URL).json()[0]["unread"] is False
    assert reader.get(f"{URL}?kind=week").json() == []
    assert len(reader.get(f"{URL}?period=2026-10&area_code=110101001").json()) == 1


def test_per_person_tables_stay_out_of_the_api_for_those_who_may_not_read_them(facts, world):
    bulletin = bulletin_publish("month", "2026-10", "110101").bulletin
    tables = world.client("dispatcher").get(f"{URL}/{bulletin.pk}").json()["content"]["tables"]
    assert tables and not any(table["personal"] for table in tables)


@pytest.mark.parametrize(
    ("persona", "body", "status", "code"),
    [
        ("street_leader", {"kind": "month", "period": "2026-10", "area": "110101001"}, 403, "publish_not_permitted"),
        ("grid_worker_a", {"kind": "month", "period": "2026-10", "area": "110101001"}, 403, "bulletins_not_permitted"),
        ("shift_leader", {"kind": "month", "period": "2026-13", "area": "110101"}, 400, "period_invalid"),
        ("shift_leader", {"kind": "month", "period": "2026-W40", "area": "110101"}, 400, "period_invalid"),
        ("shift_leader", {"kind": "month", "period": "2099-01", "area": "110101"}, 400, "period_not_ended"),
        ("shift_leader", {"kind": "month", "period": "2026-10", "area": "999999"}, 404, "area_not_found"),
        ("shift_leader", {"kind": "decade", "period": "2026-10", "area": "110101"}, 422, "validation_failed"),
        ("shift_leader", {"kind": "month", "period": "2026-10", "area": "abc"}, 422, "validation_failed"),
    ],
)
def test_refusals_carry_their_codes_and_publish_nothing(world, persona, body, status, code):
    response = _post(world.client(persona), body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Bulletin.objects.exists()


def test_a_bulletin_of_another_street_does_not_exist_for_a_street_leader(world):
    two = bulletin_publish("month", "2026-10", "110101002").bulletin
    response = world.client("street_leader").get(f"{URL}/{two.pk}")
    assert response.status_code == 404 and response.json()["code"] == "bulletin_not_found"
    assert world.client("street_leader").get(URL).json() == []
    assert world.client("anonymous").get(URL).status_code == 401

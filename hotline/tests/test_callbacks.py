"""Callback work: the queue with its due dates, counts and filters, and the caller's full number for the seats who
call back — one audit row per reveal (never the number in it), rate-limited, a tel: link and a softphone hook."""

import datetime as dt
import json
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings

from audit.models import AuditAction, AuditEntry, SecurityAlert
from audit.services import Origin
from cases.models import Category
from gridgov.testing import IN_A, case_run_to_closed
from gridgov.timesource import acting_at
from hotline import selectors, services

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
PHONE = "13912345678"


def closed_ticket(world, closed_at, request_type="complaint", phone=PHONE):
    with acting_at(closed_at - dt.timedelta(hours=2)):
        ticket = services.ticket_take(
            Origin(world.user("intake_clerk"), "page"),
            services.TicketData(
                caller_phone=phone, request_type=request_type, content="路边垃圾没人清运", longitude=IN_A[0],
                latitude=IN_A[1], submission_key=uuid.uuid4().hex,
                category_id=Category.objects.get(kind="event", code="0102").pk,
            ),
        )  # fmt: skip
    with acting_at(closed_at):
        case_run_to_closed(world, ticket.case)
    return ticket


@pytest.fixture
def queue(world):
    """Closed on Monday 9 November (due Thursday 12: overdue on the 18th), twice; Friday 13 November (due
    Wednesday 18: due today); Wednesday 18 November (due Monday 23), not reached once."""
    monday = dt.datetime(2026, 11, 9, 15, 0, tzinfo=SHANGHAI)
    tickets = {
        "late": closed_ticket(world, monday),
        "late_help": closed_ticket(world, monday + dt.timedelta(minutes=5), request_type="help"),
        "today": closed_ticket(world, dt.datetime(2026, 11, 13, 16, 0, tzinfo=SHANGHAI)),
        "missed": closed_ticket(world, dt.datetime(2026, 11, 18, 8, 0, tzinfo=SHANGHAI)),
    }
    with acting_at(dt.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)):
        services.callback_record(Origin(world.user("intake_clerk"), "page"), tickets["missed"], outcome="unreachable")
    return tickets


def numbers(rows):
    return [ticket.number for ticket in rows]


def test_the_queue_counts_and_filters_by_state_and_type(world, queue):
    with acting_at(NOW):
        everything = selectors.callbacks_queue()
        assert everything.counts == {"all": 4, "overdue": 2, "today": 1, "missed": 1, "fresh": 3}
        assert numbers(everything.rows) == numbers([queue["late"], queue["late_help"], queue["today"], queue["missed"]])
        assert numbers(selectors.callbacks_queue("overdue").rows) == numbers([queue["late"], queue["late_help"]])
        assert numbers(selectors.callbacks_queue("today").rows) == [queue["today"].number]
        assert numbers(selectors.callbacks_queue("missed").rows) == [queue["missed"].number]
        helps = selectors.callbacks_queue("", "help")
        assert numbers(helps.rows) == [queue["late_help"].number] and helps.counts["all"] == 1
        rows = selectors.callbacks_with_due(everything.rows)
    due = {ticket.number: (ticket.callback_due.astimezone(SHANGHAI).date(), ticket.callback_late) for ticket in rows}
    assert due[queue["late"].number] == (dt.date(2026, 11, 12), True)
    assert due[queue["today"].number] == (dt.date(2026, 11, 18), False)
    assert due[queue["missed"].number] == (dt.date(2026, 11, 23), False)


def test_the_queue_page_shows_counts_due_dates_and_filters_in_a_few_queries(
    world, queue, django_assert_max_num_queries
):
    clerk = world.client("intake_clerk")
    with acting_at(NOW), django_assert_max_num_queries(12):
        page = clerk.get("/hotline/callbacks/").content.decode()
    assert page.count("data-callback=") == 4 and page.count("data-reveal-phone=") == 4
    assert 'data-state="overdue"' in page and "回访期限 11-12 已超期" in page
    assert PHONE not in page and "139******78" in page
    with acting_at(NOW):
        overdue = clerk.get("/hotline/callbacks/", {"state": "overdue", "type": "help"}).content.decode()
    assert overdue.count("data-callback=") == 1 and queue["late_help"].number in overdue


def test_a_reveal_shows_the_number_with_a_tel_link_and_is_audited_without_it(world, queue):
    ticket = queue["late"]
    clerk = world.client("intake_clerk")
    response = clerk.post(f"/hotline/tickets/{ticket.number}/phone/")
    body = response.content.decode()
    assert response.status_code == 200 and f'href="tel:{PHONE}"' in body and "data-softphone" not in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor, entry.object_type) == (world.user("intake_clerk"), "hotline.ticket")
    assert entry.object_id == str(ticket.pk)
    assert entry.fields == ["caller_phone"]
    stored = json.dumps([entry.detail, entry.changes, entry.fields, entry.path], ensure_ascii=False)
    assert PHONE not in stored and ticket.number in stored
    assert clerk.get(f"/hotline/tickets/{ticket.number}/phone/").status_code == 405  # never by GET (URL, caches)
    clerk.post(f"/hotline/tickets/{ticket.number}/phone/")
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 2  # one row per reveal


@override_settings(SOFTPHONE_URL="sip:{number}@pbx.example")
def test_the_softphone_hook(world, queue):
    body = world.client("shift_leader").post(f"/hotline/tickets/{queue['late'].number}/phone/").content.decode()
    assert f'href="sip:{PHONE}@pbx.example"' in body and "data-softphone" in body
    with override_settings(SOFTPHONE_URL="javascript:alert({number})"):
        assert services.softphone_link(PHONE) == ""


def test_reveals_are_refused_to_others_and_to_a_seat_without_the_right(world, queue):
    url = f"/hotline/tickets/{queue['late'].number}/phone/"
    for persona in ("grid_worker_a", "dispatcher", "street_leader", "administrator"):
        assert world.client(persona).post(url).status_code == 404
    Group.objects.get(name="intake_clerk").permissions.remove(
        Permission.objects.get(codename="reveal_caller_phone", content_type__app_label="hotline")
    )
    clerk = world.client("intake_clerk")
    refused = clerk.post(url)
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    with acting_at(NOW):
        page = clerk.get("/hotline/callbacks/").content.decode()
    assert "data-callback=" in page and "data-reveal-phone" not in page


@override_settings(CALLER_REVEALS_PER_MINUTE=2)
def test_reveals_are_rate_limited_and_the_burst_is_audited_and_alerted(world, queue):
    clerk = world.client("intake_clerk")
    url = f"/hotline/tickets/{queue['late'].number}/phone/"
    assert [clerk.post(url).status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 2
    refusal = AuditEntry.objects.get(action=AuditAction.REFUSE)
    assert refusal.object_type == "hotline.reveal" and PHONE not in json.dumps(refusal.detail, ensure_ascii=False)
    assert SecurityAlert.objects.count() == 1
    assert world.client("shift_leader").post(url).status_code == 200  # each seat has its own limit

"""The 12345 desk: taking calls (answered on the spot or turned into cases), caller history, category suggestion
that learns, reply deadlines on working days, extension only before expiry, and callbacks that can reopen."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from pytest_django.asserts import assertRedirects

from audit.services import Origin
from cases import services as case_services
from cases.models import Case, Category
from gridgov.errors import Conflict, PermissionDenied, RecordInvalid
from gridgov.testing import case_run_to_closed
from gridgov.timesource import acting_at
from hotline import selectors, services
from hotline.models import Callback, KnowledgeArticle, Ticket, TicketLimit
from registry.tests.factories import BuildingFactory

IN_A = (116.405, 39.91)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def seat(world, persona="intake_clerk"):
    return Origin(world.users[persona], "page")


def call(world, persona="intake_clerk", **fields):
    data = {
        "caller_phone": "13800001111",
        "request_type": "complaint",
        "content": "小区门口垃圾堆了好几天没人清运",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "submission_key": uuid.uuid4().hex,
        "category_id": Category.objects.get(kind="event", code="0102").pk,
        **fields,
    }
    return services.ticket_take(seat(world, persona), services.TicketData(**data))


def test_a_complaint_becomes_a_hotline_case_with_a_13_working_day_reply_deadline(world):
    moment = dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # a Monday before the National Day holidays
    with acting_at(moment):
        ticket = call(world, caller_name="张先生")
    case = ticket.case
    assert ticket.number.startswith("H20260928") and ticket.outcome == "transferred" and ticket.closed_at is None
    assert (case.source, case.status, case.grid) == ("hotline", "reported", world.grid_a)
    report = case.reports.get()
    assert report.reporter_name == "张先生" and report.notify_reporter
    assert report.reported_by == world.users["intake_clerk"]
    assert case.description.startswith("【投诉】")
    # 13 working days after Monday 28 September 2026: 29, 30 Sep; Oct 1–7 are holidays; 8, 9, Saturday 10 (调休),
    # 12–16, 19, 20, 21 October.
    assert ticket.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 10, 21)
    assert ticket.caller_phone_masked == "138******11" and "13800001111" not in ticket.caller_phone


def test_a_question_answered_from_the_knowledge_base_closes_at_once(world):
    answer = "携带身份证到社区服务站办理。"
    article = KnowledgeArticle.objects.create(title="居住证办理", keywords="居住证,暂住", answer=answer)
    found = selectors.articles_search("请问居住证怎么办理")
    assert found == [article]
    ticket = call(world, request_type="consult", content="请问居住证怎么办理", article_id=article.pk,
                  longitude=None, latitude=None)  # fmt: skip
    assert (ticket.outcome, ticket.case, ticket.answer) == ("answered", None, article.answer)
    assert ticket.closed_at is not None and not Case.objects.exists()
    article.refresh_from_db()
    assert article.use_count == 1


def test_bad_calls_are_refused_with_every_problem_and_write_nothing(world):
    with pytest.raises(RecordInvalid) as refused:
        call(world, caller_phone="12", content=" ", longitude=None, latitude=None, request_type="nonsense")
    fields = {problem["field"] for problem in refused.value.details}
    assert fields == {"caller_phone", "content", "location", "request_type"}
    with pytest.raises(PermissionDenied):
        call(world, persona="grid_worker_a")
    with pytest.raises(RecordInvalid):
        call(world, longitude=0.0, latitude=0.0)  # outside every grid: refused by the case intake
    assert not Ticket.objects.exists() and not Case.objects.exists()


def test_a_retried_submission_of_the_same_call_files_one_ticket(world):
    key = uuid.uuid4().hex
    first, second = call(world, submission_key=key), call(world, submission_key=key)
    assert first.pk == second.pk and Ticket.objects.count() == 1 and Case.objects.count() == 1


def test_caller_history_shows_earlier_tickets_and_open_cases(world):
    first = call(world)
    call(world, caller_phone="13900002222")
    history = selectors.caller_history("138 0000 1111")
    assert history["count"] == 1 and history["tickets"] == [first] and history["open_cases"] == [first.case]
    case_run_to_closed(world, first.case)
    assert selectors.caller_history("13800001111")["open_cases"] == []


def test_category_suggestion_from_names_and_from_what_past_tickets_taught(world):
    garbage = Category.objects.get(kind="event", code="0102")
    top = services.category_suggest("路边有暴露垃圾")[0].category
    assert top == garbage
    text = "楼道里堆满了杂物，走不过去"
    taught = Category.objects.get(kind="governance", code="G301")
    assert taught not in [suggestion.category for suggestion in services.category_suggest(text)]
    for _ in range(2):
        call(world, content=text, category_id=taught.pk)
    assert services.category_suggest("二楼楼道堆满杂物")[0].category == taught


def test_extension_only_before_expiry_and_only_by_a_shift_leader(world):
    TicketLimit.objects.filter(request_type="help").update(working_days=1)
    with acting_at(dt.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)):  # Wednesday
        ticket = call(world, request_type="help")
    assert ticket.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 11, 19)
    with pytest.raises(PermissionDenied):
        services.ticket_extend(seat(world), ticket, 2, "需要协调")
    with acting_at(dt.datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI)):
        extended = services.ticket_extend(seat(world, "shift_leader"), ticket, 2, "需要协调物业")
    assert extended.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 11, 23)  # Friday, then Monday
    with acting_at(dt.datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)), pytest.raises(Conflict) as late:
        services.ticket_extend(seat(world, "shift_leader"), extended, 2, "还要再等")
    assert late.value.code == "ticket_expired"
    urgent = call(world, request_type="complaint", urgent=True)
    assert urgent.due_at.astimezone(SHANGHAI).date() == urgent.created_at.astimezone(SHANGHAI).date()  # same day


def test_the_seats_urgent_mark_is_the_reason_for_an_urgent_priority(world):
    ticket = call(world, urgent=True)  # 暴露垃圾 is 一般 by default
    event = Case.objects.get(pk=ticket.case_id).events.get()
    assert (ticket.case.priority, event.priority_label, event.priority_reason) == (
        "urgent",
        "紧急",
        "12345 工单标记为紧急（当日办结）",
    )
    Category.objects.filter(kind="event", code="0102").update(default_priority="urgent")
    plain = call(world)  # not marked: the category's default, nothing to explain
    assert (plain.case.priority, Case.objects.get(pk=plain.case_id).events.get().priority_reason) == ("urgent", "")


def test_callback_after_close_records_the_rating_and_unsatisfied_reopens(world):
    ticket = call(world)
    assert list(selectors.callbacks_due()) == []
    with pytest.raises(Conflict):
        services.callback_record(seat(world), ticket, outcome="reached", rating="satisfied")
    case_run_to_closed(world, ticket.case)
    assert list(selectors.callbacks_due()) == [ticket]
    for _ in range(2):
        services.callback_record(seat(world), ticket, outcome="unreachable")
    assert list(selectors.callbacks_due()) == [ticket]  # two misses: still due
    with pytest.raises(RecordInvalid):
        services.callback_record(seat(world), ticket, outcome="reached")  # a reached caller's rating is required
    services.callback_record(seat(world), ticket, outcome="reached", rating="unsatisfied", note="垃圾又堆起来了")
    case = Case.objects.get(pk=ticket.case_id)
    assert (case.status, case.rating, case.rework_count) == ("dispatched", "unsatisfied", 1)
    assert list(selectors.callbacks_due()) == []
    assert case.events.filter(action="evaluate", channel="page").exists()
    # The department handles it again; after the second closing the callback is due again.
    handler = Origin(world.users["department_handler"], "api")
    case = case_services.case_report_result(handler, case, "重新清运")  # the check goes to grid A's worker
    case = case_services.case_check(Origin(world.users["grid_worker_a"], "api"), case, passed=True, note="好了")
    case_services.case_close(Origin(world.users["shift_leader"], "api"), case)
    assert list(selectors.callbacks_due()) == [ticket]
    services.callback_record(seat(world), ticket, outcome="reached", rating="satisfied")
    assert Callback.objects.filter(ticket=ticket).count() == 4
    assert Ticket.objects.get(pk=ticket.pk).closed_at is not None


def test_desk_pages_for_seats_only(world):
    building = BuildingFactory(grid=world.grid_a, road="东四北大街", door_number="88号")
    clerk = world.client("intake_clerk")
    assert clerk.get("/hotline/").status_code == 200
    for persona in ("grid_worker_a", "department_handler", "street_leader"):
        assert world.client(persona).get("/hotline/").status_code == 404
    assertRedirects(Client().get("/hotline/"), "/accounts/login/?next=/hotline/")
    hits = clerk.get("/hotline/addresses/", {"address": "东四北大街88"}).content.decode()
    assert building.address in hits and f'data-lon="{building.lon:f}"' in hits
    suggestions = clerk.get("/hotline/suggest/", {"content": "路边暴露垃圾"}).content.decode()
    assert "暴露垃圾" in suggestions
    response = clerk.post("/hotline/", {"caller_phone": "13800001111", "request_type": "complaint",
        "content": "路边暴露垃圾", "longitude": IN_A[0], "latitude": IN_A[1], "submission_key": "k" * 32})  # fmt: skip
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == "/hotline/"  # back to the intake form
    history = clerk.get("/hotline/caller/", {"caller_phone": "13800001111"}).content.decode()
    assert ticket.number in history and ticket.case.number in history
    assert ticket.number in clerk.get("/hotline/tickets/").content.decode()
    assert clerk.get(f"/hotline/tickets/{ticket.number}/").status_code == 200
    refused = clerk.post("/hotline/", {"caller_phone": "1", "request_type": "complaint", "content": "",
                                       "submission_key": "z" * 32})  # fmt: skip
    assert refused.status_code == 400 and Ticket.objects.count() == 1
    article = {"title": "医保报销", "answer": "到区医保中心办理", "is_active": "on"}
    response = clerk.post("/hotline/knowledge/new/", article)
    assert response.status_code == 302 and response["Location"] == "/hotline/knowledge/"
    assert KnowledgeArticle.objects.get().updated_by == world.users["intake_clerk"]
    assert "医保报销" in clerk.get("/hotline/knowledge/search/", {"q": "医保"}).content.decode()

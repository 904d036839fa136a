"""Messages that mean something: one per cause and person (however many roles reach the person), routine notices
of one sweep grouped into one message per person (one text on the SMS channel too), each person's choice of
channels respected by the sending task, and a badge that counts only what still needs the person."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from accounts.models import User
from accounts.roles import Role
from audit.services import Origin
from cases import services
from cases.deadlines import deadlines_sweep
from cases.models import Case, CaseEvent, Category
from cases.photos import photo_check
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from cases.tasks import case_events_notify
from gridgov.testing import IN_A, IN_C, World, jpeg, make_user
from notifications.choices import NoticeKind
from notifications.models import ChannelChoice, Delivery, Notification
from notifications.services import notify, waiting_count
from notifications.testing import LocalGateway

STAFF_SMS = {"NOTIFY_STAFF_CHANNELS": ["inapp", "sms"]}


class Office:
    """The test world with the seeded categories, and cases walked to "dispatched" (notifications sent)."""

    def __init__(self, world: World, run_commits) -> None:
        categories_ensure()
        self.world = world
        self.run_commits = run_commits
        self.category = Category.objects.get(kind="event", code="0102")

    def origin(self, persona: str) -> Origin:
        return Origin(self.world.user(persona), "api")

    def dispatched(self, point=IN_A) -> Case:
        with self.run_commits(execute=True):
            case = report_submit(
                self.origin("dispatcher"),
                ReportData(
                    source="hotline", description="路边有暴露垃圾", longitude=point[0], latitude=point[1],
                    category_id=self.category.pk,
                ),
            ).case  # fmt: skip
            services.case_file(self.origin("shift_leader"), case)
            return services.case_dispatch(self.origin("dispatcher"), case, self.world.department)

    def notice(self, user: User, **message) -> None:
        """A notice about no case, delivered."""
        with self.run_commits(execute=True):
            notify([user.pk], **message)

    def sweep(self, at) -> None:
        with self.run_commits(execute=True):
            deadlines_sweep(at)


@pytest.fixture
def office(world, django_capture_on_commit_callbacks) -> Office:
    return Office(world, django_capture_on_commit_callbacks)


@pytest.fixture
def staff_sms(db):
    """A real SMS gateway on 127.0.0.1 as the staff's second channel."""
    gateway = LocalGateway()
    with gateway.running(), override_settings(NOTIFICATION_CHANNELS=gateway.channels("sms"), **STAFF_SMS):
        yield gateway


def leader_of_two_roles(world: World) -> User:
    """A person who is both street leader of street 1 and shift leader of the district: both roles cover grid A,
    through two areas."""
    user = make_user("two_hats", Role.STREET_LEADER, [world.areas["110101001"], world.areas["110101"]])
    user.groups.add(Group.objects.get(name=Role.SHIFT_LEADER))
    return user


def ticked(client, kind: str, channel: str) -> bool:
    """Whether the settings page shows the box of ``channel`` for ``kind`` ticked."""
    page = client.get("/messages/settings/").content.decode()
    (box,) = re.findall(rf'<input[^>]*name="{kind}" value="{channel}"[^>]*>', page)
    return " checked" in box


def badge(client) -> int:
    found = re.search(r"data-unread>(\d+)<", client.get("/messages/").content.decode())
    return int(found.group(1)) if found else 0


def test_a_person_holding_two_roles_that_cover_the_grid_gets_one_message_per_event(office):
    person = leader_of_two_roles(office.world)
    person.phone = "13900000001"
    person.save()
    gateway = LocalGateway()
    with gateway.running(), override_settings(NOTIFICATION_CHANNELS=gateway.channels("sms"), **STAFF_SMS):
        case = office.dispatched()
        office.sweep(case.due_at)
        overdue = CaseEvent.objects.get(case=case, action="overdue")
        (message,) = Notification.objects.filter(user=person)
        assert message.cause == f"case_event:{overdue.pk}" and case.number in message.title
        assert Delivery.objects.filter(user=person).count() == 2  # in-app and SMS, once each
        assert [text["to"] for text in gateway.received] == ["13900000001"]
        with office.run_commits(execute=True):
            case_events_notify.call([overdue.pk])  # the event handed over again
        assert Notification.objects.filter(user=person).count() == 1 and len(gateway.received) == 1


def test_a_sweep_turning_cases_red_tells_each_person_once_with_the_list_of_them(office, staff_sms):
    world = office.world
    street_two = make_user("street_two", Role.STREET_LEADER, [world.areas["110101002"]], phone="13900000002")
    shift = world.user("shift_leader")
    shift.phone = "13900000003"
    shift.save()
    in_a = [office.dispatched() for _ in range(3)]
    in_c = office.dispatched(IN_C)
    office.sweep(max(case.due_at for case in [*in_a, in_c]))

    (district,) = Notification.objects.filter(user=shift, kind=NoticeKind.ALERT)
    assert district.title == "4 个案件进入红灯"
    assert sorted(district.items.values_list("case__number", flat=True)) == sorted(
        case.number for case in [*in_a, in_c]
    )
    (street,) = Notification.objects.filter(user=world.user("street_leader"), kind=NoticeKind.ALERT)
    assert street.title == "3 个案件进入红灯"
    assert sorted(street.items.values_list("case__number", flat=True)) == sorted(case.number for case in in_a)
    (single,) = Notification.objects.filter(user=street_two, kind=NoticeKind.ALERT)  # one case reached them
    assert single.title == f"案卷 {in_c.number}：超时（红灯）" and single.items.get().case == in_c
    texts = {text["to"]: text["text"] for text in staff_sms.received}
    assert len(staff_sms.received) == 2  # one text each, not one per case
    assert texts["13900000003"].startswith("4 个案件进入红灯：") and in_c.number in texts["13900000003"]
    assert texts["13900000002"] == f"案卷 {in_c.number}：超时（红灯）"

    overdue = list(CaseEvent.objects.filter(action="overdue").values_list("pk", flat=True))
    with office.run_commits(execute=True):
        case_events_notify.call(overdue)  # a retried task writes nothing
    assert Notification.objects.filter(kind=NoticeKind.ALERT).count() == 3 and len(staff_sms.received) == 2


def test_a_channel_switched_off_for_a_kind_is_skipped_and_in_app_stays(office, staff_sms):
    world = office.world
    handler = world.user("department_handler")
    handler.phone = "13900000004"
    handler.save()
    colleague = make_user("handler_two", Role.DEPARTMENT_HANDLER, department=world.department, phone="13900000005")
    client = world.client("department_handler")
    assert ticked(client, "task", "sms") and ticked(client, "alert", "sms")  # on until switched off

    answer = client.post("/messages/settings/", {"alert": ["sms"]})  # tasks: in-app only; alerts: SMS too

    assert answer.status_code == 302 and answer["Location"] == "/messages/settings/"
    assert ChannelChoice.objects.get(user=handler, kind=NoticeKind.TASK, channel="sms").enabled is False
    assert ChannelChoice.objects.get(user=handler, kind=NoticeKind.ALERT, channel="sms").enabled is True
    assert not ticked(client, "task", "sms") and ticked(client, "alert", "sms")
    case = office.dispatched()
    assert Notification.objects.filter(user=handler, title__contains=case.number).count() == 1
    assert not Delivery.objects.filter(user=handler, channel="sms").exists()
    assert Delivery.objects.filter(user=colleague, channel="sms").count() == 1
    assert [text["to"] for text in staff_sms.received] == ["13900000005"]
    office.notice(handler, title="全区通报：超期案件", cause="notice:alert", kind=NoticeKind.ALERT)
    assert Delivery.objects.filter(user=handler, channel="sms", cause="notice:alert").count() == 1


def test_the_badge_counts_unread_messages_that_still_need_the_person(office):
    world = office.world
    handler = world.user("department_handler")
    client = world.client("department_handler")
    first, second, third = office.dispatched(), office.dispatched(), office.dispatched()
    office.notice(handler, title="系统将于今晚维护", cause="notice:maintenance")
    assert Notification.objects.filter(user=handler, read_at=None).count() == 4
    assert badge(client) == 4

    with office.run_commits(execute=True):
        services.case_accept_task(office.origin("department_handler"), first)  # the case moved on: signed
    assert badge(client) == 3
    with office.run_commits(execute=True):
        services.case_urge(office.origin("dispatcher"), second)  # a second message about the same waiting case
        request = services.case_request_open(office.origin("dispatcher"), third, "void", "重复上报")
        services.case_request_decide(office.origin("shift_leader"), request, approve=True)
    assert Notification.objects.filter(user=handler, read_at=None).count() == 6
    assert badge(client) == 3  # the urge counts; the voided case and its message no longer wait on anyone
    with office.run_commits(execute=True):
        services.case_photos_add(office.origin("department_handler"), second, "before", [photo_check(jpeg())])
    assert badge(client) == 1  # the handler acted on the second case since both its messages: only the notice
    Notification.objects.filter(user=handler, cause="notice:maintenance").update(read_at="2026-01-05T08:00:00Z")
    assert badge(client) == 0 and waiting_count(handler.pk) == 0
    assert Notification.objects.filter(user=handler, read_at=None).count() == 5  # unread, but nothing to do


def test_the_badge_is_one_query_however_many_messages(office, django_assert_num_queries):
    handler = office.world.user("department_handler")
    for _ in range(4):
        office.dispatched()
    office.sweep(Case.objects.order_by("-due_at").first().due_at)
    for number in range(20):
        office.notice(handler, title=f"通知 {number}", cause=f"notice:{number}")
    assert Notification.objects.filter(user=handler).count() >= 24
    with django_assert_num_queries(1):
        assert waiting_count(handler.pk) == 24

"""The messages page under /messages/: a person sees their own in-app messages, newest first, and "mark all as
read" marks only theirs, then returns to the page; the header's badge links there."""

from notifications.models import Notification


def test_messages_page_lists_only_the_readers_own_messages(world):
    dispatcher, handler = world.user("dispatcher"), world.user("department_handler")
    Notification.objects.create(user=dispatcher, title="案卷待派遣", cause="case:1:file")
    Notification.objects.create(user=dispatcher, title="案卷已超时", cause="case:1:overdue")
    Notification.objects.create(user=handler, title="他人的消息", cause="case:2:dispatch")

    page = world.client("dispatcher").get("/messages/").content.decode()

    assert page.index("案卷已超时") < page.index("案卷待派遣")
    assert "他人的消息" not in page
    assert 'href="/messages/"' in page and "data-unread" in page


def test_marking_all_read_touches_only_the_readers_messages(world):
    dispatcher, handler = world.user("dispatcher"), world.user("department_handler")
    Notification.objects.create(user=dispatcher, title="案卷待派遣", cause="case:1:file")
    Notification.objects.create(user=handler, title="他人的消息", cause="case:2:dispatch")

    answer = world.client("dispatcher").post("/messages/")

    assert answer.status_code == 302 and answer["Location"] == "/messages/"
    assert not Notification.objects.filter(user=dispatcher, read_at=None).exists()
    assert Notification.objects.get(user=handler).read_at is None

"""Phone and ID numbers in what residents typed never reach a public page or Open311, however they are written."""

import pytest
from django.test import Client

from audit.services import Origin
from cases.models import Category
from cases.public import public_text
from cases.services import ReportData, report_submit

IN_A = (116.405, 39.91)

#: As typed → as published, by the rule of every mask (docs/privacy.md): a mobile keeps its first three and last two
#: digits, an ID number its region and check character, another number its last two; separators stay.
WRITTEN = [
    ("139-1234-5678", "139-****-**78"),
    ("137 1111 2222", "137 **** **22"),
    ("１３８１２３４５６７８", "１３８******７８"),
    ("110101 19900101 123X", "110101 ******** ***X"),
    ("139.1234.5678", "139.****.**78"),
    ("13912345678", "139******78"),
    ("11010519491231002x", "110105***********x"),
    ("１１０１０１１９９００１０１１２３Ｘ", "１１０１０１***********Ｘ"),
    ("110101 1990 0101 123X", "110101 **** **** ***X"),
    ("010-12345678", "***-******78"),
    ("139 - 1234 - 5678", "139 - **** - **78"),
]
ORDINARY = ["3号楼2单元501", "2026-11-28", "2026-11-28 10:30", "2026-11-28 至 2026-11-30", "门牌 12 号 1001 室",
            "报修 3 次，等了 45 分钟", "1.5 米宽的坑"]  # fmt: skip


@pytest.mark.parametrize(("typed", "published"), WRITTEN)
def test_a_number_however_written_is_masked_in_place(typed, published):
    assert public_text(f"请联系{typed}谢谢") == f"请联系{published}谢谢"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_are_left_alone(text):
    assert public_text(text) == text


@pytest.fixture
def reported(world):
    garbage = Category.objects.get(kind="event", code="0102")

    def report(text: str):
        data = ReportData(source="hotline", description=f"垃圾堆了三天，电话 {text}", address=f"3号楼 {text}",
                          longitude=IN_A[0], latitude=IN_A[1], category_id=garbage.pk)  # fmt: skip
        return report_submit(Origin(None, "hotline"), data).case

    return report


@pytest.mark.parametrize(("typed", "published"), WRITTEN[:5])
def test_the_portal_and_open311_show_the_masked_form_only(reported, typed, published):
    case = reported(typed)
    page = Client().get("/portal/problems/").content.decode()  # the public list shows the masked description
    assert case.number in page and typed not in page and published in page
    assert typed not in Client().get(f"/portal/cases/{case.number}/").content.decode()
    document = Client().get(f"/open311/v2/requests/{case.number}.json").json()[0]
    assert typed not in document["description"] and published in document["description"]
    assert document["address"] == f"3号楼 {published}"
    listed = Client().get("/open311/v2/requests.json").json()
    assert all(typed not in str(item) for item in listed) and listed

"""Category suggestions learn from the seats' corrections: a text filed under another category than the suggested
one makes similar texts suggest the chosen category first, and the suggestion says why."""

import uuid

from audit.services import Origin
from cases.models import Category
from hotline import services
from hotline.models import LearnedTerm, SuggestionCorrection
from hotline.text import bigrams

TEXT = "共享单车乱停乱放堵住路口"


def category(code):
    return Category.objects.get(kind="event", code=code)


def take(world, content, chosen, suggested):
    data = services.TicketData(
        caller_phone="13800001111", request_type="complaint", content=content, longitude=116.405, latitude=39.91,
        submission_key=uuid.uuid4().hex, category_id=chosen.pk,
        suggested_category_id=suggested.pk if suggested else None,
    )  # fmt: skip
    return services.ticket_take(Origin(world.user("intake_clerk"), "page"), data)


def test_a_correction_puts_the_chosen_category_first_for_similar_texts(world):
    cars, bicycles = category("0505"), category("0506")  # 机动车乱停放, 非机动车乱停放
    assert services.category_suggest(TEXT)[0].category == cars  # the names alone: 乱停 and 车乱 in both, a tie
    assert services.category_suggest("小区门口共享单车太多了") == []
    ticket = take(world, TEXT, chosen=bicycles, suggested=cars)
    correction = SuggestionCorrection.objects.get()
    assert (correction.ticket, correction.suggested, correction.chosen) == (ticket, cars, bicycles)
    assert correction.corrected_by == world.user("intake_clerk") and "单车" in correction.terms
    assert LearnedTerm.objects.get(term="单车", category=bicycles).corrected == 1
    assert LearnedTerm.objects.get(term="单车", category=cars).rejected == 1
    assert services.category_suggest(TEXT)[0].category == bicycles
    similar = services.category_suggest("小区门口共享单车太多了")
    assert similar[0].category == bicycles and cars not in [suggestion.category for suggestion in similar]
    assert "“共享”被纠正为此类 1 次" in similar[0].reasons


def test_taking_the_suggestion_or_having_none_records_no_correction(world):
    bicycles = category("0506")
    take(world, TEXT, chosen=bicycles, suggested=bicycles)
    take(world, "门口电动车乱放", chosen=bicycles, suggested=None)
    assert not SuggestionCorrection.objects.exists()
    assert not LearnedTerm.objects.filter(corrected__gt=0).exists()
    assert LearnedTerm.objects.get(term="共享", category=bicycles).count == 1  # filed tickets still teach


def test_corrections_back_and_forth_cancel_out(world):
    cars, bicycles = category("0505"), category("0506")
    take(world, TEXT, chosen=bicycles, suggested=cars)
    take(world, TEXT, chosen=cars, suggested=bicycles)
    assert SuggestionCorrection.objects.count() == 2
    terms = set(bigrams(TEXT))
    for row in LearnedTerm.objects.filter(term__in=terms, category__in=[cars, bicycles]):
        assert (row.corrected, row.rejected) == (1, 1)


def test_the_desk_records_a_correction_and_shows_why(world):
    cars, bicycles = category("0505"), category("0506")
    clerk = world.client("intake_clerk")
    panel = clerk.get("/hotline/suggest/", {"content": TEXT}).content.decode()
    assert f'data-pick-category="{cars.pk}"' in panel and "名称含" in panel
    response = clerk.post("/hotline/", {"caller_phone": "13800001111", "request_type": "complaint",
        "content": TEXT, "longitude": 116.405, "latitude": 39.91, "category": bicycles.pk,
        "suggested_category": cars.pk, "submission_key": "s" * 32})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/hotline/"
    assert SuggestionCorrection.objects.get().chosen == bicycles
    panel = clerk.get("/hotline/suggest/", {"content": "共享单车又堆满了"}).content.decode()
    first = panel.index("data-pick-category=")
    assert panel[first:].startswith(f'data-pick-category="{bicycles.pk}"')
    assert "被纠正为此类" in panel

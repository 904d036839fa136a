"""The Open311 attribute rule pinned: ``attribute[X]=`` with an empty value counts as not given, so an empty
unknown attribute or an empty single-value list is no error, while the same attribute with a value still is."""

import pytest
from django.test import Client

from cases.models import Case
from cases.seed import categories_ensure
from open311.services import client_issue

IN_A = (116.405, 39.91)


@pytest.fixture
def post(world):
    categories_ensure()
    _client, key = client_issue("随手拍 App", requests_per_minute=100)
    http = Client()

    def submit(service_code="E0102", **fields):
        body = {"api_key": key, "service_code": service_code, "lat": str(IN_A[1]), "long": str(IN_A[0]),
                "description": "小区门口垃圾没人清理", **fields}  # fmt: skip
        return http.post("/open311/v2/requests.json", body)

    return submit


@pytest.mark.parametrize(
    ("service_code", "attributes"),
    [
        ("E0102", {"attribute[COLOUR]": ""}),  # not defined for the service, but empty: not given
        ("E0102", {"attribute[COLOUR]": "   "}),
        ("C0101", {"attribute[COMPONENT_STATE]": ""}),  # a list value left empty: not given
    ],
)
def test_rule_an_empty_attribute_counts_as_not_given(post, service_code, attributes):
    answer = post(service_code, **attributes)
    assert answer.status_code == 201, answer.content
    [created] = answer.json()
    case = Case.objects.get(number=created["service_request_id"])
    assert case.source == "open311" and case.category.service_code == service_code


@pytest.mark.parametrize(
    ("service_code", "attributes", "description"),
    [
        ("E0102", {"attribute[COLOUR]": "red"}, "attribute[COLOUR] is not defined for service E0102"),
        ("C0101", {"attribute[COMPONENT_STATE]": "on_fire"}, "attribute[COMPONENT_STATE] must be one of"),
    ],
)
def test_rule_a_given_attribute_is_checked(post, service_code, attributes, description):
    answer = post(service_code, **attributes)
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["code"] == 400 and error["description"].startswith(description)
    assert not Case.objects.exists()

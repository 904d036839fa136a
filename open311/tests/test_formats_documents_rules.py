"""The Open311 document rules of ``open311.formats`` pinned: one Python structure written as JSON (bare arrays,
UTF-8, not escaped) or as XML (the spec's element names for list items, ``true``/``false``, an empty element for
None), W3C date-times with the local offset, and the spec's error body with its status."""

import datetime as dt
import json

import pytest
from django.test import override_settings

from open311.formats import errors, respond, when, xml_of

HEADER = b'<?xml version="1.0" encoding="utf-8"?>\n'


@pytest.mark.parametrize(
    ("root", "item"),
    [
        ("services", "service"),
        ("service_requests", "request"),
        ("errors", "error"),
        ("endpoints", "endpoint"),
        ("formats", "format"),
        ("attributes", "attribute"),
        ("values", "value"),
        ("notes", "note"),
        ("media_urls", "media_url"),
    ],
)
def test_rule_each_list_of_the_spec_names_its_items(root, item):
    as_root = xml_of(root, ["a", "b"])
    assert as_root == HEADER + f"<{root}><{item}>a</{item}><{item}>b</{item}></{root}>".encode()
    nested = xml_of("document", {root: ["a"]})
    assert nested == HEADER + f"<document><{root}><{item}>a</{item}></{root}></document>".encode()


def test_rule_a_list_the_spec_does_not_name_holds_items():
    assert (
        xml_of("discovery", {"keys": ["x", 2]})
        == HEADER + b"<discovery><keys><item>x</item><item>2</item></keys></discovery>"
    )


def test_rule_xml_writes_nested_objects_booleans_none_and_text():
    document = [
        {
            "service_code": "E0102",
            "metadata": True,
            "keywords": None,
            "group": False,
            "sequence": 3,
            "attributes": [{"code": "COLOUR", "values": [{"key": "red", "name": "红"}]}],
        }
    ]
    assert (
        xml_of("services", document)
        == HEADER
        + (
            "<services><service><service_code>E0102</service_code><metadata>true</metadata><keywords />"
            "<group>false</group><sequence>3</sequence><attributes><attribute><code>COLOUR</code><values><value>"
            "<key>red</key><name>红</name></value></values></attribute></attributes></service></services>"
        ).encode()
    )


def test_rule_a_moment_is_written_in_local_time_to_the_second():
    moment = dt.datetime(2026, 11, 21, 1, 30, 15, 987654, tzinfo=dt.UTC)
    with override_settings(TIME_ZONE="Asia/Shanghai"):
        assert when(moment) == "2026-11-21T09:30:15+08:00"
    with override_settings(TIME_ZONE="Europe/Berlin"):
        assert when(moment) == "2026-11-21T02:30:15+01:00"
    assert when(None) is None


def test_rule_json_is_a_bare_array_in_utf8_open_to_every_origin():
    response = respond("json", "services", [{"service_name": "垃圾清运", "metadata": False}], status=201)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content == '[{"service_name": "垃圾清运", "metadata": false}]'.encode()


def test_rule_xml_is_sent_as_text_xml_in_utf8_open_to_every_origin():
    response = respond("xml", "services", [{"service_name": "垃圾清运"}])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert (
        response.content
        == HEADER + "<services><service><service_name>垃圾清运</service_name></service></services>".encode()
    )


@pytest.mark.parametrize("status", [400, 403, 404, 429])
def test_rule_an_error_is_the_spec_error_list_with_its_status(status):
    as_json = errors("json", status, "service_code 不存在")
    assert as_json.status_code == status
    assert json.loads(as_json.content) == [{"code": status, "description": "service_code 不存在"}]
    as_xml = errors("xml", status, "service_code 不存在")
    assert as_xml.status_code == status and as_xml["Content-Type"] == "text/xml; charset=utf-8"
    expected = f"<errors><error><code>{status}</code><description>service_code 不存在</description></error></errors>"
    assert as_xml.content == HEADER + expected.encode()

"""The API's schemas each have their own name: the OpenAPI document keys them by class name, so two classes of one
name in different apps would describe one of them with the other's fields."""

from __future__ import annotations

import json
from collections import defaultdict

from pydantic import BaseModel

import gridgov.api  # noqa: F401  (every router, and so every schema, imported)


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    direct: list[type] = cls.__subclasses__()
    for sub in direct:
        found += [sub, *_subclasses(sub)]
    return found


def test_no_two_schemas_of_the_project_share_a_name():
    modules = defaultdict(set)
    for schema in _subclasses(BaseModel):
        if schema.__module__.split(".")[0] not in ("ninja", "pydantic"):
            modules[schema.__name__].add(schema.__module__)
    assert not {name: found for name, found in modules.items() if len(found) > 1}


def test_the_openapi_document_has_no_key_twice(client):
    """The docs page reads the document with a YAML parser, which refuses a key given twice in one object (as an
    operation's extra responses keyed "200" beside the declared 200 would be)."""

    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), sorted({key for key in keys if keys.count(key) > 1})
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=unique)

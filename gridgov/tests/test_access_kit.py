"""Every endpoint of the project against its access rule (``access_rules.RULES``, the rules we keep are at the
head of the kit in ``gridgov/testing.py``): anonymous, every persona, an object of another street, and no row
changed by any refused state-changing request."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridgov.testing import PERSONAS, Rule, db_fingerprint, jpeg_bytes, url_names
from gridgov.tests.access_rules import RULES
from gridgov.tests.conftest import Scene


def test_every_url_pattern_has_an_access_rule():
    patterns = url_names()
    missing = sorted(set(patterns) - set(RULES) - {"admin"})
    assert not missing, "URL patterns without an access rule in gridgov/tests/access_rules.py: " + ", ".join(
        f"{name} ({patterns[name]})" for name in missing
    )
    assert not sorted(set(RULES) - set(patterns)), "rules for URL patterns that no longer exist"


def _format(scene: Scene, value):
    if value == "{photo}":
        return SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")
    if isinstance(value, str):
        formatted = scene.format(value)
        return int(formatted) if value in ("{worker_a}",) else formatted
    if isinstance(value, list):
        return [_format(scene, item) for item in value]
    if isinstance(value, dict):
        return {key: _format(scene, item) for key, item in value.items()}
    return value


def _request(scene: Scene, persona: str, rule: Rule, url: str):
    send = getattr(scene.client(persona), rule.method)
    data = _format(scene, rule.data)
    if (url.startswith("/api/") and rule.changes_state and not rule.form) or rule.method == "patch":
        return send(url, json.dumps(data), content_type="application/json")
    return send(url, data)


def _refusal_of_anonymous(rule: Rule, url: str) -> int:
    if rule.anonymous is not None:
        return rule.anonymous
    return 401 if url.startswith("/api/") else 302


def _check(scene: Scene, persona: str, rule: Rule, url: str, expected: set[int] | frozenset[int]) -> None:
    response = _request(scene, persona, rule, url)
    assert response.status_code in expected, f"{persona} {rule.method.upper()} {url}: {response.status_code}"
    if persona == "anonymous" and not rule.public and response.status_code == 302:
        assert response["Location"].startswith(reverse("login")), response["Location"]


@pytest.mark.parametrize("name", sorted(RULES))
def test_endpoint_answers_by_its_rule(scene, db, name):
    rule = RULES[name]
    url = scene.format(rule.url)
    scene.sign_in([*PERSONAS, *rule.allowed])  # before the snapshot: signing in writes last_login
    before = db_fingerprint() if rule.changes_state else None
    if rule.public:
        for persona in ("anonymous", "grid_worker_a"):
            _check(scene, persona, rule, url, rule.ok)
    else:
        personas = [*PERSONAS, *sorted(rule.allowed - set(PERSONAS))]
        for persona in personas:
            if persona in rule.allowed:
                if not rule.changes_state:  # allowed changes are the apps' own tests; here only refusals
                    _check(scene, persona, rule, url, rule.ok)
            elif persona == "anonymous":
                _check(scene, persona, rule, url, {_refusal_of_anonymous(rule, url)})
            else:
                _check(scene, persona, rule, url, rule.refused)
        if rule.outside:
            outside = scene.format(rule.outside)
            for persona in sorted(rule.allowed - rule.outside_allowed):
                _check(scene, persona, rule, outside, {404})
    if before is not None:
        assert db_fingerprint() == before, f"a refused {rule.method.upper()} {url} changed rows"


def test_the_admin_is_for_staff_only(scene, db):
    """Every model page of the admin: anonymous and a user who is not staff are sent to the admin's login."""
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    login = reverse("admin:login")
    for persona in ("anonymous", "grid_worker_a", "dispatcher"):
        client = scene.world.client(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith(login), (persona, url)

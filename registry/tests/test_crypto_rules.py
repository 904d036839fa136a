"""The registry's protection rules pinned: the lookup hash is keyed (not plain SHA-256, and another key gives
another hash), a phone is found through that hash and never by its clear text, a tampered ciphertext fails its
authentication tag, and an ID number born in the future is refused."""

import datetime as dt
import hashlib

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gridgov import crypto
from registry.idnumber import id_number_make, id_number_problem
from registry.models import Person
from registry.selectors import PersonQuery, person_search
from registry.tests.factories import PersonFactory

OTHER_KEY = "bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc="


def test_rule_lookup_hash_is_keyed_not_plain_sha256():
    hashed = crypto.lookup_hash("13812345678")
    assert len(hashed) == 64
    assert hashed != hashlib.sha256(b"13812345678").hexdigest()
    assert hashed == crypto.lookup_hash("138 1234 5678")  # normalised before hashing
    assert crypto.lookup_hash("11010119800517123x") == crypto.lookup_hash("11010119800517123X")
    assert crypto.lookup_hash("13812345679") != hashed
    assert crypto.lookup_hash("") == ""


def test_rule_lookup_hash_changes_with_the_key():
    first = crypto.lookup_hash("13812345678")
    kept = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [*kept[:-1], OTHER_KEY]
    crypto._hash_key.cache_clear()
    try:
        assert crypto.lookup_hash("13812345678") != first
    finally:
        settings.FIELD_ENCRYPTION_KEYS = kept
        crypto._hash_key.cache_clear()
    assert crypto.lookup_hash("13812345678") == first


def test_rule_phone_search_finds_a_person_through_the_keyed_hash(world):
    person = PersonFactory(name="赵六", grid=world.grid_a, identity__phone="13912340001")
    PersonFactory(name="钱七", grid=world.grid_a, identity__phone="13912340002")
    found = person_search(world.users["grid_worker_a"], PersonQuery(text="13912340001"))
    assert list(found) == [person]
    assert not person_search(world.users["grid_worker_a"], PersonQuery(text="13912340003")).exists()


def test_rule_phone_clear_text_never_matches_the_hash_column(world):
    person = PersonFactory(name="赵六", grid=world.grid_a, identity__phone="13912340001")
    person.refresh_from_db()
    assert person.phone_hash == crypto.lookup_hash("13912340001") != "13912340001"
    assert not Person.objects.filter(phone_hash="13912340001").exists()
    assert "13912340001" not in person.phone_encrypted
    assert crypto.decrypt(person.phone_encrypted) == "13912340001"


def test_rule_a_tampered_ciphertext_fails_its_authentication_tag():
    stored = crypto.encrypt("13812345678")
    key_id, payload = stored.split(":")
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{key_id}:{payload[:-4]}AAAA")


def test_rule_an_id_number_born_in_the_future_is_refused():
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    assert id_number_problem(id_number_make("110101", today, 1)) is None
    assert id_number_problem(id_number_make("110101", tomorrow, 1)) == "身份证号码中的出生日期不合理"
    assert id_number_problem(id_number_make("110101", dt.date(1900, 1, 1), 1)) is None
    assert id_number_problem(id_number_make("110101", dt.date(1899, 12, 31), 1)) == "身份证号码中的出生日期不合理"


VALID_ID = id_number_make("110101", dt.date(1980, 5, 17), 123)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (VALID_ID[:17], "身份证号码应为 18 位"),
        ("A" + VALID_ID[1:], "身份证号码前 17 位应为数字，最后一位为数字或 X"),  # a letter among the first 17
        (VALID_ID[:17] + "Y", "身份证号码前 17 位应为数字，最后一位为数字或 X"),
        (
            VALID_ID[:10] + "0230" + VALID_ID[14:],
            "身份证号码中的出生日期不存在",
        ),
        (VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"), "身份证号码校验位错误"),
    ],
)
def test_rule_an_id_number_problem_names_its_reason(value, reason):
    assert id_number_problem(value) == reason


def test_rule_a_ciphertext_under_an_unknown_key_is_refused_by_name():
    payload = crypto.encrypt("13812345678").split(":")[1]
    with pytest.raises(ImproperlyConfigured, match="key id 0badc0de"):
        crypto.decrypt(f"0badc0de:{payload}")


@pytest.mark.parametrize(
    ("plain", "masked"),
    [("13812345678", "138******78"), ("138123456789", "**********89"), ("02112345678", "*********78"), ("110", "***")],
)
def test_rule_only_an_eleven_digit_mobile_keeps_its_first_three_digits(plain, masked):
    assert crypto.mask_phone(plain) == masked

import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection

from gridgov import crypto
from registry.idnumber import birth_date_of, id_number_make, id_number_problem, sex_of
from registry.models import Person
from registry.tests.factories import HouseholdFactory


def test_id_numbers_carry_a_valid_check_character():
    number = id_number_make("110101", dt.date(1990, 3, 7), 123)
    assert id_number_problem(number) is None
    assert birth_date_of(number) == dt.date(1990, 3, 7) and sex_of(number) == "male"
    assert id_number_problem("11010519491231002X") is None  # the example of GB 11643
    assert "校验位" in id_number_problem("110105194912310021")
    assert "出生日期" in id_number_problem("110105194902300028")
    assert "18 位" in id_number_problem("1101051949")


def test_masks():
    assert crypto.mask_id_number("11010519491231002X") == "110105***********X"
    assert crypto.mask_phone("13812345678") == "138******78"


def test_the_database_holds_no_id_number_or_phone_in_clear_text(world):
    household = HouseholdFactory(house__building__grid=world.grid_a)
    person = Person(grid=world.grid_a, household=household, name="张三", sex="male", birth_date=dt.date(1949, 12, 31))
    person.set_id_number("11010519491231002X")
    person.set_phone("13812345678")
    person.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person")
        raw = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "11010519491231002X" not in raw and "13812345678" not in raw
    assert "1949123" not in raw and "1234567" not in raw  # the masked columns hide the middle digits
    stored = Person.objects.get(pk=person.pk)
    assert stored.id_number == "11010519491231002X" and stored.phone == "13812345678"
    assert Person.objects.filter(id_number_hash=crypto.lookup_hash("11010519491231002x")).get() == stored


def test_rotated_keys_still_decrypt_old_rows(settings):
    old = crypto.encrypt("13812345678")
    settings.FIELD_ENCRYPTION_KEYS = ["bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=", *settings.FIELD_ENCRYPTION_KEYS]
    crypto._keys.cache_clear()
    crypto._hash_key.cache_clear()
    try:
        assert crypto.decrypt(old) == "13812345678"
        assert crypto.encrypt("x").split(":")[0] != old.split(":")[0]
    finally:
        crypto._keys.cache_clear()
        crypto._hash_key.cache_clear()


def test_tampered_ciphertext_is_rejected():
    stored = crypto.encrypt("13812345678")
    key_id, payload = stored.split(":")
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{key_id}:{payload[:-4]}AAAA")

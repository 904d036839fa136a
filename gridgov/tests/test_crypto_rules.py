"""The rules of ``gridgov.crypto`` pinned: the stored form names its key by the first 8 hex digits of the key's
SHA-256; the first key encrypts and every key decrypts; the lookup hash is HMAC-SHA256 under a key derived from
the last (oldest) key, so putting a new key first changes no stored hash; bad keys are refused by name; empty
values stay empty; and the masks show only what docs/privacy.md allows."""

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from gridgov import crypto

OLD_KEY = "dGVzdC1maWVsZC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA="  # the test settings' key
NEW_KEY = "bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc="


def key_id(key: str) -> str:
    return hashlib.sha256(base64.urlsafe_b64decode(key)).hexdigest()[:8]


@pytest.fixture
def field_keys(settings):
    """Set ``FIELD_ENCRYPTION_KEYS`` for one test (the key caches are emptied before and after)."""

    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)
        crypto._keys.cache_clear()
        crypto._hash_key.cache_clear()

    use(OLD_KEY)
    yield use
    crypto._keys.cache_clear()
    crypto._hash_key.cache_clear()


def test_rule_the_stored_form_is_key_id_colon_base64_of_nonce_and_sealed_text(field_keys):
    stored = crypto.encrypt("13812345678")
    named, payload = stored.split(":")
    assert named == key_id(OLD_KEY) and len(named) == 8
    blob = base64.b64decode(payload)
    assert len(blob) == 12 + len("13812345678") + 16  # 96-bit nonce, the text, a 128-bit tag
    cipher = AESGCM(base64.urlsafe_b64decode(OLD_KEY))
    assert cipher.decrypt(blob[:12], blob[12:], named.encode()) == b"13812345678"  # the key id is bound to the text


def test_rule_each_encryption_has_its_own_nonce(field_keys):
    first, second = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == "13812345678"


def test_rule_the_first_key_encrypts_and_every_key_decrypts(field_keys):
    old = crypto.encrypt("张三 13812345678")
    field_keys(NEW_KEY, OLD_KEY)
    new = crypto.encrypt("张三 13812345678")
    assert new.split(":")[0] == key_id(NEW_KEY) != key_id(OLD_KEY)
    assert crypto.decrypt(old) == crypto.decrypt(new) == "张三 13812345678"
    field_keys(NEW_KEY)
    with pytest.raises(ImproperlyConfigured, match=f"No configured field key decrypts key id {key_id(OLD_KEY)}"):
        crypto.decrypt(old)


def test_rule_empty_values_stay_empty(field_keys):
    assert crypto.encrypt("") == "" and crypto.decrypt("") == "" and crypto.lookup_hash("") == ""


def test_rule_the_lookup_hash_is_hmac_sha256_under_the_derived_key_of_the_oldest_key(field_keys):
    derived = hashlib.sha256(b"gridgov-lookup-hash:" + base64.urlsafe_b64decode(OLD_KEY)).digest()
    expected = hmac.new(derived, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert crypto.lookup_hash("110105 19491231 002x") == expected
    field_keys(NEW_KEY, OLD_KEY)  # a new key put first: stored hashes keep matching
    assert crypto.lookup_hash("11010519491231002X") == expected
    field_keys(OLD_KEY, NEW_KEY)
    assert crypto.lookup_hash("11010519491231002X") != expected


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("abc", "GRIDGOV_FIELD_KEYS holds a value that is not base64."),
        (base64.urlsafe_b64encode(b"k" * 31).decode(), "Each GRIDGOV_FIELD_KEYS key must decode to 32 bytes."),
        (base64.urlsafe_b64encode(b"k" * 33).decode(), "Each GRIDGOV_FIELD_KEYS key must decode to 32 bytes."),
    ],
)
def test_rule_a_bad_key_is_refused_by_name(field_keys, key, message):
    field_keys(OLD_KEY, key)
    with pytest.raises(ImproperlyConfigured) as refused:
        crypto.encrypt("13812345678")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("plain", "masked"),
    [
        ("11010519491231002X", "110105***********X"),  # 18 characters: region and check character only
        ("110105491231002", "110105********2"),  # a 15-digit number of the first generation
        ("12345678", "123456*8"),
        ("1234567", "*******"),  # too short to show anything
        ("", ""),
    ],
)
def test_rule_an_id_number_shows_only_its_region_and_last_character(plain, masked):
    assert crypto.mask_id_number(plain) == masked


@pytest.mark.parametrize(
    ("plain", "masked"),
    [
        ("23456789012", "*********12"),  # 11 digits, not a mobile
        ("12345", "***45"),
        ("1234", "****"),  # too short to show anything
        ("110", "***"),
    ],
)
def test_rule_a_phone_shows_its_last_two_digits_and_a_mobile_its_first_three(plain, masked):
    assert crypto.mask_phone(plain) == masked


@pytest.mark.parametrize(
    ("digits", "masked"),
    [
        ("110105491231002", "110105********2"),  # 15 characters: an ID number
        ("11010549123100", "************00"),  # 14: a phone
        ("13812345678", "138******78"),
    ],
)
def test_rule_a_number_of_unknown_kind_is_an_id_number_from_15_characters(digits, masked):
    assert crypto.mask_number(digits) == masked

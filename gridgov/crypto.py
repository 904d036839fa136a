"""Encryption at rest for residents' ID numbers and phones (AES-GCM), with a keyed hash for exact lookup.

Stored form: ``<key index>:<base64(nonce + ciphertext)>``. The first key in ``FIELD_ENCRYPTION_KEYS``
encrypts; every listed key decrypts, so a new key can be put first and old rows re-encrypted later
(``manage.py fields_reencrypt``). The lookup hash is HMAC-SHA256 under a key derived from the last
(oldest) key, so it stays stable while keys rotate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _keys() -> tuple[tuple[str, AESGCM], ...]:
    ciphers = []
    for value in settings.FIELD_ENCRYPTION_KEYS:
        try:
            raw = base64.urlsafe_b64decode(value)
        except ValueError:
            raise ImproperlyConfigured("GRIDGOV_FIELD_KEYS holds a value that is not base64.") from None
        if len(raw) != 32:
            raise ImproperlyConfigured("Each GRIDGOV_FIELD_KEYS key must decode to 32 bytes.")
        key_id = hashlib.sha256(raw).hexdigest()[:8]
        ciphers.append((key_id, AESGCM(raw)))
    return tuple(ciphers)


@cache
def _hash_key() -> bytes:
    raw = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[-1])
    return hashlib.sha256(b"gridgov-lookup-hash:" + raw).digest()


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    key_id, cipher = _keys()[0]
    nonce = os.urandom(12)
    sealed = cipher.encrypt(nonce, plain.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    key_id, _sep, payload = stored.partition(":")
    for candidate_id, cipher in _keys():
        if candidate_id == key_id:
            blob = base64.b64decode(payload)
            return cipher.decrypt(blob[:12], blob[12:], key_id.encode()).decode()
    raise ImproperlyConfigured(f"No configured field key decrypts key id {key_id}.")


def lookup_hash(plain: str) -> str:
    """Keyed hash for exact search; normalised (upper case, no spaces)."""
    if not plain:
        return ""
    normalised = plain.replace(" ", "").upper()
    return hmac.new(_hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


def keyed_digest(data: bytes) -> str:
    """Keyed SHA-256 (HMAC) of bytes as they are: a stored digest of a request or submission that may hold a phone or
    an ID number, which nobody without the key can test guesses against."""
    return hmac.new(_hash_key(), data, hashlib.sha256).hexdigest()


def mask_id_number(plain: str) -> str:
    """``110101***********X``: the region code and the check character only, never a birth-date or sequence
    digit, so that region + birth year + sex still leave more than 10,000 numbers (see docs/privacy.md)."""
    if len(plain) <= 7:
        return "*" * len(plain)
    return plain[:6] + "*" * (len(plain) - 7) + plain[-1:]


def mask_phone(plain: str) -> str:
    """``138******78`` for an 11-digit mobile; only the last two digits of any other number."""
    if len(plain) == 11 and plain.startswith("1"):
        return plain[:3] + "*" * 6 + plain[-2:]
    if len(plain) <= 4:
        return "*" * len(plain)
    return "*" * (len(plain) - 2) + plain[-2:]


def mask_number(digits: str) -> str:
    """The mask of a number whose kind is not known (a searched value, a number typed into free text): 15 or more
    characters are taken for an ID number, fewer for a phone."""
    return mask_id_number(digits) if len(digits) >= 15 else mask_phone(digits)

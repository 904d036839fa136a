"""Telephone numbers: the one rule for what a number is and how one is cleaned, used by the registry, cases, the
hotline, the portal and Open311."""

from __future__ import annotations

import re

# A mainland mobile number: the only kind a one-time code can be texted to.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE_LENGTHS = (7, 15)  # a local landline without area code up to the longest international number (E.164)


def is_phone(value: str) -> bool:
    """Whether ``value`` is a telephone number as stored: 7–15 digits, nothing else."""
    return value.isdigit() and PHONE_LENGTHS[0] <= len(value) <= PHONE_LENGTHS[1]


def phone_digits(raw: str) -> str:
    """The digits of a number as typed (spaces, dashes, brackets and a plus sign dropped)."""
    return "".join(character for character in raw if character.isdigit())


def phone_national(digits: str) -> str:
    """A mainland number without China's country code: ``8613800138000`` → ``13800138000``."""
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits

"""GB 11643 citizen ID numbers: 6-digit region, 8-digit birth date, 3-digit sequence, check character."""

from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return _CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_make(region: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number; an odd ``sequence`` means male, even female (GB 11643)."""
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-digit ID number; None when it is."""
    value = value.strip().upper()
    if len(value) != 18:
        return "身份证号码应为 18 位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号码前 17 位应为数字，最后一位为数字或 X"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if birth.year < 1900 or birth > dt.date.today():
        return "身份证号码中的出生日期不合理"
    if check_character(value[:17]) != value[17]:
        return "身份证号码校验位错误"
    return None


def birth_date_of(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_of(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"

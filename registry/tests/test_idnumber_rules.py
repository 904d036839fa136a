"""The GB 11643 rules of ``registry.idnumber`` pinned against the standard itself: the check character is ISO 7064
MOD 11-2 (weights 2^(17-i) mod 11, "10X98765432"), checked on the standard's own examples; a number is built from
a 6-digit region, the birth date and a 3-digit sequence; each way a number can be wrong has its own reason."""

import datetime as dt

import pytest

from registry.idnumber import birth_date_of, check_character, id_number_make, id_number_problem, sex_of

# The examples printed in GB 11643-1999.
CHAOYANG_1949 = "11010519491231002X"  # Beijing Chaoyang, 31 Dec 1949, sequence 002 (female), check X
SHANTOU_1880 = "440524188001010014"  # Shantou, 1 Jan 1880, sequence 001 (male), check 4


def iso7064_check(first17: str) -> str:
    """ISO 7064 MOD 11-2, written out from the standard: weight of position i (1-based from the left) is
    2^(18-i) mod 11; the check value makes the weighted sum with it ≡ 1 (mod 11); 10 is written X."""
    total = sum(int(digit) * pow(2, 17 - position, 11) for position, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def test_rule_the_standards_examples_carry_their_printed_check_characters():
    assert check_character(CHAOYANG_1949[:17]) == "X"
    assert check_character(SHANTOU_1880[:17]) == "4"


@pytest.mark.parametrize("position", range(17))
@pytest.mark.parametrize("digit", [1, 7])
def test_rule_each_position_has_its_iso7064_weight(position, digit):
    first17 = "0" * position + str(digit) + "0" * (16 - position)
    assert check_character(first17) == iso7064_check(first17)


def test_rule_every_check_character_of_the_table_is_reachable():
    numbers = ["0" * 17] + ["0" * position + "1" + "0" * (16 - position) for position in range(17)]
    checks = {first17: check_character(first17) for first17 in numbers}
    assert all(check == iso7064_check(first17) for first17, check in checks.items())
    assert set(checks.values()) == set("0123456789X")


def test_rule_a_number_is_region_birth_date_sequence_and_check():
    assert id_number_make("110105", dt.date(1949, 12, 31), 2) == CHAOYANG_1949
    assert id_number_make("440524", dt.date(1880, 1, 1), 1) == SHANTOU_1880
    assert id_number_make("110101", dt.date(2001, 2, 3), 45)[:17] == "11010120010203045"


def test_rule_a_sequence_has_three_digits():
    with pytest.raises(ValueError):
        id_number_make("110101", dt.date(1990, 1, 1), 1000)  # 18 digits before the check: not a number


def test_rule_birth_date_and_sex_are_read_from_the_number():
    assert birth_date_of(CHAOYANG_1949) == dt.date(1949, 12, 31)
    assert birth_date_of(SHANTOU_1880) == dt.date(1880, 1, 1)
    assert sex_of(CHAOYANG_1949) == "female"  # sequence 002: even
    assert sex_of(SHANTOU_1880) == "male"  # sequence 001: odd
    assert sex_of("110101199001011500") == "female"  # sequence 150: its last digit decides, not the others
    assert sex_of("110101199001011610") == "male"  # sequence 161


def test_rule_a_number_is_read_without_surrounding_spaces_and_with_a_small_x():
    assert id_number_problem(CHAOYANG_1949) is None
    assert id_number_problem(" 11010519491231002x\n") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "身份证号码应为 18 位"),
        (CHAOYANG_1949 + "1", "身份证号码应为 18 位"),
        ("1101051949123100A2", "身份证号码前 17 位应为数字，最后一位为数字或 X"),  # a letter in position 17
        ("1101051949123100XX", "身份证号码前 17 位应为数字，最后一位为数字或 X"),
        ("11010519491231002A", "身份证号码前 17 位应为数字，最后一位为数字或 X"),
        ("110105194913310026", "身份证号码中的出生日期不存在"),  # month 13
        ("110105194912320023", "身份证号码中的出生日期不存在"),  # 32 December
        ("110105190102290026", "身份证号码中的出生日期不存在"),  # 29 February 1901, not a leap year
        (SHANTOU_1880, "身份证号码中的出生日期不合理"),  # a valid number of the standard, born before 1900
        ("110105194912310021", "身份证号码校验位错误"),
    ],
)
def test_rule_each_problem_has_its_reason(value, reason):
    assert id_number_problem(value) == reason


def test_rule_a_leap_day_is_a_birth_date():
    first17 = "11010520000229003"
    assert id_number_problem(first17 + iso7064_check(first17)) is None
    assert birth_date_of(first17 + "0") == dt.date(2000, 2, 29)

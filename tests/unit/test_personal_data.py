"""personal_data: phone numbers, resident ID numbers and the beneficiary's name in public free text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwish.personal_data import (
    MASK,
    PersonalDataError,
    contains_name,
    find_phone,
    find_resident_id,
    id_check_digit,
    is_resident_id,
    kind_of,
    mask,
    refuse_personal_data,
)

# GB 11643's own example (check digit X) and one ending in a digit.
VALID_IDS = (
    "11010519491231002X",
    "110105194912310021"[:17] + id_check_digit("11010519491231002"),
    "430103199003071234"[:17] + id_check_digit("43010319900307123"),
)


@pytest.mark.parametrize(
    "text",
    [
        "13800000000",
        "电话13812345678",
        "联系138 1234 5678吧",
        "138-1234-5678",
        "+86 138 1234 5678",
        "8613812345678",
        "0086-13812345678",
        "0745-2345678",
        "0745 2345678",
        "(010)12345678",
        "（0745）2345678",
        "010 1234 5678",
        "１３８１２３４５６７８",  # full-width digits
        "call 139.1234.5678 now",
        "1 3 8 1 2 3 4 5 6 7 8",
    ],
)
def test_phone_numbers_are_found_with_any_separators(text):
    assert find_phone(text) and kind_of(text) == "a phone number"
    assert MASK in mask(text) and not find_phone(mask(text))


@pytest.mark.parametrize(
    "text",
    [
        "共13个人",
        "2024-01-01",
        "价格1380元",
        "12345",
        "一台电视机",
        "编号123456789012",
        "1.5公斤",
        "第12345678页",
        "12800000000",  # 12x is no mobile prefix
    ],
)
def test_ordinary_numbers_are_not_phone_numbers(text):
    assert not find_phone(text) and mask(text) == text


def test_resident_ids_need_their_check_digit():
    assert id_check_digit("11010519491231002") == "X"
    for number in VALID_IDS:
        assert is_resident_id(number) and find_resident_id(f"身份证{number}号")
        assert mask(f"身份证{number}号") == f"身份证{MASK}号"
        assert kind_of(number) == "an ID card number"
    lowercase = VALID_IDS[0].lower()
    assert find_resident_id(lowercase)
    spaced = f"{VALID_IDS[1][:6]} {VALID_IDS[1][6:14]} {VALID_IDS[1][14:]}"
    assert find_resident_id(spaced)
    wrong = VALID_IDS[1][:17] + str((int(VALID_IDS[1][17]) + 1) % 10) if VALID_IDS[1][17] != "X" else "0"
    assert not find_resident_id(wrong)
    assert not find_resident_id(VALID_IDS[1] + "5")  # 19 digits: no ID number


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_makes_an_id(first17):
    valid = [c for c in "0123456789X" if is_resident_id(first17 + c)]
    assert valid == [id_check_digit(first17)]


@given(
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.sampled_from(["", " ", "-", " - "]),
    st.text(alphabet="心愿电视机谢谢您的爱心，。", max_size=10),
)
def test_any_mobile_number_is_masked(number, separator, around):
    spaced = number[:3] + separator + number[3:7] + separator + number[7:]
    text = around + spaced + around
    assert find_phone(text)
    assert mask(text) == around + MASK + around


@given(st.text(alphabet="心愿电视机谢谢您的爱心，。abc ", max_size=40))
def test_text_without_digits_is_left_alone(text):
    assert mask(text) == text and kind_of(text, "谢桂云") is None


def test_the_beneficiarys_name_as_given():
    assert contains_name("谢桂云想要一台电视机", "谢桂云")
    assert contains_name("谢 桂\u200b云", "谢桂云")  # separators and invisibles slipped in
    assert not contains_name("谢女士想要一台电视机", "谢桂云")  # the alias is fine
    assert not contains_name("谢谢", "谢")  # a one-character name refuses nothing
    assert not contains_name("anything", None)


def test_refusal_names_the_field_and_never_echoes_the_text():
    with pytest.raises(PersonalDataError) as caught:
        refuse_personal_data([("title", "一台电视机"), ("description", "请打13812345678")], "谢桂云")
    error = caught.value
    assert error.status == 422
    assert error.extensions["errors"] == [
        {"field": "description", "type": "personal_data", "message": error.extensions["errors"][0]["message"]}
    ]
    assert "13812345678" not in str(error.extensions) and "13812345678" not in error.detail
    refuse_personal_data([("title", "一台电视机"), ("description", None)], "谢桂云")  # nothing to refuse

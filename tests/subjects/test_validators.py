"""Resident IDs and USCCs: every wrong number is refused with a Chinese reason."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from yimen.errors import InvalidInput
from yimen.subjects.demo import resident_id, uscc
from yimen.subjects.validators import (
    USCC_ALPHABET,
    normalise_mobile,
    normalise_phone,
    normalise_resident_id,
    normalise_uscc,
    uscc_check_char,
)

GRANDMA = resident_id("19530312", "002")


def refusal(normalise, value) -> InvalidInput:
    with pytest.raises(InvalidInput) as excinfo:
        normalise(value)
    return excinfo.value


def test_a_valid_resident_id_is_kept_in_canonical_form():
    assert normalise_resident_id(f" {GRANDMA[:6]} {GRANDMA[6:]} ") == GRANDMA
    assert normalise_resident_id(resident_id("19491231", "002", "110105")) == "11010519491231002X"
    assert normalise_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写身份证号。"),
        ("22010553031200", "身份证号应为18位，您填写的是14位。"),
        ("22010519530312A028", "身份证号格式不正确：前17位应为数字，最后一位为数字或X。"),
        (GRANDMA[:-1] + str((int(GRANDMA[-1]) + 1) % 10), "身份证号校验位不正确，请核对是否输错。"),
        (resident_id("19530230", "002"), "身份证号中的出生日期（第7至14位）不是有效日期。"),
        (resident_id("19530312", "002", "999999"), "身份证号前6位不是有效的行政区划代码。"),
    ],
)
def test_a_wrong_resident_id_is_refused_with_its_reason(value, message):
    error = refusal(normalise_resident_id, value)
    assert (error.code, error.field, error.message) == (
        "invalid_resident_id",
        "resident_id",
        message,
    )


def test_a_birth_date_after_today_is_refused():
    tomorrow = dt.date(2026, 11, 26)
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        error = refusal(normalise_resident_id, resident_id(tomorrow.strftime("%Y%m%d"), "001"))
        assert error.message == "身份证号中的出生日期晚于今天。"
        assert normalise_resident_id(resident_id("20261125", "001"))


def test_an_old_area_code_is_accepted_for_people_born_before_it():
    # 220105 has meant 二道区 since 1995; people born in the 1950s hold it too.
    assert normalise_resident_id(GRANDMA) == GRANDMA


@pytest.mark.parametrize(
    "code", ["91110000600037341L", uscc("91220105MA14X2Q5T"), uscc("92220105MA15D8K3W")]
)
def test_a_valid_uscc_is_accepted(code):
    assert normalise_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "authority"),
    [("N2220105MF3R7L9P08", "N"), ("Y1220105MB1C4G6U22", "Y"), (uscc("A1220105MB1C4G6U2"), "A")],
)
def test_registering_authorities_a_n_and_y_are_accepted(code, authority):
    assert normalise_uscc(code)[0] == authority


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请填写统一社会信用代码。"),
        ("91110000600037341", "统一社会信用代码应为18位，您填写的是17位。"),
        ("91110000600037341I", "统一社会信用代码只能由数字和大写字母组成（不含I、O、S、V、Z）。"),
        ("91110000600037341M", "统一社会信用代码校验位不正确，请核对是否输错。"),
        ("N2220105MF3R7L9P09", "统一社会信用代码校验位不正确，请核对是否输错。"),
        ("Y1220105MB1C4G6U2X", "统一社会信用代码校验位不正确，请核对是否输错。"),
        (
            uscc("B1220105MB1C4G6U2"),
            "统一社会信用代码格式不正确：第1位为登记管理部门代码，第2位为机构类别，第3至8位为行政区划代码。",
        ),
    ],
)
def test_a_wrong_uscc_is_refused_with_its_reason(code, message):
    error = refusal(normalise_uscc, code)
    assert (error.code, error.field, error.message) == ("invalid_uscc", "uscc", message)


body = st.tuples(
    st.sampled_from("123456789ANY"),
    st.sampled_from("123459"),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(body, st.sampled_from(USCC_ALPHABET))
def test_exactly_one_check_character_completes_a_uscc(first17, check):
    complete = first17 + check
    if check == uscc_check_char(first17):
        assert normalise_uscc(complete) == complete
    else:
        assert refusal(normalise_uscc, complete).code == "invalid_uscc"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678")],
)
def test_mobile_numbers_are_normalised(value, expected):
    assert normalise_mobile(value) == expected


def test_a_wrong_mobile_number_is_refused():
    error = refusal(normalise_mobile, "1381234567")
    assert (error.code, error.message) == (
        "invalid_phone",
        "请填写11位手机号码，例如 13812345678。",
    )


def test_a_contact_phone_may_be_a_landline():
    assert normalise_phone("0431 84600000") == "0431-84600000"
    assert normalise_phone("") == ""
    assert refusal(normalise_phone, "12345").message.startswith("联系电话格式不正确")

"""Identifiers of subjects: resident IDs (GB 11643), USCCs (GB 32100) and phone numbers.

Each `normalise_*` returns the canonical form or raises `InvalidInput` with a
stable code and a Chinese message that says what is wrong.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from yimen.errors import InvalidInput

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registering authorities of GB 32100: 1–9, A (编制), N (农业), Y (其他).
USCC_AUTHORITIES = "123456789ANY"
# stdnum.cn.uscc refuses these valid authorities, so their check is computed here.
USCC_AUTHORITIES_CHECKED_HERE = "ANY"

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})")


def _invalid_id(message) -> InvalidInput:
    return InvalidInput("invalid_resident_id", message, field="resident_id")


def normalise_resident_id(value: str | None) -> str:
    """An 18-character resident ID with a correct check digit and a real, past birth date."""
    number = ric.compact(re.sub(r"[\s-]", "", value or ""))
    if not number:
        raise _invalid_id(_("请填写身份证号。"))
    if len(number) != 18:
        raise _invalid_id(_("身份证号应为18位，您填写的是%(n)s位。") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _invalid_id(_("身份证号格式不正确：前17位应为数字，最后一位为数字或X。"))
    if number[-1] != ric.calc_check_digit(number):
        raise _invalid_id(_("身份证号校验位不正确，请核对是否输错。"))
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError:
        raise _invalid_id(_("身份证号中的出生日期（第7至14位）不是有效日期。")) from None
    if birth_date > timezone.localdate():
        raise _invalid_id(_("身份证号中的出生日期晚于今天。"))
    if not _known_area(number[:6]):
        raise _invalid_id(_("身份证号前6位不是有效的行政区划代码。"))
    return number


def _known_area(code: str) -> bool:
    # Any period counts: an ID keeps the code of the place where it was first issued,
    # which stdnum's year-by-year check wrongly refuses for people born before the code.
    return any(props.get("county") for _part, props in numdb.get("cn/loc").info(code))


def _invalid_uscc(message) -> InvalidInput:
    return InvalidInput("invalid_uscc", message, field="uscc")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 MOD-31 check character over the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str | None) -> str:
    """An 18-character unified social credit code with a correct check character."""
    code = uscc.compact(value or "")
    if not code:
        raise _invalid_uscc(_("请填写统一社会信用代码。"))
    if len(code) != 18:
        raise _invalid_uscc(_("统一社会信用代码应为18位，您填写的是%(n)s位。") % {"n": len(code)})
    if any(c not in USCC_ALPHABET for c in code):
        raise _invalid_uscc(_("统一社会信用代码只能由数字和大写字母组成（不含I、O、S、V、Z）。"))
    if code[0] not in USCC_AUTHORITIES or not code[1].isdigit() or not code[2:8].isdigit():
        raise _invalid_uscc(
            _(
                "统一社会信用代码格式不正确：第1位为登记管理部门代码，第2位为机构类别，第3至8位为行政区划代码。"
            )
        )
    if not _uscc_check_passes(code):
        raise _invalid_uscc(_("统一社会信用代码校验位不正确，请核对是否输错。"))
    return code


def _uscc_check_passes(code: str) -> bool:
    if code[0] in USCC_AUTHORITIES_CHECKED_HERE:
        return code[-1] == uscc_check_char(code[:17])
    return uscc.is_valid(code)


def normalise_mobile(value: str | None, *, field: str = "phone") -> str:
    """An 11-digit mainland mobile number, without spaces, dashes or +86."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if not MOBILE.fullmatch(digits):
        raise InvalidInput(
            "invalid_phone", _("请填写11位手机号码，例如 13812345678。"), field=field
        )
    return digits


def normalise_phone(value: str | None) -> str:
    """A mobile number, or a landline written as `0431-84600000`; empty stays empty."""
    text = re.sub(r"[\s()]", "", value or "")
    if not text:
        return ""
    landline = LANDLINE.fullmatch(text)
    if landline:
        return f"{landline[1]}-{landline[2]}"
    try:
        return normalise_mobile(text)
    except InvalidInput:
        raise InvalidInput(
            "invalid_phone",
            _("联系电话格式不正确：请填写11位手机号码或带区号的固定电话（如 0431-84600000）。"),
            field="phone",
        ) from None

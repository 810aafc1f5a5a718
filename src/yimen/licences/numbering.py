"""The two numbers every licence carries. Pure functions: uniqueness is the registry's job.

Licence number (证照编号), for people to read and quote::

    <area code>-<year>-<sequence>          220105-2026-000123

the 6-digit administrative area code of the issuing district, the 4-digit year of
issue and a sequence counted per area and year, at least 6 digits (zero-padded).

E-licence identifier (电子证照标识, GB/T 36904), for machines::

    1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>

- `1.2.156.3005.2` is the fixed root of Chinese e-licence identifiers;
- the licence type code names the kind of licence, in digits and capital letters;
- the issuer is the bureau's 18-character unified social credit code (GB 32100);
- the serial is the issuer's own number of this licence, in digits and capital
  letters (the licence number without its dashes serves well);
- the version is 3 digits, `001` for a first issue, counting re-issues of the same licence;
- the check character is ISO 7064 MOD 37,36 (alphabet 0–9 A–Z) over everything
  before it with the dots left out.
"""

import re

from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from yimen.errors import InvalidInput
from yimen.subjects.validators import normalise_uscc

ROOT = "1.2.156.3005.2"
ALPHANUMERIC = re.compile(r"[0-9A-Z]+")
AREA_CODE = re.compile(r"\d{6}")
SEQUENCE_DIGITS = 6
MAX_VERSION = 999
IDENTIFIER = re.compile(
    re.escape(ROOT)
    + r"\.(?P<type>[0-9A-Z]+)\.(?P<issuer>[0-9A-HJ-NPQRTUWXY]{18})\.(?P<serial>[0-9A-Z]+)"
    r"\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])"
)


def licence_number(area_code: str, year: int, sequence: int) -> str:
    """`220105-2026-000123`: area code, year of issue, sequence within area and year."""
    if not AREA_CODE.fullmatch(area_code or ""):
        raise InvalidInput("invalid_area_code", _("行政区划代码应为6位数字。"), field="area_code")
    if not 1000 <= year <= 9999:
        raise InvalidInput("invalid_year", _("证照编号中的年份应为4位数字。"), field="year")
    if sequence < 1:
        raise InvalidInput("invalid_sequence", _("证照顺序号应为正整数。"), field="sequence")
    return f"{area_code}-{year}-{sequence:0{SEQUENCE_DIGITS}d}"


def licence_identifier(type_code: str, issuer_uscc: str, serial: str, version: int = 1) -> str:
    """The GB/T 36904 identifier of one issue of a licence, check character included."""
    _require_alphanumeric(type_code, "type_code", _("证照类型代码只能由数字和大写字母组成。"))
    issuer = normalise_uscc(issuer_uscc)
    _require_alphanumeric(serial, "serial", _("证照流水号只能由数字和大写字母组成。"))
    if not 1 <= version <= MAX_VERSION:
        raise InvalidInput("invalid_licence_version", _("证照版本号应为1至999。"), field="version")
    body = f"{ROOT}.{type_code}.{issuer}.{serial}.{version:03d}"
    return f"{body}.{_check_char(body)}"


def identifier_is_valid(identifier: str) -> bool:
    """Whether `identifier` has the GB/T 36904 shape, its check character fits, and the
    issuer's USCC passes its own check (which catches swaps MOD 37,36 lets through)."""
    parts = IDENTIFIER.fullmatch(identifier or "")
    if not parts:
        return False
    try:
        normalise_uscc(parts["issuer"])
    except InvalidInput:
        return False
    body, check = identifier.rsplit(".", 1)
    return _check_char(body) == check


def _check_char(body: str) -> str:
    return mod_37_36.calc_check_digit(body.replace(".", ""))


def _require_alphanumeric(value: str, field: str, message: str) -> None:
    if not ALPHANUMERIC.fullmatch(value or ""):
        raise InvalidInput(f"invalid_{field}", message, field=field)

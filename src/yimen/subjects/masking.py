"""Masks for resident IDs, phone numbers and names, for people who do not need the whole value.

`2201**********1234`, `138****5678` and `张*兰`. `MaskingFilter` applies the same masks
to every log record, so a log never holds a whole ID or mobile number.
"""

import logging
import re

RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id(value: str | None) -> str:
    """`220105195301011234` → `2201**********1234`."""
    return _keep_ends(value or "", 4, 4)


def mask_phone(value: str | None) -> str:
    """`13812345678` → `138****5678`; a landline keeps its first 3 and last 4 characters."""
    return _keep_ends(value or "", 3, 4)


def mask_name(name: str, head: int = 1, tail: int = 1) -> str:
    """张桂兰 → 张*兰, 王五 → 王*: the first `head` and last `tail` characters when the name
    is long enough to keep them and hide one, else the first alone."""
    if len(name) <= 1:
        return name
    if len(name) <= head + tail:
        head, tail = 1, 1 if len(name) > 2 else 0
    return name[:head] + "*" * (len(name) - head - tail) + (name[-tail:] if tail else "")


def mask_text(text: str) -> str:
    """Every resident ID and mobile number inside free text, masked."""
    text = RESIDENT_ID_IN_TEXT.sub(lambda m: mask_id(m.group()), text)
    return MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


class MaskingFilter(logging.Filter):
    """Masks resident IDs and mobile numbers in log messages, and in the traceback and stack
    they carry (add it to every handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # The formatter prints exc_text as it finds it, so it is made here, masked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True

"""Checks an application form against the rules of its item version's fields."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from yimen.catalog.models import FormField
from yimen.errors import InvalidInput

FieldType = FormField.FieldType


def clean_form(fields: list[FormField], data: dict) -> dict:
    """The form as stored on the case, or InvalidInput listing every wrong field at once."""
    data = data or {}
    cleaned, problems = {}, []
    for field in fields:
        raw = data.get(field.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                problems.append((field, _("%(l)s为必填项。") % {"l": field.label}))
            continue
        try:
            cleaned[field.key] = _clean_value(field, raw)
        except ValueError as exc:
            problems.append((field, str(exc)))
    unknown = sorted(set(data) - {f.key for f in fields})
    problems += [(None, _("申请表没有字段“%(k)s”。") % {"k": key}) for key in unknown]
    if problems:
        details = [{"field": f.key if f else "", "message": m} for f, m in problems]
        raise InvalidInput(
            "form_invalid",
            _("申请表填写有误：%(e)s") % {"e": "；".join(m for _f, m in problems)},
            field=details[0]["field"] or None,
            details=details,
        )
    return cleaned


def _clean_value(field: FormField, raw):
    cleaner = {
        FieldType.TEXT: _clean_text,
        FieldType.NUMBER: _clean_number,
        FieldType.DATE: _clean_date,
        FieldType.CHOICE: _clean_choice,
    }[field.field_type]
    return cleaner(field, raw)


def _clean_text(field: FormField, raw) -> str:
    value = str(raw).strip()
    if field.max_length and len(value) > field.max_length:
        raise ValueError(_("%(l)s不能超过%(n)s个字。") % {"l": field.label, "n": field.max_length})
    if field.pattern and not re.fullmatch(field.pattern, value):
        hint = field.help_text or _("请按规定格式填写")
        raise ValueError(_("%(l)s格式不正确（%(h)s）。") % {"l": field.label, "h": hint})
    return value


def _clean_number(field: FormField, raw) -> str:
    if isinstance(raw, bool):
        raise ValueError(_("%(l)s须为数字。") % {"l": field.label})
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("%(l)s须为数字。") % {"l": field.label}) from None
    if not value.is_finite():
        raise ValueError(_("%(l)s须为数字。") % {"l": field.label})
    if field.min_value is not None and value < field.min_value:
        raise ValueError(
            _("%(l)s不能小于%(n)s。") % {"l": field.label, "n": _plain(field.min_value)}
        )
    if field.max_value is not None and value > field.max_value:
        raise ValueError(
            _("%(l)s不能大于%(n)s。") % {"l": field.label, "n": _plain(field.max_value)}
        )
    return _plain(value)


def _plain(number) -> str:
    """500.00 -> "500", 35.50 -> "35.5": numbers as people write them."""
    return f"{Decimal(number).normalize():f}"


def _clean_date(field: FormField, raw) -> str:
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ValueError(_("%(l)s须为日期，格式如 2026-01-31。") % {"l": field.label}) from None


def _clean_choice(field: FormField, raw) -> str:
    value = str(raw).strip()
    options = [str(c) for c in field.choices]
    if value not in options:
        raise ValueError(_("%(l)s只能选择：%(c)s。") % {"l": field.label, "c": "、".join(options)})
    return value

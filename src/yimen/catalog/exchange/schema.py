"""The records and fields of the exchange format (docs/catalog-format.md).

Each field is derived from the catalog model field it carries, so lengths,
choices, nullability and the Chinese column header (the field's verbose name)
follow the models. A field kind knows how to check a file's value and turn it
into the canonical value an export writes, and how to move that value between
the model, the canonical form and a spreadsheet cell.
"""

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.catalog.models import (
    Bundle,
    DeliveryMode,
    Department,
    FormField,
    ItemVersion,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    ServiceCenter,
    ServiceItem,
    StageSpec,
    Theme,
)
from yimen.text import is_storable

FORMAT = "yimen-catalog"
FORMAT_VERSION = 1
# Column headers and sheet names are part of the format: always the Chinese ones.
FORMAT_LANGUAGE = "zh-hans"
LIST_SEPARATOR = ";"
MISSING = object()


class Bad(Exception):
    """A value the format does not allow; the message says why, in Chinese."""


def _require_storable(text: str) -> None:
    if not is_storable(text):
        raise Bad(_("含有空字符或无效的字符编码。"))


class Kind:
    """How one field's values are checked and converted."""

    choices: tuple[tuple[Any, str], ...] = ()
    target: str | None = None  # the section a code refers to

    def check(self, value):
        return value

    def from_model(self, value):
        return value

    def to_model(self, value):
        return value

    def export(self, obj, attr: str):
        return self.from_model(getattr(obj, attr))

    def to_cell(self, value):
        return value

    def from_cell(self, cell):
        return cell


def _number_text(cell) -> str:
    return str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


class Text(Kind):
    SLUG = re.compile(r"[-a-zA-Z0-9_]+")

    def __init__(self, *, max_length: int | None, blank: bool, slug: bool = False):
        self.max_length, self.blank, self.slug = max_length, blank, slug

    def check(self, value):
        if not isinstance(value, str):
            raise Bad(_("应为文本。"))
        _require_storable(value)
        if not self.blank and not value.strip():
            raise Bad(_("不能为空。"))
        if self.max_length and len(value) > self.max_length:
            raise Bad(_("不能超过 %(n)s 个字符。") % {"n": self.max_length})
        if self.slug and not self.SLUG.fullmatch(value):
            raise Bad(_("只能由字母、数字、下划线或连字符组成。"))
        return value

    def from_model(self, value):
        return getattr(value, "name", value) or ""  # a FieldFile stores its file's name

    def to_cell(self, value):
        return value or None

    def from_cell(self, cell):
        if cell is None:
            return ""
        return cell if isinstance(cell, str) else _number_text(cell)


class Number(Kind):
    """A non-negative whole number, possibly limited to a few choices."""

    def __init__(self, *, maximum: int, nullable: bool, choices=()):
        self.maximum, self.nullable, self.choices = maximum, nullable, tuple(choices)

    def check(self, value):
        if value is None and self.nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Bad(_("应为整数。"))
        if self.choices and value not in dict(self.choices):
            raise Bad(_("应为 %(c)s 之一。") % {"c": _choice_list(self.choices)})
        if not 0 <= value <= self.maximum:
            raise Bad(_("应在 0 到 %(max)s 之间。") % {"max": self.maximum})
        return value

    def from_cell(self, cell):
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        if isinstance(cell, str) and cell.strip().isdigit():
            return int(cell.strip())
        return cell


class Flag(Kind):
    CELL_VALUES = {"是": True, "否": False, "true": True, "false": False}

    def check(self, value):
        if not isinstance(value, bool):
            raise Bad(_("应为“是”或“否”（JSON 中为 true 或 false）。"))
        return value

    def to_cell(self, value):
        return "是" if value else "否"

    def from_cell(self, cell):
        if isinstance(cell, str):
            return self.CELL_VALUES.get(cell.strip().lower(), cell)
        return cell


class Choice(Kind):
    def __init__(self, choices):
        self.choices = tuple(choices)

    def check(self, value):
        if not isinstance(value, str) or value not in dict(self.choices):
            raise Bad(
                _("“%(v)s”无效，应为 %(c)s 之一。")
                % {"v": "" if value is None else value, "c": _choice_list(self.choices)}
            )
        return value

    def from_cell(self, cell):
        return cell.strip() if isinstance(cell, str) else cell


def _choice_list(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices)


class Day(Kind):
    PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

    def __init__(self, *, nullable: bool):
        self.nullable = nullable

    def check(self, value):
        if value is None and self.nullable:
            return None
        try:
            if not (isinstance(value, str) and self.PATTERN.fullmatch(value)):
                raise ValueError
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise Bad(_("应为日期，格式 YYYY-MM-DD，例如 2024-01-01。")) from None

    def from_model(self, value):
        return value.isoformat() if value else None

    def to_model(self, value):
        return dt.date.fromisoformat(value) if value else None

    def from_cell(self, cell):
        if isinstance(cell, dt.datetime):
            return cell.date().isoformat()
        if isinstance(cell, dt.date):
            return cell.isoformat()
        return (cell.strip() or None) if isinstance(cell, str) else cell


class Moment(Kind):
    """A point in time, written in Asia/Shanghai time with its offset."""

    def __init__(self, *, nullable: bool):
        self.nullable = nullable

    def check(self, value):
        if value is None and self.nullable:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise Bad(_("应为时间，格式如 2024-01-01T09:00:00+08:00。")) from None
        if timezone.is_naive(moment):
            raise Bad(_("时间须带时区，例如 2024-01-01T09:00:00+08:00。"))
        try:
            return self.from_model(moment)
        except OverflowError:
            raise Bad(_("时间超出可表示的范围。")) from None

    def from_model(self, value):
        return timezone.localtime(value).isoformat() if value else None

    def to_model(self, value):
        return dt.datetime.fromisoformat(value) if value else None

    def from_cell(self, cell):
        if isinstance(cell, dt.datetime):
            return self.from_model(timezone.make_aware(cell) if timezone.is_naive(cell) else cell)
        return (cell.strip() or None) if isinstance(cell, str) else cell


class Amount(Kind):
    """A decimal, written as a string with its fixed number of decimal places."""

    def __init__(self, *, max_digits: int, decimal_places: int, nullable: bool):
        self.step = Decimal(1).scaleb(-decimal_places)
        self.limit = Decimal(10) ** (max_digits - decimal_places)
        self.nullable = nullable

    def check(self, value):
        if value is None and self.nullable:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise InvalidOperation
            number = Decimal(str(value).strip())
            exact = number.quantize(self.step)
        except InvalidOperation:
            raise Bad(_("应为数值，例如 “0.00”。")) from None
        if exact != number:
            raise Bad(_("小数位数不能超过 %(n)s 位。") % {"n": -self.step.as_tuple().exponent})
        if abs(exact) >= self.limit:
            raise Bad(_("数值过大。"))
        return str(exact)

    def from_model(self, value):
        return None if value is None else str(Decimal(value).quantize(self.step))

    def to_model(self, value):
        return None if value is None else Decimal(value)

    def from_cell(self, cell):
        if isinstance(cell, float):
            return repr(cell)
        return (cell.strip() or None) if isinstance(cell, str) else cell


def _split_cell(cell) -> list[str]:
    if cell is None:
        return []
    text = cell if isinstance(cell, str) else _number_text(cell)
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


class Strings(Kind):
    """A list of texts, kept in the order given, possibly limited to choices."""

    def __init__(self, choices=()):
        self.choices = tuple(choices)

    def check(self, value):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise Bad(_("应为文本列表（表格中以“;”分隔）。"))
        for text in value:
            _require_storable(text)
        allowed = dict(self.choices)
        unknown = [v for v in value if allowed and v not in allowed]
        if unknown:
            raise Bad(
                _("“%(v)s”无效，应为 %(c)s。")
                % {"v": "、".join(unknown), "c": _choice_list(self.choices)}
            )
        if len(set(value)) != len(value):
            raise Bad(_("有重复的值。"))
        return list(value)

    def from_model(self, value):
        return list(value)

    def to_cell(self, value):
        return LIST_SEPARATOR.join(value) or None

    def from_cell(self, cell):
        return _split_cell(cell)


class Code(Kind):
    """The code of a record in another section."""

    def __init__(self, target: str, *, nullable: bool):
        self.target, self.nullable = target, nullable

    def check(self, value):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or not value.strip():
            raise Bad(_("应填写编码。"))
        _require_storable(value)
        return value

    def export(self, obj, attr: str):
        linked = getattr(obj, attr)
        return linked.code if linked else None

    def from_cell(self, cell):
        if cell is None:
            return None
        return (cell.strip() or None) if isinstance(cell, str) else _number_text(cell)


class Codes(Strings):
    """Codes of records in another section: a set (sorted) unless `ordered`."""

    def __init__(self, target: str, *, ordered: bool = False):
        super().__init__()
        self.target, self.ordered = target, ordered

    def check(self, value):
        codes = super().check(value)
        return codes if self.ordered else sorted(codes)

    def export(self, obj, attr: str):
        return sorted(linked.code for linked in getattr(obj, attr).all())


@dataclass(frozen=True)
class Field:
    key: str
    verbose: Any  # a lazy Chinese name
    kind: Kind
    default: Any = MISSING
    sheet: str | None = None  # in a workbook, a list with a sheet of its own

    @cached_property
    def label(self) -> str:
        with translation.override(FORMAT_LANGUAGE):
            return str(self.verbose)

    def export(self, obj):
        return self.kind.export(obj, self.key)


@dataclass(frozen=True)
class Record:
    key: str  # the section or list key in JSON
    sheet: str  # the sheet in a workbook
    model: type[models.Model]
    fields: tuple[Field, ...]
    children: tuple["Record", ...] = ()
    order_by: str | None = None  # records listed in this key's order; else as given

    @property
    def code_field(self) -> Field:
        """The field that names a record among its siblings (code, or version number)."""
        return self.fields[0]

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.fields) | {c.key for c in self.children}

    def label_of(self, key: str | None) -> str:
        for f in self.fields:
            if f.key == key:
                return f.label
        for child in self.children:
            if child.key == key:
                return child.sheet
        return key or ""

    def unique_fields(self) -> list[Field]:
        names = {f.name for f in self.model._meta.fields if f.unique and not f.primary_key}
        return [f for f in self.fields if f.key in names]


TARGETS = {
    Department: "departments",
    Theme: "themes",
    MaterialKind: "material_kinds",
    ServiceItem: "items",
}
SMALL_INT_MAX, INT_MAX = 32767, 2147483647


def _kind_for(mf: models.Field) -> Kind:
    if isinstance(mf, models.ManyToManyField):
        return Codes(TARGETS[mf.related_model])
    if isinstance(mf, models.ForeignKey):
        return Code(TARGETS[mf.related_model], nullable=mf.null)
    if isinstance(mf, models.BooleanField):
        return Flag()
    if isinstance(mf, models.DateTimeField):
        return Moment(nullable=mf.null)
    if isinstance(mf, models.DateField):
        return Day(nullable=mf.null)
    if isinstance(mf, models.DecimalField):
        return Amount(max_digits=mf.max_digits, decimal_places=mf.decimal_places, nullable=mf.null)
    if isinstance(mf, models.IntegerField):
        small = isinstance(mf, models.PositiveSmallIntegerField)
        maximum = SMALL_INT_MAX if small else INT_MAX
        return Number(maximum=maximum, nullable=mf.null, choices=mf.choices or ())
    if mf.choices:
        return Choice(mf.choices)
    return Text(max_length=mf.max_length, blank=mf.blank, slug=isinstance(mf, models.SlugField))


def _default_for(mf: models.Field, kind: Kind):
    if isinstance(mf, models.ManyToManyField):
        return []
    if mf.has_default():
        return kind.from_model(mf.get_default())
    if mf.null:
        return None
    if mf.blank and isinstance(kind, Text):
        return ""
    return MISSING


def model_fields(model: type[models.Model], *names: str, **kinds: Kind) -> tuple[Field, ...]:
    """Fields named like the model's, with a kind given where the model's type says too little."""
    fields = []
    for name in names:
        mf = model._meta.get_field(name)
        kind = kinds.get(name) or _kind_for(mf)
        fields.append(Field(name, mf.verbose_name, kind, _default_for(mf, kind)))
    return tuple(fields)


class BundleItems(Codes):
    def __init__(self):
        super().__init__("items", ordered=True)

    def export(self, obj, attr: str):
        return [member.item.code for member in obj.members.all()]


DEPARTMENTS = Record(
    "departments",
    "部门",
    Department,
    model_fields(Department, "code", "name", "is_regulator", "sort_order"),
)
THEMES = Record("themes", "办事主题", Theme, model_fields(Theme, "code", "name", "sort_order"))
MATERIAL_KINDS = Record(
    "material_kinds",
    "材料类型",
    MaterialKind,
    model_fields(MaterialKind, "code", "name", "is_licence"),
)
_center_fields = model_fields(
    ServiceCenter, "code", "name", "level", "address", "hours", "phone", "items"
)
CENTERS = Record(
    "centers",
    "政务服务中心",
    ServiceCenter,
    (*_center_fields[:-1], replace(_center_fields[-1], sheet="中心可办事项")),
)
LEGAL_BASES = Record(
    "legal_bases", "设定依据", LegalBasis, model_fields(LegalBasis, "law", "article", "text")
)
FORM_FIELDS = Record(
    "form_fields",
    "申请表字段",
    FormField,
    model_fields(
        FormField,
        "key",
        "label",
        "field_type",
        "required",
        "choices",
        "min_value",
        "max_value",
        "max_length",
        "pattern",
        "help_text",
        choices=Strings(),
    ),
)
MATERIALS = Record(
    "materials",
    "申请材料",
    MaterialSpec,
    model_fields(
        MaterialSpec,
        "kind",
        "name",
        "form",
        "originals",
        "copies",
        "source",
        "reusable",
        "necessity",
        "blank_form",
        "sample",
        "notes",
    ),
)
STAGES = Record(
    "stages",
    "办理环节",
    StageSpec,
    model_fields(
        StageSpec,
        "order",
        "kind",
        "name",
        "role",
        "department",
        "parallel_departments",
        "share_days",
        "stops_clock",
        "max_days",
    ),
    order_by="order",
)
# Fields that record a version's life rather than its content.
LIFECYCLE_KEYS = ("status", "effective_from", "effective_until", "published_at", "published_by")
VERSIONS = Record(
    "versions",
    "事项版本",
    ItemVersion,
    model_fields(
        ItemVersion,
        "number",
        *LIFECYCLE_KEYS,
        "change_note",
        *ItemVersion.CONTENT_FIELDS,
        delivery_modes=Strings(DeliveryMode.choices),
    ),
    children=(LEGAL_BASES, FORM_FIELDS, MATERIALS, STAGES),
    order_by="number",
)
ITEMS = Record(
    "items",
    "事项",
    ServiceItem,
    model_fields(ServiceItem, "code", "status", "cancelled_at", "cancel_reason", "themes"),
    children=(VERSIONS,),
)
BUNDLES = Record(
    "bundles",
    "一件事",
    Bundle,
    (
        *model_fields(Bundle, "code", "name", "description", "themes", "is_active"),
        Field("items", gettext_lazy("包含事项"), BundleItems(), []),
    ),
)
SECTIONS = (DEPARTMENTS, THEMES, MATERIAL_KINDS, CENTERS, ITEMS, BUNDLES)
SECTION_BY_TARGET = {spec.key: spec for spec in SECTIONS}

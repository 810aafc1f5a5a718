"""Exchange files: JSON, and XLSX workbooks with one sheet per kind of record.

A workbook row of a version's part names its item and version in its first
columns (事项编码, 版本号); a center's items have a sheet of their own. Reading
a workbook gives the same data as reading the JSON export, each record marked
with its sheet and row so problems can be reported there.
"""

import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from yimen.catalog.exchange.problems import WHERE, CatalogImportError, Problem
from yimen.catalog.exchange.schema import FORMAT, FORMAT_VERSION, SECTIONS, Field, Record

FORMATS = ("json", "xlsx")
INFO_SHEET, CODE_SHEET = "说明", "代码表"
FORMAT_LABEL, FORMAT_VERSION_LABEL = "格式", "格式版本"


def format_of(path: str | Path) -> str | None:
    """The exchange format a file name's extension stands for, if any."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def dump_json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def read_json(content: bytes) -> dict:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _unreadable("JSON", None, _("文件不是 UTF-8 编码的文本。")) from None
    except json.JSONDecodeError as error:
        raise _unreadable(
            "JSON",
            error.lineno,
            _("不是有效的 JSON（第 %(line)s 行第 %(col)s 列附近）。")
            % {"line": error.lineno, "col": error.colno},
        ) from None


def _unreadable(sheet: str, row: int | None, message: str) -> CatalogImportError:
    return CatalogImportError([Problem(sheet, row, "", message)])


@dataclass(frozen=True)
class Sheet:
    name: str
    spec: Record
    keys: tuple[Field, ...]  # which record a row belongs to: the codes of its owners
    columns: tuple[Field, ...]
    owner: Record | None = None  # the record type holding these rows; None for a section
    list_field: Field | None = None  # set when the sheet holds one list of its owner

    @property
    def headers(self) -> list[str]:
        return [f.label for f in (*self.keys, *self.columns)]


def _sheets_of(spec: Record, keys=(), owner=None) -> Iterator[Sheet]:
    own_columns = tuple(f for f in spec.fields if not f.sheet)
    yield Sheet(spec.sheet, spec, keys, own_columns, owner)
    inner = (*keys, spec.code_field)
    for f in spec.fields:
        if f.sheet:
            yield Sheet(f.sheet, spec, inner, (f,), spec, list_field=f)
    for child in spec.children:
        yield from _sheets_of(child, inner, spec)


SHEETS = [sheet for spec in SECTIONS for sheet in _sheets_of(spec)]


def write_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    info = workbook.active
    info.title = INFO_SHEET
    _fill(info, [["项目", "值"], [FORMAT_LABEL, FORMAT], [FORMAT_VERSION_LABEL, FORMAT_VERSION]])
    rows: dict[str, list[list]] = defaultdict(list)
    for spec in SECTIONS:
        _flatten(spec, data[spec.key], (), rows)
    for sheet in SHEETS:
        _fill(workbook.create_sheet(sheet.name), [sheet.headers, *rows[sheet.name]])
    _fill(workbook.create_sheet(CODE_SHEET), [["工作表", "列", "代码", "含义"], *_code_rows()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _flatten(spec: Record, records: list[dict], keys: tuple, rows: dict) -> None:
    for record in records:
        columns = [f for f in spec.fields if not f.sheet]
        rows[spec.sheet].append([*keys, *(f.kind.to_cell(record[f.key]) for f in columns)])
        inner = (*keys, record[spec.code_field.key])
        for f in spec.fields:
            if f.sheet:
                rows[f.sheet] += [[*inner, value] for value in record[f.key]]
        for child in spec.children:
            _flatten(child, record[child.key], inner, rows)


def _fill(worksheet, rows: list[list]) -> None:
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = worksheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, even when it starts with "="
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"


def _code_rows() -> list[list]:
    return [
        [sheet.name, f.label, value, str(label)]
        for sheet in SHEETS
        for f in sheet.columns
        for value, label in f.kind.choices
    ]


def read_xlsx(source: bytes | str | Path) -> dict:
    content = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for what is not a workbook
        raise _unreadable("XLSX", None, _("文件不是有效的 XLSX 工作簿。")) from None
    try:
        data = _read_format(workbook)
        problems: list[Problem] = []
        tables = {sheet.name: _read_table(workbook, sheet, problems) for sheet in SHEETS}
        if problems:
            raise CatalogImportError(problems)
        return _assemble(data, tables, problems)
    finally:
        workbook.close()


def _read_format(workbook) -> dict:
    info = {}
    if INFO_SHEET in workbook.sheetnames:
        info = {row[0]: row[1] for row in workbook[INFO_SHEET].iter_rows(values_only=True) if row}
    version = info.get(FORMAT_VERSION_LABEL)
    if info.get(FORMAT_LABEL) != FORMAT or version not in (FORMAT_VERSION, float(FORMAT_VERSION)):
        raise _unreadable(
            INFO_SHEET,
            None,
            _("不是一门事项目录工作簿：“说明”工作表中应有 格式 = %(f)s、格式版本 = %(v)s。")
            % {"f": FORMAT, "v": FORMAT_VERSION},
        )
    return {"format": FORMAT, "format_version": FORMAT_VERSION}


def _read_table(workbook, sheet: Sheet, problems: list) -> list[tuple[int, dict]]:
    if sheet.name not in workbook.sheetnames:
        problems.append(Problem(sheet.name, None, "", _("缺少此工作表。")))
        return []
    rows = workbook[sheet.name].iter_rows(values_only=True)
    labels = [h.strip() if isinstance(h, str) else h for h in next(rows, ())]
    present = [label for label in labels if label is not None]
    problems += [
        Problem(sheet.name, 1, label, _("缺少此列。"))
        for label in sheet.headers
        if label not in present
    ]
    problems += [
        Problem(sheet.name, 1, str(label), _("未知的列。"))
        for label in present
        if label not in sheet.headers
    ]
    return [
        (number, dict(zip(labels, values, strict=False)))
        for number, values in enumerate(rows, start=2)
        if any(_key_text(value) for value in values)
    ]


def _key_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "" if cell is None else str(cell).strip()


def _assemble(data: dict, tables: dict, problems: list) -> dict:
    for spec in SECTIONS:
        data[spec.key] = []
    records: dict[tuple, dict] = {}
    for sheet in SHEETS:
        for number, cells in tables[sheet.name]:
            keys = tuple(_key_text(cells.get(f.label)) for f in sheet.keys)
            owner = records.get((sheet.owner.key, keys)) if sheet.owner else data
            if owner is None:
                problems.append(_orphan(sheet, number, keys))
            elif sheet.list_field:
                owner[sheet.list_field.key].append(_key_text(cells[sheet.list_field.label]))
            else:
                record = _record(sheet, number, cells)
                owner[sheet.spec.key].append(record)
                own_code = _key_text(cells.get(sheet.spec.code_field.label))
                records.setdefault((sheet.spec.key, (*keys, own_code)), record)
    if problems:
        raise CatalogImportError(problems)
    return data


def _record(sheet: Sheet, number: int, cells: dict) -> dict:
    record = {WHERE: (sheet.name, number)}
    record.update({f.key: f.kind.from_cell(cells.get(f.label)) for f in sheet.columns})
    record.update({f.key: [] for f in sheet.spec.fields if f.sheet})
    record.update({child.key: [] for child in sheet.spec.children})
    return record


def _orphan(sheet: Sheet, number: int, keys: tuple) -> Problem:
    named = "、".join(f"{f.label} {key}" for f, key in zip(sheet.keys, keys, strict=True))
    return Problem(
        sheet.name,
        number,
        sheet.keys[-1].label,
        _("找不到此行所属的%(owner)s（%(named)s）。")
        % {"owner": sheet.owner.sheet, "named": named},
    )

"""The population and legal-person registries (人口基础信息库、法人信息库).

`SubjectRegistry` is what Yimen asks when staff look up an ID it has not seen:
set `YIMEN_SUBJECT_REGISTRY` to the dotted path of a class that reaches an
external registry; the default, `LocalRegistry`, answers from Yimen's own
tables. `import_persons` and `import_organisations` load the registries' CSV
feeds, updating subjects already known by ID or USCC and reporting every
rejected row with its reason.
"""

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yimen.errors import DomainError, InvalidInput
from yimen.subjects import selectors, services
from yimen.subjects.masking import mask_id
from yimen.subjects.models import Account, Subject
from yimen.text import is_storable


@dataclass(frozen=True)
class PersonRecord:
    name: str
    resident_id: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class OrganisationRecord:
    name: str
    uscc: str
    org_type: str
    legal_representative_id: str
    address: str = ""


class SubjectRegistry(Protocol):
    def find_person(self, resident_id: str) -> PersonRecord | None: ...

    def find_organisation(self, uscc: str) -> OrganisationRecord | None: ...


class LocalRegistry:
    """The registry as Yimen holds it: subjects imported or registered at a window."""

    def find_person(self, resident_id: str) -> PersonRecord | None:
        person = selectors.person_by_resident_id(resident_id)
        if person is None:
            return None
        return PersonRecord(person.name, person.code, person.phone, person.address)

    def find_organisation(self, uscc: str) -> OrganisationRecord | None:
        org = selectors.organisation_by_uscc(uscc)
        if org is None:
            return None
        return OrganisationRecord(
            org.name, org.code, org.org_type, org.legal_representative.code, org.address
        )


def get_registry() -> SubjectRegistry:
    path = getattr(settings, "YIMEN_SUBJECT_REGISTRY", "yimen.subjects.registry.LocalRegistry")
    return import_string(path)()


def subject_lookup(viewer: Account, query: str) -> list[selectors.SubjectView]:
    """Staff lookup: by name among known subjects, or by exact ID or USCC, asking the
    configured registry (and keeping its answer) when Yimen does not know the subject yet."""
    found = selectors.subject_search(viewer, query)
    exact = selectors.exact_code(query)
    if found or exact is None:
        return found
    kind, code = exact
    registry = get_registry()
    if kind == Subject.Kind.PERSON:
        record, upsert = registry.find_person(code), services.person_upsert
    else:
        record, upsert = registry.find_organisation(code), services.organisation_upsert
    if record is None:
        return []
    subject, _outcome = upsert(**asdict(record))
    return [selectors.staff_view(viewer, subject, "registry")]


# --- CSV import -----------------------------------------------------------------------

PERSON_COLUMNS = {
    "name": ("姓名", "name"),
    "resident_id": ("身份证号", "公民身份号码", "resident_id"),
    "phone": ("联系电话", "手机号码", "phone"),
    "address": ("住址", "地址", "address"),
}
ORGANISATION_COLUMNS = {
    "name": ("名称", "单位名称", "name"),
    "uscc": ("统一社会信用代码", "uscc"),
    "org_type": ("类型", "组织类型", "org_type"),
    "legal_representative_id": ("法定代表人身份证号", "legal_representative_id"),
    "address": ("住所", "地址", "address"),
}
REQUIRED = {"name", "resident_id", "uscc", "org_type", "legal_representative_id"}


@dataclass(frozen=True)
class RejectedRow:
    line: int
    identifier: str
    code: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _column_map(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    positions = {name.strip().lstrip("\ufeff"): i for i, name in enumerate(header)}
    found = {
        key: next((positions[a] for a in aliases if a in positions), None)
        for key, aliases in columns.items()
    }
    missing = [columns[key][0] for key, pos in found.items() if pos is None and key in REQUIRED]
    if missing:
        raise InvalidInput(
            "csv_missing_columns",
            _("CSV 文件缺少必填列：%(c)s。") % {"c": "、".join(missing)},
        )
    return {key: pos for key, pos in found.items() if pos is not None}


def _rows(lines: Iterable[str], columns: dict[str, tuple[str, ...]]):
    """(line number, cells) for each row that holds anything; cells is None for a row the
    CSV reader cannot read (a field over its size limit), which it then skips."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error:
        raise InvalidInput("csv_unreadable", _("CSV 文件的首行无法读取。")) from None
    if header is None:
        raise InvalidInput("csv_empty", _("CSV 文件是空的。"))
    positions = _column_map(header, columns)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            continue
        if any(cell.strip() for cell in row):
            cells = {
                key: (row[pos].strip() if pos < len(row) else "") for key, pos in positions.items()
            }
            yield reader.line_num, cells


def _check_readable(cells: dict | None) -> None:
    if cells is None:
        raise InvalidInput("csv_unreadable", _("此行无法读取（可能某一栏过长）。"))
    if not all(is_storable(value) for value in cells.values()):
        raise InvalidInput("invalid_characters", _("此行含有空字符或无效的字符编码。"))


def _import(lines, columns, id_key: str, upsert) -> ImportReport:
    report = ImportReport()
    for line, cells in _rows(lines, columns):
        try:
            _check_readable(cells)
            _subject, outcome = upsert(**cells)
        except DomainError as error:
            identifier = (cells or {}).get(id_key, "")
            identifier = mask_id(identifier) if id_key == "resident_id" else identifier
            report.rejected.append(RejectedRow(line, identifier, error.code, error.message))
        else:
            report.count(outcome)
    return report


def import_persons(lines: Iterable[str]) -> ImportReport:
    """Columns 姓名, 身份证号, 联系电话, 住址 (or name, resident_id, phone, address)."""
    return _import(lines, PERSON_COLUMNS, "resident_id", services.person_upsert)


def import_organisations(lines: Iterable[str]) -> ImportReport:
    """Columns 名称, 统一社会信用代码, 类型, 法定代表人身份证号, 住所."""
    return _import(lines, ORGANISATION_COLUMNS, "uscc", services.organisation_upsert)

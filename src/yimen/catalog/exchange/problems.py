"""Where a problem in an import file is, and the error that lists them all."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from yimen.catalog.errors import CatalogError

if TYPE_CHECKING:
    from yimen.catalog.exchange.schema import Record

# Records read from a workbook carry their (sheet, row) under this key.
WHERE = "_where"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an import file, where it is and why."""

    sheet: str
    row: int | None
    field: str
    message: str

    @property
    def where(self) -> str:
        # A JSON path already ends with the record's index; a sheet needs its row.
        row = "" if self.row is None or self.sheet.endswith(f"[{self.row}]") else f"第{self.row}行"
        return " ".join(part for part in (self.sheet, row, self.field) if part)

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


@dataclass(frozen=True)
class Place:
    """Where a record sits in the file: its sheet and row, or its JSON path and index."""

    sheet: str
    row: int | None = None
    spec: "Record | None" = field(default=None, compare=False)

    @classmethod
    def of(cls, raw, path: str, index: int, spec: "Record") -> "Place":
        where = raw.get(WHERE) if isinstance(raw, dict) else None
        if isinstance(where, tuple):  # only a workbook's reader makes one; JSON cannot
            return cls(where[0], where[1], spec)
        return cls(f"{path}[{index}]", index, spec)

    def problem(self, key: str | None, message: str) -> Problem:
        label = self.spec.label_of(key) if self.spec else (key or "")
        return Problem(self.sheet, self.row, label, message)

    def __str__(self) -> str:
        return Problem(self.sheet, self.row, "", "").where


class CatalogImportError(CatalogError):
    """An import file was refused whole; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "import_invalid",
            _("导入文件有 %(n)s 处问题，未做任何修改。") % {"n": len(problems)},
            details=[vars(p) for p in problems],
        )
        self.problems = problems

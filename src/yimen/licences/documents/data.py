"""What the bureau's documents say, as plain frozen data: the renderers read nothing else."""

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum


class LetterKind(StrEnum):
    RECEIPT = "receipt"  # 受理通知书
    CORRECTION = "correction"  # 补正材料通知书（一次性告知）
    REFUSAL = "refusal"  # 不予受理通知书
    GRANT = "grant"  # 准予行政许可决定书
    DENY = "deny"  # 不予行政许可决定书


# Fields a letter of each kind cannot do without.
REQUIRED_FIELDS = {
    LetterKind.RECEIPT: ("accepted_on",),
    LetterKind.CORRECTION: ("deficiencies",),
    LetterKind.REFUSAL: ("reason", "legal_basis", "review_body", "court"),
    LetterKind.GRANT: ("accepted_on", "reason", "legal_basis"),
    LetterKind.DENY: ("accepted_on", "reason", "legal_basis", "review_body", "court"),
}


class _Frozen:
    """Lists given for sequence fields are stored as tuples, so the data stays immutable."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, list):
                object.__setattr__(self, field.name, tuple(map(_freeze, value)))


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class LicenceData(_Frozen):
    """An e-licence (电子证照) as printed: the holder, what is licensed, for how long, by whom."""

    title: str  # 证照名称, e.g. 食品经营许可证
    number: str  # 证照编号, see numbering.licence_number
    identifier: str  # 电子证照标识, see numbering.licence_identifier
    holder_name: str
    holder_code_display: str  # the code as it may be shown: USCC in full, a resident ID masked
    item_name: str  # 许可事项
    rows: tuple[tuple[str, str], ...]  # further (label, value) rows: 经营场所, 经营项目 …
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期
    issuer: str  # 发证机关, the bureau's name (also on the seal)
    issued_on: dt.date
    holder_code_label: str = ""  # e.g. 统一社会信用代码; empty: 证件号码


@dataclass(frozen=True)
class LetterData(_Frozen):
    """One of the bureau's letters to an applicant about a case.

    Which optional fields a kind needs is in REQUIRED_FIELDS; the rest may stay empty.
    """

    kind: LetterKind
    doc_number: str  # 文书编号, e.g. 二审批受字〔2026〕第000123号
    addressee: str
    case_no: str
    item_name: str
    received_on: dt.date
    issued_on: dt.date
    issuer: str  # the bureau's name (also on the seal)
    to_organisation: bool = False  # addressed as 你单位 rather than 你
    accepted_on: dt.date | None = None
    deemed_accepted: bool = False  # accepted by law: deficiencies were not told within 5 days
    deadline: dt.date | None = None  # receipt: the committed date of the decision
    pending: tuple[tuple[str, dt.date], ...] = ()  # receipt: 容缺 materials and their due dates
    deficiencies: tuple[str, ...] = ()  # correction: everything to correct
    renotice_reason: str = ""  # correction: why a second notice was needed
    reason: str = ""  # refusal, decision: the finding
    legal_basis: tuple[str, ...] = ()  # refusal, decision: citations, e.g. 《…法》第三十五条
    licence_number: str = ""  # grant: the licence issued, if already numbered
    review_body: str = ""  # refusal, deny: where to apply for administrative reconsideration
    court: str = ""  # refusal, deny: the people's court for administrative litigation

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "kind", LetterKind(self.kind))
        missing = [name for name in REQUIRED_FIELDS[self.kind] if not getattr(self, name)]
        if missing:
            raise ValueError(f"A {self.kind} letter needs {', '.join(missing)}.")

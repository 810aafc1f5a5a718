"""Reads of the audit chain: its head, the anchor file, and the walk that verifies it.

`audit_verify` walks every entry in sequence order and names each one that was
altered (its hash no longer fits its content), moved (its content fits another
position), deleted (a gap in the numbering) or no longer linked to the entry
before it. The head row and the anchors written by `yimen audit-anchor` catch
entries cut from the end of the chain, and a chain rewritten from some point on.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from yimen.oversight.models.audit import GENESIS_HASH, HEAD_PK, AuditEntry, AuditHead

# How far from its place a moved entry is looked for (an entry moved further is "altered").
MOVE_SEARCH = 20
WALK_CHUNK = 2000


@dataclass(frozen=True)
class Anchor:
    at: dt.datetime
    seq: int
    hash: str

    def line(self) -> str:
        at = self.at.astimezone(dt.UTC).isoformat(timespec="seconds")
        return f"{at} {self.seq} {self.hash}\n"


@dataclass(frozen=True)
class Problem:
    kind: str  # altered, moved, missing, broken_link, truncated, head_mismatch, anchor_*
    seq: int | None
    message: str


@dataclass
class AuditReport:
    checked: int = 0
    last_seq: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def anchors_path() -> Path:
    return Path(settings.YIMEN_AUDIT_ANCHOR_FILE)


def audit_head() -> AuditEntry | None:
    """The newest entry of the chain, or None when nothing was recorded yet."""
    return AuditEntry.objects.order_by("-seq").first()


def read_anchors(path: Path) -> tuple[dict[int, str], list[Problem]]:
    """Anchored hashes by sequence number, and a problem for each unreadable line."""
    anchors: dict[int, str] = {}
    problems = []
    if not path.exists():
        return anchors, problems
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        anchor = _parse_anchor(line)
        if anchor is None:
            message = _("锚点文件第 %(n)s 行无法识别：%(line)s") % {"n": number, "line": line[:80]}
            problems.append(Problem("anchor_unreadable", None, message))
        elif anchors.setdefault(anchor.seq, anchor.hash) != anchor.hash:
            message = _("锚点文件对第 %(s)s 条记录了两个不同的哈希。") % {"s": anchor.seq}
            problems.append(Problem("anchor_unreadable", anchor.seq, message))
    return anchors, problems


def _parse_anchor(line: str) -> Anchor | None:
    parts = line.split()
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
        return None
    try:
        return Anchor(dt.datetime.fromisoformat(parts[0]), int(parts[1]), parts[2])
    except ValueError:
        return None


def audit_verify(*, anchor_file: Path | None = None) -> AuditReport:
    """Walk the whole chain; the report is intact when no problem was found."""
    anchors, anchor_problems = read_anchors(anchor_file or anchors_path())
    walk = _Walk(anchors)
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=WALK_CHUNK):
        walk.visit(entry)
    walk.finish(AuditHead.objects.filter(pk=HEAD_PK).first())
    problems = sorted(walk.problems, key=lambda p: (p.seq is None, p.seq or 0))
    return AuditReport(
        checked=walk.checked,
        last_seq=walk.last_seq,
        anchors=len(anchors),
        problems=anchor_problems + problems,
    )


class _Walk:
    def __init__(self, anchors: dict[int, str]):
        self.anchors = anchors
        self.problems: list[Problem] = []
        self.checked = 0
        self.last_seq = 0
        self.last_hash = GENESIS_HASH

    def visit(self, entry: AuditEntry) -> None:
        gap = entry.seq > self.last_seq + 1
        if gap:
            self._missing(self.last_seq + 1, entry.seq - 1)
        moved = self._check_content(entry)
        if not gap and not moved and entry.prev_hash != self.last_hash:
            self._add(
                "broken_link",
                entry.seq,
                _("第 %(s)s 条没有接在第 %(p)s 条之后：其前的记录被改写、删除或调换了顺序。")
                % {"s": entry.seq, "p": self.last_seq},
            )
        self._check_anchor(entry.seq, entry.hash)
        self.checked += 1
        self.last_seq, self.last_hash = entry.seq, entry.hash

    def _check_content(self, entry: AuditEntry) -> bool:
        """Report an altered or moved entry; True when the entry was moved."""
        if entry.computed_hash() == entry.hash:
            return False
        origin = _original_position(entry)
        if origin is None:
            self._add(
                "altered",
                entry.seq,
                _("第 %(s)s 条的内容与哈希不符：已被篡改。") % {"s": entry.seq},
            )
            return False
        self._add(
            "moved",
            entry.seq,
            _("第 %(s)s 条原是第 %(o)s 条：记录顺序被调换。") % {"s": entry.seq, "o": origin},
        )
        return True

    def _missing(self, first: int, last: int) -> None:
        span = str(first) if first == last else f"{first}–{last}"
        self._add("missing", first, _("第 %(span)s 条缺失：已被删除。") % {"span": span})

    def _check_anchor(self, seq: int, entry_hash: str) -> None:
        anchored = self.anchors.get(seq)
        if anchored is not None and anchored != entry_hash:
            self._add(
                "anchor_mismatch",
                seq,
                _("第 %(s)s 条与锚点记录的哈希不符：审计链从此处或更早处被重写。") % {"s": seq},
            )

    def finish(self, head: AuditHead | None) -> None:
        """Entries cut from the end: anchors and the head row still name them."""
        beyond = [seq for seq in self.anchors if seq > self.last_seq]
        if head is not None and head.seq > self.last_seq:
            beyond.append(head.seq)
        elif head is not None and (head.seq, head.hash) != (self.last_seq, self.last_hash):
            self._add(
                "head_mismatch",
                head.seq,
                _("审计链末端记录（第 %(h)s 条）与最后一条记录（第 %(s)s 条）不一致。")
                % {"h": head.seq, "s": self.last_seq},
            )
        if beyond:
            self._add(
                "truncated",
                self.last_seq + 1,
                _("审计链末尾被截断：应至少有 %(n)s 条，现只到第 %(s)s 条。")
                % {"n": max(beyond), "s": self.last_seq},
            )

    def _add(self, kind: str, seq: int | None, message: str) -> None:
        self.problems.append(Problem(kind, seq, message))


def _original_position(entry: AuditEntry) -> int | None:
    """The position whose hash the entry's intact content gives, if it lies near its own."""
    low = max(1, entry.seq - MOVE_SEARCH)
    for seq in range(low, entry.seq + MOVE_SEARCH + 1):
        if seq != entry.seq and entry.computed_hash(seq=seq) == entry.hash:
            return seq
    return None

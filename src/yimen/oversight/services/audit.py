"""Writes to the audit chain: append entries, and anchor the chain's head in a file.

Entries join the caller's transaction (a case event and its audit entry are saved
together or not at all). Chaining locks the single `AuditHead` row, so concurrent
transactions queue up behind each other instead of forking the chain; on SQLite every
write transaction is IMMEDIATE and already exclusive. `audit_append` chains its entry
at once; `audit_append_last` waits for the end of the caller's `lastly.atomic()` block
and chains all the entries the transaction queued in one step, so the head stays
locked for little more than the commit.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from yimen import lastly
from yimen.oversight.models.audit import HEAD_PK, AuditEntry, AuditHead
from yimen.oversight.selectors.audit import Anchor, anchors_path, audit_head


def _json_ready(payload: dict) -> dict:
    """The payload as the database will give it back (dates as text, tuples as lists)."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-seq").first()
    try:
        with transaction.atomic():
            AuditHead.objects.create(
                pk=HEAD_PK, **({"seq": last.seq, "hash": last.hash} if last else {})
            )
    except IntegrityError:
        pass  # another transaction created it first; lock theirs
    return AuditHead.objects.select_for_update().get(pk=HEAD_PK)


@dataclass(frozen=True)
class Entry:
    """What an audit entry records; the chain adds its place, time and hashes."""

    kind: str
    actor: str = ""
    object_ref: str = ""
    payload: dict | None = None


def _chain(entries: list[Entry]) -> list[AuditEntry]:
    """Append the entries at the end of the chain in one step: one lock, one insert."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        chained, at = [], timezone.now()
        for number, entry in enumerate(entries, start=head.seq + 1):
            row = AuditEntry(
                seq=number,
                at=at,
                kind=entry.kind,
                actor=entry.actor[:150],
                object_ref=entry.object_ref[:150],
                payload=_json_ready(entry.payload or {}),
                prev_hash=chained[-1].hash if chained else head.hash,
            )
            row.hash = row.computed_hash()
            chained.append(row)
        AuditEntry.objects.bulk_create(chained)
        head.seq, head.hash = chained[-1].seq, chained[-1].hash
        head.save(update_fields=["seq", "hash"])
    return chained


def audit_append(
    *, kind: str, actor: str = "", object_ref: str = "", payload: dict | None = None
) -> AuditEntry:
    """Append one entry at the end of the chain now, inside the caller's transaction."""
    return _chain([Entry(kind, actor, object_ref, payload)])[0]


def _chain_described(describers: list[Callable[[], Entry]]) -> None:
    _chain([describe() for describe in describers])


def audit_append_last(describe: Callable[[], Entry]) -> None:
    """Append an entry as the last step of the caller's `lastly.atomic()` block (at once
    when there is none). `describe` is called then, so the entry shows what the
    transaction made in the end: a case filed in it carries its number by then."""
    lastly.run(_chain_described, describe)


def audit_anchor(*, path: Path | None = None) -> Anchor | None:
    """Write the chain's current head to the anchor file; None when the chain is empty.

    A copy of the head kept outside the database: deleting the newest entries
    (and the head row with them) is caught by comparing the chain with it.
    """
    head = audit_head()
    if head is None:
        return None
    anchor = Anchor(at=timezone.now(), seq=head.seq, hash=head.hash)
    path = path or anchors_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(anchor.line())
        file.flush()
        os.fsync(file.fileno())
    return anchor

"""Writes to the audit chain: append an entry, and anchor the chain's head in a file.

`audit_append` joins the caller's transaction (a case event and its audit entry
are saved together or not at all). It locks the single `AuditHead` row, so
concurrent appends queue up behind each other instead of forking the chain; on
SQLite every write transaction is IMMEDIATE and already exclusive.
"""

import json
import os
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

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


def audit_append(
    *, kind: str, actor: str = "", object_ref: str = "", payload: dict | None = None
) -> AuditEntry:
    """Append one entry at the end of the chain, inside the caller's transaction."""
    with transaction.atomic():
        head = _locked_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            kind=kind,
            actor=actor[:150],
            object_ref=object_ref[:150],
            payload=_json_ready(payload or {}),
            prev_hash=head.hash,
        )
        entry.hash = entry.computed_hash()
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


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

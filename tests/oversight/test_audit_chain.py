"""The audit chain: appended entries link up, and every kind of tampering is named."""

import datetime as dt
import itertools
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yimen import lastly
from yimen.oversight.models.audit import GENESIS_HASH, HEAD_PK, AuditEntry, AuditHead
from yimen.oversight.selectors.audit import audit_verify
from yimen.oversight.services.audit import Entry, audit_anchor, audit_append, audit_append_last

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _anchor_file(settings, tmp_path):
    settings.YIMEN_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    return settings.YIMEN_AUDIT_ANCHOR_FILE


def append(n: int) -> list[AuditEntry]:
    return [
        audit_append(
            kind=AuditEntry.Kind.CASE_EVENT,
            actor=f"account:{i}",
            object_ref=f"case:220105-2025-{i:06d}#1",
            payload={"action": "accept", "note": "核验原件", "day": dt.date(2025, 9, 26)},
        )
        for i in range(1, n + 1)
    ]


def problems(**kwargs) -> list[tuple[str, int | None]]:
    return [(p.kind, p.seq) for p in audit_verify(**kwargs).problems]


def verify_command() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit-verify", stdout=out)
    except SystemExit as stop:
        return stop.code, out.getvalue()
    return 0, out.getvalue()


def test_entries_link_into_one_chain_that_verifies():
    entries = append(4)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    head = AuditHead.objects.get(pk=HEAD_PK)
    assert (head.seq, head.hash) == (4, entries[-1].hash)
    assert AuditEntry.objects.get(seq=2).payload["day"] == "2025-09-26"
    report = audit_verify()
    assert report.intact and report.checked == 4
    code, out = verify_command()
    assert code == 0 and "审计链完整：共 4 条记录" in out


def test_an_empty_chain_is_intact():
    assert audit_verify().intact
    assert audit_anchor() is None


def test_an_altered_entry_is_named():
    append(3)
    AuditEntry.objects.filter(seq=2).update(payload={"action": "refuse"})
    assert problems() == [("altered", 2)]
    code, out = verify_command()
    assert code == 1
    assert "审计链已被篡改" in out and "第 2 条的内容与哈希不符" in out


def test_an_altered_entry_with_a_recomputed_hash_breaks_the_link_to_the_next():
    append(3)
    forged = AuditEntry.objects.get(seq=2)
    forged.actor = "account:99"
    AuditEntry.objects.filter(seq=2).update(actor="account:99", hash=forged.computed_hash())
    assert problems() == [("broken_link", 3)]


def test_a_deleted_entry_is_named():
    append(4)
    AuditEntry.objects.filter(seq=2).delete()
    assert problems() == [("missing", 2)]
    code, out = verify_command()
    assert code == 1 and "第 2 条缺失" in out


def test_swapped_entries_are_named_as_moved():
    append(4)
    AuditEntry.objects.filter(seq=2).update(seq=100)
    AuditEntry.objects.filter(seq=3).update(seq=2)
    AuditEntry.objects.filter(seq=100).update(seq=3)
    assert problems() == [("moved", 2), ("moved", 3), ("broken_link", 4)]
    code, out = verify_command()
    assert code == 1 and "第 2 条原是第 3 条" in out


def test_a_cut_tail_is_caught_by_the_head_row():
    append(3)
    AuditEntry.objects.filter(seq=3).delete()
    assert problems() == [("truncated", 3)]


def test_a_cut_tail_with_a_forged_head_is_caught_by_the_anchor(_anchor_file):
    entries = append(3)
    anchor = audit_anchor()
    assert (anchor.seq, anchor.hash) == (3, entries[-1].hash)
    assert _anchor_file.read_text().split()[1:] == ["3", entries[-1].hash]
    AuditEntry.objects.filter(seq=3).delete()
    AuditHead.objects.filter(pk=HEAD_PK).update(seq=2, hash=entries[1].hash)
    assert problems() == [("truncated", 3)]
    code, out = verify_command()
    assert code == 1 and "审计链末尾被截断" in out and "已核对锚点 1 个" in out


def test_a_chain_rewritten_after_an_anchor_is_caught(_anchor_file):
    append(3)
    audit_anchor()
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    append(3)  # same shape, new times: every hash differs from the anchored ones
    assert problems() == [("anchor_mismatch", 3)]


def test_an_unreadable_anchor_line_is_reported(_anchor_file):
    append(1)
    _anchor_file.write_text("not an anchor\n")
    assert problems() == [("anchor_unreadable", None)]


def test_the_anchor_command_writes_the_head(_anchor_file):
    entries = append(2)
    out = StringIO()
    call_command("audit-anchor", stdout=out)
    assert "已写入锚点：第 2 条" in out.getvalue()
    assert _anchor_file.read_text().split()[1:] == ["2", entries[-1].hash]


def test_entries_refuse_to_be_changed_or_deleted_through_the_model():
    entry = append(1)[0]
    entry.actor = "account:2"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


def test_an_append_rolled_back_with_its_transaction_leaves_no_trace():
    append(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        append(1)
        raise RuntimeError
    assert AuditEntry.objects.count() == 1
    assert AuditHead.objects.get(pk=HEAD_PK).seq == 1
    assert audit_verify().intact


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time; row locks are PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    from django.db import connections

    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert audit_verify().intact


# --- entries appended last: queued in the transaction, chained in one step at its end ----


def describe(i: int):
    return lambda: Entry(AuditEntry.Kind.CASE_EVENT, f"account:{i}", f"case:{i}#1", {"n": i})


def chained_refs() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("object_ref", flat=True))


def test_many_entries_of_one_transaction_are_chained_at_its_end_in_one_step():
    append(1)
    with lastly.atomic():
        for i in range(2, 202):
            audit_append_last(describe(i))
        assert AuditEntry.objects.count() == 1  # queued, the head not yet locked
    assert chained_refs() == ["case:220105-2025-000001#1"] + [f"case:{i}#1" for i in range(2, 202)]
    head = AuditHead.objects.get(pk=HEAD_PK)
    assert (head.seq, head.hash) == (201, AuditEntry.objects.get(seq=201).hash)
    assert audit_verify().intact


def test_chaining_a_transaction_s_entries_costs_the_same_for_one_or_many():
    append(1)
    for count in (1, 50):
        with CaptureQueriesContext(connection) as captured, lastly.atomic():
            for i in range(count):
                audit_append_last(describe(i))
        chain_queries = [q["sql"] for q in captured if "oversight_audit" in q["sql"]]
        assert len(chain_queries) == 3  # lock the head, insert the entries, move the head
    assert AuditEntry.objects.count() == 52
    assert audit_verify().intact


def test_an_entry_is_described_when_it_is_chained():
    names = {"case": "~stand-in"}
    with lastly.atomic():
        audit_append_last(lambda: Entry(AuditEntry.Kind.CASE_EVENT, object_ref=names["case"]))
        names["case"] = "case:220105-20251103-000001#1"
    assert chained_refs() == ["case:220105-20251103-000001#1"]


def test_a_transaction_rolled_back_chains_nothing():
    append(1)
    with pytest.raises(RuntimeError), lastly.atomic():
        audit_append_last(describe(2))
        raise RuntimeError
    assert AuditEntry.objects.count() == 1
    assert AuditHead.objects.get(pk=HEAD_PK).seq == 1
    with lastly.atomic():
        audit_append_last(describe(3))
    assert chained_refs() == ["case:220105-2025-000001#1", "case:3#1"]
    assert audit_verify().intact


def test_an_entry_of_a_savepoint_rolled_back_inside_the_transaction_is_not_chained():
    with lastly.atomic():
        audit_append_last(describe(1))
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_append_last(describe(2))
            raise RuntimeError
        audit_append_last(describe(3))
    assert chained_refs() == ["case:1#1", "case:3#1"]
    assert audit_verify().intact


def test_nested_transactions_chain_their_entries_at_the_end_of_the_outermost():
    with lastly.atomic():
        audit_append_last(describe(1))
        with lastly.atomic():
            audit_append_last(describe(2))
        assert not AuditEntry.objects.exists()
        audit_append_last(describe(3))
    assert chained_refs() == ["case:1#1", "case:2#1", "case:3#1"]


def test_outside_a_transaction_an_entry_is_chained_at_once():
    audit_append_last(describe(1))
    assert chained_refs() == ["case:1#1"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time; row locks are PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_the_head_stays_free_until_a_transaction_chains_its_entries():
    from django.db import connections

    queued, go_on = threading.Event(), threading.Event()

    def slow_transaction():
        try:
            with lastly.atomic():
                audit_append_last(describe(1))
                queued.set()
                go_on.wait(timeout=10)
        finally:
            connections.close_all()

    other = threading.Thread(target=slow_transaction)
    other.start()
    try:
        assert queued.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            append(1)
    finally:
        go_on.set()
        other.join()
    assert chained_refs() == ["case:220105-2025-000001#1", "case:1#1"]
    assert audit_verify().intact

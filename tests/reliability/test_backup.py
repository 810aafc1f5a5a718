"""`yimen backup` and `yimen restore`: the database, the files and the anchors round-trip."""

import base64
import datetime as dt
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import cases as make
from tests.factories import subjects as people
from tests.licences import helpers
from yimen import maintenance
from yimen.cases.models import Case, CaseEvent
from yimen.errors import IllegalAction, InvalidInput
from yimen.licences import verify
from yimen.licences.models import Licence
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.selectors.audit import audit_head, audit_verify
from yimen.oversight.services.audit import audit_anchor
from yimen.subjects.models import Account, LockerEntry
from yimen.worktime.services import calendar_year_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def installation(crew, delivered):
    """A bureau at work: a completed licence case, an open case, a locker document, a staff
    member with a group and a permission (named by natural key in the backup), an entered
    holiday year, and an anchor."""
    make.accepted(crew, delivered.version)
    calendar_year_set(2027, {dt.date(2027, 1, 1): "元旦"}, {dt.date(2027, 1, 9): "元旦"})
    people.stored(crew.person, "lease")
    desk = Group.objects.create(name="窗口组")
    desk.permissions.add(Permission.objects.get(codename="view_case"))
    crew.clerk.groups.add(desk)
    crew.clerk.user_permissions.add(Permission.objects.get(codename="view_licence"))
    audit_anchor()
    return crew


def media_files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def state() -> dict:
    """What a restore must give back, microseconds and all."""
    head = audit_head()
    clerk_rights = Account.objects.filter(groups__isnull=False).values_list(
        "username", "groups__name", "groups__permissions__codename", "user_permissions__codename"
    )
    return {
        "cases": sorted(Case.objects.values_list("case_no", "state", "lock_version", "decided_at")),
        "events": list(CaseEvent.objects.values_list("case__case_no", "seq", "action", "at")),
        "licences": sorted(Licence.objects.values_list("number", "sha256", "status")),
        "locker": sorted(LockerEntry.objects.values_list("pk", "sha256", "file")),
        "audit_head": (head.seq, head.hash),
        "rights": sorted(clerk_rights),
        "files": media_files(),
        "anchors": maintenance.anchors_path().read_text(),
    }


def rows(backup_dir: Path) -> list[bytes]:
    return sorted(gzip.decompress((backup_dir / maintenance.DATABASE).read_bytes()).splitlines())


def new_installation() -> None:
    """What `yimen migrate` gives on a new server: the tables, empty, and no files."""
    connection.check_constraints()  # PostgreSQL empties no table with checks pending
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    maintenance.anchors_path().unlink()


def test_a_restored_copy_holds_the_same_data_files_and_audit_head(installation, tmp_path):
    before = state()
    manifest = maintenance.backup(tmp_path / "backup")
    assert manifest.audit_head == {"seq": before["audit_head"][0], "hash": before["audit_head"][1]}
    assert manifest.counts["cases.case"] == 2 and manifest.counts["licences.licence"] == 1
    assert manifest.files == len(before["files"]) > 0

    new_installation()
    assert Case.objects.count() == 0 and not AuditEntry.objects.exists()
    report = maintenance.restore(tmp_path / "backup")

    assert (report.ok, report.differences, report.problems, report.kept) == (True, [], [], [])
    assert report.same_secret_key
    assert state() == before
    audit = audit_verify()
    assert audit.intact and audit.anchors == 1 and audit.last_seq == before["audit_head"][0]
    assert maintenance.integrity_problems() == []
    maintenance.backup(tmp_path / "again")
    assert rows(tmp_path / "again") == rows(tmp_path / "backup")


def test_the_restored_installation_keeps_working(installation, tmp_path):
    """The seal's key still opens, counters and id sequences go on after the restored rows."""
    original = Licence.objects.get()
    maintenance.backup(tmp_path / "backup")
    new_installation()
    maintenance.restore(tmp_path / "backup")

    checked = verify.verify_pdf(helpers.file_bytes(original), today=helpers.IN_FORCE)
    assert (checked.status, checked.licence) == ("valid", original)
    second = helpers.issued(installation, original.item_version)
    assert second.number == "220105-2025-000002" and Licence.objects.count() == 2
    assert maintenance.integrity_problems() == []
    assert audit_verify().intact


def test_the_commands_back_up_and_restore_and_report_the_checks(installation, tmp_path, capsys):
    head = audit_head()
    call_command("backup", "-o", str(tmp_path / "backup"))
    out = capsys.readouterr().out
    assert out.startswith(f"备份完成：{tmp_path / 'backup'}\n")
    assert f"审计链末端第 {head.seq} 条（{head.hash[:16]}）。" in out

    new_installation()
    call_command("restore", str(tmp_path / "backup"))
    out = capsys.readouterr().out
    assert "已恢复" in out and "完整性检查和审计链校验均通过。" in out
    assert (
        f"审计链：共 {head.seq} 条记录，末端第 {head.seq} 条（备份时为第 {head.seq} 条）。" in out
    )
    call_command("check-integrity")
    call_command("audit-verify")


def test_restore_warns_when_the_secret_key_is_not_the_backups(
    installation, tmp_path, settings, capsys
):
    call_command("backup", "-o", str(tmp_path / "backup"))
    new_installation()
    settings.SECRET_KEY = "another installation's key"
    with pytest.raises(SystemExit):  # without YIMEN_FIELD_KEY, sealed data follows it too
        call_command("restore", str(tmp_path / "backup"))
    said = capsys.readouterr().out
    assert "注意：本机的密钥（SECRET_KEY）与备份时不同" in said
    assert "本机加密保存数据的密钥（YIMEN_FIELD_KEY，未设置时由 SECRET_KEY 派生）" in said


def test_restore_under_another_field_key_says_the_sealed_data_cannot_be_opened(
    installation, tmp_path, settings, capsys
):
    call_command("backup", "-o", str(tmp_path / "backup"))
    new_installation()
    settings.YIMEN_FIELD_KEY = base64.b64encode(bytes(range(32))).decode()
    with pytest.raises(SystemExit):
        call_command("restore", str(tmp_path / "backup"))
    assert "本机加密保存数据的密钥（YIMEN_FIELD_KEY" in capsys.readouterr().out


def test_restore_refuses_a_database_that_holds_data_unless_forced(installation, tmp_path):
    backup_dir = tmp_path / "backup"
    maintenance.backup(backup_dir)
    before = state()
    make.submitted(installation, Licence.objects.get().item_version, key="after the backup")

    with pytest.raises(IllegalAction) as refused:
        maintenance.restore(backup_dir)
    assert refused.value.code == "database_not_empty"
    assert Case.objects.count() == 3
    with pytest.raises(CommandError, match="数据库中已有数据，未做任何恢复"):
        call_command("restore", str(backup_dir))

    report = maintenance.restore(backup_dir, force=True)
    assert report.ok and state() == before
    old_media, old_anchors = report.kept
    assert old_media.name.startswith("media.before-restore-") and any(old_media.rglob("*.pdf"))
    assert old_anchors.read_text() == before["anchors"]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(installation, tmp_path):
    backup_dir = tmp_path / "backup"
    maintenance.backup(backup_dir)
    media = backup_dir / maintenance.MEDIA
    media.write_bytes(helpers.flip_byte(media.read_bytes(), 100))
    before = state()

    with pytest.raises(InvalidInput) as refused:
        maintenance.restore(backup_dir, force=True)
    assert refused.value.code == "backup_corrupt" and "media.tar.gz" in refused.value.message
    assert state() == before

    (backup_dir / maintenance.MANIFEST).unlink()
    with pytest.raises(InvalidInput) as refused:
        maintenance.restore(backup_dir, force=True)
    assert refused.value.code == "backup_unreadable"


def rewrite(backup_dir: Path, name: str, content: bytes) -> None:
    """Change a part and record its new hash, as a backup made wrong would look."""
    (backup_dir / name).write_bytes(content)
    manifest_file = backup_dir / maintenance.MANIFEST
    manifest = json.loads(manifest_file.read_text())
    manifest["parts"][name]["sha256"] = hashlib.sha256(content).hexdigest()
    manifest_file.write_text(json.dumps(manifest))


def test_a_database_part_that_does_not_load_is_rolled_back_whole(installation, tmp_path):
    backup_dir = tmp_path / "backup"
    maintenance.backup(backup_dir)
    rows = gzip.decompress((backup_dir / maintenance.DATABASE).read_bytes()).splitlines()
    broken = [row.replace(b'"model": "cases.case"', b'"model": "cases.nosuch"') for row in rows]
    rewrite(backup_dir, maintenance.DATABASE, gzip.compress(b"\n".join(broken)))
    before = state()

    with pytest.raises(IllegalAction) as failed:
        maintenance.restore(backup_dir, force=True)
    assert (
        failed.value.code == "restore_failed" and "数据库恢复失败，已回滚" in failed.value.message
    )
    assert state() == before
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(".media.restoring-*"))


def test_restore_refuses_a_backup_from_a_newer_schema(installation, tmp_path):
    backup_dir = tmp_path / "backup"
    maintenance.backup(backup_dir)
    manifest_file = backup_dir / maintenance.MANIFEST
    manifest = json.loads(manifest_file.read_text())
    manifest["migrations"]["cases"].append("9999_from_the_future")
    manifest_file.write_text(json.dumps(manifest))

    with pytest.raises(IllegalAction) as refused:
        maintenance.restore(backup_dir, force=True)
    assert refused.value.code == "backup_schema" and "cases.9999_from_the_future" in str(
        refused.value.message
    )


def test_backup_refuses_a_directory_that_is_not_empty(installation, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("keep me")

    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", "-o", str(tmp_path / "backup"))
    assert [p.name for p in (tmp_path / "backup").iterdir()] == ["notes.txt"]


def test_the_dump_keeps_microseconds_the_audit_chain_hashes(installation, tmp_path):
    moment = dt.datetime(2025, 11, 6, 2, 0, 0, 123456, tzinfo=dt.UTC)
    CaseEvent.objects.filter(seq=1).update(at=moment)
    maintenance.backup(tmp_path / "backup")
    dump = gzip.decompress((tmp_path / "backup" / maintenance.DATABASE).read_bytes()).decode()
    assert "2025-11-06T02:00:00.123456+00:00" in dump

"""Keeping an installation whole: the integrity check, and backup and restore.

A backup is a directory of four parts:

  manifest.json       when it was made, the rows per model, the audit chain's head, the
                      migrations applied, and the SHA-256 of every other part
  database.jsonl.gz   every row, one JSON object per line as Django's serializers write them,
                      content types and permissions named by natural key, so the same file
                      loads into SQLite and PostgreSQL
  media.tar.gz        MEDIA_ROOT: licences, sealed letters, locker documents and uploads
  audit-anchors.log   the audit chain's anchor file, when there is one

The database is read in one transaction, so the dump is one consistent moment.
The manifest is written last: a backup cut short has none and is never restored.

Only files on the local disk are backed up: with YIMEN_MEDIA_STORAGE=s3 both commands
refuse (docs/deployment.md says how to back up such an installation).
"""

import datetime as dt
import gzip
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from yimen.cases import selectors as cases
from yimen.catalog import selectors as catalog
from yimen.errors import IllegalAction, InvalidInput
from yimen.integrity import Problem, sha256_of
from yimen.licences import selectors as licences
from yimen.oversight.selectors import integrity as oversight
from yimen.oversight.selectors.audit import AuditReport, anchors_path, audit_head, audit_verify
from yimen.subjects import sealing
from yimen.subjects import selectors as subjects

FORMAT, FORMAT_VERSION = "yimen-backup", 1
MANIFEST, DATABASE, MEDIA, ANCHORS = (
    "manifest.json",
    "database.jsonl.gz",
    "media.tar.gz",
    "audit-anchors.log",
)
# Made again by `migrate` on any installation (and matched by natural key), or not worth keeping.
NOT_BACKED_UP = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})

# --- integrity ----------------------------------------------------------------------------

DATA_CHECKS = (
    catalog.integrity_problems,
    subjects.integrity_problems,
    cases.integrity_problems,
    licences.integrity_problems,
)


def integrity_problems(audit: AuditReport | None = None) -> list[Problem]:
    """Every broken invariant, app by app, the audit chain last (from `audit` when given)."""
    return [p for check in DATA_CHECKS for p in check()] + oversight.integrity_problems(audit)


# --- backup -------------------------------------------------------------------------------


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain hashes microseconds."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database_vendor: str
    counts: dict[str, int]
    files: int
    audit_head: dict  # {"seq": ..., "hash": ...}
    migrations: dict[str, list[str]]
    secret_key_check: str
    parts: dict[str, dict]  # file name -> {"sha256": ..., "size": ...}
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    field_key_check: str = ""  # `sealing.key_check()`; empty in backups made before it

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def backed_up_models() -> list:
    """Every model whose rows a backup holds, in an order that loads without forward references."""
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    return [
        model
        for model in ordered
        if model._meta.label_lower not in NOT_BACKED_UP
        and model._meta.managed
        and not model._meta.proxy
    ]


def secret_key_check() -> str:
    """A fingerprint of SECRET_KEY (the embedded seal's key and other sealed data are encrypted
    with it), not the key."""
    return salted_hmac("yimen.maintenance", "secret-key-check").hexdigest()[:16]


def _require_local_files() -> None:
    if not isinstance(default_storage, FileSystemStorage):
        raise IllegalAction(
            "media_not_local",
            _(
                "文件存放在对象存储中（YIMEN_MEDIA_STORAGE=s3），本命令只备份和恢复本地磁盘上的"
                "文件，未做任何操作：请用对象存储的版本管理或复制保存文件，用数据库自身的工具"
                "备份数据库（见 docs/deployment.md）。"
            ),
        )


def backup(directory: Path) -> Manifest:
    """Write a backup of the database, the files and the anchor file into `directory`."""
    _require_local_files()
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise IllegalAction(
            "backup_dir_not_empty",
            _("备份目录 %(d)s 不是空的，请指定新的目录。") % {"d": directory},
        )
    directory.mkdir(parents=True, exist_ok=True)
    try:
        return _write_backup(directory)
    except BaseException:
        for name in (DATABASE, MEDIA, ANCHORS, f"{MANIFEST}.tmp"):
            (directory / name).unlink(missing_ok=True)
        raise


def _write_backup(directory: Path) -> Manifest:
    # Read before the snapshot, so that every entry an anchor names is in the dump.
    anchors = anchors_path().read_bytes() if anchors_path().exists() else b""
    with _snapshot():
        _dump_database(directory / DATABASE)
        counts = _counts()
        head = _head_of(audit_head())
        migrations = _applied_migrations()
    files = _pack(Path(settings.MEDIA_ROOT), directory / MEDIA)
    if anchors:
        (directory / ANCHORS).write_bytes(anchors)
    parts = sorted(directory.iterdir())
    for part in parts:
        _fsync(part)
    manifest = Manifest(
        created_at=timezone.now().isoformat(),
        database_vendor=connection.vendor,
        counts=counts,
        files=files,
        audit_head=head,
        migrations=migrations,
        secret_key_check=secret_key_check(),
        field_key_check=sealing.key_check(),
        parts={p.name: _describe(p) for p in parts},
    )
    temporary = directory / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2) + "\n")
    _fsync(temporary)
    temporary.replace(directory / MANIFEST)
    return manifest


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


@contextmanager
def _snapshot():
    """One transaction; on PostgreSQL a repeatable-read one, so every table is seen at the
    same moment (SQLite's write lock already keeps writers out until it ends)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump_database(path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for model in backed_up_models():
            serializers.serialize(
                "jsonl",
                model._base_manager.order_by(model._meta.pk.name).iterator(),
                stream=stream,
                use_natural_foreign_keys=True,
                cls=_ExactEncoder,
            )


def _head_of(entry) -> dict:
    return {"seq": entry.seq, "hash": entry.hash} if entry else {"seq": 0, "hash": ""}


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _pack(source: Path, target: Path) -> int:
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
    with tarfile.open(target, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
    return len(files)


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return sha256_of(file)[0]


def _describe(path: Path) -> dict:
    return {"sha256": _sha256(path), "size": path.stat().st_size}


# --- restore ------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    kept: list[Path]  # what was in the way, moved aside rather than deleted
    differences: list[str]  # from what the manifest says the backup holds
    audit: AuditReport
    problems: list[Problem] = field(default_factory=list)
    same_secret_key: bool = True

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problems


def read_manifest(directory: Path) -> Manifest:
    """The backup's manifest, once every part it lists is there with its SHA-256."""
    directory = Path(directory)
    try:
        manifest = Manifest(**json.loads((directory / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise InvalidInput(
            "backup_unreadable",
            _("%(d)s 不是一门的备份：没有可读的 manifest.json（备份可能没有完成）。")
            % {"d": directory},
        ) from None
    if (manifest.format, manifest.format_version) != (FORMAT, FORMAT_VERSION):
        raise InvalidInput("backup_format", _("不支持的备份格式。"))
    for name, part in manifest.parts.items():
        path = directory / name
        if not path.is_file() or _sha256(path) != part.get("sha256"):
            raise InvalidInput(
                "backup_corrupt",
                _(
                    "备份文件 %(f)s 缺失或与清单中的 SHA-256 不符："
                    "备份已损坏或被改动，未做任何恢复。"
                )
                % {"f": name},
            )
    return manifest


def restore(directory: Path, *, force: bool = False) -> RestoreReport:
    """Replace the database, the files and the anchor file with a backup's, then check them.

    Refuses a damaged backup, a backup whose migrations this database lacks, and (unless
    `force`) a database that already holds data. Files and anchors in the way are moved
    aside, never deleted; the database is replaced in one transaction, all or nothing.
    """
    _require_local_files()
    directory = Path(directory)
    manifest = read_manifest(directory)
    _require_schema(manifest)
    if not force and any(m._base_manager.exists() for m in backed_up_models()):
        raise IllegalAction(
            "database_not_empty",
            _("数据库中已有数据，未做任何恢复。确需用备份覆盖现有数据时，请加 --force。"),
        )
    media_root = Path(settings.MEDIA_ROOT)
    staged = _unpack(directory / MEDIA, media_root)
    try:
        _load_database(directory / DATABASE)
    except BaseException:
        shutil.rmtree(staged)
        raise
    kept = [_put_in_place(staged, media_root), _restore_anchors(directory, manifest)]
    audit = audit_verify()
    return RestoreReport(
        manifest=manifest,
        kept=[path for path in kept if path],
        differences=_differences(manifest),
        audit=audit,
        problems=integrity_problems(audit),
        same_secret_key=manifest.secret_key_check == secret_key_check(),
    )


def _require_schema(manifest: Manifest) -> None:
    applied = _applied_migrations()
    lacking = [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if name not in applied.get(app, ())
    ]
    if lacking:
        raise IllegalAction(
            "backup_schema",
            _(
                "数据库缺少备份所用的迁移（%(m)s），未做任何恢复：请先运行 yimen migrate；"
                "若备份来自更新版本的一门，请先升级。"
            )
            % {"m": "、".join(lacking[:5]) + ("…" if len(lacking) > 5 else "")},
        )


def _load_database(path: Path) -> None:
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # PostgreSQL empties no table while rows this transaction already wrote owe
                # their deferred foreign-key checks: run those now (and defer again).
                connection.check_constraints()
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            call_command("loaddata", str(path), verbosity=0)
    except Exception as error:
        raise IllegalAction(
            "restore_failed",
            _("数据库恢复失败，已回滚：%(e)s") % {"e": str(error)[:300]},
        ) from error


def _unpack(archive: Path, media_root: Path) -> Path:
    """The files, unpacked beside MEDIA_ROOT (same disk: moving them in is one rename)."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(staged, filter="data")
    return staged


def _aside(path: Path) -> Path:
    """Move `path` out of the way under a name that tells when and why."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    target = path.with_name(f"{path.name}.before-restore-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.before-restore-{stamp}-{number}")
    path.rename(target)
    return target


def _put_in_place(staged: Path, media_root: Path) -> Path | None:
    kept = None
    if media_root.exists():
        if any(media_root.iterdir()):
            kept = _aside(media_root)
        else:
            media_root.rmdir()
    staged.rename(media_root)
    return kept


def _restore_anchors(directory: Path, manifest: Manifest) -> Path | None:
    target = anchors_path()
    kept = None
    if target.exists() and target.stat().st_size:
        kept = _aside(target)
    target.unlink(missing_ok=True)
    if ANCHORS in manifest.parts:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(directory / ANCHORS, target)
    return kept


def _differences(manifest: Manifest) -> list[str]:
    restored = _counts()
    differences = [
        _("%(m)s：备份中 %(b)s 条，恢复后 %(r)s 条。")
        % {"m": label, "b": count, "r": restored.get(label, 0)}
        for label, count in manifest.counts.items()
        if restored.get(label, 0) != count
    ]
    if manifest.audit_head != _head_of(audit_head()):
        differences.append(_("审计链末端与备份时不同。"))
    if manifest.field_key_check not in ("", sealing.key_check()):
        differences.append(
            _(
                "本机加密保存数据的密钥（YIMEN_FIELD_KEY，未设置时由 SECRET_KEY 派生）与备份时"
                "不同：身份证号码、申请表等加密保存的数据无法打开。请用备份时的密钥重新恢复。"
            )
        )
    return differences

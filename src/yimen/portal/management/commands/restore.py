"""``yimen restore DIR [--force]``: restore a backup made by ``yimen backup``.

Refuses a damaged backup, and a database that already holds data unless --force.
Files and the anchor file in the way are moved aside, never deleted. Afterwards
runs the integrity check and the audit chain check; exits 1 when either fails.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.maintenance import restore


class Command(BaseCommand):
    help = _("从 yimen backup 生成的备份恢复数据库、文件和审计锚点，并检查恢复结果。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path, help=_("备份目录"))
        parser.add_argument("--force", action="store_true", help=_("数据库已有数据时仍用备份覆盖"))

    def handle(self, *args, directory: Path, force: bool, **options) -> None:
        try:
            report = restore(directory, force=force)
        except DomainError as error:
            raise CommandError(error.message) from None
        manifest = report.manifest
        self.stdout.write(
            _("已恢复 %(at)s 的备份：%(r)s 条记录，文件 %(f)s 个。")
            % {"at": manifest.created_at, "r": manifest.rows, "f": manifest.files}
        )
        for path in report.kept:
            self.stdout.write(_("原有的 %(p)s 已移到一旁保留。") % {"p": path})
        if not report.same_secret_key:
            self.stdout.write(
                _(
                    "注意：本机的密钥（SECRET_KEY）与备份时不同，内置印章的私钥和用密钥加密保存的"
                    "数据将无法读取。请把 YIMEN_SECRET_KEY 设为备份时的密钥。"
                )
            )
        self._report_checks(report)

    def _report_checks(self, report) -> None:
        audit = report.audit
        self.stdout.write(
            _("审计链：共 %(n)s 条记录，末端第 %(s)s 条（备份时为第 %(b)s 条）。")
            % {"n": audit.checked, "s": audit.last_seq, "b": report.manifest.audit_head["seq"]}
        )
        if report.ok:
            self.stdout.write(_("完整性检查和审计链校验均通过。"))
            return
        self.stdout.write(_("恢复后的检查发现问题："))
        for line in [*report.differences, *map(str, report.problems)]:
            self.stdout.write(f"  - {line}")
        sys.exit(1)

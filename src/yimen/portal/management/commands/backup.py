"""``yimen backup -o DIR``: back up the database, the files and the audit anchors into DIR.

DIR must be new or empty. Restore it with ``yimen restore DIR``. The secret key
(YIMEN_SECRET_KEY or the data directory's secret_key file) is not in the backup:
keep it apart: the embedded seal's private key, and whatever else is kept encrypted
with it, cannot be read without it.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.maintenance import backup


class Command(BaseCommand):
    help = _("备份数据库、上传和生成的文件以及审计锚点文件到一个新目录。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help=_("备份目录"))

    def handle(self, *args, output: Path, **options) -> None:
        try:
            manifest = backup(output)
        except DomainError as error:
            raise CommandError(error.message) from None
        head = manifest.audit_head
        self.stdout.write(
            _(
                "备份完成：%(d)s\n  数据库 %(m)s 个模型、%(r)s 条记录；文件 %(f)s 个；"
                "审计链末端第 %(s)s 条（%(h)s）。"
            )
            % {
                "d": output,
                "m": len(manifest.counts),
                "r": manifest.rows,
                "f": manifest.files,
                "s": head["seq"],
                "h": head["hash"][:16],
            }
        )

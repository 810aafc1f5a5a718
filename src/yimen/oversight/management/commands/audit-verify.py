"""``yimen audit-verify [--anchors FILE]``: walk the audit chain and check it against the anchors.

Prints a Chinese summary, then one line per problem naming the entry's number.
Exits 0 when the chain is intact, 1 when anything was altered, moved, deleted
or cut from its end.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from yimen.oversight.selectors.audit import anchors_path, audit_verify


class Command(BaseCommand):
    help = _("校验审计链：逐条核对哈希、序号、前后衔接和锚点；完整时退出码为 0，否则为 1。")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--anchors", type=Path, help=_("锚点文件（默认为数据目录下的 audit-anchors.log）")
        )

    def handle(self, *args, anchors: Path | None, **options) -> None:
        anchor_file = anchors or anchors_path()
        report = audit_verify(anchor_file=anchor_file)
        counts = {"n": report.checked, "a": report.anchors, "f": anchor_file}
        if report.intact:
            self.stdout.write(
                _("审计链完整：共 %(n)s 条记录，已核对锚点 %(a)s 个（%(f)s）。") % counts
            )
            return
        counts["p"] = len(report.problems)
        self.stdout.write(
            _("审计链已被篡改：共 %(n)s 条记录，已核对锚点 %(a)s 个（%(f)s），发现 %(p)s 处问题：")
            % counts
        )
        for problem in report.problems:
            self.stdout.write(f"  - {problem.message}")
        sys.exit(1)

"""``yimen audit-anchor [--anchors FILE]``: append the audit chain's head to the anchor file.

Run it periodically (e.g. hourly from cron) and keep the file away from the
database's administrators: `yimen audit-verify` then also catches entries cut
from the end of the chain and a chain rewritten after an anchor.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from yimen.oversight.selectors.audit import anchors_path
from yimen.oversight.services.audit import audit_anchor


class Command(BaseCommand):
    help = _("把审计链当前末端（序号和哈希）追加写入锚点文件。")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--anchors", type=Path, help=_("锚点文件（默认为数据目录下的 audit-anchors.log）")
        )

    def handle(self, *args, anchors: Path | None, **options) -> None:
        anchor_file = anchors or anchors_path()
        anchor = audit_anchor(path=anchor_file)
        if anchor is None:
            self.stdout.write(_("审计链还没有记录，未写入锚点。"))
            return
        self.stdout.write(
            _("已写入锚点：第 %(s)s 条，哈希 %(h)s（%(f)s）。")
            % {"s": anchor.seq, "h": anchor.hash, "f": anchor_file}
        )

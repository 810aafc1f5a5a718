"""``yimen outbox-deliver [--once | --loop --interval S] [--limit N]``: the outbox's worker.

Posts the approval–regulation notices that are due to the regulators' webhooks,
retrying failures with exponential backoff until YIMEN_OUTBOX_MAX_ATTEMPTS,
after which a notice waits on the outbox page for a person to retry it. Every
state lives in the database, so the worker can be stopped and started at will,
and several may run at once on PostgreSQL.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.translation import gettext as _

from yimen.oversight.services.exchange import outbox_deliver_due


class Command(BaseCommand):
    help = _("推送到期的审管互动通知（失败的按退避时间重试）。")

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help=_("推送一轮后退出（默认）"))
        mode.add_argument("--loop", action="store_true", help=_("持续运行，每隔一段时间推送一轮"))
        parser.add_argument("--interval", type=float, default=10.0, help=_("两轮之间的秒数"))
        parser.add_argument("--limit", type=int, default=50, help=_("每轮最多推送的通知数"))

    def handle(self, *args, loop: bool, interval: float, limit: int, **options) -> None:
        self.verbosity = options["verbosity"]
        if interval <= 0 or limit <= 0:
            raise CommandError(_("--interval 和 --limit 须为正数。"))
        if not loop:
            self.deliver(limit)
            return
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)
        try:
            while not self.stopping:
                if self.deliver_safely(limit) < limit:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass

    def deliver_safely(self, limit: int) -> int:
        """A pass that survives the database going away for a while (it is tried again)."""
        try:
            return self.deliver(limit)
        except DatabaseError as error:
            self.stderr.write(_("数据库暂不可用，稍后重试：%(e)s") % {"e": error})
            close_old_connections()
            return 0

    def stop(self, *args) -> None:
        self.stopping = True

    def deliver(self, limit: int) -> int:
        run = outbox_deliver_due(limit=limit)
        if run.attempted or self.verbosity > 1:
            self.stdout.write(
                _("本轮推送 %(a)s 条：送达 %(d)s 条，待重试 %(r)s 条，失败 %(f)s 条。")
                % {"a": run.attempted, "d": run.delivered, "r": run.retrying, "f": run.failed}
            )
        return run.attempted

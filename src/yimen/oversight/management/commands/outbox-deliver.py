"""``yimen outbox-deliver [--limit N]``: deliver every notice to a regulator that is due now.

Notices are delivered by background tasks (`yimen db_worker`): one is queued when a notice
is saved, and one for each retry. The outbox rows are the record of what is owed, so this
command, run from cron every few minutes, delivers whatever is due whatever became of its
task: a worker that was down, a task row lost to a database restore, an installation that
runs no worker at all. It retries with the same backoff and gives up after the same
YIMEN_OUTBOX_MAX_ATTEMPTS; a notice that gave up waits on the outbox page for a person.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.oversight.services.exchange_delivery import Outcome, due_notices
from yimen.oversight.tasks import deliver_notice


class Command(BaseCommand):
    help = _("推送到期的审管互动通知（失败的按退避时间重试）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=50, help=_("最多推送的通知数"))

    def handle(self, *args, limit: int, **options) -> None:
        if limit <= 0:
            raise CommandError(_("--limit 须为正数。"))
        # The same attempt a task makes, run here: a failure queues its retry task too.
        outcomes = Counter(deliver_notice.call(str(pk)) for pk in due_notices(limit=limit))
        attempted = outcomes.total() - outcomes[Outcome.SKIPPED]
        if attempted or options["verbosity"] > 1:
            self.stdout.write(
                _("本轮推送 %(a)s 条：送达 %(d)s 条，待重试 %(r)s 条，失败 %(f)s 条。")
                % {
                    "a": attempted,
                    "d": outcomes[Outcome.DELIVERED],
                    "r": outcomes[Outcome.RETRYING],
                    "f": outcomes[Outcome.FAILED],
                }
            )

"""`yimen hall-close-day`: after the halls close (e.g. from cron at 20:00), void the day's
tickets still waiting and mark the appointments nobody came for as missed."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.services_hall import hall_close_day


class Command(BaseCommand):
    help = "闭厅：作废当天及以前仍在等候的排队号，把未签到的预约记为爽约。每天闭厅后运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="闭厅日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, day: str | None, **options):
        try:
            closing = dt.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as error:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(d)s") % {"d": day}) from error
        voided, missed = hall_close_day(day=closing)
        self.stdout.write(
            _("%(d)s：作废排队号 %(v)s 个，爽约预约 %(m)s 个")
            % {"d": closing, "v": voided, "m": missed}
        )

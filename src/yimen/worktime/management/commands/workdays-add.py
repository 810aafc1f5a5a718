"""``yimen workdays-add START N``: the N-th working day after START.

The date goes to stdout alone on one line, so scripts can read it. When it
relies on a year nobody has entered yet, a note goes to stderr, e.g.
``（暂定：2027年节假日尚未录入）``. Bad input ends with a Chinese CommandError.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from yimen.worktime.calendar import WorkCalendar, add_workdays, builtin_calendar
from yimen.worktime.selectors import get_calendar

MAX_DAYS = 10_000


class Command(BaseCommand):
    help = _("计算某日之后第 N 个工作日（当日不计），按中国法定节假日和调休安排。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("start", help=_("起算日期，格式 YYYY-MM-DD"))
        parser.add_argument("n", help=_("工作日数，非负整数"))

    def handle(self, *args, start: str, n: str, **options) -> None:
        start_date, days = parse_start(start), parse_days(n)
        try:
            deadline = add_workdays(start_date, days, self.calendar())
        except OverflowError:
            raise CommandError(_("结果超出了可表示的日期范围。")) from None
        self.stdout.write(deadline.date.isoformat())
        if deadline.provisional:
            years = "、".join(str(y) for y in deadline.missing_years)
            self.stderr.write(_("（暂定：%(years)s年节假日尚未录入）") % {"years": years})

    def calendar(self) -> WorkCalendar:
        try:
            return get_calendar()
        except DatabaseError:
            self.stderr.write(
                _("（注意：无法读取录入的年度节假日，请先运行 yimen migrate；已仅用内置数据计算）")
            )
            return builtin_calendar()


def parse_start(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            _("起算日期“%(value)s”无效，请按 YYYY-MM-DD 填写，例如 2025-09-30。") % {"value": value}
        ) from None


def parse_days(value: str) -> int:
    try:
        days = int(value.strip())
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_DAYS:
        raise CommandError(
            _("工作日数“%(value)s”无效，请填写 0 到 %(max)s 之间的整数。")
            % {"value": value, "max": MAX_DAYS}
        )
    return days

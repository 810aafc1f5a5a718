"""Calendar months as the statistics, ratings and assessments count them, in the bureau's
time zone."""

import datetime as dt

from django.utils import timezone


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month `back` months before `day`'s (negative: after it)."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return month_start(month, -1) - dt.timedelta(days=1)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the bureau's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

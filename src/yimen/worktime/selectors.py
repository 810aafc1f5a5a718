"""Reads: the working calendar, built-in data merged with admin-entered years."""

import datetime

from django.db.models import Count, Max

from .calendar import WorkCalendar, YearRules, builtin_calendar
from .models import AnnualCalendar, CalendarDay

# (version stamp, calendar) of this process; replaced whole, never mutated.
_cached: tuple[tuple, WorkCalendar] | None = None


def get_calendar() -> WorkCalendar:
    """The current calendar, rebuilt only when the entered years changed.

    Costs one small aggregate query per call (the version stamp), so every
    process notices an admin's change; get it once per request or job and
    pass it to the arithmetic functions in ``yimen.worktime.calendar``.
    """
    global _cached
    stamp = _version_stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = builtin_calendar().with_years(entered_years().values())
    _cached = (stamp, calendar)
    return calendar


def clear_calendar_cache() -> None:
    global _cached
    _cached = None


def _version_stamp() -> tuple:
    # Every save sets updated_at to now (a day's save touches its year, see
    # signals.py) and a delete lowers the count, so any edit changes the stamp.
    stamp = AnnualCalendar.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return stamp["n"], stamp["latest"]


def entered_years() -> dict[int, YearRules]:
    """Every admin-entered year, as the arithmetic core wants it."""
    days: dict[int, tuple[dict[datetime.date, str], dict[datetime.date, str]]] = {
        year: ({}, {}) for year in AnnualCalendar.objects.values_list("year", flat=True)
    }
    rows = CalendarDay.objects.values_list("annual__year", "date", "kind", "name")
    for year, d, kind, name in rows:
        holidays, workdays = days.setdefault(year, ({}, {}))
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays)[d] = name
    return {year: YearRules(year, h, w) for year, (h, w) in days.items()}

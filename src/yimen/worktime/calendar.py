"""Working-day arithmetic for mainland China (Asia/Shanghai), as pure functions.

A ``WorkCalendar`` knows, per year, the statutory holidays and the adjusted
workdays (调休, weekend days that are worked). Years it has no data for count
weekends only, and any deadline that depends on such a year is *provisional*.

This module must stay free of Django's ORM and of other yimen apps: it is
the arithmetic core that ``cases`` and ``oversight`` call in hot paths.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar

__all__ = [
    "Deadline",
    "Pause",
    "WorkCalendar",
    "YearRules",
    "add_workdays",
    "builtin_calendar",
    "builtin_years",
    "deadline_with_pauses",
    "is_workday",
    "workdays_between",
]

ONE_DAY = datetime.timedelta(days=1)

# (date_from, date_to) with both ends paused; date_to None means "still paused".
Pause = tuple[datetime.date, datetime.date | None]


@dataclass(frozen=True)
class YearRules:
    """One year's State Council arrangement: dates mapped to the holiday's name."""

    year: int
    holidays: Mapping[datetime.date, str]
    adjusted_workdays: Mapping[datetime.date, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(
            self, "adjusted_workdays", MappingProxyType(dict(self.adjusted_workdays))
        )

    def is_workday(self, d: datetime.date) -> bool:
        if d in self.adjusted_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


@dataclass(frozen=True)
class Deadline:
    """A computed date; ``provisional`` when it relies on years with no holiday data."""

    date: datetime.date
    missing_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)


@dataclass(frozen=True, eq=False, repr=False)
class WorkCalendar:
    """Immutable calendar; build it once and pass it to the functions below."""

    years: Mapping[int, YearRules]
    _ordinals: Mapping[int, tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        years = MappingProxyType(dict(self.years))
        object.__setattr__(self, "years", years)
        ordinals = {year: _workday_ordinals(rules) for year, rules in years.items()}
        object.__setattr__(self, "_ordinals", MappingProxyType(ordinals))

    def __repr__(self) -> str:
        return f"WorkCalendar(known_years={sorted(self.years)})"

    @property
    def known_years(self) -> frozenset[int]:
        return frozenset(self.years)

    def is_known(self, year: int) -> bool:
        return year in self.years

    def with_years(self, extra: Iterable[YearRules]) -> WorkCalendar:
        """A new calendar where each of ``extra`` replaces that whole year."""
        merged = dict(self.years)
        merged.update((rules.year, rules) for rules in extra)
        return WorkCalendar(merged)

    def workday_ordinals(self, year: int) -> tuple[int, ...]:
        """Sorted ``date.toordinal()`` of every working day of ``year``."""
        found = self._ordinals.get(year)
        if found is None:
            if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
                raise OverflowError(f"year {year} is out of range")
            return _weekday_ordinals(year)
        return found

    def missing_years_between(self, start: datetime.date, end: datetime.date) -> tuple[int, ...]:
        """Years without data among the days after ``start`` up to ``end``."""
        if end <= start:
            return ()
        first = (start + ONE_DAY).year
        return tuple(y for y in range(first, end.year + 1) if y not in self.years)


def _workday_ordinals(rules: YearRules) -> tuple[int, ...]:
    first = datetime.date(rules.year, 1, 1).toordinal()
    last = datetime.date(rules.year, 12, 31).toordinal()
    return tuple(
        o for o in range(first, last + 1) if rules.is_workday(datetime.date.fromordinal(o))
    )


@lru_cache(maxsize=256)
def _weekday_ordinals(year: int) -> tuple[int, ...]:
    return _workday_ordinals(YearRules(year, {}, {}))


def is_workday(d: datetime.date, calendar: WorkCalendar) -> bool:
    rules = calendar.years.get(d.year)
    if rules is None:
        return d.weekday() < 5
    return rules.is_workday(d)


def add_workdays(start: datetime.date, n: int, calendar: WorkCalendar) -> Deadline:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``n == 0`` returns ``start`` unchanged. ``n`` must not be negative.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return Deadline(start)
    year, after = start.year, start.toordinal()
    while True:
        days = calendar.workday_ordinals(year)
        index = bisect_right(days, after) + n - 1
        if index < len(days):
            end = datetime.date.fromordinal(days[index])
            return Deadline(end, calendar.missing_years_between(start, end))
        n = index - len(days) + 1
        year += 1


def workdays_between(start: datetime.date, end: datetime.date, calendar: WorkCalendar) -> int:
    """Working days after ``start`` up to and including ``end``.

    Same day gives 0. If ``end`` is before ``start`` the result is the negated
    count the other way round, so ``workdays_between(a, b) == -workdays_between(b, a)``
    and ``workdays_between(d, add_workdays(d, n).date) == n``.
    """
    if end < start:
        return -workdays_between(end, start, calendar)
    full_years = sum(len(calendar.workday_ordinals(y)) for y in range(start.year, end.year))
    return full_years + _rank_in_year(end, calendar) - _rank_in_year(start, calendar)


def _rank_in_year(d: datetime.date, calendar: WorkCalendar) -> int:
    """How many working days of ``d``'s year fall on or before ``d``."""
    return bisect_right(calendar.workday_ordinals(d.year), d.toordinal())


def deadline_with_pauses(
    start: datetime.date,
    n: int,
    pauses: Iterable[Pause],
    calendar: WorkCalendar,
) -> Deadline | None:
    """``add_workdays`` where working days inside a pause do not count.

    A pause ``(date_from, date_to)`` stops the clock on every day from
    ``date_from`` to ``date_to``, both included (a special procedure or a
    correction request); pauses may overlap. ``date_to=None`` means the pause
    is still running: if the clock has not yet run out when it began, no
    deadline exists yet and the result is ``None``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    remaining, cursor = n, start
    for begin, end in _merge_pauses(pauses):
        if end is not None and end <= cursor:
            continue
        before = workdays_between(cursor, begin - ONE_DAY, calendar) if begin > cursor else 0
        if before >= remaining:
            break
        if end is None:
            return None
        remaining -= before
        cursor = end
    result = add_workdays(cursor, remaining, calendar).date
    return Deadline(result, calendar.missing_years_between(start, result))


def _merge_pauses(pauses: Iterable[Pause]) -> list[Pause]:
    """Sort pauses and join the ones that overlap or touch."""
    merged: list[Pause] = []
    for begin, end in sorted(pauses, key=lambda p: p[0]):
        if end is not None and end < begin:
            raise ValueError(f"pause ends before it begins: {begin} > {end}")
        if merged and _touches(merged[-1], begin):
            last_begin, last_end = merged[-1]
            joined_end = None if end is None or last_end is None else max(last_end, end)
            merged[-1] = (last_begin, joined_end)
        else:
            merged.append((begin, end))
    return merged


def _touches(pause: Pause, begin: datetime.date) -> bool:
    end = pause[1]
    return end is None or begin <= end + ONE_DAY


def builtin_years() -> dict[int, YearRules]:
    """Every year the installed ``chinesecalendar`` covers, holiday names in Chinese."""
    years: dict[int, YearRules] = {}
    holidays = _group_by_year(chinese_calendar.holidays)
    workdays = _group_by_year(chinese_calendar.workdays)
    for year in sorted(holidays.keys() | workdays.keys()):
        years[year] = YearRules(year, holidays.get(year, {}), workdays.get(year, {}))
    return years


def _group_by_year(
    days: Mapping[datetime.date, str],
) -> dict[int, dict[datetime.date, str]]:
    grouped: dict[int, dict[datetime.date, str]] = {}
    for d, english in days.items():
        grouped.setdefault(d.year, {})[d] = _chinese_name(english)
    return grouped


def _chinese_name(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


@lru_cache(maxsize=1)
def builtin_calendar() -> WorkCalendar:
    """The calendar from ``chinesecalendar`` alone, with no admin-entered years."""
    return WorkCalendar(builtin_years())

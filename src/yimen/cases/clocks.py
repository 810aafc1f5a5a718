"""A case's clocks as pure functions of dates: deadlines, the intake clock, the warning level.

Suspensions are dated periods; the deadline is recomputed from them every
time, never nudged by a flag. An extension (延长审批) adds working days to
the limit instead of pausing it.
"""

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from yimen.worktime.calendar import (
    Deadline,
    Pause,
    WorkCalendar,
    add_workdays,
    deadline_with_pauses,
    workdays_between,
)

# 行政许可法: tell the applicant all deficiencies within 5 working days, or the
# application counts as accepted on the day it was received.
INTAKE_LIMIT_DAYS = 5


class WarningLevel(StrEnum):
    NORMAL = "normal"
    YELLOW = "yellow"
    RED = "red"


def deadline(
    accepted_on: dt.date,
    limit_days: int,
    extension_days: int,
    pauses: Iterable[Pause],
    calendar: WorkCalendar,
) -> Deadline | None:
    """The last working day of the limit, counted after acceptance; None while paused."""
    return deadline_with_pauses(accepted_on, limit_days + extension_days, pauses, calendar)


def intake_due(intake_from: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day on which an intake decision is still in time."""
    return add_workdays(intake_from, INTAKE_LIMIT_DAYS, calendar).date


def intake_overdue(intake_from: dt.date, today: dt.date, calendar: WorkCalendar) -> bool:
    return today > intake_due(intake_from, calendar)


def warning(
    due: dt.date | None, today: dt.date, yellow_days: int, calendar: WorkCalendar
) -> WarningLevel:
    """红牌 when overdue, 黄牌 when `yellow_days` working days or fewer are left."""
    if due is None:
        return WarningLevel.NORMAL
    if today > due:
        return WarningLevel.RED
    if workdays_between(today, due, calendar) <= yellow_days:
        return WarningLevel.YELLOW
    return WarningLevel.NORMAL

"""Writes: entering or removing a year of holidays from the State Council notice."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import CalendarError
from .models import MAX_YEAR, MIN_YEAR, AnnualCalendar, CalendarDay

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length


def validate_calendar_year(
    year: int,
    holidays: Mapping[datetime.date, str],
    adjusted_workdays: Mapping[datetime.date, str],
) -> None:
    """Raise ``CalendarError`` unless the days form a plausible year arrangement."""
    _check_year(year)
    if not holidays:
        raise CalendarError("worktime.no_holidays", _("请至少录入一个节假日。"))
    for d, name in [*holidays.items(), *adjusted_workdays.items()]:
        _check_day(year, d, name)
    for d in sorted(holidays.keys() & adjusted_workdays.keys()):
        raise CalendarError(
            "worktime.day_both_kinds",
            _("%(date)s 不能既是节假日又是调休工作日。") % {"date": d.isoformat()},
        )
    for d in sorted(adjusted_workdays):
        if d.weekday() < 5:
            raise CalendarError(
                "worktime.workday_not_weekend",
                _("%(date)s 本来就是工作日，调休工作日只能是周六或周日。")
                % {"date": d.isoformat()},
            )


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(
            "worktime.bad_year",
            _("年份“%(year)s”无效，只能录入%(min)s年至%(max)s年。")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR},
        )


def _check_day(year: int, d: datetime.date, name: str) -> None:
    if not isinstance(d, datetime.date) or isinstance(d, datetime.datetime):
        raise CalendarError("worktime.bad_date", _("“%(value)s”不是日期。") % {"value": d})
    if d.year != year:
        raise CalendarError(
            "worktime.date_outside_year",
            _("%(date)s 不在%(year)s年内，只能录入该年的日期。")
            % {"date": d.isoformat(), "year": year},
        )
    if not isinstance(name, str) or not name.strip():
        raise CalendarError(
            "worktime.name_required", _("%(date)s 缺少节日名称。") % {"date": d.isoformat()}
        )
    if len(name.strip()) > NAME_MAX_LENGTH:
        raise CalendarError(
            "worktime.name_too_long",
            _("%(date)s 的节日名称不能超过%(max)s个字。")
            % {"date": d.isoformat(), "max": NAME_MAX_LENGTH},
        )


def calendar_year_set(
    year: int,
    holidays: Mapping[datetime.date, str],
    adjusted_workdays: Mapping[datetime.date, str],
    *,
    source: str = "",
) -> AnnualCalendar:
    """Enter ``year`` or replace all its days; it then overrides the built-in data."""
    validate_calendar_year(year, holidays, adjusted_workdays)
    with transaction.atomic():
        annual, _created = AnnualCalendar.objects.select_for_update().get_or_create(year=year)
        annual.source = source.strip()
        annual.save()
        annual.days.all().delete()
        CalendarDay.objects.bulk_create(
            [_day(annual, d, CalendarDay.Kind.HOLIDAY, n) for d, n in holidays.items()]
            + [
                _day(annual, d, CalendarDay.Kind.ADJUSTED_WORKDAY, n)
                for d, n in adjusted_workdays.items()
            ]
        )
    return annual


def _day(annual: AnnualCalendar, d: datetime.date, kind: str, name: str) -> CalendarDay:
    return CalendarDay(annual=annual, date=d, kind=kind, name=name.strip())


def calendar_year_delete(year: int) -> bool:
    """Remove an entered year (the built-in data, if any, applies again)."""
    with transaction.atomic():
        deleted, _by_model = AnnualCalendar.objects.filter(year=year).delete()
    return deleted > 0

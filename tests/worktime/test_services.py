import datetime

import pytest

from yimen.worktime.calendar import add_workdays
from yimen.worktime.errors import CalendarError
from yimen.worktime.models import AnnualCalendar, CalendarDay
from yimen.worktime.selectors import entered_years, get_calendar
from yimen.worktime.services import calendar_year_delete, calendar_year_set

pytestmark = pytest.mark.django_db

D = datetime.date
NEW_YEAR_2027 = {D(2027, 1, 1): "元旦", D(2027, 1, 4): "元旦"}
WORKED_2027 = {D(2027, 1, 9): "元旦"}


def enter_2027():
    return calendar_year_set(2027, NEW_YEAR_2027, WORKED_2027, source="测试用，非真实安排")


def test_entering_2027_makes_deadlines_final():
    before = add_workdays(D(2026, 12, 25), 10, get_calendar())
    assert (before.date, before.provisional) == (D(2027, 1, 8), True)

    annual = enter_2027()

    after = add_workdays(D(2026, 12, 25), 10, get_calendar())
    assert (after.date, after.provisional) == (D(2027, 1, 11), False)
    assert annual.days.count() == 3
    assert annual.source == "测试用，非真实安排"


def test_entering_again_replaces_the_whole_year():
    enter_2027()
    calendar_year_set(2027, {D(2027, 2, 5): "春节"}, {})
    days = list(CalendarDay.objects.values_list("date", "kind", "name"))
    assert days == [(D(2027, 2, 5), CalendarDay.Kind.HOLIDAY, "春节")]
    assert AnnualCalendar.objects.count() == 1


def test_entered_year_overrides_builtin_data():
    calendar_year_set(2025, {D(2025, 9, 30): "测试"}, {})
    calendar = get_calendar()
    assert add_workdays(D(2025, 9, 29), 1, calendar).date == D(2025, 10, 1)


def test_deleting_a_year_makes_it_provisional_again():
    enter_2027()
    assert calendar_year_delete(2027) is True
    assert add_workdays(D(2026, 12, 25), 10, get_calendar()).provisional
    assert calendar_year_delete(2027) is False


@pytest.mark.parametrize(
    ("year", "holidays", "workdays", "code", "message"),
    [
        (1999, NEW_YEAR_2027, {}, "worktime.bad_year", "年份“1999”无效，只能录入2000年至2099年。"),
        (2100, NEW_YEAR_2027, {}, "worktime.bad_year", "年份“2100”无效"),
        ("2027", NEW_YEAR_2027, {}, "worktime.bad_year", "年份“2027”无效"),
        (2027, {}, {}, "worktime.no_holidays", "请至少录入一个节假日。"),
        (
            2027,
            {D(2026, 12, 31): "元旦"},
            {},
            "worktime.date_outside_year",
            "2026-12-31 不在2027年内，只能录入该年的日期。",
        ),
        (
            2027,
            NEW_YEAR_2027,
            {D(2028, 1, 8): "元旦"},
            "worktime.date_outside_year",
            "2028-01-08 不在2027年内",
        ),
        (
            2027,
            {D(2027, 1, 2): "元旦"},
            {D(2027, 1, 2): "元旦"},
            "worktime.day_both_kinds",
            "2027-01-02 不能既是节假日又是调休工作日。",
        ),
        (
            2027,
            NEW_YEAR_2027,
            {D(2027, 1, 6): "元旦"},
            "worktime.workday_not_weekend",
            "2027-01-06 本来就是工作日，调休工作日只能是周六或周日。",
        ),
        (2027, {D(2027, 1, 1): "  "}, {}, "worktime.name_required", "2027-01-01 缺少节日名称。"),
        (2027, {D(2027, 1, 1): "节" * 51}, {}, "worktime.name_too_long", "不能超过50个字"),
    ],
)
def test_bad_years_are_refused_in_chinese(year, holidays, workdays, code, message):
    with pytest.raises(CalendarError) as caught:
        calendar_year_set(year, holidays, workdays)
    assert caught.value.code == code
    assert message in str(caught.value)
    assert not AnnualCalendar.objects.exists()


def test_refused_replacement_keeps_the_saved_year():
    enter_2027()
    with pytest.raises(CalendarError):
        calendar_year_set(2027, {D(2026, 1, 1): "元旦"}, {})
    assert set(entered_years()[2027].holidays) == set(NEW_YEAR_2027)


def test_calendar_is_cached_until_the_data_changes(django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(1):  # only the version stamp
        assert get_calendar() is first
    enter_2027()
    second = get_calendar()
    assert second is not first
    assert second.is_known(2027)
    assert get_calendar() is second


def test_editing_one_day_directly_invalidates_the_cache():
    enter_2027()
    cached = get_calendar()
    day = CalendarDay.objects.get(date=D(2027, 1, 4))
    day.date = D(2027, 1, 5)
    day.save()
    calendar = get_calendar()
    assert calendar is not cached
    assert D(2027, 1, 5) in calendar.years[2027].holidays


def test_change_made_by_another_process_is_noticed():
    enter_2027()
    cached = get_calendar()
    # Another process edited a day: its signal touched the year's stamp, not our cache.
    CalendarDay.objects.filter(date=D(2027, 1, 4)).update(name="新年")
    AnnualCalendar.objects.filter(year=2027).update(updated_at=datetime.datetime.now(datetime.UTC))
    assert get_calendar() is not cached
    assert get_calendar().years[2027].holidays[D(2027, 1, 4)] == "新年"


def test_entered_years_reads_every_year():
    enter_2027()
    calendar_year_set(2028, {D(2028, 1, 1): "元旦"}, {})
    years = entered_years()
    assert sorted(years) == [2027, 2028]
    assert dict(years[2027].adjusted_workdays) == WORKED_2027

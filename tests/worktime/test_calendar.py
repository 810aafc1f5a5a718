import datetime
import subprocess
import sys
import time

import chinese_calendar
import pytest

from yimen.worktime.calendar import (
    WorkCalendar,
    YearRules,
    add_workdays,
    deadline_with_pauses,
    is_workday,
    workdays_between,
)

D = datetime.date


def test_issue_example_across_national_day_2025(calendar):
    deadline = add_workdays(D(2025, 9, 30), 5, calendar)
    assert deadline.date == D(2025, 10, 14)
    assert deadline.provisional is False


def test_adjusted_workdays_of_national_day_2025_are_workdays(calendar):
    assert is_workday(D(2025, 9, 28), calendar)  # Sunday worked
    assert is_workday(D(2025, 10, 11), calendar)  # Saturday worked
    assert not is_workday(D(2025, 10, 1), calendar)
    assert not is_workday(D(2025, 10, 8), calendar)  # Wednesday, still a holiday
    assert not is_workday(D(2025, 10, 12), calendar)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, D(2026, 2, 14)),  # Saturday worked before the festival
        (2, D(2026, 2, 24)),  # 15–23 February are holidays
        (5, D(2026, 2, 27)),
        (6, D(2026, 2, 28)),  # Saturday worked after the festival
        (7, D(2026, 3, 2)),
    ],
)
def test_across_spring_festival_2026(calendar, n, expected):
    deadline = add_workdays(D(2026, 2, 13), n, calendar)
    assert deadline.date == expected
    assert not deadline.provisional


def test_spring_festival_2026_matches_chinesecalendar(calendar):
    for offset in range(20):
        d = D(2026, 2, 10) + datetime.timedelta(days=offset)
        assert is_workday(d, calendar) == chinese_calendar.is_workday(d), d


def test_every_builtin_day_matches_chinesecalendar(calendar):
    d = D(2004, 1, 1)
    while d <= D(2026, 12, 31):
        assert is_workday(d, calendar) == chinese_calendar.is_workday(d), d
        d += datetime.timedelta(days=1)


def test_builtin_names_are_chinese(calendar):
    assert calendar.years[2026].holidays[D(2026, 2, 17)] == "春节"
    assert calendar.years[2025].adjusted_workdays[D(2025, 9, 28)] == "国庆节"


def test_deadline_into_a_year_without_data_is_provisional(calendar):
    deadline = add_workdays(D(2026, 12, 25), 10, calendar)
    # Weekends only in 2027: 28–31 Dec, then 1, 4, 5, 6, 7, 8 Jan.
    assert deadline.date == D(2027, 1, 8)
    assert deadline.provisional
    assert deadline.missing_years == (2027,)


def test_entering_2027_changes_the_deadline_and_makes_it_final(calendar_with_2027):
    deadline = add_workdays(D(2026, 12, 25), 10, calendar_with_2027)
    # 28–31 Dec, then 5, 6, 7, 8, 9 (adjusted Saturday), 11 Jan.
    assert deadline.date == D(2027, 1, 11)
    assert not deadline.provisional


def test_deadline_inside_a_known_year_is_final_even_if_the_next_is_missing(calendar):
    deadline = add_workdays(D(2026, 12, 1), 5, calendar)
    assert deadline.date == D(2026, 12, 8)
    assert not deadline.provisional


def test_start_in_unknown_year_is_provisional(calendar):
    assert add_workdays(D(2030, 3, 1), 1, calendar).missing_years == (2030,)


def test_zero_days_is_the_start_itself(calendar):
    deadline = add_workdays(D(2030, 10, 1), 0, calendar)
    assert deadline.date == D(2030, 10, 1)
    assert not deadline.provisional


def test_negative_days_are_refused(calendar):
    with pytest.raises(ValueError):
        add_workdays(D(2025, 1, 1), -1, calendar)


def test_entered_year_replaces_the_builtin_one(calendar):
    override = calendar.with_years([YearRules(2025, {D(2025, 9, 30): "测试"}, {})])
    assert not is_workday(D(2025, 9, 30), override)
    assert is_workday(D(2025, 10, 1), override)  # built-in holiday no longer applies
    assert not is_workday(D(2025, 9, 28), override)  # nor its adjusted Sunday
    assert calendar.years[2025].holidays[D(2025, 10, 1)] == "国庆节"  # original untouched


def test_calendar_is_immutable(calendar):
    with pytest.raises(AttributeError):
        calendar.years = {}
    with pytest.raises(TypeError):
        calendar.years[2099] = YearRules(2099, {}, {})


def test_workdays_between(calendar):
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 14), calendar) == 5
    assert workdays_between(D(2025, 10, 14), D(2025, 9, 30), calendar) == -5
    assert workdays_between(D(2025, 10, 9), D(2025, 10, 9), calendar) == 0
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 8), calendar) == 0
    assert workdays_between(D(2025, 12, 31), D(2026, 1, 5), calendar) == 2  # Sun 4 Jan worked
    expected = len(chinese_calendar.get_workdays(D(2024, 1, 2), D(2025, 1, 1)))
    assert workdays_between(D(2024, 1, 1), D(2025, 1, 1), calendar) == expected


def test_pause_moves_the_deadline_by_the_paused_workdays(calendar):
    start = D(2025, 11, 3)  # Monday; no holiday in November 2025
    assert add_workdays(start, 10, calendar).date == D(2025, 11, 17)
    paused = deadline_with_pauses(start, 10, [(D(2025, 11, 5), D(2025, 11, 6))], calendar)
    assert paused.date == D(2025, 11, 19)
    assert not paused.provisional


def test_pause_over_a_weekend_moves_nothing(calendar):
    pauses = [(D(2025, 11, 8), D(2025, 11, 9))]
    assert deadline_with_pauses(D(2025, 11, 3), 10, pauses, calendar).date == D(2025, 11, 17)


def test_pauses_before_start_or_after_deadline_move_nothing(calendar):
    pauses = [(D(2025, 10, 1), D(2025, 11, 3)), (D(2025, 11, 18), None)]
    assert deadline_with_pauses(D(2025, 11, 3), 10, pauses, calendar).date == D(2025, 11, 17)


def test_overlapping_pauses_count_once(calendar):
    pauses = [(D(2025, 11, 5), D(2025, 11, 6)), (D(2025, 11, 6), D(2025, 11, 7))]
    assert deadline_with_pauses(D(2025, 11, 3), 10, pauses, calendar).date == D(2025, 11, 20)


def test_open_pause_stops_the_clock(calendar):
    assert deadline_with_pauses(D(2025, 11, 3), 10, [(D(2025, 11, 5), None)], calendar) is None


def test_pause_across_spring_festival_counts_only_workdays(calendar):
    # Paused 13 Feb – 1 Mar 2026: workdays 13, 14, 24, 25, 26, 27, 28 Feb are lost.
    plain = add_workdays(D(2026, 2, 12), 3, calendar).date
    paused = deadline_with_pauses(D(2026, 2, 12), 3, [(D(2026, 2, 13), D(2026, 3, 1))], calendar)
    assert plain == D(2026, 2, 24)
    assert paused.date == D(2026, 3, 4)
    assert workdays_between(plain, paused.date, calendar) == 7


def test_pause_that_pushes_into_2027_is_provisional(calendar):
    pauses = [(D(2026, 12, 1), D(2026, 12, 31))]
    deadline = deadline_with_pauses(D(2026, 11, 30), 1, pauses, calendar)
    assert deadline.date == D(2027, 1, 1)
    assert deadline.provisional


def test_pause_ending_before_it_begins_is_refused(calendar):
    with pytest.raises(ValueError):
        deadline_with_pauses(D(2025, 1, 1), 3, [(D(2025, 1, 5), D(2025, 1, 4))], calendar)


def test_year_out_of_range_overflows(calendar):
    with pytest.raises(OverflowError):
        add_workdays(D(9999, 12, 30), 5, calendar)


def test_add_workdays_takes_microseconds(calendar):
    starts = [D(2025, 1, 1) + datetime.timedelta(days=i) for i in range(730)]
    began = time.perf_counter()
    for i, start in enumerate(starts * 10):
        add_workdays(start, i % 61, calendar)
    per_call = (time.perf_counter() - began) / (len(starts) * 10)
    assert per_call < 100e-6, f"{per_call * 1e6:.1f} µs per call"


def test_building_a_calendar_is_cheap(calendar):
    began = time.perf_counter()
    WorkCalendar(calendar.years)
    assert time.perf_counter() - began < 0.5


def test_core_imports_no_django():
    code = (
        "import sys, yimen.worktime.calendar\n"
        "bad = sorted(m for m in sys.modules if m.startswith('django') or "
        "(m.startswith('yimen.') and not m.startswith('yimen.worktime')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

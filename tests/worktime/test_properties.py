"""Property tests of the arithmetic core against a day-by-day oracle."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from yimen.worktime.calendar import (
    WorkCalendar,
    add_workdays,
    builtin_calendar,
    deadline_with_pauses,
    is_workday,
    workdays_between,
)

from .conftest import TEST_2027

ONE_DAY = datetime.timedelta(days=1)
CALENDARS = [builtin_calendar(), builtin_calendar().with_years([TEST_2027])]

calendars = st.sampled_from(CALENDARS)
dates = st.dates(datetime.date(2003, 6, 1), datetime.date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@st.composite
def pause_lists(draw, start: datetime.date):
    pauses = []
    for _ in range(draw(st.integers(0, 4))):
        begin = start + datetime.timedelta(days=draw(st.integers(-30, 500)))
        if draw(st.integers(0, 9)) == 0:
            pauses.append((begin, None))
        else:
            pauses.append((begin, begin + datetime.timedelta(days=draw(st.integers(0, 60)))))
    return pauses


def naive_deadline(start, n, pauses, calendar: WorkCalendar):
    d, left = start, n
    while left > 0:
        d += ONE_DAY
        covering = [p for p in pauses if p[0] <= d and (p[1] is None or d <= p[1])]
        if any(end is None for _, end in covering):
            return None
        if not covering and is_workday(d, calendar):
            left -= 1
    return d


@given(dates, st.integers(1, 400), calendars)
def test_lands_on_a_workday(start, n, calendar):
    assert is_workday(add_workdays(start, n, calendar).date, calendar)


@given(dates, counts, calendars)
def test_between_inverts_add(start, n, calendar):
    end = add_workdays(start, n, calendar).date
    assert workdays_between(start, end, calendar) == n


@given(dates, counts, counts, calendars)
def test_monotonic_in_n(start, a, b, calendar):
    low, high = sorted((a, b))
    first, second = add_workdays(start, low, calendar), add_workdays(start, high, calendar)
    assert first.date <= second.date
    assert (first.date < second.date) == (low < high)


@given(dates, counts, calendars)
def test_matches_day_by_day_oracle(start, n, calendar):
    deadline = add_workdays(start, n, calendar)
    assert deadline.date == naive_deadline(start, n, [], calendar)
    years_used = {(start + ONE_DAY * i).year for i in range(1, (deadline.date - start).days + 1)}
    assert deadline.provisional == any(not calendar.is_known(y) for y in years_used)


@given(dates, dates, dates, calendars)
def test_between_is_antisymmetric_and_additive(a, b, c, calendar):
    assert workdays_between(a, b, calendar) == -workdays_between(b, a, calendar)
    assert workdays_between(a, c, calendar) == (
        workdays_between(a, b, calendar) + workdays_between(b, c, calendar)
    )


@settings(max_examples=300)
@given(st.data(), dates, counts, calendars)
def test_pauses_never_make_a_deadline_earlier(data, start, n, calendar):
    pauses = data.draw(pause_lists(start))
    paused = deadline_with_pauses(start, n, pauses, calendar)
    if paused is not None:
        assert paused.date >= add_workdays(start, n, calendar).date


@settings(max_examples=300)
@given(st.data(), dates, counts, calendars)
def test_pauses_match_day_by_day_oracle(data, start, n, calendar):
    pauses = data.draw(pause_lists(start))
    paused = deadline_with_pauses(start, n, pauses, calendar)
    expected = naive_deadline(start, n, pauses, calendar)
    assert (paused and paused.date) == expected


@given(dates, counts, calendars)
def test_no_pauses_is_plain_addition(start, n, calendar):
    assert deadline_with_pauses(start, n, [], calendar) == add_workdays(start, n, calendar)

import datetime

import pytest

from yimen.worktime.calendar import WorkCalendar, YearRules, builtin_calendar
from yimen.worktime.selectors import clear_calendar_cache

# For tests only: NOT the real 2027 arrangement, which admins enter from the notice.
TEST_2027 = YearRules(
    2027,
    holidays={datetime.date(2027, 1, 1): "元旦", datetime.date(2027, 1, 4): "元旦"},
    adjusted_workdays={datetime.date(2027, 1, 9): "元旦"},
)


@pytest.fixture
def calendar() -> WorkCalendar:
    return builtin_calendar()


@pytest.fixture
def calendar_with_2027(calendar: WorkCalendar) -> WorkCalendar:
    return calendar.with_years([TEST_2027])


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clear_calendar_cache()
    yield
    clear_calendar_cache()

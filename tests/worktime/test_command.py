import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yimen.worktime.services import calendar_year_set

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("workdays-add", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_the_issue_example():
    assert run("2025-09-30", "5") == ("2025-10-14\n", "")


def test_provisional_note_goes_to_stderr():
    out, err = run("2026-12-25", "10")
    assert out == "2027-01-08\n"
    assert err == "（暂定：2027年节假日尚未录入）\n"


def test_several_missing_years_are_listed():
    _out, err = run("2026-12-25", "300")
    assert err == "（暂定：2027、2028年节假日尚未录入）\n"


def test_entered_year_is_used_and_note_disappears():
    holidays = {datetime.date(2027, 1, 1): "元旦", datetime.date(2027, 1, 4): "元旦"}
    calendar_year_set(2027, holidays, {datetime.date(2027, 1, 9): "元旦"})
    assert run("2026-12-25", "10") == ("2027-01-11\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2025-13-01", "5"), "起算日期“2025-13-01”无效，请按 YYYY-MM-DD 填写"),
        (("明天", "5"), "起算日期“明天”无效"),
        (("2025-09-30", "-1"), "工作日数“-1”无效，请填写 0 到 10000 之间的整数。"),
        (("2025-09-30", "五"), "工作日数“五”无效"),
        (("2025-09-30", "10001"), "工作日数“10001”无效"),
        (("9999-12-30", "5"), "结果超出了可表示的日期范围。"),
    ],
)
def test_bad_input_is_a_chinese_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_zero_days_prints_the_start():
    assert run("2025-10-01", "0") == ("2025-10-01\n", "")

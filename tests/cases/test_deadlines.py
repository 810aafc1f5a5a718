"""Deadlines in working days across the statutory holidays, moved by pauses and extensions."""

import datetime as dt

import pytest
import time_machine

from tests.factories.cases import accepted, at, licence_item, open_tasks
from yimen.cases import selectors, services
from yimen.cases.clocks import WarningLevel
from yimen.errors import IllegalAction, InvalidInput
from yimen.worktime.services import calendar_year_set

D = dt.date
pytestmark = pytest.mark.django_db


def test_national_day_2025_is_skipped_and_the_adjusted_weekends_count(crew, licence):
    # 10-1..10-8 off; Sunday 9-28 and Saturday 10-11 are worked.
    case = accepted(crew, licence, day=D(2025, 9, 26))
    assert case.accepted_on == D(2025, 9, 26)
    assert case.deadline == D(2025, 10, 16)
    assert case.legal_deadline == D(2025, 10, 30)
    assert not case.deadline_provisional


def test_spring_festival_2026_is_skipped(crew, licence):
    # 2-15..2-23 off; Saturdays 2-14 and 2-28 are worked.
    case = accepted(crew, licence, day=D(2026, 2, 12))
    assert case.deadline == D(2026, 3, 4)


def test_deadline_into_2027_is_provisional_until_the_year_is_entered(crew, licence):
    case = accepted(crew, licence, day=D(2026, 12, 25))
    assert (case.deadline, case.deadline_provisional) == (D(2027, 1, 8), True)

    calendar_year_set(
        2027,
        {D(2027, 1, 1): "元旦", D(2027, 1, 4): "元旦"},
        {D(2027, 1, 9): "元旦"},
        source="测试用，非真实安排",
    )
    services.case_extend(
        case=case, approver=crew.approver, days=1, reason="需补充论证", now=at(D(2026, 12, 28))
    )
    case.refresh_from_db()
    # 10 days + 1 extension with the entered year: 1-1 and 1-4 off, Saturday 1-9 worked.
    assert (case.deadline, case.deadline_provisional) == (D(2027, 1, 12), False)


def _inspection_case(crew):
    version = licence_item("220105-SCJ-002", inspection=True)
    case = accepted(crew, version, day=D(2025, 11, 3))
    review = open_tasks(case)[0]
    services.task_complete(task=review, actor=crew.reviewers["MZJ"], now=at(D(2025, 11, 4)))
    return case


def test_a_special_procedure_stage_pauses_the_clock_and_moves_the_deadline(crew):
    case = _inspection_case(crew)
    case.refresh_from_db()
    assert case.deadline is None  # paused from 11-04: no deadline exists while the clock stops
    assert selectors.case_detail(case).clock_paused

    inspection = open_tasks(case)[0]
    services.task_complete(task=inspection, actor=crew.inspector, now=at(D(2025, 11, 10)))
    case.refresh_from_db()
    # 11-04..11-10 paused (5 working days): 11-17 becomes 11-24.
    assert case.deadline == D(2025, 11, 24)
    assert list(case.pauses.values_list("started_on", "ended_on")) == [
        (D(2025, 11, 4), D(2025, 11, 10))
    ]


def test_an_ad_hoc_suspension_is_a_dated_period_and_resuming_recomputes(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    assert case.deadline == D(2025, 11, 17)
    services.case_suspend(
        case=case,
        actor=crew.approver,
        kind="expert_review",
        reason="组织专家评审",
        now=at(D(2025, 11, 5)),
    )
    with pytest.raises(IllegalAction) as refused:
        services.case_decide(
            case=case, approver=crew.approver, grant=True, reason="符合", now=at(D(2025, 11, 6))
        )
    assert refused.value.code in {"clock_paused", "stages_open"}

    services.case_resume(case=case, actor=crew.approver, reason="评审结束", now=at(D(2025, 11, 7)))
    case.refresh_from_db()
    assert case.deadline == D(2025, 11, 20)  # three paused working days
    actions = list(case.events.values_list("action", flat=True))
    assert actions[-2:] == ["suspend", "resume"]


def test_extension_once_and_within_the_versions_limit(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    with pytest.raises(InvalidInput) as too_long:
        services.case_extend(case=case, approver=crew.approver, days=11, reason="复杂")
    assert "1至10个工作日" in too_long.value.message
    with pytest.raises(InvalidInput):
        services.case_extend(case=case, approver=crew.approver, days=3, reason="  ")

    services.case_extend(
        case=case, approver=crew.approver, days=10, reason="情况复杂", now=at(D(2025, 11, 4))
    )
    case.refresh_from_db()
    assert (case.deadline, case.legal_deadline) == (D(2025, 12, 1), D(2025, 12, 15))
    with pytest.raises(IllegalAction) as twice:
        services.case_extend(case=case, approver=crew.approver, days=1, reason="再延")
    assert twice.value.code == "already_extended"


def test_an_extension_needs_an_approver(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    with pytest.raises(Exception) as refused:
        services.case_extend(case=case, approver=crew.clerk, days=2, reason="复杂")
    assert refused.value.code == "forbidden"
    case.refresh_from_db()
    assert case.extension_days == 0


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (D(2025, 11, 13), WarningLevel.NORMAL),
        (D(2025, 11, 14), WarningLevel.YELLOW),
        (D(2025, 11, 17), WarningLevel.YELLOW),
        (D(2025, 11, 18), WarningLevel.RED),
    ],
)
def test_warning_level_by_working_days_left(crew, licence, today, level):
    case = accepted(crew, licence, day=D(2025, 11, 3))  # due 11-17 (Monday)
    assert selectors.case_warning(case, today) == level


def test_yellow_threshold_is_a_setting(crew, licence, settings):
    settings.YIMEN_CASE_YELLOW_DAYS = 3
    case = accepted(crew, licence, day=D(2025, 11, 3))
    assert selectors.case_warning(case, D(2025, 11, 12)) == WarningLevel.YELLOW


# --- special procedures past their maximum ---------------------------------------------


def test_a_stage_procedure_past_its_catalog_maximum_is_listed(crew):
    case = _inspection_case(crew)  # the inspection stage may pause the clock 10 working days
    pause = case.pauses.get()
    # 11-04..11-17 are its 10 working days.
    with time_machine.travel(at(D(2025, 11, 17))):
        assert selectors.overrun_pauses() == []
    with time_machine.travel(at(D(2025, 11, 19))):
        (overrun,) = selectors.overrun_pauses()
    assert (overrun.case, overrun.kind, overrun.started_on) == (case, "stage", D(2025, 11, 4))
    assert (overrun.max_days, overrun.due, overrun.days_over) == (10, D(2025, 11, 17), 2)
    assert overrun.pause == pause


def test_an_ad_hoc_suspension_runs_for_the_settings_maximum(crew, licence, settings):
    settings.YIMEN_SPECIAL_PROCEDURE_MAX_DAYS = 3
    case = accepted(crew, licence, day=D(2025, 11, 3))
    services.case_suspend(
        case=case, actor=crew.approver, kind="hearing", reason="听证", now=at(D(2025, 11, 5))
    )
    assert selectors.overrun_pauses(today=D(2025, 11, 7)) == []
    (overrun,) = selectors.overrun_pauses(today=D(2025, 11, 10))
    assert (overrun.kind, overrun.max_days, overrun.due, overrun.days_over) == (
        "hearing",
        3,
        D(2025, 11, 7),
        1,
    )

    services.case_resume(case=case, actor=crew.approver, now=at(D(2025, 11, 10)))
    assert selectors.overrun_pauses(today=D(2025, 11, 10)) == []


def test_by_default_a_suspension_may_last_30_working_days(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    services.case_suspend(
        case=case, actor=crew.approver, kind="testing", reason="检验", now=at(D(2025, 11, 5))
    )
    # 18 working days left in November from the 5th, 12 more in December up to the 16th.
    with time_machine.travel(at(D(2025, 12, 16))):
        assert selectors.overrun_pauses() == []
    with time_machine.travel(at(D(2025, 12, 17))):
        assert [(o.case, o.max_days, o.days_over) for o in selectors.overrun_pauses()] == [
            (case, 30, 1)
        ]


def test_overruns_of_one_case_only(crew, licence, settings):
    settings.YIMEN_SPECIAL_PROCEDURE_MAX_DAYS = 1
    late, other = (accepted(crew, licence, day=D(2025, 11, 3)) for _ in range(2))
    for case, day in ((late, 3), (other, 7)):
        services.case_suspend(
            case=case, actor=crew.approver, kind="hearing", reason="听证", now=at(D(2025, 11, day))
        )
    today = D(2025, 11, 10)
    assert [o.case for o in selectors.overrun_pauses(today=today)] == [late, other]
    assert [o.case for o in selectors.overrun_pauses(case=other, today=today)] == [other]

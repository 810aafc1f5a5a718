"""Supervision: the live dashboard (red and yellow lists, where cases run late, special
procedures), the violations recorded as cases break rules, and repeatable spot checks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import subjects as people
from tests.factories.cases import at
from tests.factories.oversight_supervision import Plan, bureau, drive, workday
from yimen.cases import selectors as case_selectors
from yimen.cases import services as case_services
from yimen.cases.models import Case
from yimen.catalog.models import Role
from yimen.errors import IllegalAction, InvalidInput, NotFound, PermissionDenied
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase, Violation
from yimen.oversight.selectors.stats import stats_filter
from yimen.oversight.selectors.supervision import dashboard, spot_check_detail
from yimen.oversight.services.supervision import (
    spot_check_draw,
    spot_check_review,
    violations_rebuild,
)
from yimen.worktime.calendar import workdays_between
from yimen.worktime.selectors import get_calendar

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)
    settings.YIMEN_CASE_YELLOW_DAYS = 1


@pytest.fixture
def office():
    return bureau()


def on(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))


def open_case(office, day: dt.date, **plan) -> Case:
    """Submitted at the window on `day`, accepted the next working day, left open."""
    return drive(office, Plan(item="plain", channel="window", day=day, finish_after=None, **plan))


# --- the dashboard ------------------------------------------------------------------------


@pytest.fixture
def open_cases(office):
    late = open_case(office, D(2025, 10, 31))  # accepted 11-03, due 11-17
    due_monday = open_case(office, D(2025, 11, 7))  # accepted 11-10, due 11-24
    due_wednesday = open_case(office, D(2025, 11, 11))  # accepted 11-12, due 11-26
    paused = open_case(office, D(2025, 11, 11))
    case_services.case_suspend(
        case=paused, actor=office.approver, kind="hearing", reason="听证", now=at(D(2025, 11, 13))
    )
    completed = drive(office, Plan(item="plain", channel="online", day=D(2025, 11, 3)))
    return {
        "late": late,
        "due_monday": due_monday,
        "due_wednesday": due_wednesday,
        "paused": paused,
        "completed": completed,
    }


def test_the_open_cases_deadlines_are_the_ones_the_lists_are_checked_against(open_cases):
    assert [open_cases[k].deadline for k in ("late", "due_monday", "due_wednesday")] == [
        D(2025, 11, 17),
        D(2025, 11, 24),
        D(2025, 11, 26),
    ]
    assert Case.objects.get(pk=open_cases["paused"].pk).deadline is None


@pytest.mark.parametrize(
    ("today", "red", "yellow"),
    [
        (D(2025, 11, 14), [], ["late"]),  # Friday: the 17th is the next working day
        (D(2025, 11, 21), ["late"], ["due_monday"]),  # over the weekend, one working day left
        (D(2025, 11, 24), ["late"], ["due_monday"]),  # due today
        (D(2025, 11, 25), ["late", "due_monday"], ["due_wednesday"]),
    ],
)
def test_red_and_yellow_lists_follow_the_calendar(office, open_cases, today, red, yellow):
    with on(today):
        board = dashboard(office.supervisor)
        warnings = {
            c.case_no: case_selectors.case_warning(Case.objects.get(pk=c.pk))
            for c in open_cases.values()
        }
    assert [r.case.case_no for r in board.red] == [open_cases[k].case_no for k in red]
    assert [r.case.case_no for r in board.yellow] == [open_cases[k].case_no for k in yellow]
    for rows, level in ((board.red, "red"), (board.yellow, "yellow")):
        assert all(warnings[r.case.case_no] == level for r in rows)
    assert board.warnings == {
        "red": len(red),
        "yellow": len(yellow),
        "normal": 3 - len(red) - len(yellow),
        "paused": 1,
    }
    assert board.red == [] or board.red[0].clock.days_left == workdays_between(
        today, D(2025, 11, 17), get_calendar()
    )


def test_open_cases_are_counted_by_state_and_completed_ones_left_out(office, open_cases):
    applicant, person = office.citizens[1]
    case_services.case_submit(
        actor=applicant,
        subject=person,
        item_code="220105-SCJ-102",
        channel="online",
        form={"shop_name": "老王面馆"},
        now=at(D(2025, 11, 20)),
    )
    with on(D(2025, 11, 21)):
        board = dashboard(office.supervisor)
    counts = {t.key: t.count for t in board.states}
    assert counts == {
        "submitted": 1,
        "correction": 0,
        "in_progress": 4,
        "decided": 0,
        "issued": 0,
    }
    assert board.open_total == 5
    assert Case.objects.get(pk=open_cases["completed"].pk).state == "completed"


def test_overdue_cases_are_counted_by_department_item_and_first_contact_owner(office, open_cases):
    with on(D(2025, 11, 25)):
        board = dashboard(office.supervisor)
    assert [(t.label, t.count) for t in board.overdue_by_department] == [("市场监管局", 2)]
    assert [(t.key, t.label, t.count) for t in board.overdue_by_item] == [
        ("220105-SCJ-102", "食品经营许可", 2)
    ]
    assert [(t.label, t.count) for t in board.overdue_by_staff] == [("刘晓梅", 2)]


def test_special_procedure_time_counts_running_and_recently_ended_ones(office, open_cases):
    drive(
        office,
        Plan(item="plain", channel="online", day=D(2025, 11, 3), suspend_days=7, finish_after=2),
    )
    with on(D(2025, 11, 21)):
        board = dashboard(office.supervisor)
    by_kind = {p.kind: p for p in board.procedures}
    hearing, expert = by_kind["hearing"], by_kind["expert_review"]
    # The hearing runs since Thursday 11-13: 13, 14, 17, 18, 19, 20, 21.
    assert (hearing.running, hearing.running_days, hearing.longest_days) == (1, 7, 7)
    assert (expert.running, expert.ended) == (0, 1)
    assert expert.ended_days == 6  # 11-05 (Wed) to 11-12 (Wed): six working days
    assert [r.pause.case_id for r in board.longest_running] == [open_cases["paused"].pk]


def test_pauses_sharing_a_span_each_count_and_the_longest_held_come_first(office, open_cases):
    second, later = open_case(office, D(2025, 11, 11)), open_case(office, D(2025, 11, 11))
    for case, day in ((later, D(2025, 11, 18)), (second, D(2025, 11, 13))):
        case_services.case_suspend(
            case=case, actor=office.approver, kind="hearing", reason="听证", now=at(day)
        )
    with on(D(2025, 11, 21)):
        board = dashboard(office.supervisor)
    hearing = next(p for p in board.procedures if p.kind == "hearing")
    # Two since Thursday 11-13 (7 working days each), one since Tuesday 11-18 (4).
    assert (hearing.running, hearing.running_days, hearing.longest_days) == (3, 18, 7)
    longest = [(r.pause.case_id, r.days) for r in board.longest_running]
    assert longest == [(open_cases["paused"].pk, 7), (second.pk, 7), (later.pk, 4)]


# --- violations ---------------------------------------------------------------------------


@pytest.fixture
def rule_breakers(office):
    return {
        "second_notice": open_case(office, D(2025, 11, 3), correction=True, second_notice=True),
        "deemed": open_case(office, D(2025, 9, 25), deem=True),
        "late_decision": drive(
            office, Plan(item="plain", channel="window", day=D(2025, 9, 1), finish_after=24)
        ),
        "one_notice_on_time": drive(
            office,
            Plan(
                item="plain", channel="online", day=D(2025, 9, 1), correction=True, finish_after=4
            ),
        ),
    }


def test_violations_are_recorded_as_the_rules_are_broken(rule_breakers):
    found = {(v.case_id, v.kind, v.ref) for v in Violation.objects.all()}
    assert found == {
        (rule_breakers["second_notice"].pk, Violation.Kind.REPEATED_CORRECTION, 2),
        (rule_breakers["deemed"].pk, Violation.Kind.LATE_INTAKE, 0),
        (rule_breakers["late_decision"].pk, Violation.Kind.LATE_DECISION, 0),
    }
    late = Case.objects.get(pk=rule_breakers["late_decision"].pk)
    decided_on = late.decided_at.astimezone(SHANGHAI).date()
    violation = Violation.objects.get(kind=Violation.Kind.LATE_DECISION)
    assert violation.details == {
        "legal_deadline": late.legal_deadline.isoformat(),
        "days_late": workdays_between(late.legal_deadline, decided_on, get_calendar()),
    }
    assert violation.details["days_late"] >= 1
    assert "超期" in violation.describe()


def test_the_dashboard_lists_the_violations_newest_first(office, rule_breakers):
    with on(D(2025, 12, 1)):
        board = dashboard(office.supervisor)
    assert {t.key: t.count for t in board.violation_counts} == {
        "repeated_correction": 1,
        "late_intake": 1,
        "late_decision": 1,
    }
    times = [v.at for v in board.violations]
    assert times == sorted(times, reverse=True) and len(times) == 3


def test_violations_rebuild_finds_what_went_missing_and_puts_it_back(rule_breakers):
    assert violations_rebuild(check=True) == []
    lost = Violation.objects.get(kind=Violation.Kind.LATE_INTAKE)
    lost.delete()
    assert violations_rebuild(check=True) == [(lost.case_id, lost.kind, lost.ref)]
    assert not Violation.objects.filter(kind=Violation.Kind.LATE_INTAKE).exists()

    violations_rebuild()
    again = Violation.objects.get(kind=Violation.Kind.LATE_INTAKE)
    assert (again.case_id, again.at, again.details) == (lost.case_id, lost.at, lost.details)
    assert violations_rebuild(check=True) == []


# --- spot checks --------------------------------------------------------------------------


@pytest.fixture
def finished(office):
    """Twelve instant cases completed in October 2025, every third one online."""
    return [
        drive(
            office,
            Plan(
                item="instant",
                channel="online" if n % 3 == 0 else "window",
                day=workday(D(2025, 9, 30), n + 1),
            ),
        )
        for n in range(12)
    ]


def october(**filters):
    return stats_filter(date_from=D(2025, 10, 1), date_to=D(2025, 10, 31), **filters)


def drawn(check: SpotCheck) -> list[str]:
    return [item.case.case_no for item in check.cases.order_by("position")]


def test_a_draw_is_recorded_and_drawing_again_with_its_seed_gives_the_same_cases(office, finished):
    check = spot_check_draw(supervisor=office.supervisor, scope=october(), size=5, seed=42)
    check.refresh_from_db()
    assert (check.seed, check.requested, check.population) == (42, 5, 12)
    assert check.scope == {
        "from": "2025-10-01",
        "to": "2025-10-31",
        "department": None,
        "center": None,
        "channel": None,
    }
    first = drawn(check)
    assert len(set(first)) == 5 and set(first) <= {c.case_no for c in finished}

    again = spot_check_draw(supervisor=office.supervisor, scope=october(), size=5, seed=42)
    assert drawn(again) == first
    other = spot_check_draw(supervisor=office.supervisor, scope=october(), size=5, seed=43)
    assert drawn(other) != first
    assert spot_check_detail(office.supervisor, check.pk).repeatable


def test_a_draw_keeps_to_its_scope_and_takes_all_when_asked_for_more(office, finished):
    check = spot_check_draw(supervisor=office.supervisor, scope=october(channel="online"), size=50)
    online = sorted(c.case_no for c in finished if c.channel == "online")
    assert sorted(drawn(check)) == online
    assert (check.population, check.requested) == (4, 50)
    assert check.seed >= 0  # chosen at random and kept


def test_a_replay_tells_when_the_population_has_changed(office, finished):
    check = spot_check_draw(supervisor=office.supervisor, scope=october(), size=5, seed=7)
    drive(office, Plan(item="instant", channel="window", day=D(2025, 10, 30)))
    view = spot_check_detail(office.supervisor, check.pk)
    assert (view.check.population, view.population_now) == (12, 13)
    assert not view.repeatable
    assert [i.case.case_no for i in view.items] == drawn(check)


@pytest.mark.parametrize(
    ("size", "seed", "code"),
    [(0, None, "size_invalid"), (201, None, "size_invalid"), (3, -1, "seed_invalid")],
)
def test_a_bad_draw_request_is_refused_and_nothing_is_recorded(office, finished, size, seed, code):
    with pytest.raises(InvalidInput) as refused:
        spot_check_draw(supervisor=office.supervisor, scope=october(), size=size, seed=seed)
    assert refused.value.code == code
    assert not SpotCheck.objects.exists()


def test_an_empty_population_cannot_be_drawn_from(office, finished):
    scope = stats_filter(date_from=D(2024, 1, 1), date_to=D(2024, 12, 31))
    with pytest.raises(IllegalAction) as refused:
        spot_check_draw(supervisor=office.supervisor, scope=scope, size=3)
    assert refused.value.code == "population_empty"
    assert not SpotCheck.objects.exists()


def test_only_supervisors_draw_and_review(office, finished):
    for outsider in (office.clerk, office.approver, office.citizens[0][0]):
        with pytest.raises(PermissionDenied):
            spot_check_draw(supervisor=outsider, scope=october(), size=3)
        with pytest.raises(PermissionDenied):
            dashboard(outsider)
    assert not SpotCheck.objects.exists()
    chief = people.account("chief")
    chief.is_superuser = True
    chief.save()
    assert spot_check_draw(supervisor=chief, scope=october(), size=1).cases.count() == 1


def test_a_supervisor_records_a_finding_once_per_drawn_case(office, finished):
    check = spot_check_draw(supervisor=office.supervisor, scope=october(), size=3, seed=1)
    first, second, _third = check.cases.order_by("position")

    reviewed = spot_check_review(supervisor=office.supervisor, item=first, result="ok")
    assert (reviewed.result, reviewed.reviewed_by) == ("ok", office.supervisor)

    with pytest.raises(InvalidInput) as no_text:
        spot_check_review(supervisor=office.supervisor, item=second, result="problem", finding=" ")
    assert (no_text.value.code, no_text.value.field) == ("finding_required", "finding")
    with pytest.raises(InvalidInput) as no_result:
        spot_check_review(supervisor=office.supervisor, item=second, result="maybe")
    assert no_result.value.code == "result_invalid"
    assert SpotCheckCase.objects.get(pk=second.pk).result == "pending"

    spot_check_review(
        supervisor=office.supervisor, item=second, result="problem", finding="受理材料未核验原件"
    )
    colleague = people.staff(Role.SUPERVISOR, name="李督")
    with pytest.raises(IllegalAction) as again:
        spot_check_review(supervisor=colleague, item=second, result="ok")
    assert again.value.code == "already_reviewed"
    kept = SpotCheckCase.objects.get(pk=second.pk)
    assert (kept.result, kept.finding, kept.reviewed_by) == (
        "problem",
        "受理材料未核验原件",
        office.supervisor,
    )
    view = spot_check_detail(office.supervisor, check.pk)
    assert (view.reviewed, view.problems) == (2, 1)


def test_an_unknown_spot_check_is_not_found(office):
    with pytest.raises(NotFound):
        spot_check_detail(office.supervisor, 999)

"""The statistics kept as cases move equal a slow recount from the cases themselves, and
`stats-rebuild` recounts (and checks) the same numbers."""

import dataclasses
import datetime as dt
import math
from collections import Counter
from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import subjects as people
from tests.factories.cases import at
from tests.factories.oversight_supervision import Plan, bureau, drive, plans
from yimen.cases.models import Case, ClockPause, Visit
from yimen.catalog.models import Department, ServiceCenter
from yimen.oversight.models.ratings import BAD_LEVELS, GOOD_LEVELS, Rating
from yimen.oversight.models.stats import (
    CaseDailyStat,
    CaseMonthlyStat,
    CaseMonthlyWorkdayCount,
    CaseWorkdayCount,
    RatingMonthlyCount,
)
from yimen.oversight.selectors.stats import stats_filter, stats_report
from yimen.oversight.services import stats as stats_services
from yimen.oversight.services.ratings import rating_appeal, rating_appeal_decide, rating_submit
from yimen.subjects.models import LockerReuse
from yimen.worktime.calendar import is_workday
from yimen.worktime.selectors import get_calendar

D = dt.date
pytestmark = pytest.mark.django_db
WHOLE = (D(2025, 8, 1), D(2026, 6, 30))


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def office():
    return bureau()


@pytest.fixture
def driven(office):
    return [drive(office, plan) for plan in plans()]


# --- the slow recount, straight from cases, visits, pauses and the locker's log ----------


def _on_clock(case: Case, completed_on: dt.date, pauses: list[ClockPause], calendar) -> int:
    days, day = 0, case.accepted_on + dt.timedelta(days=1)
    while day <= completed_on:
        held = any(p.started_on <= day <= (p.ended_on or completed_on) for p in pauses)
        days += is_workday(day, calendar) and not held
        day += dt.timedelta(days=1)
    return days


def _p90(values: list[int]) -> int | None:
    ordered = sorted(min(v, 60) for v in values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else None


def slow_figures(date_from, date_to, department=None, center=None, channel="") -> dict:
    calendar = get_calendar()

    def within(day) -> bool:
        return day is not None and date_from <= day <= date_to

    cases = [
        c
        for c in Case.objects.select_related("version", "department", "center")
        if (department is None or c.department == department)
        and (center is None or c.center == center)
        and (not channel or c.channel == channel)
    ]
    received = [c for c in cases if within(timezone.localdate(c.received_at))]
    done = [
        c for c in cases if c.state == "completed" and within(timezone.localdate(c.completed_at))
    ]
    visits = {c.pk: Visit.objects.filter(cases=c).count() for c in done}
    workdays = [
        _on_clock(c, timezone.localdate(c.completed_at), list(c.pauses.all()), calendar)
        for c in done
    ]
    return {
        "received": len(received),
        "accepted": sum(within(c.accepted_on) for c in cases),
        "online": sum(c.channel in ("online", "mobile") for c in received),
        "reused": LockerReuse.objects.filter(case_ref__in=[c.case_no for c in received]).count(),
        "completed": len(done),
        "completed_within_one_visit": sum(visits[c.pk] <= 1 for c in done),
        "zero_visit": sum(visits[c.pk] == 0 for c in done),
        "early": sum(timezone.localdate(c.completed_at) < c.deadline for c in done),
        "sum_workdays": sum(workdays),
        "sum_committed_days": sum(c.version.committed_limit_days for c in done),
        "p90_workdays": _p90(workdays),
    }


def kept(figures) -> dict:
    return dataclasses.asdict(figures)


def report(supervisor, date_from, date_to, **filters):
    return stats_report(supervisor, stats_filter(date_from=date_from, date_to=date_to, **filters))


def test_the_paths_driven_cover_every_figure(driven):
    whole = slow_figures(*WHOLE)
    assert all(whole[name] for name in whole), whole
    assert whole["completed_within_one_visit"] < whole["completed"]
    assert whole["early"] < whole["completed"]
    assert whole["accepted"] < whole["received"]


def test_kept_figures_equal_a_slow_recount_for_every_filter(office, driven):
    supervisor = office.supervisor
    market = Department.objects.get(code="SCJ")
    district = ServiceCenter.objects.get(code="QZX")
    filters = [
        {},
        {"department": market},
        {"center": district},
        {"channel": "online"},
        {"channel": "window", "department": market},
    ]
    for chosen in filters:
        codes = {k: getattr(v, "code", v) for k, v in chosen.items()}
        got = report(supervisor, *WHOLE, **codes)
        assert kept(got.totals) == slow_figures(*WHOLE, **chosen), chosen
    october = report(supervisor, D(2025, 10, 1), D(2025, 10, 31))
    assert kept(october.totals) == slow_figures(D(2025, 10, 1), D(2025, 10, 31))


def test_rows_by_department_and_by_month_equal_the_slow_recount(office, driven):
    got = report(office.supervisor, *WHOLE)
    assert [g.key for g in got.departments] == ["MZJ", "SCJ"]
    for group in got.departments:
        department = Department.objects.get(code=group.key)
        assert kept(group.figures) == slow_figures(*WHOLE, department=department)
    assert got.months[0].key == "2025-08" and got.months[-1].key == "2026-06"
    for group in got.months:
        first = D.fromisoformat(f"{group.key}-01")
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        assert kept(group.figures) == slow_figures(first, last), group.key


def _month_within(group_key: str, date_from, date_to) -> tuple[dt.date, dt.date]:
    """The days of a report's month that fall in the period."""
    first = D.fromisoformat(f"{group_key}-01")
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return max(first, date_from), min(last, date_to)


# Periods that cut months: at both ends, within one month, a single day, and across a year.
CUT_PERIODS = [
    (D(2025, 9, 9), D(2025, 11, 20)),
    (D(2025, 9, 24), D(2025, 10, 6)),
    (D(2025, 10, 5), D(2025, 10, 25)),
    (D(2025, 10, 16), D(2025, 10, 16)),
    (D(2025, 8, 31), D(2026, 1, 2)),
]


def test_periods_that_cut_months_equal_the_slow_recount(office, driven):
    market = Department.objects.get(code="SCJ")
    for date_from, date_to in CUT_PERIODS:
        got = report(office.supervisor, date_from, date_to)
        assert kept(got.totals) == slow_figures(date_from, date_to), (date_from, date_to)
        for group in got.months:
            within = _month_within(group.key, date_from, date_to)
            assert kept(group.figures) == slow_figures(*within), (date_from, date_to, group.key)
        in_market = report(
            office.supervisor, date_from, date_to, department="SCJ", channel="window"
        )
        expected = slow_figures(date_from, date_to, department=market, channel="window")
        assert kept(in_market.totals) == expected, (date_from, date_to)


def test_a_period_ending_today_counts_every_case_of_today_and_none_later(office, driven):
    """Today is the 20th: the month's rows already hold later completions (these cases were
    driven ahead of the clock), and the report leaves them out."""
    with time_machine.travel(at(D(2025, 10, 20), 18), tick=False):
        got = stats_report(office.supervisor, stats_filter())
    assert got.filters.date_from == D(2024, 11, 1)
    assert got.months[-1].key == "2025-10"
    assert slow_figures(D(2025, 10, 21), D(2025, 10, 31))["completed"] > 0
    assert kept(got.totals) == slow_figures(D(2024, 11, 1), D(2025, 10, 20))
    assert kept(got.months[-1].figures) == slow_figures(D(2025, 10, 1), D(2025, 10, 20))


def _tables_read(read) -> set[str]:
    tables = ("oversight_casedailystat", "oversight_caseworkdaycount", "oversight_rating")
    with CaptureQueriesContext(connection) as captured:
        read()
    return {t for q in captured.captured_queries for t in tables if f'"{t}"' in q["sql"]}


def test_whole_months_are_read_from_the_monthly_tables_alone(office, driven):
    def whole_months():
        report(office.supervisor, *WHOLE, department="MZJ")

    def cut_month():
        report(office.supervisor, D(2025, 10, 5), D(2025, 10, 25))

    assert _tables_read(whole_months) == set()
    daily = {"oversight_casedailystat", "oversight_caseworkdaycount", "oversight_rating"}
    assert _tables_read(cut_month) == daily


def _stored_rows() -> list[tuple]:
    stats = CaseDailyStat.objects.values_list(
        "day", "department", "center", "channel", "item", *CaseDailyStat.COUNTS
    )
    buckets = CaseWorkdayCount.objects.values_list(
        "day", "department", "center", "channel", "item", "workdays", "cases"
    )
    month = ("month", "department", "center", "channel")
    monthly = CaseMonthlyStat.objects.values_list(*month, *CaseDailyStat.COUNTS)
    monthly_buckets = CaseMonthlyWorkdayCount.objects.values_list(*month, "workdays", "cases")
    # A row whose every rating was overturned holds 0: the same as no row.
    ratings = RatingMonthlyCount.objects.exclude(ratings=0).values_list(*month, "level", "ratings")
    tables = (stats, buckets, monthly, monthly_buckets, ratings)
    return [sorted(rows, key=str) for rows in tables]


def _all_kept_rows_deleted() -> None:
    for model in (CaseWorkdayCount, CaseDailyStat, CaseMonthlyWorkdayCount, CaseMonthlyStat):
        model.objects.all().delete()
    RatingMonthlyCount.objects.all().delete()


def test_stats_rebuild_recounts_the_same_rows(office, driven):
    finished = Case.objects.filter(state="completed").order_by("pk")
    bad = _rate(office, finished[0], 4, D(2026, 6, 1))
    _rate(office, finished[1], 1, D(2026, 6, 2))
    _uphold_appeal(office, bad)
    kept_rows = _stored_rows()
    assert all(kept_rows), "every table holds rows"
    call_command("stats-rebuild", "--check", stdout=StringIO())

    _all_kept_rows_deleted()
    out = StringIO()
    call_command("stats-rebuild", stdout=out)
    assert _stored_rows() == kept_rows
    assert "已重建统计数据" in out.getvalue()


def test_stats_rebuild_check_finds_a_count_that_drifted_and_rebuild_repairs_it(driven):
    kept_rows = _stored_rows()
    drifted = CaseDailyStat.objects.filter(completed__gt=0).order_by("pk").first()
    CaseDailyStat.objects.filter(pk=drifted.pk).update(zero_visit=F("zero_visit") + 1)

    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("stats-rebuild", "--check", stdout=out)
    assert "1 处不一致" in str(failed.value)
    assert str(drifted.day) in out.getvalue()
    assert _stored_rows() != kept_rows  # checking wrote nothing

    call_command("stats-rebuild", stdout=StringIO())
    assert _stored_rows() == kept_rows


def test_stats_rebuild_check_finds_drifted_monthly_rows_and_rebuild_repairs_them(office, driven):
    _rate(office, Case.objects.filter(state="completed").first(), 2, D(2026, 6, 1))
    kept_rows = _stored_rows()
    more_received = CaseMonthlyStat.objects.filter(channel="online").update(
        received=F("received") + 1
    )
    lost_buckets, _ = CaseMonthlyWorkdayCount.objects.filter(channel="window").delete()
    RatingMonthlyCount.objects.update(ratings=F("ratings") + 2)
    assert more_received and lost_buckets

    found = stats_services.stats_rebuild(check=True).differences
    assert Counter(d.table for d in found) == {
        "monthly": more_received,
        "monthly_workdays": lost_buckets,
        "ratings": 1,
    }
    rating_row = next(d for d in found if d.table == "ratings")
    assert (rating_row.stored, rating_row.recounted) == ({"ratings": 3}, {"ratings": 1})
    assert rating_row.where.startswith("month=2026-06-01 ")

    call_command("stats-rebuild", stdout=StringIO())
    assert _stored_rows() == kept_rows


def test_a_row_another_transaction_created_meanwhile_loses_no_count(office, monkeypatch):
    """The first two applications of a day at once: the other one's row is committed
    between our update (which found no row) and our insert; both counts stay."""
    instant = office.items["instant"]
    key = {
        "day": D(2025, 10, 9),
        "department": instant.lead_department,
        "center": None,
        "channel": "online",
        "item": instant.item,
    }
    pending = [CaseDailyStat(**key, received=1, online=1)]

    @contextmanager
    def atomic_after_the_other_writer():
        while pending:
            pending.pop().save()
        with transaction.atomic():
            yield

    monkeypatch.setattr(
        stats_services, "transaction", SimpleNamespace(atomic=atomic_after_the_other_writer)
    )
    drive(office, Plan(item="instant", channel="online", day=D(2025, 10, 9), citizen=1))
    monkeypatch.undo()
    row = CaseDailyStat.objects.get(**key)
    assert (row.received, row.online) == (2, 2)


def _rate(office, case: Case, level: int, day: dt.date) -> Rating:
    """The case's applicant rates it."""
    rater = next(account for account, person in office.citizens if person.pk == case.subject_id)
    return rating_submit(
        case=case, rater=rater, level=level, channel="pc", comment="办理慢", now=at(day)
    )


def _uphold_appeal(office, rating: Rating) -> None:
    appeal = rating_appeal(
        rating=rating, actor=office.approver, kind="malicious", reason="评价人未办理过该业务"
    )
    rating_appeal_decide(
        appeal=appeal, supervisor=office.supervisor, upheld=True, note="经核查系恶意差评"
    )


def slow_satisfaction(date_from, date_to, department=None) -> tuple[int, int, int]:
    """(ratings, satisfied, bad) straight from the ratings: given in the period, on cases of
    the department, and not overturned on appeal."""
    counted = [
        r
        for r in Rating.objects.select_related("case").exclude(appeal__status="upheld")
        if date_from <= timezone.localdate(r.rated_at) <= date_to
        and (department is None or r.case.department == department)
    ]
    return (
        len(counted),
        sum(r.level in GOOD_LEVELS for r in counted),
        sum(r.level in BAD_LEVELS for r in counted),
    )


def satisfaction_of(supervisor, date_from, date_to, **filters) -> tuple[int, int, int]:
    found = report(supervisor, date_from, date_to, **filters).satisfaction
    return found.ratings, found.satisfied, found.bad


def test_satisfaction_counts_the_ratings_given_in_the_period_and_scope(office):
    ratings = [  # item, citizen, level, rated on
        ("instant", 0, 1, D(2025, 10, 20)),
        ("plain", 1, 2, D(2025, 10, 28)),
        ("plain", 0, 5, D(2025, 10, 29)),
        ("instant", 1, 3, D(2025, 11, 3)),
    ]
    given = []
    for item, citizen, level, day in ratings:
        case = drive(office, Plan(item=item, channel="online", day=D(2025, 10, 9), citizen=citizen))
        given.append(_rate(office, case, level, day))

    october = report(office.supervisor, D(2025, 10, 1), D(2025, 10, 31)).satisfaction
    assert (october.ratings, october.satisfied, october.bad) == (3, 2, 1)
    assert october.rate == pytest.approx(2 / 3)
    market = report(office.supervisor, D(2025, 10, 1), D(2025, 11, 30), department="SCJ")
    assert (market.satisfaction.ratings, market.satisfaction.bad) == (2, 1)

    _uphold_appeal(office, given[2])
    assert satisfaction_of(office.supervisor, D(2025, 10, 1), D(2025, 10, 31)) == (2, 2, 0)
    assert satisfaction_of(office.supervisor, D(2025, 10, 29), D(2025, 10, 29)) == (0, 0, 0)


def test_satisfaction_over_periods_that_cut_months_equals_a_recount(office):
    market = Department.objects.get(code="SCJ")
    days = [D(2025, 9, 5), D(2025, 9, 30), D(2025, 10, 3), D(2025, 10, 16), D(2025, 10, 28)]
    for n, day in enumerate([*days, D(2025, 11, 25)]):
        for item, level in (("plain", n % 5 + 1), ("instant", 5 - n % 5)):
            case = drive(office, Plan(item=item, channel="window", day=D(2025, 9, 1), citizen=0))
            _rate(office, case, level, day)
    _uphold_appeal(office, Rating.objects.get(level=5, rated_at__date=D(2025, 10, 28)))
    for date_from, date_to in CUT_PERIODS:
        assert satisfaction_of(office.supervisor, date_from, date_to) == slow_satisfaction(
            date_from, date_to
        )
        in_market = satisfaction_of(office.supervisor, date_from, date_to, department="SCJ")
        assert in_market == slow_satisfaction(date_from, date_to, market)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_monthly_tables_from_the_daily_rows_and_the_ratings(office):
    for plan in plans(count=6):
        drive(office, plan)
    finished = Case.objects.filter(state="completed").order_by("pk")
    _rate(office, finished[0], 1, D(2025, 12, 1))
    _uphold_appeal(office, _rate(office, finished[1], 5, D(2025, 12, 2)))
    kept_rows = _stored_rows()
    assert all(kept_rows)

    executor = MigrationExecutor(connection)
    executor.migrate([("oversight", "0001_initial")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("oversight", "0002_monthly_stats")])

    assert _stored_rows() == kept_rows
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

"""The statistics kept as cases move equal a slow recount from the cases themselves, and
`stats-rebuild` recounts (and checks) the same numbers."""

import dataclasses
import datetime as dt
import math
from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tests.factories import subjects as people
from tests.factories.cases import at
from tests.factories.oversight_supervision import Plan, bureau, drive, plans
from yimen.cases.models import Case, ClockPause, Visit
from yimen.catalog.models import Department, ServiceCenter
from yimen.oversight.models.stats import CaseDailyStat, CaseWorkdayCount
from yimen.oversight.selectors.stats import stats_filter, stats_report
from yimen.oversight.services import stats as stats_services
from yimen.oversight.services.ratings import rating_submit
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


def _stored_rows() -> list[tuple]:
    stats = CaseDailyStat.objects.values_list(
        "day", "department", "center", "channel", "item", *CaseDailyStat.COUNTS
    )
    buckets = CaseWorkdayCount.objects.values_list(
        "day", "department", "center", "channel", "item", "workdays", "cases"
    )
    return sorted(stats, key=str) + sorted(buckets, key=str)


def test_stats_rebuild_recounts_the_same_rows(driven):
    kept_rows = _stored_rows()
    call_command("stats-rebuild", "--check", stdout=StringIO())

    CaseDailyStat.objects.all().delete()
    CaseWorkdayCount.objects.all().delete()
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


def test_satisfaction_counts_the_ratings_given_in_the_period_and_scope(office):
    ratings = [  # item, citizen, level, rated on
        ("instant", 0, 1, D(2025, 10, 20)),
        ("plain", 1, 2, D(2025, 10, 28)),
        ("plain", 0, 5, D(2025, 10, 29)),
        ("instant", 1, 3, D(2025, 11, 3)),
    ]
    for item, citizen, level, day in ratings:
        case = drive(office, Plan(item=item, channel="online", day=D(2025, 10, 9), citizen=citizen))
        rater = office.citizens[citizen][0]
        rating_submit(
            case=case, rater=rater, level=level, channel="pc", comment="办理慢", now=at(day)
        )

    october = report(office.supervisor, D(2025, 10, 1), D(2025, 10, 31)).satisfaction
    assert (october.ratings, october.satisfied, october.bad) == (3, 2, 1)
    assert october.rate == pytest.approx(2 / 3)
    market = report(office.supervisor, D(2025, 10, 1), D(2025, 11, 30), department="SCJ")
    assert (market.satisfaction.ratings, market.satisfaction.bad) == (2, 1)

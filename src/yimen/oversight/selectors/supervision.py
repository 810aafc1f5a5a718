"""Supervision's reads: the live dashboard, the violations found, and the spot checks.

The dashboard's case figures are indexed queries on the cases' state and
deadline; it never reads case events.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.clocks import WarningLevel
from yimen.cases.models import Case, ClockPause
from yimen.cases.selectors import Clock, yellow_days
from yimen.cases.states import CaseState
from yimen.errors import NotFound
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase, Violation
from yimen.oversight.selectors.months import local_midnight
from yimen.oversight.selectors.stats import StatsFilter, stats_filter_from_json
from yimen.subjects import permissions
from yimen.worktime.calendar import add_workdays, workdays_between
from yimen.worktime.selectors import get_calendar

OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.CORRECTION,
    CaseState.IN_PROGRESS,
    CaseState.DECIDED,
    CaseState.ISSUED,
)
# Accepted and not yet completed: the completion clock runs (or a special procedure holds it).
CLOCKED_STATES = (CaseState.IN_PROGRESS, CaseState.DECIDED, CaseState.ISSUED)
LIST_LIMIT = 100
RECENT_DAYS = 90
SPOT_CHECK_MAX = 200
ONE_DAY = dt.timedelta(days=1)
# What the dashboard's lists show of a case: loading no more keeps them cheap (a case holds
# its application form, a version its texts).
LISTED_CASE = ("case_no", "deadline", "version__name", "department__name")


def ensure_supervisor(account) -> None:
    permissions.ensure_can(account, "oversight.supervise")


# --- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class WarningRow:
    case: Case
    clock: Clock


@dataclass
class Procedure:
    """Special procedures of one kind: those running now, and those ended recently (working
    days, both ends included)."""

    kind: str
    label: str
    running: int = 0
    running_days: int = 0
    longest_days: int = 0
    ended: int = 0
    ended_days: int = 0

    def add_running(self, days: int, pauses: int = 1) -> None:
        self.running += pauses
        self.running_days += days * pauses
        self.longest_days = max(self.longest_days, days)

    def add_ended(self, days: int, pauses: int = 1) -> None:
        self.ended += pauses
        self.ended_days += days * pauses

    @property
    def running_average(self) -> float | None:
        return self.running_days / self.running if self.running else None

    @property
    def ended_average(self) -> float | None:
        return self.ended_days / self.ended if self.ended else None


@dataclass(frozen=True)
class RunningPause:
    pause: ClockPause
    days: int


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    states: list[Tally]
    open_total: int
    warnings: dict[str, int]
    red: list[WarningRow]
    yellow: list[WarningRow]
    overdue_by_department: list[Tally]
    overdue_by_item: list[Tally]
    overdue_by_staff: list[Tally]
    procedures: list[Procedure]
    longest_running: list[RunningPause]
    violation_counts: list[Tally]
    violations: list[Violation]


def yellow_until(today: dt.date, calendar) -> dt.date:
    """The last deadline that still shows yellow today: `yellow_days` working days or fewer
    left, so any day before the next working day after that counts too."""
    return add_workdays(today, yellow_days() + 1, calendar).date - ONE_DAY


def _warning_rows(cases, level: WarningLevel, today: dt.date, calendar) -> list[WarningRow]:
    cases = (
        cases.select_related("version", "department", "owner")
        .only(*LISTED_CASE, "owner__name", "owner__username")
        .order_by("deadline", "pk")
    )
    return [
        WarningRow(
            case, Clock(case.deadline, level, workdays_between(today, case.deadline, calendar))
        )
        for case in cases[:LIST_LIMIT]
    ]


def _owner_label(name: str | None, username: str | None) -> str:
    return name or username or _("未确定首问负责人")


def _overdue_tallies(overdue) -> tuple[list[Tally], list[Tally], list[Tally]]:
    departments = (
        overdue.values("department__code", "department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__code")
    )
    items = (
        overdue.values("version__item__code")
        .annotate(n=Count("pk"), name=Max("version__name"))
        .order_by("-n", "version__item__code")
    )
    staff = (
        overdue.values("owner_id", "owner__name", "owner__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_id")
    )
    return (
        [Tally(d["department__code"], d["department__name"], d["n"]) for d in departments],
        [Tally(i["version__item__code"], i["name"], i["n"]) for i in items[:LIST_LIMIT]],
        [
            Tally(
                str(s["owner_id"] or ""),
                _owner_label(s["owner__name"], s["owner__username"]),
                s["n"],
            )
            for s in staff[:LIST_LIMIT]
        ],
    )


def _pause_days(started_on: dt.date, ended_on: dt.date, calendar) -> int:
    """Working days in a pause, both ends included."""
    return max(workdays_between(started_on - ONE_DAY, ended_on, calendar), 0)


def _spans(pauses, *fields: str):
    """How many pauses share each value of `fields` (counted by the database)."""
    return pauses.values_list(*fields).annotate(n=Count("*")).order_by()


def _procedures(today: dt.date, calendar) -> tuple[list[Procedure], list[RunningPause]]:
    """Pauses are grouped by kind and dates, so the working days are worked out once per
    span, however many cases share it; only the longest running ones are loaded whole."""
    running = ClockPause.objects.filter(ended_on__isnull=True, case__state=CaseState.IN_PROGRESS)
    ended = ClockPause.objects.filter(ended_on__gte=today - dt.timedelta(days=RECENT_DAYS))
    by_kind = {k.value: Procedure(k.value, str(k.label)) for k in ClockPause.Kind}
    for kind, started_on, pauses in _spans(running, "kind", "started_on"):
        by_kind[kind].add_running(_pause_days(started_on, today, calendar), pauses)
    for kind, started_on, ended_on, pauses in _spans(ended, "kind", "started_on", "ended_on"):
        by_kind[kind].add_ended(_pause_days(started_on, ended_on, calendar), pauses)
    procedures = [p for p in by_kind.values() if p.running or p.ended]
    longest = (
        running.select_related("case", "case__version")
        .only("kind", "started_on", *(f"case__{name}" for name in LISTED_CASE))
        .order_by("started_on", "pk")
    )
    return procedures, [
        RunningPause(pause, _pause_days(pause.started_on, today, calendar))
        for pause in longest[:LIST_LIMIT]
    ]


def _violations() -> tuple[list[Tally], list[Violation]]:
    counts = dict(Violation.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    tallies = [Tally(k.value, str(k.label), counts.get(k.value, 0)) for k in Violation.Kind]
    latest = Violation.objects.select_related("case", "case__version", "case__department")
    return tallies, list(latest.order_by("-at", "-pk")[:LIST_LIMIT])


def _warning_levels(today: dt.date, calendar) -> dict[str, Q]:
    """Which clocked cases show red, yellow or normal today, and which a pause holds."""
    clocked, last_yellow = Q(state__in=CLOCKED_STATES), yellow_until(today, calendar)
    return {
        WarningLevel.RED: clocked & Q(deadline__lt=today),
        WarningLevel.YELLOW: clocked & Q(deadline__gte=today, deadline__lte=last_yellow),
        WarningLevel.NORMAL: clocked & Q(deadline__gt=last_yellow),
        "paused": clocked & Q(deadline__isnull=True),
    }


def _open_counts(levels: dict[str, Q]) -> tuple[dict[str, int], dict[str, int]]:
    """Open cases by state and by warning level, counted in one pass over the open ones (by
    the index on state and deadline alone: COUNT(state), not COUNT(id))."""
    found = Case.objects.filter(state__in=OPEN_STATES).aggregate(
        **{f"state_{s}": Count("state", filter=Q(state=s)) for s in OPEN_STATES},
        **{f"level_{level}": Count("state", filter=q) for level, q in levels.items()},
    )
    by_state = {s.value: found[f"state_{s}"] for s in OPEN_STATES}
    return by_state, {str(level): found[f"level_{level}"] for level in levels}


def dashboard(viewer) -> Dashboard:
    """Open cases by state and warning, the red and yellow lists, where cases run late, the
    time special procedures take, and the violations found."""
    ensure_supervisor(viewer)
    today, calendar = timezone.localdate(), get_calendar()
    levels = _warning_levels(today, calendar)
    by_state, warnings = _open_counts(levels)
    red = Case.objects.filter(levels[WarningLevel.RED])
    yellow = Case.objects.filter(levels[WarningLevel.YELLOW])
    procedures, longest = _procedures(today, calendar)
    violation_counts, violations = _violations()
    departments, items, staff = _overdue_tallies(red)
    return Dashboard(
        today=today,
        states=[Tally(s.value, str(s.label), by_state[s.value]) for s in OPEN_STATES],
        open_total=sum(by_state.values()),
        warnings=warnings,
        red=_warning_rows(red, WarningLevel.RED, today, calendar),
        yellow=_warning_rows(yellow, WarningLevel.YELLOW, today, calendar),
        overdue_by_department=departments,
        overdue_by_item=items,
        overdue_by_staff=staff,
        procedures=procedures,
        longest_running=longest,
        violation_counts=violation_counts,
        violations=violations,
    )


# --- spot checks --------------------------------------------------------------------------


def spot_check_population(scope: StatsFilter) -> list[int]:
    """The ids of the cases completed in the scope's period (and department, center,
    channel), in a fixed order, so one seed always picks the same ones."""
    return list(
        Case.objects.filter(
            state=CaseState.COMPLETED,
            completed_at__gte=local_midnight(scope.date_from),
            completed_at__lt=local_midnight(scope.date_to + ONE_DAY),
            **scope.dimensions(),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def draw(population: list[int], size: int, seed: int) -> list[int]:
    """`size` of the population (all of it when smaller), in the order drawn."""
    return random.Random(seed).sample(population, min(size, len(population)))


@dataclass(frozen=True)
class SpotCheckView:
    check: SpotCheck
    scope: StatsFilter
    items: list[SpotCheckCase]
    population_now: int
    redraw_matches: bool

    @property
    def repeatable(self) -> bool:
        """The scope still holds the same cases, and the seed still draws the same ones."""
        return self.population_now == self.check.population and self.redraw_matches

    @property
    def reviewed(self) -> int:
        return sum(item.result != SpotCheckCase.Result.PENDING for item in self.items)

    @property
    def problems(self) -> int:
        return sum(item.result == SpotCheckCase.Result.PROBLEM for item in self.items)


def _spot_check(pk: int) -> SpotCheck:
    check = SpotCheck.objects.select_related("drawn_by").filter(pk=pk).first()
    if check is None:
        raise NotFound("spot_check_not_found", _("未找到该抽查记录。"))
    return check


def spot_check_detail(viewer, pk: int) -> SpotCheckView:
    """A draw with its cases and findings, and whether drawing again still gives them."""
    ensure_supervisor(viewer)
    check = _spot_check(pk)
    scope = stats_filter_from_json(check.scope)
    items = list(
        check.cases.select_related("case", "case__version", "case__department", "reviewed_by")
    )
    population = spot_check_population(scope)
    again = draw(population, check.requested, check.seed)
    return SpotCheckView(
        check, scope, items, len(population), again == [item.case_id for item in items]
    )


def spot_checks(viewer, limit: int = 50) -> list[SpotCheck]:
    """The latest draws, each with how many of its cases were reviewed and found wanting."""
    ensure_supervisor(viewer)
    pending, problem = SpotCheckCase.Result.PENDING, SpotCheckCase.Result.PROBLEM
    return list(
        SpotCheck.objects.select_related("drawn_by")
        .annotate(
            drawn=Count("cases"),
            reviewed=Count("cases", filter=~Q(cases__result=pending)),
            problems=Count("cases", filter=Q(cases__result=problem)),
        )
        .order_by("-drawn_at", "-pk")[:limit]
    )


def spot_check_item(viewer, pk: int, case_no: str) -> SpotCheckCase:
    ensure_supervisor(viewer)
    item = (
        SpotCheckCase.objects.select_related("case")
        .filter(spot_check_id=pk, case__case_no=case_no)
        .first()
    )
    if item is None:
        raise NotFound("spot_check_case_not_found", _("该抽查中没有办件 %(n)s。") % {"n": case_no})
    return item

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
from yimen.oversight.selectors.stats import StatsFilter, local_midnight, stats_filter_from_json
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

    def add_running(self, days: int) -> None:
        self.running += 1
        self.running_days += days
        self.longest_days = max(self.longest_days, days)

    def add_ended(self, days: int) -> None:
        self.ended += 1
        self.ended_days += days

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
    cases = cases.select_related("version", "department", "owner").order_by("deadline", "pk")
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


def _procedures(today: dt.date, calendar) -> tuple[list[Procedure], list[RunningPause]]:
    running = [
        RunningPause(pause, _pause_days(pause.started_on, today, calendar))
        for pause in ClockPause.objects.filter(
            ended_on__isnull=True, case__state=CaseState.IN_PROGRESS
        ).select_related("case", "case__version")
    ]
    ended = ClockPause.objects.filter(ended_on__gte=today - dt.timedelta(days=RECENT_DAYS))
    by_kind = {k.value: Procedure(k.value, str(k.label)) for k in ClockPause.Kind}
    for row in running:
        by_kind[row.pause.kind].add_running(row.days)
    for kind, started_on, ended_on in ended.values_list("kind", "started_on", "ended_on"):
        by_kind[kind].add_ended(_pause_days(started_on, ended_on, calendar))
    procedures = [p for p in by_kind.values() if p.running or p.ended]
    longest = sorted(running, key=lambda r: (-r.days, r.pause.pk))[:LIST_LIMIT]
    return procedures, longest


def _violations() -> tuple[list[Tally], list[Violation]]:
    counts = dict(Violation.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    tallies = [Tally(k.value, str(k.label), counts.get(k.value, 0)) for k in Violation.Kind]
    latest = Violation.objects.select_related("case", "case__version", "case__department")
    return tallies, list(latest.order_by("-at", "-pk")[:LIST_LIMIT])


def dashboard(viewer) -> Dashboard:
    """Open cases by state and warning, the red and yellow lists, where cases run late, the
    time special procedures take, and the violations found."""
    ensure_supervisor(viewer)
    today, calendar = timezone.localdate(), get_calendar()
    by_state = dict(
        Case.objects.filter(state__in=OPEN_STATES)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    clocked = Case.objects.filter(state__in=CLOCKED_STATES)
    last_yellow = yellow_until(today, calendar)
    red = clocked.filter(deadline__lt=today)
    yellow = clocked.filter(deadline__gte=today, deadline__lte=last_yellow)
    warnings = {
        WarningLevel.RED: red.count(),
        WarningLevel.YELLOW: yellow.count(),
        WarningLevel.NORMAL: clocked.filter(deadline__gt=last_yellow).count(),
        "paused": clocked.filter(deadline__isnull=True).count(),
    }
    procedures, longest = _procedures(today, calendar)
    violation_counts, violations = _violations()
    departments, items, staff = _overdue_tallies(red)
    return Dashboard(
        today=today,
        states=[Tally(s.value, str(s.label), by_state.get(s.value, 0)) for s in OPEN_STATES],
        open_total=sum(by_state.values()),
        warnings={str(level): n for level, n in warnings.items()},
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

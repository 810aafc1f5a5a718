"""Reads of the statistics: the kept tables summed over a period, by department and month.

Every figure is read from the monthly tables (`CaseMonthlyStat`, `CaseMonthlyWorkdayCount`,
`RatingMonthlyCount`) for the months the period covers, and from the daily ones
(`CaseDailyStat`, `CaseWorkdayCount`) and the ratings for the days of a month it covers in
part; never from the cases themselves. One report feeds the page, its charts, the
spreadsheet and the API.
"""

import datetime as dt
import io
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from yimen.cases.models import Channel
from yimen.catalog.models import Department, ServiceCenter
from yimen.errors import InvalidInput
from yimen.oversight.models.ratings import BAD_LEVELS, GOOD_LEVELS, Rating
from yimen.oversight.models.stats import (
    HISTOGRAM_CAP,
    CaseDailyStat,
    CaseMonthlyStat,
    CaseMonthlyWorkdayCount,
    CaseWorkdayCount,
    RatingMonthlyCount,
)
from yimen.oversight.selectors.months import local_midnight, month_end, month_start
from yimen.subjects import permissions

DEFAULT_MONTHS = 12
ONE_DAY = dt.timedelta(days=1)
# The days a statistics period may start and end on: the range the queries can express.
PERIOD_LIMITS = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


# --- the filter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilter:
    """A period (both days included) and, optionally, one department, center and channel."""

    date_from: dt.date
    date_to: dt.date
    department: Department | None = None
    center: ServiceCenter | None = None
    channel: str = ""

    def as_json(self) -> dict:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "department": self.department.code if self.department else None,
            "center": self.center.code if self.center else None,
            "channel": self.channel or None,
        }

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel else ""

    def dimensions(self) -> dict:
        """Lookups on anything that has a department, a center and a channel."""
        found = {"department": self.department, "center": self.center, "channel": self.channel}
        return {name: value for name, value in found.items() if value}


def _by_code(model, code: str | None, field_name: str, message):
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput(f"{field_name}_unknown", message % {"c": code}, field=field_name)
    return found


def _within_limits(day: dt.date, field: str) -> dt.date:
    first, last = PERIOD_LIMITS
    if not first <= day <= last:
        raise InvalidInput(
            "period_out_of_range",
            _("统计日期须在 %(a)s 至 %(b)s 之间。") % {"a": first, "b": last},
            field=field,
        )
    return day


def stats_filter(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    department: str | None = "",
    center: str | None = "",
    channel: str | None = "",
) -> StatsFilter:
    """Check a filter as a user gave it (codes for department and center). The period ends
    today unless told otherwise, and spans 12 months (this one included) unless told."""
    date_to = _within_limits(date_to or timezone.localdate(), "to")
    date_from = _within_limits(date_from or month_start(date_to, DEFAULT_MONTHS - 1), "from")
    if date_from > date_to:
        raise InvalidInput(
            "period_invalid", _("统计期间的开始日期不能晚于结束日期。"), field="from"
        )
    if channel and channel not in Channel.values:
        raise InvalidInput(
            "channel_unknown", _("申请渠道“%(c)s”无效。") % {"c": channel}, field="channel"
        )
    return StatsFilter(
        date_from=date_from,
        date_to=date_to,
        department=_by_code(Department, department, "department", _("没有编码为“%(c)s”的部门。")),
        center=_by_code(ServiceCenter, center, "center", _("没有编码为“%(c)s”的服务中心。")),
        channel=channel or "",
    )


def stats_filter_from_json(data: Mapping) -> StatsFilter:
    """A filter stored with `StatsFilter.as_json` (a spot check's population, say)."""
    return stats_filter(
        date_from=dt.date.fromisoformat(data["from"]),
        date_to=dt.date.fromisoformat(data["to"]),
        department=data.get("department"),
        center=data.get("center"),
        channel=data.get("channel"),
    )


# --- figures ------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def p90(histogram: Mapping[int, int]) -> int | None:
    """The nearest-rank 90th percentile of a {working days: cases} histogram."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = math.ceil(0.9 * total), 0
    for workdays in sorted(histogram):
        seen += histogram[workdays]
        if seen >= rank:
            return workdays
    raise AssertionError("unreachable: the ranks add up to the total")


@dataclass(frozen=True)
class Figures:
    """Counts of one group of daily rows, and the rates and averages they give."""

    received: int = 0
    accepted: int = 0
    online: int = 0
    reused: int = 0
    completed: int = 0
    completed_within_one_visit: int = 0
    zero_visit: int = 0
    early: int = 0
    sum_workdays: int = 0
    sum_committed_days: int = 0
    p90_workdays: int | None = None

    @classmethod
    def of(cls, counts: Mapping[str, int], histogram: Mapping[int, int]) -> "Figures":
        return cls(
            **{name: counts.get(name) or 0 for name in CaseDailyStat.COUNTS},
            p90_workdays=p90(histogram),
        )

    @property
    def one_visit_rate(self) -> float | None:
        """只跑一次率: completed cases with at most one visit, of all completed."""
        return _rate(self.completed_within_one_visit, self.completed)

    @property
    def zero_visit_rate(self) -> float | None:
        return _rate(self.zero_visit, self.completed)

    @property
    def online_rate(self) -> float | None:
        """Applications made online or on a phone, of all received."""
        return _rate(self.online, self.received)

    @property
    def early_rate(self) -> float | None:
        """Completed before the committed deadline's day, of all completed."""
        return _rate(self.early, self.completed)

    @property
    def avg_workdays(self) -> float | None:
        return _rate(self.sum_workdays, self.completed)

    @property
    def avg_committed_days(self) -> float | None:
        return _rate(self.sum_committed_days, self.completed)

    @property
    def p90_capped(self) -> bool:
        """The percentile fell in the last bucket: it is that many working days or more."""
        return self.p90_workdays == HISTOGRAM_CAP


@dataclass
class _Tally:
    counts: Counter = field(default_factory=Counter)
    histogram: Counter = field(default_factory=Counter)

    def add(self, other: "_Tally") -> None:
        self.counts.update(other.counts)
        self.histogram.update(other.histogram)

    def is_empty(self) -> bool:
        return not +self.counts and not +self.histogram

    def figures(self) -> Figures:
        return Figures.of(self.counts, self.histogram)


SUMS = {name: Sum(name) for name in CaseDailyStat.COUNTS}
DayRange = tuple[dt.date, dt.date]


def _month_starts(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months, month = [], date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _days_to_read(days: DayRange, today: dt.date) -> int:
    """How many days of daily rows a range holds: none after today, which has no rows yet."""
    first, last = days
    return max((min(last, today) - first).days + 1, 0)


@dataclass
class _Reading:
    """Where a period's figures come from: months read whole from the monthly tables, and
    ranges of days from the daily ones, added (a month the period covers in part) or taken
    away (the days outside the period of a month read whole)."""

    months: list[dt.date] = field(default_factory=list)
    added: list[DayRange] = field(default_factory=list)
    taken: list[DayRange] = field(default_factory=list)


def _reading(filters: StatsFilter, today: dt.date) -> _Reading:
    """For each month the period touches, whichever reads fewer daily rows: the days inside
    the period, or the whole month less the days outside it."""
    reading = _Reading()
    for month in _month_starts(filters.date_from, filters.date_to):
        inside = (max(month, filters.date_from), min(month_end(month), filters.date_to))
        before, after = (month, inside[0] - ONE_DAY), (inside[1] + ONE_DAY, month_end(month))
        outside = [days for days in (before, after) if days[0] <= days[1]]
        if sum(_days_to_read(days, today) for days in outside) <= _days_to_read(inside, today):
            reading.months.append(month)
            reading.taken.extend(outside)
        else:
            reading.added.append(inside)
    return reading


def _sum_into(tallies: dict, rows: QuerySet, buckets: QuerySet, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) rows and histogram buckets that have a `month`,
    per month and department."""
    sums = rows.values_list("month", "department").annotate(**SUMS).order_by()
    for month, department, *counts in sums:
        signed = {name: sign * (n or 0) for name, n in zip(SUMS, counts, strict=True)}
        tallies[month, department].counts.update(signed)
    grouped = buckets.values_list("month", "department", "workdays").annotate(n=Sum("cases"))
    for month, department, workdays, cases in grouped.order_by():
        tallies[month, department].histogram[workdays] += sign * cases


def _days(ranges: list[DayRange]) -> Q:
    return reduce(operator.or_, (Q(day__range=days) for days in ranges))


def _tallies(filters: StatsFilter, today: dt.date) -> dict[tuple[dt.date, int], _Tally]:
    """The period's counts and histogram per (month, department id)."""
    reading, where = _reading(filters, today), filters.dimensions()
    tallies: dict = defaultdict(_Tally)
    if reading.months:
        months = {"month__in": reading.months, **where}
        _sum_into(
            tallies,
            CaseMonthlyStat.objects.filter(**months),
            CaseMonthlyWorkdayCount.objects.filter(**months),
            1,
        )
    for ranges, sign in ((reading.added, 1), (reading.taken, -1)):
        if ranges:
            days = _days(ranges)
            rows, buckets = (
                model.objects.filter(days, **where).annotate(month=TruncMonth("day"))
                for model in (CaseDailyStat, CaseWorkdayCount)
            )
            _sum_into(tallies, rows, buckets, sign)
    return {key: tally for key, tally in tallies.items() if not tally.is_empty()}


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Satisfaction:
    """满意度 from the ratings (好差评) given in the period; overturned ones do not count."""

    ratings: int
    satisfied: int
    bad: int

    @property
    def rate(self) -> float | None:
        return _rate(self.satisfied, self.ratings)


def _rated_within(ranges: list[DayRange]) -> Q:
    return reduce(
        operator.or_,
        (
            Q(rated_at__gte=local_midnight(first), rated_at__lt=local_midnight(last + ONE_DAY))
            for first, last in ranges
        ),
    )


def _by_level(count: Callable) -> dict:
    """All ratings, the satisfied and the bad ones, each as `count(filter=…)` counts them."""
    return {
        "rated": count(),
        "satisfied": count(filter=Q(level__in=GOOD_LEVELS)),
        "bad": count(filter=Q(level__in=BAD_LEVELS)),
    }


def satisfaction(filters: StatsFilter, today: dt.date | None = None) -> Satisfaction:
    """Read as the other figures are: whole months from the monthly counts, other days from
    the ratings themselves."""
    reading = _reading(filters, today or timezone.localdate())
    found = Counter()

    def add(counts: dict, sign: int) -> None:
        found.update({name: sign * (n or 0) for name, n in counts.items()})

    if reading.months:
        months = RatingMonthlyCount.objects.filter(month__in=reading.months, **filters.dimensions())
        add(months.aggregate(**_by_level(lambda **f: Sum("ratings", **f))), 1)
    on_cases = {f"case__{name}": value for name, value in filters.dimensions().items()}
    for ranges, sign in ((reading.added, 1), (reading.taken, -1)):
        if ranges:
            rated = Rating.objects.counted().filter(_rated_within(ranges), **on_cases)
            add(rated.aggregate(**_by_level(lambda **f: Count("pk", **f))), sign)
    return Satisfaction(found["rated"], found["satisfied"], found["bad"])


@dataclass(frozen=True)
class StatsReport:
    filters: StatsFilter
    totals: Figures
    departments: list[Group]
    months: list[Group]
    satisfaction: Satisfaction


def stats_report(viewer, filters: StatsFilter) -> StatsReport:
    permissions.ensure_can(viewer, "oversight.supervise")
    today = timezone.localdate()
    total, by_department, by_month = _Tally(), defaultdict(_Tally), defaultdict(_Tally)
    for (month, department), tally in _tallies(filters, today).items():
        for sums in (total, by_department[department], by_month[month]):
            sums.add(tally)
    departments = Department.objects.filter(pk__in=by_department).order_by("sort_order", "code")
    empty = _Tally()
    return StatsReport(
        filters=filters,
        totals=total.figures(),
        departments=[Group(d.code, d.name, by_department[d.pk].figures()) for d in departments],
        months=[
            Group(f"{m:%Y-%m}", f"{m:%Y-%m}", by_month.get(m, empty).figures())
            for m in _month_starts(filters.date_from, filters.date_to)
        ],
        satisfaction=satisfaction(filters, today),
    )


# --- the same figures as a table, a chart and a spreadsheet -------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Figures], float | int | None]
    kind: str = "count"  # count, percent, days or p90


def _p90_text(figures: Figures) -> str:
    if figures.p90_workdays is None:
        return "—"
    return f"≥{HISTOGRAM_CAP}" if figures.p90_capped else str(figures.p90_workdays)


COLUMNS = [
    Column(gettext_lazy("收件"), lambda f: f.received),
    Column(gettext_lazy("受理"), lambda f: f.accepted),
    Column(gettext_lazy("网办率"), lambda f: f.online_rate, "percent"),
    Column(gettext_lazy("办结"), lambda f: f.completed),
    Column(gettext_lazy("只跑一次率"), lambda f: f.one_visit_rate, "percent"),
    Column(gettext_lazy("零跑动率"), lambda f: f.zero_visit_rate, "percent"),
    Column(gettext_lazy("提前办结率"), lambda f: f.early_rate, "percent"),
    Column(gettext_lazy("平均用时（工作日）"), lambda f: f.avg_workdays, "days"),
    Column(gettext_lazy("P90用时（工作日）"), lambda f: f.p90_workdays, "p90"),
    Column(gettext_lazy("平均承诺时限（工作日）"), lambda f: f.avg_committed_days, "days"),
    Column(gettext_lazy("材料复用（份）"), lambda f: f.reused),
]


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def cell_text(column: Column, figures: Figures) -> str:
    value = column.value(figures)
    if column.kind == "p90":
        return _p90_text(figures)
    if value is None:
        return "—"
    if column.kind == "percent":
        return percent_text(value)
    if column.kind == "days":
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    label: str
    text: str


def cells(figures: Figures) -> list[Cell]:
    """Every figure, labelled and formatted, in the order of COLUMNS."""
    return [Cell(str(c.label), cell_text(c, figures)) for c in COLUMNS]


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: list[Cell]


def table_rows(groups: list[Group]) -> list[TableRow]:
    return [TableRow(g.label, cells(g.figures)) for g in groups]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def chart_data(report: StatsReport) -> dict:
    """What the page's ECharts draw: the rates per department (bars, in per cent) and the
    cases received and completed per month (lines)."""
    rates = [c for c in COLUMNS if c.kind == "percent"]
    counts = [(_("收件"), lambda f: f.received), (_("办结"), lambda f: f.completed)]
    return {
        "departments": {
            "labels": [g.label for g in report.departments],
            "series": [
                {
                    "name": str(rate.label),
                    "data": [_percent(rate.value(g.figures)) for g in report.departments],
                }
                for rate in rates
            ],
        },
        "months": {
            "labels": [g.label for g in report.months],
            "series": [
                {"name": name, "data": [get(g.figures) for g in report.months]}
                for name, get in counts
            ],
        },
    }


def _sheet(book: Workbook, title: str, first: str, groups: list[Group]) -> None:
    sheet = book.create_sheet(title)
    sheet.append([first, *(str(c.label) for c in COLUMNS)])
    for group in groups:
        sheet.append([group.label, *(c.value(group.figures) for c in COLUMNS)])
        for cell, column in zip(sheet[sheet.max_row][1:], COLUMNS, strict=True):
            cell.number_format = {"percent": "0.0%", "days": "0.0"}.get(column.kind, "0")
    sheet.freeze_panes = "B2"


def stats_workbook(report: StatsReport) -> bytes:
    """The report as an .xlsx: totals, by department, by month (rates as numbers)."""
    book = Workbook()
    book.remove(book.active)
    scope = report.filters
    period = f"{scope.date_from:%Y-%m-%d}—{scope.date_to:%Y-%m-%d}"
    _sheet(book, _("合计"), _("统计期间"), [Group("total", period, report.totals)])
    _sheet(book, _("按部门"), _("部门"), report.departments)
    _sheet(book, _("按月份"), _("月份"), report.months)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

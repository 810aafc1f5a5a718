"""Keeping the statistics: each case event adds to its day's row and its month's row as
it happens, and a rebuild recounts every row from the cases themselves (also to check the
running counts).

A case counts as received on the day it was received, as accepted on its
acceptance date, and as completed on the day it was completed; a document the
locker supplied counts on the day its case was received. A rating counts in the month
it was given, until an appeal against it is upheld.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yimen import counters, lastly
from yimen.cases.models import Case, CaseEvent, Channel
from yimen.cases.states import CaseState
from yimen.oversight.models.ratings import Rating
from yimen.oversight.models.stats import (
    HISTOGRAM_CAP,
    CaseDailyStat,
    CaseMonthlyStat,
    CaseMonthlyWorkdayCount,
    CaseWorkdayCount,
    RatingMonthlyCount,
)
from yimen.subjects.models import LockerReuse
from yimen.worktime.calendar import Pause, WorkCalendar, is_workday, workdays_between
from yimen.worktime.selectors import get_calendar

RECEIVE_ACTIONS = frozenset({"submit"})
ACCEPT_ACTIONS = frozenset({"accept", "accept_pending", "deem_accepted", "complete_instant"})
COMPLETE_ACTIONS = frozenset({"deliver", "complete_instant"})
ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE})

KEY_FIELDS = ("day", "department_id", "center_id", "channel", "item_id")
MONTH_KEY_FIELDS = ("month", "department_id", "center_id", "channel")
Key = tuple  # the values of KEY_FIELDS (or of MONTH_KEY_FIELDS)
ONE_DAY = dt.timedelta(days=1)


def clock_workdays(
    accepted_on: dt.date, completed_on: dt.date, pauses: Iterable[Pause], calendar: WorkCalendar
) -> int:
    """Working days on the case's clock: after acceptance up to completion, less the
    working days a special procedure held it (a pause's days are all included)."""
    paused = set()
    for begin, end in pauses:
        day = max(begin, accepted_on + ONE_DAY)
        last = min(end or completed_on, completed_on)
        while day <= last:
            if is_workday(day, calendar):
                paused.add(day)
            day += ONE_DAY
    return max(workdays_between(accepted_on, completed_on, calendar) - len(paused), 0)


@dataclass(frozen=True)
class Contribution:
    """What one step of one case adds to one daily row (and to the histogram)."""

    key: Key
    counts: dict[str, int]
    workdays: int | None = None


def _key(case: Case, day: dt.date) -> Key:
    return (day, case.department_id, case.center_id, case.channel, case.version.item_id)


def received(case: Case) -> Contribution:
    online = int(case.channel in ONLINE_CHANNELS)
    return Contribution(
        _key(case, timezone.localdate(case.received_at)), {"received": 1, "online": online}
    )


def accepted(case: Case) -> Contribution:
    return Contribution(_key(case, case.accepted_on), {"accepted": 1})


def reused(case: Case, documents: int) -> Contribution:
    return Contribution(_key(case, timezone.localdate(case.received_at)), {"reused": documents})


def completed(case: Case, visits: int, pauses: Iterable[Pause], calendar) -> Contribution:
    completed_on = timezone.localdate(case.completed_at)
    workdays = clock_workdays(case.accepted_on, completed_on, pauses, calendar)
    committed = case.version.committed_limit_days
    counts = {
        "completed": 1,
        "completed_within_one_visit": int(visits <= 1),
        "zero_visit": int(visits == 0),
        "early": int(case.deadline is not None and completed_on < case.deadline),
        "sum_workdays": workdays,
        "sum_committed_days": committed,
    }
    return Contribution(_key(case, completed_on), counts, workdays)


def month_key(key: Key) -> Key:
    """The monthly row a daily row adds to: its month, department, center and channel."""
    day, department_id, center_id, channel, _item_id = key
    return (day.replace(day=1), department_id, center_id, channel)


def _pauses(case: Case) -> list[Pause]:
    return [(p.started_on, p.ended_on) for p in case.pauses.all()]


# --- running counts -----------------------------------------------------------------------


def _add(model, key: dict, counts: dict[str, int]) -> None:
    """Add to a row, creating it when missing; concurrent writers never lose a count."""
    increments = {name: n for name, n in counts.items() if n}
    if not increments or counters.increment(model, key, increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **counts)
    except IntegrityError:  # another transaction created the row first
        counters.increment(model, key, increments)


def _apply(contribution: Contribution) -> None:
    tables = (
        (CaseDailyStat, CaseWorkdayCount, KEY_FIELDS, contribution.key),
        (CaseMonthlyStat, CaseMonthlyWorkdayCount, MONTH_KEY_FIELDS, month_key(contribution.key)),
    )
    for stats, buckets, fields, values in tables:
        key = dict(zip(fields, values, strict=True))
        _add(stats, key, contribution.counts)
        if contribution.workdays is not None:
            bucket = min(contribution.workdays, HISTOGRAM_CAP)
            _add(buckets, {**key, "workdays": bucket}, {"cases": 1})


def _apply_last(contributions: list[Contribution]) -> None:
    """The transaction's contributions, added as its last steps in one order of rows: a
    day's or a month's row is shared by every case of a department, so it stays locked for
    little more than the commit, and two transactions never wait on each other's rows."""
    for contribution in sorted(contributions, key=lambda c: str(c.key)):
        _apply(contribution)


def _count(contribution: Contribution) -> None:
    lastly.run(_apply_last, contribution)


def stats_record_event(event: CaseEvent) -> None:
    """Count a case event in its day's row, inside the transaction that wrote the event.
    The case is the one the event was written with: the case services save it first."""
    action = event.action
    if action not in RECEIVE_ACTIONS | ACCEPT_ACTIONS | COMPLETE_ACTIONS:
        return
    case = event.case
    if action in RECEIVE_ACTIONS:
        _count(received(case))
    if action in ACCEPT_ACTIONS and case.accepted_on is not None:
        _count(accepted(case))
    if action in COMPLETE_ACTIONS and case.state == CaseState.COMPLETED:
        _count(completed(case, case.visits.count(), _pauses(case), get_calendar()))


def stats_record_reuse(reuse: LockerReuse) -> None:
    """Count a locker document used for a case instead of being handed in again."""
    case = (
        Case.objects.select_related("version").filter(case_no=reuse.case_ref).first()
        if reuse.case_ref
        else None
    )
    if case is not None:
        _count(reused(case, 1))


def _rating_key(rating: Rating) -> dict:
    case = rating.case
    return {
        "month": timezone.localdate(rating.rated_at).replace(day=1),
        "department_id": case.department_id,
        "center_id": case.center_id,
        "channel": case.channel,
        "level": rating.level,
    }


def stats_record_rating(rating: Rating) -> None:
    """Count a rating in the month it was given."""
    _add(RatingMonthlyCount, _rating_key(rating), {"ratings": 1})


def stats_record_overturned(rating: Rating) -> None:
    """Take a rating out of the counts: an appeal against it was upheld."""
    _add(RatingMonthlyCount, _rating_key(rating), {"ratings": -1})


# --- recount and rebuild ------------------------------------------------------------------


@dataclass
class Recount:
    rows: dict[Key, Counter] = field(default_factory=lambda: defaultdict(Counter))
    histogram: Counter = field(default_factory=Counter)  # (key, workdays) -> cases

    def add(self, contribution: Contribution) -> None:
        self.rows[contribution.key].update(contribution.counts)
        if contribution.workdays is not None:
            bucket = min(contribution.workdays, HISTOGRAM_CAP)
            self.histogram[(contribution.key, bucket)] += 1

    def by_month(self) -> "Recount":
        """The same counts summed per month (the daily rows' keys mapped by `month_key`)."""
        monthly = Recount()
        for key, counts in self.rows.items():
            monthly.rows[month_key(key)].update(counts)
        for (key, workdays), cases in self.histogram.items():
            monthly.histogram[(month_key(key), workdays)] += cases
        return monthly


def _contributions(case: Case, reuses: int, calendar) -> Iterable[Contribution]:
    yield received(case)
    if reuses:
        yield reused(case, reuses)
    if case.accepted_on is not None:
        yield accepted(case)
    if case.state == CaseState.COMPLETED:
        yield completed(case, case.visit_count, _pauses(case), calendar)


def stats_recount(chunk_size: int = 2000) -> Recount:
    """Every figure again, from the cases, their visits and pauses, and the locker's log."""
    reuses = Counter(
        LockerReuse.objects.exclude(case_ref="").values_list("case_ref", flat=True).iterator()
    )
    calendar, recount = get_calendar(), Recount()
    cases = (
        Case.objects.select_related("version")
        .annotate(visit_count=Count("visits", distinct=True))
        .prefetch_related("pauses")
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=chunk_size):
        for contribution in _contributions(case, reuses.get(case.case_no, 0), calendar):
            recount.add(contribution)
    return recount


def _rating_counts() -> QuerySet:
    """The ratings that count, per month, department, center, channel and level: summed by
    the database."""
    return (
        Rating.objects.counted()
        .annotate(month=TruncMonth("rated_at", output_field=DateField()))
        .values("month", "case__department", "case__center", "case__channel", "level")
        .annotate(ratings=Count("pk"))
        .order_by()
    )


Rows = dict[Key, Counter]  # a table's rows: key -> {column: value}


def _stored_rows(model, key_fields: tuple[str, ...], *columns: str) -> Rows:
    rows: Rows = defaultdict(Counter)
    width = len(key_fields)
    for row in model.objects.values_list(*key_fields, *columns):
        rows[row[:width]].update(dict(zip(columns, row[width:], strict=True)))
    return rows


def _histogram_rows(histogram: Counter) -> Rows:
    return {(*key, workdays): Counter(cases=n) for (key, workdays), n in histogram.items()}


@dataclass(frozen=True)
class Difference:
    table: str
    names: tuple[str, ...]
    values: tuple
    stored: dict
    recounted: dict

    @property
    def where(self) -> str:
        """The row, as `day=2025-11-20 department_id=2 …` (and `workdays=` for a histogram)."""
        return " ".join(f"{n}={v}" for n, v in zip(self.names, self.values, strict=True))


@dataclass(frozen=True)
class Table:
    """A table of kept figures: what it holds, and what it should hold."""

    name: str  # as differences name it
    model: type
    key_fields: tuple[str, ...]
    columns: tuple[str, ...]

    def differences(self, recounted: Rows) -> list[Difference]:
        stored, found = _stored_rows(self.model, self.key_fields, *self.columns), []
        for key in sorted(stored.keys() | recounted.keys(), key=str):
            have, want = +stored.get(key, Counter()), +recounted.get(key, Counter())
            if have != want:
                found.append(Difference(self.name, self.key_fields, key, dict(have), dict(want)))
        return found

    def replace(self, recounted: Rows) -> int:
        self.model.objects.all().delete()
        self.model.objects.bulk_create(
            (
                self.model(**dict(zip(self.key_fields, key, strict=True)), **values)
                for key, values in recounted.items()
            ),
            batch_size=1000,
        )
        return len(recounted)


WORKDAYS = ("cases",)
DAILY = Table("daily", CaseDailyStat, KEY_FIELDS, CaseDailyStat.COUNTS)
DAILY_WORKDAYS = Table("workdays", CaseWorkdayCount, (*KEY_FIELDS, "workdays"), WORKDAYS)
MONTHLY = Table("monthly", CaseMonthlyStat, MONTH_KEY_FIELDS, CaseDailyStat.COUNTS)
MONTHLY_WORKDAYS = Table(
    "monthly_workdays", CaseMonthlyWorkdayCount, (*MONTH_KEY_FIELDS, "workdays"), WORKDAYS
)
RATINGS = Table("ratings", RatingMonthlyCount, (*MONTH_KEY_FIELDS, "level"), ("ratings",))


def _recount_all() -> dict[Table, Rows]:
    """What every table of kept figures should hold."""
    daily = stats_recount()
    monthly = daily.by_month()
    ratings = {
        tuple(row.values())[:-1]: Counter(ratings=row["ratings"]) for row in _rating_counts()
    }
    return {
        DAILY: daily.rows,
        DAILY_WORKDAYS: _histogram_rows(daily.histogram),
        MONTHLY: monthly.rows,
        MONTHLY_WORKDAYS: _histogram_rows(monthly.histogram),
        RATINGS: ratings,
    }


@dataclass(frozen=True)
class RebuildResult:
    rows: int
    differences: list[Difference]


def stats_rebuild(*, check: bool = False) -> RebuildResult:
    """Recount everything; report where the stored rows differ, and (unless only checking)
    replace them with the recount."""
    with transaction.atomic():
        recounts = _recount_all()
        differences = [
            found for table, rows in recounts.items() for found in table.differences(rows)
        ]
        if check:
            return RebuildResult(sum(map(len, recounts.values())), differences)
        return RebuildResult(sum(t.replace(rows) for t, rows in recounts.items()), differences)


def _insert(model, names: tuple[str, ...], rows: QuerySet) -> None:
    """INSERT INTO model (names…) SELECT …: one statement whatever the number of rows."""
    select, params = rows.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {select}", params)


def _monthly_sums(daily, group: tuple[str, ...], sums: tuple[str, ...]) -> QuerySet:
    return (
        daily.objects.annotate(month=TruncMonth("day"))
        .values("month", *group)
        .annotate(**{name: Sum(name) for name in sums})
        .order_by()
    )


def stats_fill_monthly() -> None:
    """Fill the (empty) monthly tables in the database, from the daily ones and the ratings:
    for rows written in bulk, such as generated cases."""
    place, counts = ("department", "center", "channel"), CaseDailyStat.COUNTS
    buckets = (*place, "workdays")
    _insert(
        CaseMonthlyStat, ("month", *place, *counts), _monthly_sums(CaseDailyStat, place, counts)
    )
    _insert(
        CaseMonthlyWorkdayCount,
        ("month", *buckets, *WORKDAYS),
        _monthly_sums(CaseWorkdayCount, buckets, WORKDAYS),
    )
    _insert(RatingMonthlyCount, ("month", *place, "level", "ratings"), _rating_counts())

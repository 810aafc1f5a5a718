"""Keeping the statistics: each case event adds to its day's row as it happens, and a
rebuild recounts every row from the cases themselves (also to check the running counts).

A case counts as received on the day it was received, as accepted on its
acceptance date, and as completed on the day it was completed; a document the
locker supplied counts on the day its case was received.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from yimen.cases.models import Case, CaseEvent, Channel
from yimen.cases.states import CaseState
from yimen.oversight.models.stats import HISTOGRAM_CAP, CaseDailyStat, CaseWorkdayCount
from yimen.subjects.models import LockerReuse
from yimen.worktime.calendar import Pause, WorkCalendar, is_workday, workdays_between
from yimen.worktime.selectors import get_calendar

RECEIVE_ACTIONS = frozenset({"submit"})
ACCEPT_ACTIONS = frozenset({"accept", "accept_pending", "deem_accepted", "complete_instant"})
COMPLETE_ACTIONS = frozenset({"deliver", "complete_instant"})
ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE})

KEY_FIELDS = ("day", "department_id", "center_id", "channel", "item_id")
Key = tuple  # the values of KEY_FIELDS
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


def _pauses(case: Case) -> list[Pause]:
    return [(p.started_on, p.ended_on) for p in case.pauses.all()]


# --- running counts -----------------------------------------------------------------------


def _add(model, key: dict, counts: dict[str, int]) -> None:
    """Add to a row, creating it when missing; concurrent writers never lose a count."""
    increments = {name: F(name) + n for name, n in counts.items() if n}
    if not increments or model.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **counts)
    except IntegrityError:  # another transaction created the row first
        model.objects.filter(**key).update(**increments)


def _apply(contribution: Contribution) -> None:
    key = dict(zip(KEY_FIELDS, contribution.key, strict=True))
    _add(CaseDailyStat, key, contribution.counts)
    if contribution.workdays is not None:
        bucket = min(contribution.workdays, HISTOGRAM_CAP)
        _add(CaseWorkdayCount, {**key, "workdays": bucket}, {"cases": 1})


def stats_record_event(event: CaseEvent) -> None:
    """Count a case event in its day's row, inside the transaction that wrote the event."""
    action = event.action
    if action not in RECEIVE_ACTIONS | ACCEPT_ACTIONS | COMPLETE_ACTIONS:
        return
    case = Case.objects.select_related("version").get(pk=event.case_id)
    if action in RECEIVE_ACTIONS:
        _apply(received(case))
    if action in ACCEPT_ACTIONS and case.accepted_on is not None:
        _apply(accepted(case))
    if action in COMPLETE_ACTIONS and case.state == CaseState.COMPLETED:
        _apply(completed(case, case.visits.count(), _pauses(case), get_calendar()))


def stats_record_reuse(reuse: LockerReuse) -> None:
    """Count a locker document used for a case instead of being handed in again."""
    case = (
        Case.objects.select_related("version").filter(case_no=reuse.case_ref).first()
        if reuse.case_ref
        else None
    )
    if case is not None:
        _apply(reused(case, 1))


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


def _stored() -> Recount:
    stored = Recount()
    for row in CaseDailyStat.objects.values_list(*KEY_FIELDS, *CaseDailyStat.COUNTS):
        key, counts = row[: len(KEY_FIELDS)], row[len(KEY_FIELDS) :]
        stored.rows[key].update(dict(zip(CaseDailyStat.COUNTS, counts, strict=True)))
    for *key, workdays, cases in CaseWorkdayCount.objects.values_list(
        *KEY_FIELDS, "workdays", "cases"
    ):
        stored.histogram[(tuple(key), workdays)] += cases
    return stored


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: dict
    recounted: dict

    @property
    def where(self) -> str:
        """The row, as `day=2025-11-20 department_id=2 …` (and `workdays=` for the histogram)."""
        if self.table == "workdays":
            (key, workdays), names = self.key, (*KEY_FIELDS, "workdays")
            values = (*key, workdays)
        else:
            names, values = KEY_FIELDS, self.key
        return " ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))


def _differences(stored: Recount, recount: Recount) -> list[Difference]:
    found = []
    for key in sorted(stored.rows.keys() | recount.rows.keys(), key=str):
        have, want = +stored.rows.get(key, Counter()), +recount.rows.get(key, Counter())
        if have != want:
            found.append(Difference("daily", key, dict(have), dict(want)))
    for key in sorted(stored.histogram.keys() | recount.histogram.keys(), key=str):
        have, want = stored.histogram.get(key, 0), recount.histogram.get(key, 0)
        if have != want:
            found.append(Difference("workdays", key, {"cases": have}, {"cases": want}))
    return found


def _replace(recount: Recount) -> int:
    CaseWorkdayCount.objects.all().delete()
    CaseDailyStat.objects.all().delete()
    rows = [
        CaseDailyStat(**dict(zip(KEY_FIELDS, key, strict=True)), **counts)
        for key, counts in recount.rows.items()
    ]
    buckets = [
        CaseWorkdayCount(**dict(zip(KEY_FIELDS, key, strict=True)), workdays=days, cases=n)
        for (key, days), n in recount.histogram.items()
    ]
    CaseDailyStat.objects.bulk_create(rows, batch_size=1000)
    CaseWorkdayCount.objects.bulk_create(buckets, batch_size=1000)
    return len(rows) + len(buckets)


@dataclass(frozen=True)
class RebuildResult:
    rows: int
    differences: list[Difference]


def stats_rebuild(*, check: bool = False) -> RebuildResult:
    """Recount everything; report where the stored rows differ, and (unless only checking)
    replace them with the recount."""
    with transaction.atomic():
        recount = stats_recount()
        differences = _differences(_stored(), recount)
        if check:
            return RebuildResult(len(recount.rows) + len(recount.histogram), differences)
        return RebuildResult(_replace(recount), differences)

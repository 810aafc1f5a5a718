"""`yimen generate --cases N`: realistic cases, written with COPY on PostgreSQL.

Each case lives through the same steps the services take (submit, a correction now
and then, intake, the stages' tasks in parallel, special procedures that pause the
clock, the decision, the licence, delivery, a rating), on working days drawn from
plausible distributions; the steps after `now` have not happened yet, so recent cases
are still open and a share of them is late. Every row the services would write for
those steps is written (cases, filings, materials, tasks, pauses, visits, events,
correction notices, ratings and their rectification, the daily and monthly statistics),
except the audit chain, which records acts done through the system rather than imported
history.

Generation writes with ids it allocates itself: run it while nothing else writes.
"""

import bisect
import contextlib
import datetime as dt
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yimen.cases import clocks
from yimen.cases.fields import seal_form
from yimen.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    Channel,
    ClockPause,
    CorrectionNotice,
    Filing,
    Task,
    Visit,
)
from yimen.cases.states import CaseState
from yimen.catalog.models import Department, MaterialSpec, Role, StageKind
from yimen.oversight.models.ratings import Rating, Rectification
from yimen.oversight.models.stats import CaseDailyStat
from yimen.oversight.services import stats
from yimen.perf import people, tally, world
from yimen.perf.loader import Ids, Loader, Writer, reset_sequences
from yimen.worktime.calendar import is_workday
from yimen.worktime.selectors import get_calendar

LOCAL = ZoneInfo(settings.TIME_ZONE)
Necessity = MaterialSpec.Necessity
S = CaseState

# Shares drawn from, per case (the seed's figures where it gives them).
REFUSED = 0.02
CORRECTED = 0.07
CORRECTION_ABANDONED = 0.1
LATE = 0.04  # completed (or still running) past the committed deadline
DENIED = 0.03
RATED = 0.6
RATING_LEVELS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (70, 20, 7, 2, 1)
ONLINE_WHERE_OFFERED = 0.55
FREQUENT_SHARE = 0.01  # cases filed by a few frequent applicants (small businesses, agents)
FREQUENT_APPLICANTS = 100
PERSONS_PER_CASE = 1 / 3
ORGANISATIONS_PER_CASE = 1 / 15
CHUNK_CASES = 20_000
DAYS_PER_100K = 365  # a district's year holds about 100,000 cases


class NotYet(Exception):
    """The next step of the case lies after `now`."""


@dataclass
class Result:
    cases: int
    seconds: float
    rows: dict[str, int]

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def _settle() -> None:
    """On PostgreSQL, leave the tables as autovacuum keeps a database in use: fresh planner
    statistics, and the visibility map that lets index-only scans skip the rows (counts of
    open cases read the index alone). VACUUM cannot run inside a transaction: within one
    (tests), ANALYZE alone."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


class Calendar:
    """Working days as a sorted list: the n-th working day after a date in one lookup."""

    def __init__(self, first: dt.date, last: dt.date):
        self.calendar = get_calendar()
        days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        self.days = [d for d in days if is_workday(d, self.calendar)]
        self._deadlines: dict = {}

    def after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n = 0: `day` itself)."""
        if n <= 0:
            return day
        index = bisect.bisect_right(self.days, day) + n - 1
        return self.days[min(index, len(self.days) - 1)]

    def deadline(self, accepted_on: dt.date, days: int, pauses: tuple) -> clocks.Deadline | None:
        key = (accepted_on, days, pauses)
        if key not in self._deadlines:
            self._deadlines[key] = clocks.deadline(accepted_on, days, 0, pauses, self.calendar)
        return self._deadlines[key]


def local_date(moment: dt.datetime) -> dt.date:
    """The day in the bureau's time zone (what timezone.localdate gives, without its lookups)."""
    return moment.astimezone(LOCAL).date()


def at(day: dt.date, hour: float) -> dt.datetime:
    minutes = int(hour * 60)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), LOCAL)
    return local.astimezone(dt.UTC)


@dataclass
class Lived:
    """What a case has become so far, while it is being lived through."""

    id: int
    no: str
    version: world.Version
    subject_id: int
    account_id: int | None
    center_id: int | None
    channel: str
    received_at: dt.datetime
    state: str = S.SUBMITTED
    owner_id: int | None = None
    intake_from: dt.date | None = None
    accepted_on: dt.date | None = None
    decision: str = ""
    decision_reason: str = ""
    decided_at: dt.datetime | None = None
    licence_ref: str = ""
    delivery_mode: str = ""
    tracking_no: str = ""
    completed_at: dt.datetime | None = None
    refuse_reason: str = ""
    refuse_basis: str = ""
    submitted_by: int | None = None
    approver: int | None = None
    notice: list | None = None  # [id, deficiencies, issued by, issued at, resolved at]
    events: list = field(default_factory=list)
    tasks: list = field(default_factory=list)  # [id, stage, department, opened, done, by, ...]
    pauses: list = field(default_factory=list)  # [id, started_on, ended_on, stage_order, by]
    visits: int = 0

    def take(self, clerk: int | None) -> None:
        """首问负责人: the first clerk to act on the case."""
        self.owner_id = self.owner_id or clerk


class Generator:
    def __init__(self, count: int, *, seed: int, now: dt.datetime, days: int | None = None):
        self.count, self.now = count, now
        self.rng = random.Random(seed)
        self.today = local_date(now)
        self.days = days or max(30, round(count / 100_000 * DAYS_PER_100K))
        self.calendar = Calendar(
            self.today - dt.timedelta(days=self.days + 10), self.today + dt.timedelta(days=800)
        )
        first = self.today - dt.timedelta(days=self.days)
        self.received_days = [d for d in self.calendar.days if first <= d <= self.today]
        self.versions = world.versions(self.today)
        if not self.versions:
            raise ValueError("no item versions in force: load a catalog first")
        self.weights = list(itertools.accumulate(v.popularity + 1 for v in self.versions))
        self.staff = world.staff()
        self.departments = dict(Department.objects.values_list("pk", "code"))
        self.numbers: Counter = Counter(
            dict(CaseNumberSequence.objects.values_list("key", "value"))
        )
        self.stats_were_empty = not CaseDailyStat.objects.exists()
        self.sealed_forms: dict[tuple, str] = {}
        self._tables()

    def _tables(self) -> None:
        """One table per model written, rows in the order of the model's fields."""
        self.loader, self.applicant_loader = Loader(), Loader()
        models = (Filing, Case, CaseMaterial, CorrectionNotice, Task, ClockPause, Visit)
        self.ids = {m: Ids(m) for m in (*models, CaseEvent, Rating, Rectification)}
        tables = [self.loader.model_table(m) for m in models]
        (self.filings, self.cases, self.materials, self.notices, self.tasks, self.pauses,
         self.visits) = tables  # fmt: skip
        self.visit_cases = self.loader.table(Visit.cases.through, "visit_id", "case_id")
        self.events = self.loader.model_table(CaseEvent)
        self.ratings = self.loader.model_table(Rating)
        self.rating_departments = self.loader.table(
            Rating.departments.through, "rating_id", "department_id"
        )
        self.rating_staff = self.loader.table(Rating.staff.through, "rating_id", "account_id")
        self.rectifications = self.loader.model_table(Rectification)
        self.tally = tally.Tally(self.loader)

    # --- the run ------------------------------------------------------------------------

    def run(self, progress=None) -> Result:
        started = time.perf_counter()
        tally.create_staging()
        with transaction.atomic():
            self.applicants = people.add_applicants(
                self.applicant_loader,
                max(20, round(self.count * PERSONS_PER_CASE)),
                max(10, round(self.count * ORGANISATIONS_PER_CASE)),
                self.rng,
                self.now,
            )
            self.applicant_loader.flush()
        done, writer = 0, Writer()
        try:
            while done < self.count:
                size = min(CHUNK_CASES, self.count - done)
                for _ in range(size):
                    self.case()
                writer.put(self.loader.take())
                done += size
                if progress:
                    progress(done, time.perf_counter() - started)
        finally:
            writer.close()
        with transaction.atomic():
            self._finish()
        _settle()
        rows = {**self.applicant_loader.counts(), **self.loader.counts()}
        return Result(self.count, time.perf_counter() - started, rows)

    def _finish(self) -> None:
        for key, value in self.numbers.items():
            updated = CaseNumberSequence.objects.filter(key=key, value__lt=value).update(
                value=value
            )
            if not updated and not CaseNumberSequence.objects.filter(key=key).exists():
                CaseNumberSequence.objects.create(key=key, value=value)
        reset_sequences([*self.ids, *people.MODELS])
        tally.store(add_to_existing=not self.stats_were_empty)

    # --- one case ------------------------------------------------------------------------

    def case(self) -> None:
        rng = self.rng
        version = rng.choices(self.versions, cum_weights=self.weights)[0]
        channel = self._channel(version)
        received_on = rng.choice(self.received_days)
        hour = (
            rng.uniform(8.5, 17)
            if channel not in (Channel.ONLINE, Channel.MOBILE)
            else (rng.uniform(7, 23.5))
        )
        received_at = at(received_on, hour)
        if received_at > self.now:
            received_at = self.now - dt.timedelta(minutes=rng.randint(1, 600))
            received_on = local_date(received_at)
        subject_id, account_id = self._applicant(version)
        center = (
            rng.choice(self.staff.centers)
            if channel not in (Channel.ONLINE, Channel.MOBILE) and self.staff.centers
            else None
        )
        case = Lived(
            id=self.ids[Case].take(),
            no=self._case_no(received_on),
            version=version,
            subject_id=subject_id,
            account_id=account_id,
            center_id=center,
            channel=channel,
            received_at=received_at,
            intake_from=received_on,
        )
        materials = self._materials(case)
        with contextlib.suppress(NotYet):
            self._live(case, materials)
        self._write(case, materials)

    def _channel(self, version: world.Version) -> str:
        rng = self.rng
        if version.online and rng.random() < ONLINE_WHERE_OFFERED:
            return Channel.ONLINE if rng.random() < 0.75 else Channel.MOBILE
        return rng.choices((Channel.WINDOW, Channel.KIOSK, Channel.ASSISTED), (80, 10, 10))[0]

    def _applicant(self, version: world.Version) -> tuple[int, int | None]:
        rng, found = self.rng, self.applicants
        if version.subject_type == "organisation" and found.organisations:
            return rng.choice(found.organisations), None
        pool = found.persons
        if rng.random() < FREQUENT_SHARE:
            pool = pool[:FREQUENT_APPLICANTS]
        return rng.choice(pool)

    def _case_no(self, day: dt.date) -> str:
        key = f"{settings.YIMEN_AREA_CODE}-{day:%Y%m%d}"
        self.numbers[key] += 1
        return f"{key}-{self.numbers[key]:06d}"

    def _materials(self, case: Lived) -> list[list]:
        """[spec id, kind code, necessity, status, supplied_at] per material of the version."""
        rng, rows = self.rng, []
        for material in case.version.materials:
            present = material.necessity == Necessity.REQUIRED or rng.random() < 0.7
            status = CaseMaterial.Status.PROVIDED if present else CaseMaterial.Status.MISSING
            supplied = case.received_at if present else None
            rows.append(
                [material.spec_id, material.kind_code, material.necessity, status, supplied]
            )
        return rows

    # --- the steps ------------------------------------------------------------------------

    def _event(self, case: Lived, when: dt.datetime, action: str, actor, to=None, **data):
        if when > self.now:
            raise NotYet
        to_state = to or case.state
        case.events.append((len(case.events) + 1, action, case.state, to_state, actor, when, data))
        case.state = to_state

    def _live(self, case: Lived, materials: list[list]) -> None:
        rng, version = self.rng, case.version
        clerk = self.staff.clerk(case.center_id, rng.choice)
        case.submitted_by = self._submitter(case, clerk)
        data = {"channel": case.channel, "item": version.item_code, "version": version.number}
        self._event(case, case.received_at, "submit", case.submitted_by, S.SUBMITTED, **data)
        if case.channel == Channel.WINDOW:
            case.take(clerk)
        if case.channel in (Channel.WINDOW, Channel.KIOSK):
            self._visit(case, Visit.Purpose.SUBMIT, case.received_at)
        when = self._intake_time(case)
        if rng.random() < REFUSED:
            return self._refuse(case, clerk, when)
        if version.instant:
            return self._instant(case, clerk, when, materials)
        if rng.random() < CORRECTED:
            when = self._correction(case, clerk, when, materials)
        self._accept(case, clerk, when, materials)

    def _submitter(self, case: Lived, clerk: int | None) -> int | None:
        """The clerk at a window, a grid worker for assisted filing, else the applicant."""
        if case.channel == Channel.WINDOW or (
            case.channel == Channel.KIOSK and case.account_id is None
        ):
            return clerk
        if case.channel == Channel.ASSISTED:
            worker = self.staff.worker(
                Role.GRID_WORKER, case.version.department_id, self.rng.choice
            )
            return worker or clerk
        return case.account_id or clerk

    def _intake_time(self, case: Lived) -> dt.datetime:
        if case.channel == Channel.WINDOW:
            return case.received_at + dt.timedelta(minutes=self.rng.randint(3, 20))
        day = self.calendar.after(case.intake_from, self.rng.choice((0, 1, 1, 2)))
        return max(at(day, self.rng.uniform(8.5, 17)), case.received_at + dt.timedelta(minutes=5))

    def _refuse(self, case: Lived, clerk, when: dt.datetime) -> None:
        case.refuse_reason = "申请事项依法不属于本机关职权范围。"
        case.refuse_basis = "《中华人民共和国行政许可法》第三十二条"
        self._event(
            case,
            when,
            "refuse",
            clerk,
            S.REFUSED,
            reason=case.refuse_reason,
            legal_basis=case.refuse_basis,
        )
        case.take(clerk)
        case.completed_at = when

    def _instant(self, case: Lived, clerk, when: dt.datetime, materials) -> None:
        self._complete_missing(materials, when)
        self._event(case, when, "complete_instant", clerk, S.COMPLETED)
        case.take(clerk)
        case.accepted_on = local_date(when)
        case.decision, case.decided_at, case.completed_at = "grant", when, when
        case.delivery_mode = "window"

    def _complete_missing(self, materials, when) -> None:
        for row in materials:
            if row[2] != Necessity.OPTIONAL and row[3] == CaseMaterial.Status.MISSING:
                row[3], row[4] = CaseMaterial.Status.PROVIDED, when

    def _correction(self, case: Lived, clerk, when: dt.datetime, materials) -> dt.datetime:
        """一次性告知, then the applicant brings what was missing (most do)."""
        required = [row for row in materials if row[2] == Necessity.REQUIRED]
        for row in required[:1]:
            row[3], row[4] = CaseMaterial.Status.MISSING, None
        missing = [
            row
            for row in materials
            if row[3] == CaseMaterial.Status.MISSING and row[2] != Necessity.OPTIONAL
        ]
        deficiencies = [{"kind": row[1], "material": row[1]} for row in missing]
        if not deficiencies:
            deficiencies = [{"kind": "", "material": "", "note": "申请表签字不完整"}]
        self._event(
            case,
            when,
            "request_correction",
            clerk,
            S.CORRECTION,
            notice=1,
            deficiencies=deficiencies,
            violation=False,
        )
        case.take(clerk)
        case.notice = [self.ids[CorrectionNotice].take(), deficiencies, clerk, when, None]
        if self.rng.random() < CORRECTION_ABANDONED:
            raise NotYet  # never came back
        day = self.calendar.after(local_date(when), self.rng.randint(1, 6))
        supplied = at(day, self.rng.uniform(8.5, 17))
        provided = sorted(row[1] for row in missing)
        if supplied <= self.now:
            for row in missing:
                row[3], row[4] = CaseMaterial.Status.PROVIDED, supplied
            case.notice[4] = supplied
        self._event(
            case,
            supplied,
            "supply_correction",
            case.account_id or clerk,
            S.SUBMITTED,
            provided=provided,
        )
        case.intake_from = day
        if case.channel in (Channel.WINDOW, Channel.KIOSK):
            self._visit(case, Visit.Purpose.CORRECTION, supplied)
        return max(at(self.calendar.after(day, self.rng.choice((0, 1))), 10), supplied)

    def _accept(self, case: Lived, clerk, when: dt.datetime, materials) -> None:
        rng, version = self.rng, case.version
        self._complete_missing(materials, when)
        accepted_on = local_date(when)
        if case.events[-1][1] == "supply_correction":
            accepted_on = case.intake_from
        deadline = self.calendar.deadline(accepted_on, version.committed_days, ())
        self._event(
            case,
            when,
            "accept",
            clerk,
            S.IN_PROGRESS,
            accepted_on=accepted_on.isoformat(),
            deemed=False,
            deadline=deadline.date.isoformat() if deadline else None,
        )
        case.take(clerk)
        case.accepted_on = accepted_on
        late = rng.random() < LATE
        target = (
            version.committed_days + rng.randint(1, 5)
            if late
            else max(1, round(version.committed_days * rng.uniform(0.25, 0.95)))
        )
        self._stages(case, when, target)
        self._deliver(case)

    def _stages(self, case: Lived, when: dt.datetime, workdays: int) -> None:
        """Each stage's tasks (in parallel where several departments review); a stage that
        stops the clock is a pause of its own length; the decision closes the last."""
        stages = case.version.stages
        clocked = [s for s in stages if not s.stops_clock] or list(stages)
        share = max(1, workdays // max(1, len(clocked)))
        for stage in stages:
            days = self.rng.randint(1, 5) if stage.stops_clock else share
            when = self._stage(case, stage, when, days)
        if not any(s.kind == StageKind.DECISION for s in stages):
            self._decide(case, when, [])

    def _stage(self, case: Lived, stage: world.Stage, opened: dt.datetime, days: int):
        """Open the stage's tasks; each department finishes on its own day, in time order."""
        rng, opened_on = self.rng, local_date(opened)
        tasks = [
            [self.ids[Task].take(), stage, department, opened, None, None, "", 0]
            for department in stage.departments
        ]
        case.tasks += tasks
        workers = [self.staff.worker(stage.role, t[2], rng.choice) for t in tasks]
        pause = None
        if stage.stops_clock:
            pause = [self.ids[ClockPause].take(), opened_on, None, stage.order, workers[0]]
            case.pauses.append(pause)
        if stage.kind == StageKind.DECISION:
            done = at(self.calendar.after(opened_on, days), rng.uniform(9, 17))
            self._decide(case, max(done, opened), tasks)
            return case.decided_at
        finishes = sorted(
            (self._task_done(opened, days), n, task, worker)
            for n, (task, worker) in enumerate(zip(tasks, workers, strict=True))
        )
        for rank, (done, _n, task, worker) in enumerate(finishes):
            stage_done = rank == len(finishes) - 1
            self._event(
                case,
                done,
                "complete_task",
                worker,
                task=task[0],
                stage=stage.name,
                department=self.departments[task[2]],
                stage_done=stage_done,
            )
            task[4], task[5], task[6], task[7] = done, worker, "同意。", 1
            if stage_done and pause is not None:
                pause[2] = local_date(done)
        return finishes[-1][0]

    def _task_done(self, opened: dt.datetime, days: int) -> dt.datetime:
        day = self.calendar.after(local_date(opened), max(1, days + self.rng.randint(-1, 0)))
        return max(at(day, self.rng.uniform(9, 17)), opened + dt.timedelta(minutes=10))

    def _decide(self, case: Lived, when: dt.datetime, tasks) -> None:
        approver = self.staff.worker(Role.APPROVER, case.version.department_id, self.rng.choice)
        grant = self.rng.random() >= DENIED
        case.decision = "grant" if grant else "deny"
        case.decision_reason = "符合法定条件，准予许可。" if grant else "不符合法定条件，不予许可。"
        self._event(
            case,
            when,
            "decide",
            approver,
            S.DECIDED,
            decision=case.decision,
            reason=case.decision_reason,
        )
        case.decided_at = when
        for task in tasks:
            task[4], task[5], task[6], task[7] = when, approver, case.decision_reason, 1
        case.approver = approver

    def _deliver(self, case: Lived) -> None:
        rng, when = self.rng, case.decided_at
        if case.decision == "grant":
            day = self.calendar.after(local_date(when), rng.choice((0, 1)))
            when = max(at(day, rng.uniform(9, 17)), when + dt.timedelta(minutes=30))
            self._event(case, when, "issue_licence", case.approver, S.ISSUED, licence=case.no)
            case.licence_ref = case.no
        mode = rng.choice(case.version.delivery_modes)
        day = self.calendar.after(local_date(when), rng.randint(0, 3))
        when = max(at(day, rng.uniform(9, 17)), when + dt.timedelta(minutes=30))
        tracking = f"SF{rng.randrange(10**11, 10**12)}" if mode == "post" else ""
        self._event(
            case, when, "deliver", case.owner_id, S.COMPLETED, mode=mode, tracking_no=tracking
        )
        if mode == "window":
            self._visit(case, Visit.Purpose.COLLECT, when)
        case.delivery_mode, case.tracking_no, case.completed_at = mode, tracking, when

    def _visit(self, case: Lived, purpose: str, when: dt.datetime) -> None:
        if when > self.now:
            return
        visit = self.ids[Visit].take()
        self.visits.add(visit, case.subject_id, purpose, case.center_id, when)
        self.visit_cases.add(visit, case.id)
        case.visits += 1

    # --- rows -----------------------------------------------------------------------------

    def _write(self, case: Lived, materials: list[list]) -> None:
        version = case.version
        filing = self.ids[Filing].take()
        ended = case.state in (S.COMPLETED, S.REFUSED)
        self.filings.add(
            filing,
            None,
            case.subject_id,
            case.submitted_by,
            case.channel,
            "",
            case.received_at,
            case.completed_at if ended else None,
        )
        pauses = tuple((p[1], p[2]) for p in case.pauses)
        deadline = legal = None
        if case.accepted_on is not None:
            deadline = self.calendar.deadline(case.accepted_on, version.committed_days, pauses)
            legal = self.calendar.deadline(case.accepted_on, version.legal_days, pauses)
        provisional = any(d is not None and d.provisional for d in (deadline, legal))
        self.cases.add(
            case.id,
            case.no,
            filing,
            version.id,
            case.subject_id,
            version.department_id,
            case.center_id,
            case.channel,
            case.state,
            self._form(case),
            case.owner_id,
            case.received_at,
            case.intake_from,
            case.accepted_on,
            False,
            deadline.date if deadline else None,
            legal.date if legal else None,
            provisional,
            0,
            "",
            case.refuse_reason,
            case.refuse_basis,
            case.decision if case.decided_at else "",
            case.decision_reason if case.decided_at else "",
            case.decided_at,
            case.licence_ref,
            case.delivery_mode if case.state == S.COMPLETED else "",
            case.tracking_no,
            case.completed_at if ended else None,
            len(case.events) - 1,
        )
        for spec, _kind, _necessity, status, supplied in materials:
            self.materials.add(
                self.ids[CaseMaterial].take(), case.id, spec, status, None, None, supplied, ""
            )
        if notice := case.notice:
            self.notices.add(
                notice[0],
                case.id,
                1,
                notice[1],
                "",
                False,
                notice[2] or case.submitted_by,
                notice[3],
                notice[4],
            )
        self._write_tasks(case)
        for pause_id, started, ended_on, order, by in case.pauses:
            stage_name = next(s.name for s in version.stages if s.order == order)
            self.pauses.add(
                pause_id,
                case.id,
                ClockPause.Kind.STAGE,
                stage_name,
                order,
                started,
                ended_on,
                by,
                stage_name if ended_on else "",
            )
        for seq, action, from_state, to_state, actor, when, data in case.events:
            self.events.add(
                self.ids[CaseEvent].take(),
                case.id,
                seq,
                action,
                from_state,
                to_state,
                actor,
                when,
                data,
            )
        if case.state == S.COMPLETED:
            self._rate(case)
        self._count(case, pauses, deadline)

    def _form(self, case: Lived) -> str:
        """The form as the database holds it, sealed; forms repeat, so each is sealed once."""
        form = {"contact_phone": f"1390431{case.id % 10000:04d}"}
        if case.version.subject_type == "organisation":
            form["floor_area"] = str(20 + case.id % 480)
        key = tuple(form.values())
        if key not in self.sealed_forms:
            self.sealed_forms[key] = seal_form(form)
        return self.sealed_forms[key]

    def _write_tasks(self, case: Lived) -> None:
        for task_id, stage, department, opened, done_at, done_by, opinion, revision in case.tasks:
            done = done_at is not None
            self.tasks.add(
                task_id,
                case.id,
                stage.order,
                stage.kind,
                stage.name,
                stage.role,
                department,
                Task.Status.DONE if done else Task.Status.OPEN,
                opened,
                done_at if done else None,
                done_by if done else None,
                opinion if done else "",
                revision if done else 0,
            )

    def _rate(self, case: Lived) -> None:
        rng = self.rng
        if rng.random() >= RATED:
            return
        rated_at = case.completed_at + dt.timedelta(hours=rng.uniform(0.1, 72))
        if rated_at > self.now:
            return
        rating = self.ids[Rating].take()
        level = rng.choices(RATING_LEVELS, RATING_WEIGHTS)[0]
        rater = case.account_id
        key = f"account:{rater}" if rater else f"phone:1390431{case.id % 10000:04d}"
        tags = ["fast", "one_trip"] if level <= 3 else ["slow"]
        self.ratings.add(
            rating,
            case.id,
            case.version.item_id,
            rater,
            "" if rater else key[6:],
            key,
            level,
            tags,
            "",
            rng.choice(("pc", "mobile", "qr", "sms")),
            rated_at,
        )
        self.rating_departments.add(rating, case.version.department_id)
        if case.owner_id:
            self.rating_staff.add(rating, case.owner_id)
        if level >= 4:
            closed = rated_at + dt.timedelta(days=rng.randint(3, 10))
            done = closed <= self.now
            self.rectifications.add(
                self.ids[Rectification].take(),
                rating,
                case.version.department_id,
                Rectification.Step.CLOSED if done else Rectification.Step.VERIFY,
                None if done else local_date(rated_at) + dt.timedelta(days=2),
                Rectification.Outcome.RECTIFIED if done else "",
                True if done else None,
                rated_at,
                closed if done else None,
            )

    def _count(self, case: Lived, pauses: tuple, deadline) -> None:
        """What the statistics count of this case (the same functions the running counts use)."""
        view = SimpleNamespace(
            department_id=case.version.department_id,
            center_id=case.center_id,
            channel=case.channel,
            version=SimpleNamespace(
                item_id=case.version.item_id, committed_limit_days=case.version.committed_days
            ),
            received_at=case.received_at,
            accepted_on=case.accepted_on,
            completed_at=case.completed_at,
            deadline=deadline.date if deadline else None,
        )
        self.tally.add(stats.received(view))
        if case.accepted_on is not None:
            self.tally.add(stats.accepted(view))
        if case.state == S.COMPLETED:
            self.tally.add(stats.completed(view, case.visits, pauses, self.calendar.calendar))


def generate(
    count: int,
    *,
    seed: int = 1,
    now: dt.datetime | None = None,
    days: int | None = None,
    items: int = world.CATALOG_ITEMS,
    progress=None,
) -> Result:
    """Add `count` cases (and their applicants), received over the last `days` days (by
    default as many as a district takes for that many cases, at least 30)."""
    world.ensure_world(items)
    generator = Generator(count, seed=seed, now=now or timezone.now(), days=days)
    return generator.run(progress)

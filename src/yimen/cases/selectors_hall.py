"""Reads of the window hall: opening hours and appointment slots, the queue as the windows,
the hall board and the kiosk see it, and waiting-time statistics for supervision.

Settings (read with defaults, so a deployment may leave them out):
YIMEN_APPOINTMENT_SLOT_MINUTES     length of one appointment slot (30)
YIMEN_APPOINTMENT_SLOT_CAPACITY    appointments one center takes per slot (6)
YIMEN_APPOINTMENT_DAYS_AHEAD       how many days ahead one may book (14)
YIMEN_HALL_EARLY_MINUTES           tickets and check-ins open this long before a period (30)
"""

import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.models import Case
from yimen.cases.models_hall import Appointment, QueueTicket, ServiceLine
from yimen.catalog.models import (
    HandlingType,
    ItemVersion,
    MaterialSpec,
    OnlineDepth,
    Role,
    ServiceCenter,
)
from yimen.catalog.selectors import versions_in_force
from yimen.errors import InvalidInput, NotFound
from yimen.subjects import permissions
from yimen.subjects.models import Organisation, Subject
from yimen.subjects.selectors import locker_prefill
from yimen.subjects.validators import normalise_resident_id
from yimen.worktime.calendar import WorkCalendar, is_workday
from yimen.worktime.selectors import get_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
Period = tuple[dt.time, dt.time]
Waiting = QueueTicket.Status.WAITING
Called = QueueTicket.Status.CALLED
MAX_STATS_DAYS = 366


def slot_minutes() -> int:
    return settings.YIMEN_APPOINTMENT_SLOT_MINUTES


def slot_capacity() -> int:
    return settings.YIMEN_APPOINTMENT_SLOT_CAPACITY


def days_ahead() -> int:
    return settings.YIMEN_APPOINTMENT_DAYS_AHEAD


def early_minutes() -> dt.timedelta:
    return dt.timedelta(minutes=settings.YIMEN_HALL_EARLY_MINUTES)


# --- opening hours ----------------------------------------------------------------------

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WORKING_WEEK = frozenset(range(5))
TIME_RANGE = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})")
DAY_RANGE = re.compile(
    r"(?:周|星期)([一二三四五六日天])\s*[-–—~～至到]\s*(?:周|星期)?([一二三四五六日天])"
)
ONE_DAY = re.compile(r"(?:周|星期)([一二三四五六日天])")


@functools.lru_cache(maxsize=64)
def parse_hours(text: str) -> dict[int, tuple[Period, ...]]:
    """Opening periods by weekday (0 = Monday) from a center's hours as people write them:
    `周一至周五 8:30-11:30，13:00-17:00；周六 9:00-12:00`. A clause naming no day (or
    工作日) covers Monday to Friday; 每天/每日 covers the whole week."""
    hours: dict[int, tuple[Period, ...]] = {}
    for clause in re.split(r"[；;。\n]", text or ""):
        periods = tuple(p for p in map(_period, TIME_RANGE.findall(clause)) if p)
        for weekday in _clause_days(clause) if periods else ():
            hours[weekday] = hours.get(weekday, ()) + periods
    return hours


def _period(found: tuple[str, ...]) -> Period | None:
    """A time range from the text; None when it is not a real one (25:00, 17:00-8:30)."""
    h1, m1, h2, m2 = map(int, found)
    if max(h1, h2) > 23 or max(m1, m2) > 59 or (h1, m1) >= (h2, m2):
        return None
    return dt.time(h1, m1), dt.time(h2, m2)


def _clause_days(clause: str) -> set[int]:
    if "每天" in clause or "每日" in clause:
        return set(range(7))
    days: set[int] = set()
    for first, last in DAY_RANGE.findall(clause):
        days |= set(range(WEEKDAYS[first], WEEKDAYS[last] + 1))
    without_ranges = DAY_RANGE.sub("", clause)
    days |= {WEEKDAYS[d] for d in ONE_DAY.findall(without_ranges)}
    return days or set(WORKING_WEEK)


def opening_periods(
    center: ServiceCenter, day: dt.date, calendar: WorkCalendar | None = None
) -> tuple[Period, ...]:
    """When the center is open on `day`: closed on statutory holidays; a weekend day worked
    in lieu (调休) keeps a Monday's hours."""
    hours = parse_hours(center.hours)
    calendar = calendar or get_calendar()
    if is_workday(day, calendar):
        return hours.get(day.weekday() if day.weekday() in WORKING_WEEK else 0, ())
    rules = calendar.years.get(day.year)
    if rules is not None and day in rules.holidays:
        return ()
    return hours.get(day.weekday(), ())


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=SHANGHAI)


def is_open(center: ServiceCenter, now: dt.datetime) -> bool:
    """Open now, counting the early minutes before each period when tickets are already taken."""
    local = timezone.localtime(now, SHANGHAI)
    return any(
        _aware(local.date(), start) - early_minutes() <= local <= _aware(local.date(), end)
        for start, end in opening_periods(center, local.date())
    )


# --- appointment slots ------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    booked: int
    capacity: int
    bookable: bool

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def key(self) -> str:
        """The slot as a form sends it back: its start, `HH:MM`."""
        return f"{self.starts_at:%H:%M}"


def _slot_bounds(periods: Iterable[Period], day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    length = dt.timedelta(minutes=slot_minutes())
    bounds = []
    for start, end in periods:
        begin, close = _aware(day, start), _aware(day, end)
        while begin + length <= close:
            bounds.append((begin, begin + length))
            begin += length
    return bounds


def _booked(center: ServiceCenter, days: list[dt.date]) -> dict[dt.datetime, int]:
    """Active bookings per slot start over the days, in one query."""
    return dict(
        Appointment.objects.filter(center=center, day__in=days, status__in=Appointment.ACTIVE)
        .values_list("starts_at")
        .annotate(n=Count("id"))
    )


def _slots(
    center: ServiceCenter,
    day: dt.date,
    booked: dict[dt.datetime, int],
    now: dt.datetime,
    calendar: WorkCalendar,
) -> list[Slot]:
    capacity = slot_capacity()
    slots = []
    for begin, end in _slot_bounds(opening_periods(center, day, calendar), day):
        taken = booked.get(begin, 0)
        slots.append(Slot(begin, end, taken, capacity, begin > now and taken < capacity))
    return slots


def day_slots(center: ServiceCenter, day: dt.date, now: dt.datetime | None = None) -> list[Slot]:
    """The day's slots at the center, with how many are booked; past or full ones are not
    bookable."""
    return _slots(center, day, _booked(center, [day]), now or timezone.now(), get_calendar())


def bookable_days(center: ServiceCenter, now: dt.datetime | None = None) -> list[dt.date]:
    """The days from today on which the center still has a bookable slot."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = [today + dt.timedelta(days=n) for n in range(days_ahead() + 1)]
    booked, calendar = _booked(center, days), get_calendar()
    return [d for d in days if any(s.bookable for s in _slots(center, d, booked, now, calendar))]


def appointments_of(account, limit: int = 20) -> list[Appointment]:
    return list(
        Appointment.objects.filter(booked_by=account)
        .select_related("center")
        .order_by("-starts_at", "-pk")[:limit]
    )


def appointment_of(account, appointment_id: int) -> Appointment:
    found = Appointment.objects.filter(pk=appointment_id, booked_by=account).first()
    if found is None:
        raise NotFound("appointment_not_found", _("未找到该预约。"))
    return found


def appointment_for_check_in(code: str, phone_tail: str) -> Appointment:
    """The appointment a kiosk checks in: its number and the last four digits of its phone."""
    code, phone_tail = (code or "").strip(), (phone_tail or "").strip()
    found = Appointment.objects.select_related("center").filter(code=code).first()
    if found is None or len(phone_tail) != 4 or not found.phone.endswith(phone_tail):
        raise NotFound("appointment_not_found", _("预约号或手机号后四位不正确，请核对后重试。"))
    return found


# --- the queue --------------------------------------------------------------------------


def call_order(now: dt.datetime) -> list:
    """Appointments whose slot has started first, then everyone in the order they came."""
    started = SqlCase(When(priority_from__lte=now, then=Value(0)), default=Value(1))
    return [started, "issued_at", "pk"]


def waiting_tickets(
    center: ServiceCenter, *, lines: Iterable[str] | None = None, now: dt.datetime | None = None
) -> QuerySet[QueueTicket]:
    """Today's waiting tickets at the center, in the order the windows call them."""
    now = now or timezone.now()
    tickets = QueueTicket.objects.filter(center=center, day=timezone.localdate(now), status=Waiting)
    if lines is not None:
        tickets = tickets.filter(line__in=list(lines))
    return tickets.order_by(*call_order(now))


def waiting_counts(center: ServiceCenter, now: dt.datetime | None = None) -> dict[str, int]:
    """How many wait in each of the center's lines, every line listed."""
    counts = dict(
        waiting_tickets(center, now=now).order_by().values_list("line").annotate(n=Count("id"))
    )
    return {line: counts.get(line, 0) for line in ServiceLine.values}


def tickets_ahead(ticket: QueueTicket) -> int:
    """Waiting tickets of the same line numbered before this one."""
    return QueueTicket.objects.filter(
        center_id=ticket.center_id,
        day=ticket.day,
        line=ticket.line,
        status=Waiting,
        seq__lt=ticket.seq,
    ).count()


def now_serving(
    center: ServiceCenter, now: dt.datetime | None = None, limit: int = 8
) -> list[QueueTicket]:
    """The tickets called to a window and not yet done, the latest call first."""
    now = now or timezone.now()
    return list(
        QueueTicket.objects.filter(
            center=center, day=timezone.localdate(now), status=Called
        ).order_by("-last_called_at", "-pk")[:limit]
    )


def window_ticket(
    center: ServiceCenter, window: str, now: dt.datetime | None = None
) -> QueueTicket | None:
    """The ticket a window has called and is serving, if any."""
    now = now or timezone.now()
    return QueueTicket.objects.filter(
        center=center, day=timezone.localdate(now), status=Called, window=window
    ).first()


def ticket_by_id(ticket_id: int) -> QueueTicket:
    ticket = QueueTicket.objects.select_related("center").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("ticket_not_found", _("未找到该排队号。"))
    return ticket


def center_by_code(code: str) -> ServiceCenter:
    center = ServiceCenter.objects.filter(code=code).first()
    if center is None:
        raise NotFound("center_not_found", _("未找到服务中心 %(c)s。") % {"c": code})
    return center


def clerk_centers(account) -> list[ServiceCenter]:
    """The centers whose windows the account may serve: its clerk roles' centers, or all of
    them for a clerk role not tied to one center."""
    roles = [r for r in permissions.active_roles(account) if r.role == Role.CLERK]
    if getattr(account, "is_superuser", False) or any(r.center_id is None for r in roles):
        return list(ServiceCenter.objects.all())
    return list(ServiceCenter.objects.filter(pk__in={r.center_id for r in roles}))


# --- the kiosk ------------------------------------------------------------------------


def _holder_codes(case: Case) -> set[str]:
    """Resident IDs that may look a case up: its person, an organisation's legal
    representative, and whoever filed it (a grandmother for her grandson)."""
    codes = set()
    for subject in (case.subject, case.filing.subject):
        concrete = subject.concrete()
        if isinstance(concrete, Organisation):
            concrete = concrete.legal_representative
        codes.add(concrete.code)
    return codes


def case_for_holder(case_no: str, resident_id: str) -> Case:
    """The case, when the resident ID is its holder's. A wrong number and a wrong ID get the
    same answer, so neither can be probed on its own."""
    code = normalise_resident_id(resident_id)
    case = (
        Case.objects.select_related("version", "subject", "filing__subject")
        .filter(case_no=(case_no or "").strip())
        .first()
    )
    if case is None or code not in _holder_codes(case):
        raise NotFound("case_holder_mismatch", _("办件编号或身份证号不正确，请核对后重试。"))
    return case


def kiosk_applicable_versions() -> QuerySet[ItemVersion]:
    """Versions in force simple enough for self-service: instant items applied for online at
    depth Ⅲ or Ⅳ whose every needed material can come from the material locker."""
    fixed_material = MaterialSpec.objects.filter(version=OuterRef("pk"), reusable=False).exclude(
        necessity=MaterialSpec.Necessity.OPTIONAL
    )
    return versions_in_force().filter(
        ~Exists(fixed_material),
        handling_type=HandlingType.INSTANT,
        online_depth__gte=OnlineDepth.ONLINE_ACCEPT,
    )


def kiosk_applicable(version: ItemVersion) -> bool:
    return kiosk_applicable_versions().filter(pk=version.pk).exists()


def _needed(specs: Iterable[MaterialSpec]) -> list[MaterialSpec]:
    return [m for m in specs if m.necessity != MaterialSpec.Necessity.OPTIONAL]


def kiosk_missing_materials(
    subject: Subject, version: ItemVersion, on: dt.date | None = None
) -> list[MaterialSpec]:
    """Needed materials the subject's locker cannot answer (none: the kiosk may file)."""
    rows = locker_prefill(subject, version, on=on)
    return _needed(r.spec for r in rows if not r.reused)


# --- supervision ------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingStats:
    """One center's day: tickets issued and called, and how long people waited to be called."""

    center_code: str
    center_name: str
    day: dt.date
    issued: int
    called: int
    no_shows: int
    average_seconds: float | None
    p90_seconds: float | None
    max_seconds: float | None

    @property
    def average_minutes(self) -> float | None:
        return _minutes(self.average_seconds)

    @property
    def p90_minutes(self) -> float | None:
        return _minutes(self.p90_seconds)

    @property
    def max_minutes(self) -> float | None:
        return _minutes(self.max_seconds)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending, non-empty list."""
    return ordered[math.ceil(share * len(ordered)) - 1]


def _day_stats(code: str, name: str, day: dt.date, rows: list[tuple]) -> WaitingStats:
    waits = sorted(
        (called - issued).total_seconds() for _s, issued, called in rows if called is not None
    )
    return WaitingStats(
        center_code=code,
        center_name=name,
        day=day,
        issued=len(rows),
        called=len(waits),
        no_shows=sum(status == QueueTicket.Status.NO_SHOW for status, _i, _c in rows),
        average_seconds=sum(waits) / len(waits) if waits else None,
        p90_seconds=_percentile(waits, 0.9) if waits else None,
        max_seconds=waits[-1] if waits else None,
    )


def waiting_time_stats(
    date_from: dt.date, date_to: dt.date, center: ServiceCenter | str | None = None
) -> list[WaitingStats]:
    """Waiting time (first call minus issue) per center and day, both dates included;
    `center` is a center or its code. Tickets never called count as issued only."""
    if date_from > date_to:
        raise InvalidInput("bad_period", _("开始日期不能晚于结束日期。"), field="from")
    if (date_to - date_from).days >= MAX_STATS_DAYS:
        raise InvalidInput("period_too_long", _("统计期间不能超过一年。"), field="from")
    tickets = QueueTicket.objects.filter(day__range=(date_from, date_to))
    if isinstance(center, ServiceCenter):
        tickets = tickets.filter(center=center)
    elif center:
        tickets = tickets.filter(center__code=center)
    rows = tickets.order_by("center__code", "day").values_list(
        "center__code", "center__name", "day", "status", "issued_at", "called_at"
    )
    return [
        _day_stats(code, name, day, [row[3:] for row in group])
        for (code, name, day), group in groupby(rows.iterator(), key=lambda r: r[:3])
    ]

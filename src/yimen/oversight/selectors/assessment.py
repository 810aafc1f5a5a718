"""Internal assessment (内部考评): a monthly score per department and per staff member.

The score is `RULE` applied to what happened in the month; the rule is data, and every
page that shows a score shows the rule and each term's count beside it.

What counts, and for whom:
- a rating (not overturned on appeal) counts for every department and staff member who
  handled the case (`case_handlers`); so does a case that missed its deadline that month;
- a second correction notice counts for the case's department and the clerk who issued it;
  an application accepted after the intake limit (deemed accepted) for the case's department
  and the clerk who accepted it (or the case's first-contact owner);
- a complaint found to be founded counts for the department it was routed to and the staff
  member complained about.
"""

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.cases.models import Case, CaseEvent, CorrectionNotice
from yimen.catalog.models import Department
from yimen.errors import InvalidInput, PermissionDenied
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.ratings import BAD_LEVELS, Rating, Satisfaction
from yimen.oversight.selectors.months import local_midnight, month_start
from yimen.oversight.selectors.ratings import case_handlers, is_supervisor
from yimen.subjects.models import Account

# The intake actions whose event records whether the application was deemed accepted.
INTAKE_ACTIONS = ("accept", "accept_pending", "deem_accepted")


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    points: int  # per occurrence
    cap: int | None = None  # the most the term may add or take away in a month

    def apply(self, count: int) -> int:
        points = count * self.points
        return points if self.cap is None else max(-self.cap, min(self.cap, points))

    @property
    def rule_text(self) -> str:
        text = _("每次 %(p)+d 分") % {"p": self.points}
        if self.cap is None:
            return text
        return text + _("，每月合计不超过 %(c)d 分") % {"c": self.cap}


@dataclass(frozen=True)
class ScoreRule:
    base: int
    terms: tuple[Term, ...]


RULE = ScoreRule(
    base=100,
    terms=(
        Term("bad_rating", gettext_lazy("差评（申诉成立的不计）"), -5),
        Term("overdue_case", gettext_lazy("逾期办件"), -2),
        Term("violation", gettext_lazy("违规（再次补正告知、逾期视为受理）"), -3),
        Term("upheld_complaint", gettext_lazy("属实投诉"), -2),
        Term("very_satisfied", gettext_lazy("非常满意评价"), +1, cap=10),
    ),
)


@dataclass(frozen=True)
class Line:
    term: Term
    count: int
    points: int


@dataclass(frozen=True)
class Score:
    name: str
    ref: str  # a department's code, a staff member's 工号 (username)
    lines: list[Line]
    total: int


def score(name: str, ref: str, counts: Counter, rule: ScoreRule = RULE) -> Score:
    lines = [Line(t, counts.get(t.key, 0), t.apply(counts.get(t.key, 0))) for t in rule.terms]
    return Score(name, ref, lines, rule.base + sum(line.points for line in lines))


def _counters() -> defaultdict:
    return defaultdict(Counter)


@dataclass
class Tally:
    """Counts per term, per department id and per staff account id."""

    departments: defaultdict = field(default_factory=_counters)
    staff: defaultdict = field(default_factory=_counters)

    def add(self, key: str, departments, staff) -> None:
        for department_id in set(departments) - {None}:
            self.departments[department_id][key] += 1
        for account_id in set(staff) - {None}:
            self.staff[account_id][key] += 1


@dataclass(frozen=True)
class Assessment:
    month: dt.date
    rule: ScoreRule
    departments: list[Score]
    staff: list[Score]


def parse_month(text: str | None, today: dt.date | None = None) -> dt.date:
    """'YYYY-MM' as the month's first day; this month when not given."""
    if not text:
        return month_start(today or timezone.localdate())
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput("invalid_month", _("月份格式应为“年-月”，例如 2025-09。"), field="month")
    return dt.date(int(match[1]), int(match[2]), 1)


def ensure_may_assess(account: Account) -> None:
    if not is_supervisor(account):
        raise PermissionDenied("forbidden", _("只有监督人员可以查看内部考评。"))


def assessment(account: Account, month: dt.date, today: dt.date | None = None) -> Assessment:
    ensure_may_assess(account)
    return month_assessment(month, today)


def month_assessment(month: dt.date, today: dt.date | None = None) -> Assessment:
    today = today or timezone.localdate()
    start, end = local_midnight(month), local_midnight(month_start(month, -1))
    tally = Tally()
    _count_ratings(tally, start, end)
    _count_overdue_cases(tally, month, month_start(month, -1), today)
    _count_violations(tally, start, end)
    _count_complaints(tally, start, end)
    departments = [
        score(d.name, d.code, tally.departments.get(d.pk, Counter()))
        for d in Department.objects.all()
    ]
    accounts = Account.objects.in_bulk(list(tally.staff))
    staff = sorted(
        (
            score(str(accounts[pk]), accounts[pk].username, counts)
            for pk, counts in tally.staff.items()
        ),
        key=lambda s: (s.total, s.name, s.ref),
    )
    return Assessment(month, RULE, departments, staff)


def _count_ratings(tally: Tally, start: dt.datetime, end: dt.datetime) -> None:
    counted = Q(level__in=BAD_LEVELS) | Q(level=Satisfaction.VERY_SATISFIED)
    ratings = Rating.objects.counted().filter(counted, rated_at__gte=start, rated_at__lt=end)
    keys = {
        pk: "bad_rating" if level in BAD_LEVELS else "very_satisfied"
        for pk, level in ratings.values_list("pk", "level")
    }
    departments, staff = defaultdict(set), defaultdict(set)
    through = Rating.departments.through.objects.filter(rating_id__in=list(keys))
    for rating_id, department_id in through.values_list("rating_id", "department_id"):
        departments[rating_id].add(department_id)
    through = Rating.staff.through.objects.filter(rating_id__in=list(keys))
    for rating_id, account_id in through.values_list("rating_id", "account_id"):
        staff[rating_id].add(account_id)
    for rating_id, key in keys.items():
        tally.add(key, departments[rating_id], staff[rating_id])


def _count_overdue_cases(tally: Tally, first: dt.date, after: dt.date, today: dt.date) -> None:
    """Cases due this month (up to yesterday) not completed by their deadline."""
    due = Case.objects.filter(deadline__gte=first, deadline__lt=min(after, today))
    late = [
        pk
        for pk, deadline, completed_at in due.values_list("pk", "deadline", "completed_at")
        if completed_at is None or timezone.localdate(completed_at) > deadline
    ]
    for handlers in case_handlers(late).values():
        tally.add("overdue_case", handlers.departments, handlers.staff)


def _count_violations(tally: Tally, start: dt.datetime, end: dt.datetime) -> None:
    notices = CorrectionNotice.objects.filter(
        is_violation=True, issued_at__gte=start, issued_at__lt=end
    )
    for department_id, clerk_id in notices.values_list("case__department_id", "issued_by_id"):
        tally.add("violation", [department_id], [clerk_id])
    late_intakes = CaseEvent.objects.filter(
        action__in=INTAKE_ACTIONS, data__deemed=True, at__gte=start, at__lt=end
    )
    for department_id, actor_id, owner_id in late_intakes.values_list(
        "case__department_id", "actor_id", "case__owner_id"
    ):
        tally.add("violation", [department_id], [actor_id or owner_id])


def _count_complaints(tally: Tally, start: dt.datetime, end: dt.datetime) -> None:
    founded = Complaint.objects.filter(founded=True, answered_at__gte=start, answered_at__lt=end)
    for department_id, staff_id in founded.values_list("department_id", "staff_id"):
        tally.add("upheld_complaint", [department_id], [staff_id])

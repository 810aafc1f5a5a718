"""Reads of ratings: who handled a case, who may rate it, rectifications and their warnings,
the staff lists, and the public satisfaction figures."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.clocks import WarningLevel
from yimen.cases.models import Case, CaseEvent, Task
from yimen.cases.selectors import case_by_no
from yimen.cases.states import TERMINAL
from yimen.catalog.models import Department, ItemVersion, Role, VersionStatus
from yimen.errors import IllegalAction, NotFound, PermissionDenied
from yimen.oversight.models.ratings import (
    BAD_LEVELS,
    GOOD_LEVELS,
    Rating,
    RatingAppeal,
    RatingInvite,
    Rectification,
    Satisfaction,
)
from yimen.oversight.selectors.months import local_midnight, month_start
from yimen.subjects import permissions
from yimen.subjects.models import Account
from yimen.subjects.selectors import subjects_acting_for
from yimen.worktime.calendar import workdays_between
from yimen.worktime.selectors import get_calendar

# Working days each rectification step may take; YIMEN_RECTIFICATION_DAYS overrides any.
STEP_DAYS = {"verify": 1, "rectify": 5, "follow_up": 2, "close": 1}
# Department staff: they rectify, appeal and answer complaints for their department.
DEPARTMENT_ROLES = frozenset({Role.APPROVER, Role.REVIEWER, Role.INSPECTOR})
RATING_LINK_SALT = "yimen.oversight.rating-link"
RECTIFIED_OUTCOMES = (Rectification.Outcome.RECTIFIED, Rectification.Outcome.EXPLAINED)


def step_days(step: str) -> int:
    return int(getattr(settings, "YIMEN_RECTIFICATION_DAYS", {}).get(step, STEP_DAYS[step]))


def red_after_days() -> int:
    """A late step turns from yellow to red after this many working days past its deadline."""
    return settings.YIMEN_RECTIFICATION_RED_AFTER_DAYS


def link_max_age_days() -> int:
    return settings.YIMEN_RATING_LINK_DAYS


# --- who handled a case, who may rate it ------------------------------------------------


@dataclass(frozen=True)
class Handlers:
    departments: frozenset[int]
    staff: frozenset[int]


def case_handlers(case_ids: Iterable[int]) -> dict[int, Handlers]:
    """Who handled each case: its lead department and every department given one of its
    tasks; its first-contact owner, the staff who did its tasks, and every staff member
    who acted on it (intake, decision, delivery)."""
    ids = list(case_ids)
    departments, staff = defaultdict(set), defaultdict(set)
    for case_id, department_id, owner_id in Case.objects.filter(pk__in=ids).values_list(
        "pk", "department_id", "owner_id"
    ):
        departments[case_id].add(department_id)
        staff[case_id].add(owner_id)
    for case_id, department_id, done_by_id in Task.objects.filter(case_id__in=ids).values_list(
        "case_id", "department_id", "done_by_id"
    ):
        departments[case_id].add(department_id)
        staff[case_id].add(done_by_id)
    actors = CaseEvent.objects.filter(case_id__in=ids, actor__staff_roles__isnull=False)
    for case_id, actor_id in actors.values_list("case_id", "actor_id").distinct():
        staff[case_id].add(actor_id)
    return {
        case_id: Handlers(frozenset(departments[case_id]), frozenset(staff[case_id] - {None}))
        for case_id in ids
    }


def acts_for_applicant(account: Account, case: Case) -> bool:
    """The applicant or someone they authorised: the people who may rate the case."""
    return case.subject_id in {s.pk for s in subjects_acting_for(account)}


def case_for_rater(account: Account, case_no: str) -> Case:
    case = case_by_no(case_no)
    if not acts_for_applicant(account, case):
        raise NotFound("case_not_found", _("未找到办件 %(n)s。") % {"n": case_no})
    return case


def account_rater_key(account: Account) -> str:
    return f"account:{account.pk}"


def rating_by(case: Case, rater_key: str) -> Rating | None:
    return Rating.objects.filter(case=case, rater_key=rater_key).first()


def invite_for_token(token: str) -> RatingInvite:
    """The invite a rating link stands for, if it is genuine, fresh and not yet used."""
    try:
        invite_id = signing.loads(
            token, salt=RATING_LINK_SALT, max_age=dt.timedelta(days=link_max_age_days())
        )
    except signing.SignatureExpired as expired:
        raise IllegalAction(
            "link_expired", _("评价链接已过期，您可以登录后在“我的办件”中评价。")
        ) from expired
    except signing.BadSignature as bad:
        raise NotFound("link_invalid", _("评价链接无效，请核对短信中的链接。")) from bad
    invite = RatingInvite.objects.select_related("case", "case__version").filter(pk=invite_id)
    invite = invite.first()
    if invite is None:
        raise NotFound("link_invalid", _("评价链接无效，请核对短信中的链接。"))
    if invite.used_at is not None:
        raise IllegalAction("link_used", _("该评价链接已使用过，每个办件只能评价一次。"))
    return invite


# --- staff access -----------------------------------------------------------------------


def is_supervisor(account: Account) -> bool:
    return permissions.can(account, "oversight.supervise")


def serves_department(account: Account, department_id: int | None) -> bool:
    """Approvers, reviewers and inspectors of the department (a role without a department
    serves every one)."""
    if getattr(account, "is_superuser", False) and account.is_active:
        return True
    return any(
        role.role in DEPARTMENT_ROLES and role.department_id in (None, department_id)
        for role in permissions.active_roles(account)
    )


def visible_departments(account: Account) -> list[int] | None:
    """The departments whose ratings and complaints the account sees; None for all of them."""
    if is_supervisor(account):
        return None
    roles = [r for r in permissions.active_roles(account) if r.role in DEPARTMENT_ROLES]
    if not roles:
        raise PermissionDenied("forbidden", _("您没有查看评价与投诉的权限。"))
    if any(r.department_id is None for r in roles):
        return None
    return [r.department_id for r in roles]


def rating_with_parts(rating_id: int) -> Rating:
    """A rating with its case, rectification, appeal and departments, as read now."""
    return (
        Rating.objects.select_related("case", "rectification", "appeal")
        .prefetch_related("departments")
        .get(pk=rating_id)
    )


def ratings_for_staff(
    account: Account, *, bad_only: bool = False, before_id: int | None = None, limit: int = 50
) -> list[Rating]:
    """Ratings of the account's departments, newest first (keyset by id)."""
    ratings = Rating.objects.all()
    departments = visible_departments(account)
    if departments is not None:
        ratings = ratings.filter(departments__in=departments).distinct()
    if bad_only:
        ratings = ratings.bad()
    if before_id:
        ratings = ratings.filter(pk__lt=before_id)
    ratings = ratings.select_related("case", "case__version", "rectification", "appeal")
    return list(ratings.prefetch_related("departments").order_by("-pk")[: max(1, min(limit, 200))])


# --- rectification warnings ---------------------------------------------------------------


def step_warning(
    rectification: Rectification, today: dt.date | None = None, calendar=None
) -> WarningLevel | None:
    """None once closed; normal until the step's deadline; then yellow, and red when it is
    more than `red_after_days` working days late."""
    if not rectification.is_open or rectification.step_due is None:
        return None
    today = today or timezone.localdate()
    if today <= rectification.step_due:
        return WarningLevel.NORMAL
    late = workdays_between(rectification.step_due, today, calendar or get_calendar())
    return WarningLevel.RED if late > red_after_days() else WarningLevel.YELLOW


@dataclass(frozen=True)
class RectificationRow:
    rectification: Rectification
    rating: Rating
    warning: WarningLevel | None


def _visible_rectifications(account: Account | None) -> QuerySet:
    found = Rectification.objects.select_related(
        "rating", "rating__case", "rating__case__version", "rating__appeal", "department"
    )
    departments = None if account is None else visible_departments(account)
    return found if departments is None else found.filter(department_id__in=departments)


def rectification_rows(
    account: Account | None, *, late_only: bool = False, today=None
) -> list[RectificationRow]:
    """Bad ratings and their rectification: open ones by deadline, then the latest closed.
    `account` None: all of them."""
    today, calendar = today or timezone.localdate(), get_calendar()
    found = _visible_rectifications(account)
    if late_only:
        found = found.exclude(step=Rectification.Step.CLOSED).filter(step_due__lt=today)
    found = found.order_by(F("closed_at").desc(nulls_first=True), "step_due", "-pk")[:300]
    return [RectificationRow(r, r.rating, step_warning(r, today, calendar)) for r in found]


def overdue_steps(account: Account | None = None, today=None) -> list[RectificationRow]:
    """Rectification steps past their deadline, each yellow or red."""
    return rectification_rows(account, late_only=True, today=today)


def appeal_of(rating_id: int) -> RatingAppeal:
    appeal = RatingAppeal.objects.filter(rating_id=rating_id).first()
    if appeal is None:
        raise NotFound("appeal_not_found", _("该差评没有申诉。"))
    return appeal


def rectification_for_staff(account: Account, rating_id: int) -> Rectification:
    found = _visible_rectifications(account).filter(rating_id=rating_id).first()
    if found is None:
        raise NotFound("rectification_not_found", _("未找到该差评整改记录。"))
    return found


# --- public figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One row of the satisfaction table: counts by level, the satisfied share, and the
    share of bad ratings rectified or explained."""

    label: str
    counts: dict[int, int]
    bad_rectified: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def level_counts(self) -> list[int]:
        return [self.counts.get(level, 0) for level in Satisfaction.values]

    @property
    def satisfied(self) -> int:
        return sum(self.counts.get(level, 0) for level in GOOD_LEVELS)

    @property
    def bad(self) -> int:
        return sum(self.counts.get(level, 0) for level in BAD_LEVELS)

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.total, 1) if self.total else None

    @property
    def rectified_rate(self) -> float | None:
        return round(100 * self.bad_rectified / self.bad, 1) if self.bad else None


@dataclass(frozen=True)
class SatisfactionReport:
    first_month: dt.date
    last_month: dt.date
    overall: Figures
    by_month: list[Figures]
    by_department: list[Figures]
    by_item: list[Figures]


def _aggregates() -> dict:
    counts = {f"level_{level}": Count("pk", filter=Q(level=level)) for level in Satisfaction}
    rectified = Q(level__in=BAD_LEVELS, rectification__outcome__in=RECTIFIED_OUTCOMES)
    return {**counts, "bad_rectified": Count("pk", filter=rectified)}


def _figures(label: str, row: dict | None) -> Figures:
    row = row or {}
    counts = {level.value: row.get(f"level_{level}", 0) for level in Satisfaction}
    return Figures(label, counts, row.get("bad_rectified", 0))


def satisfaction_report(months: int = 12, today: dt.date | None = None) -> SatisfactionReport:
    """Counted ratings of the last `months` months (this one included)."""
    today = today or timezone.localdate()
    months = max(1, min(months, 36))
    first, last = month_start(today, months - 1), month_start(today)
    ratings = Rating.objects.counted().filter(
        rated_at__gte=local_midnight(first),
        rated_at__lt=local_midnight(month_start(today, -1)),
    )
    aggregates = _aggregates()
    overall = _figures(_("全部"), ratings.aggregate(**aggregates))
    months_found = ratings.annotate(
        month=TruncMonth("rated_at", tzinfo=timezone.get_default_timezone())
    )
    per_month = {
        timezone.localdate(row["month"]): row
        for row in months_found.values("month").annotate(**aggregates)
    }
    by_month = [
        _figures(f"{m:%Y-%m}", per_month.get(m))
        for m in (month_start(last, back) for back in reversed(range(months)))
    ]
    return SatisfactionReport(
        first, last, overall, by_month, _by_department(ratings), _by_item(ratings)
    )


def _by_department(ratings: QuerySet) -> list[Figures]:
    rows = ratings.values("departments").annotate(**_aggregates()).order_by("departments")
    names = dict(Department.objects.values_list("pk", "name"))
    found = [_figures(names.get(row["departments"], "—"), row) for row in rows]
    return sorted(found, key=lambda f: (-f.total, f.label))


def _by_item(ratings: QuerySet) -> list[Figures]:
    rows = list(ratings.values("item").annotate(**_aggregates()).order_by("item"))
    names = dict(
        ItemVersion.objects.filter(item_id__in=[row["item"] for row in rows])
        .exclude(status=VersionStatus.DRAFT)
        .order_by("item_id", "number")
        .values_list("item_id", "name")
    )
    found = [_figures(names.get(row["item"], "—"), row) for row in rows]
    return sorted(found, key=lambda f: (-f.total, f.label))


def cases_to_rate(account, limit: int = 100) -> list[Case]:
    """Finished cases of every subject the account acts for that it has not rated, newest
    first, however many newer cases it has."""
    subjects = [s.pk for s in subjects_acting_for(account)]
    rated = Rating.objects.filter(case=OuterRef("pk"), rater_key=account_rater_key(account))
    return list(
        Case.objects.filter(subject_id__in=subjects, state__in=TERMINAL)
        .exclude(Exists(rated))
        .select_related("version", "subject")
        .order_by("-received_at", "-pk")[:limit]
    )


def ratings_given(account, limit: int = 100) -> list[Rating]:
    """The ratings the account gave, signed in or through an SMS link, newest first."""
    return list(
        Rating.objects.filter(rater_key=account_rater_key(account))
        .select_related("case", "case__version")
        .order_by("-rated_at", "-pk")[:limit]
    )

"""Every write of ratings: rating a finished case (signed in or through a one-time SMS
link), the rectification steps of a bad rating, and appeals.

Each service is one transaction. A bad rating opens its rectification in the same
transaction; each step is due a number of working days after the step before it.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.cases import services as case_services
from yimen.cases.models import Case
from yimen.cases.states import TERMINAL
from yimen.errors import IllegalAction, InvalidInput, NotFound, PermissionDenied
from yimen.oversight.models.ratings import (
    BAD_LEVELS,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingInvite,
    RatingTag,
    Rectification,
    RectificationStep,
    Satisfaction,
)
from yimen.oversight.selectors import ratings as selectors
from yimen.oversight.services.stats import stats_record_overturned
from yimen.subjects import sms
from yimen.subjects.models import Account, Organisation
from yimen.worktime.calendar import add_workdays
from yimen.worktime.selectors import get_calendar

logger = logging.getLogger(__name__)

Step = Rectification.Step
Action = RectificationStep.Action
COMMENT_MAX = 1000
# What each step action does: the step it must be in, and the step it leads to.
STEP_FLOW = {
    Action.VERIFY: (Step.VERIFY, Step.RECTIFY),
    Action.RECTIFY: (Step.RECTIFY, Step.FOLLOW_UP),
    Action.EXPLAIN: (Step.RECTIFY, Step.FOLLOW_UP),
    Action.FOLLOW_UP: (Step.FOLLOW_UP, Step.CLOSE),
    Action.CLOSE: (Step.CLOSE, Step.CLOSED),
}
STEP_NOTE_REQUIRED = {
    Action.VERIFY: gettext_lazy("请填写核实情况。"),
    Action.RECTIFY: gettext_lazy("请填写整改措施。"),
    Action.EXPLAIN: gettext_lazy("请填写向评价人所作的解释说明。"),
    Action.FOLLOW_UP: gettext_lazy("请填写回访情况。"),
    Action.CLOSE: gettext_lazy("请填写审核意见。"),
}


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def checked_text(value: str, field: str, max_length: int = COMMENT_MAX) -> str:
    """Optional text, stripped; refused (not cut) when too long."""
    value = (value or "").strip()
    if len(value) > max_length:
        raise InvalidInput(
            f"{field}_too_long", _("内容不能超过%(n)s个字。") % {"n": max_length}, field=field
        )
    return value


def required_text(value: str, field: str, message, max_length: int = COMMENT_MAX) -> str:
    value = checked_text(value, field, max_length)
    if not value:
        raise InvalidInput(f"{field}_required", message, field=field)
    return value


def _due(day: dt.date, step: str) -> dt.date:
    return add_workdays(day, selectors.step_days(step), get_calendar()).date


# --- rating -----------------------------------------------------------------------------


def _checked_rating(level, channel: str, tags, comment: str) -> tuple[int, list[str], str]:
    if level not in Satisfaction.values:
        raise InvalidInput(
            "invalid_level", _("请选择评价等级（非常满意至非常不满意）。"), field="level"
        )
    if channel not in RatingChannel.values:
        raise InvalidInput("invalid_channel", _("评价渠道无效。"), field="channel")
    tags = list(dict.fromkeys(tags or ()))
    unknown = [t for t in tags if t not in RatingTag.values]
    if unknown:
        raise InvalidInput(
            "invalid_tags", _("评价原因“%(t)s”无效。") % {"t": "、".join(unknown)}, field="tags"
        )
    comment = checked_text(comment, "comment")
    if level in BAD_LEVELS and not (tags or comment):
        raise InvalidInput(
            "reason_required",
            _("选择“不满意”或“非常不满意”时，请勾选或填写原因，以便我们整改。"),
            field="comment",
        )
    return level, tags, comment


def _require_finished(case: Case) -> None:
    if case.state not in TERMINAL:
        raise IllegalAction(
            "case_not_finished",
            _("办件%(n)s当前状态为“%(s)s”，办结后才能评价。")
            % {"n": case.case_no, "s": case.get_state_display()},
        )


def _already_rated() -> IllegalAction:
    return IllegalAction("already_rated", _("您已评价过该办件，每个办件只能评价一次。"))


def _record(case: Case, rater_key: str, fields: dict, now: dt.datetime) -> Rating:
    """Save the rating with whom it is attributed to; a bad one opens its rectification."""
    _require_finished(case)
    if selectors.rating_by(case, rater_key):
        raise _already_rated()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case, item_id=case.version.item_id, rater_key=rater_key, rated_at=now, **fields
            )
    except IntegrityError as clash:
        raise _already_rated() from clash
    handlers = selectors.case_handlers([case.pk])[case.pk]
    rating.departments.set(handlers.departments)
    rating.staff.set(handlers.staff)
    if rating.is_bad:
        Rectification.objects.create(
            rating=rating,
            department_id=case.department_id,
            step_due=_due(timezone.localdate(now), Step.VERIFY),
            opened_at=now,
        )
    return rating


def rating_submit(
    *,
    case: Case,
    rater: Account,
    level: int,
    channel: str,
    tags=(),
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """The applicant (or their agent) rates a finished case, once."""
    now = _now(now)
    level, tags, comment = _checked_rating(level, channel, tags, comment)
    if not selectors.acts_for_applicant(rater, case):
        raise NotFound("case_not_found", _("未找到办件 %(n)s。") % {"n": case.case_no})
    fields = {"rater": rater, "level": level, "channel": channel, "tags": tags, "comment": comment}
    with transaction.atomic():
        case = case_services.lock_case(case.pk)
        return _record(case, selectors.account_rater_key(rater), fields, now)


def _link_rater(invite: RatingInvite) -> tuple[Account | None, str]:
    """Whoever holds the invited phone: their account if they have one, else the phone."""
    account = Account.objects.filter(phone=invite.phone).first()
    if account is not None:
        return account, selectors.account_rater_key(account)
    return None, f"phone:{invite.phone}"


def rating_submit_by_link(
    *, token: str, level: int, tags=(), comment: str = "", now: dt.datetime | None = None
) -> Rating:
    """Rate through the one-time link of an SMS; no sign-in. The link works once."""
    now = _now(now)
    level, tags, comment = _checked_rating(level, RatingChannel.SMS, tags, comment)
    with transaction.atomic():
        invite = selectors.invite_for_token(token)
        invite = RatingInvite.objects.select_for_update().get(pk=invite.pk)
        if invite.used_at is not None:
            raise IllegalAction("link_used", _("该评价链接已使用过，每个办件只能评价一次。"))
        case = case_services.lock_case(invite.case_id)
        rater, rater_key = _link_rater(invite)
        fields = {
            "rater": rater,
            "rater_phone": invite.phone,
            "level": level,
            "channel": RatingChannel.SMS,
            "tags": tags,
            "comment": comment,
        }
        rating = _record(case, rater_key, fields, now)
        invite.used_at = now
        invite.save(update_fields=["used_at"])
    return rating


def _applicant_phone(case: Case) -> str:
    subject = case.subject.concrete()
    person = subject.legal_representative if isinstance(subject, Organisation) else subject
    return person.phone or (person.account.phone if person.account_id else "") or ""


def rating_link_token(invite: RatingInvite) -> str:
    return signing.dumps(invite.pk, salt=selectors.RATING_LINK_SALT)


def rating_invite_send(*, case_id: int, now: dt.datetime | None = None) -> RatingInvite | None:
    """Text the applicant a one-time rating link for their finished case. Nothing is sent
    when no SMS gateway is set up or the applicant left no phone number."""
    case = Case.objects.select_related("subject", "version").get(pk=case_id)
    phone = _applicant_phone(case)
    if not phone or not settings.YIMEN_SMS_BACKEND:
        logger.info("No rating invite for case %s: no phone or no SMS gateway", case.case_no)
        return None
    invite = RatingInvite.objects.create(case=case, phone=phone, sent_at=_now(now))
    link = f"{settings.YIMEN_PUBLIC_URL.rstrip('/')}/r/{rating_link_token(invite)}/"
    text = _("您的办件%(n)s（%(i)s）已办结，欢迎评价本次服务：%(l)s") % {
        "n": case.case_no,
        "i": case.version.name,
        "l": link,
    }
    sms.get_backend().send(phone, text)
    return invite


# --- rectification --------------------------------------------------------------------


def _ensure_may_act(actor: Account, rectification: Rectification, action: str) -> None:
    if action == Action.CLOSE:
        allowed = selectors.is_supervisor(actor)
    else:
        allowed = selectors.serves_department(actor, rectification.department_id)
    if not allowed:
        raise PermissionDenied("forbidden", _("您没有办理该整改环节的权限。"))


def _lock_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update().select_related("rating").get(pk=rectification.pk)
    )


def rectification_act(
    *,
    rectification: Rectification,
    actor: Account,
    action: str,
    note: str,
    rater_satisfied: bool | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Do the current step: verify, rectify or explain, follow up with the rater (recording
    whether they are satisfied), close. The next step's deadline starts today."""
    now = _now(now)
    if action not in STEP_FLOW:
        raise InvalidInput("invalid_action", _("未知的整改环节。"), field="action")
    _ensure_may_act(actor, rectification, action)
    note = required_text(note, "note", STEP_NOTE_REQUIRED[action])
    with transaction.atomic():
        rectification = _lock_rectification(rectification)
        expected, following = STEP_FLOW[action]
        if rectification.step != expected:
            raise IllegalAction(
                "wrong_step",
                _("该整改当前处于“%(s)s”环节，不能办理“%(a)s”。")
                % {"s": rectification.get_step_display(), "a": Action(action).label},
            )
        if action == Action.FOLLOW_UP and rater_satisfied is None:
            raise InvalidInput(
                "rater_satisfied_required",
                _("请记录评价人对整改是否满意。"),
                field="rater_satisfied",
            )
        RectificationStep.objects.create(
            rectification=rectification,
            action=action,
            due_on=rectification.step_due,
            done_at=now,
            done_by=actor,
            note=note,
        )
        _advance(rectification, action, following, rater_satisfied, now)
    return rectification


def _advance(rectification, action, following, rater_satisfied, now) -> None:
    if action == Action.RECTIFY:
        rectification.outcome = Rectification.Outcome.RECTIFIED
    elif action == Action.EXPLAIN:
        rectification.outcome = Rectification.Outcome.EXPLAINED
    elif action == Action.FOLLOW_UP:
        rectification.rater_satisfied = rater_satisfied
    rectification.step = following
    if following == Step.CLOSED:
        rectification.step_due, rectification.closed_at = None, now
    else:
        rectification.step_due = _due(timezone.localdate(now), following)
    rectification.save()


# --- appeals ----------------------------------------------------------------------------


def rating_appeal(
    *, rating: Rating, actor: Account, kind: str, reason: str, now: dt.datetime | None = None
) -> RatingAppeal:
    """申诉复核: the responsible department contests a bad rating as mistaken or malicious,
    once, while its rectification is open."""
    now = _now(now)
    if kind not in RatingAppeal.Kind.values:
        raise InvalidInput("invalid_kind", _("请选择申诉类型（误评或恶意差评）。"), field="kind")
    reason = required_text(reason, "reason", _("请写明申诉理由。"))
    with transaction.atomic():
        rectification = Rectification.objects.select_for_update().filter(rating=rating).first()
        if rectification is None:
            raise IllegalAction("not_appealable", _("只有差评可以申诉。"))
        if not selectors.serves_department(actor, rectification.department_id):
            raise PermissionDenied("forbidden", _("只有责任部门可以对该差评申诉。"))
        if not rectification.is_open:
            raise IllegalAction("rectification_closed", _("整改已办结，不能再申诉。"))
        if RatingAppeal.objects.filter(rating=rating).exists():
            raise IllegalAction("already_appealed", _("该差评已申诉过，每条差评只能申诉一次。"))
        return RatingAppeal.objects.create(
            rating=rating, kind=kind, reason=reason, filed_by=actor, filed_at=now
        )


def rating_appeal_decide(
    *,
    appeal: RatingAppeal,
    supervisor: Account,
    upheld: bool,
    note: str,
    now: dt.datetime | None = None,
) -> RatingAppeal:
    """A supervisor decides. Upheld: the rating stays visible but counts nowhere, and its
    rectification closes. Refused: the rectification goes on where it stands."""
    now = _now(now)
    if not selectors.is_supervisor(supervisor):
        raise PermissionDenied("forbidden", _("只有监督人员可以复核申诉。"))
    note = required_text(note, "note", _("请填写复核意见。"))
    with transaction.atomic():
        appeal = RatingAppeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != RatingAppeal.Status.PENDING:
            raise IllegalAction("appeal_decided", _("该申诉已复核，不能重复复核。"))
        appeal.status = RatingAppeal.Status.UPHELD if upheld else RatingAppeal.Status.REFUSED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = supervisor, now, note
        appeal.save()
        if upheld:
            stats_record_overturned(appeal.rating)
            open_ones = Rectification.objects.exclude(step=Step.CLOSED)
            open_ones.filter(rating_id=appeal.rating_id).update(
                step=Step.CLOSED,
                step_due=None,
                closed_at=now,
                outcome=Rectification.Outcome.APPEAL_UPHELD,
            )
    return appeal

"""Every write of complaints: receive and route one, answer it, close it with the
complainant's response. One transaction each."""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.models import Case
from yimen.catalog.models import ServiceCenter
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.selectors import complaints as selectors
from yimen.oversight.selectors.ratings import is_supervisor, serves_department
from yimen.oversight.services.ratings import checked_text, required_text
from yimen.subjects import permissions
from yimen.subjects.models import Account
from yimen.worktime.calendar import add_workdays
from yimen.worktime.selectors import get_calendar

Target = Complaint.Target
PHONE_PATTERN = re.compile(r"[0-9][0-9\- ]{5,18}[0-9]")
TEXT_MAX = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _contact(name: str, phone: str) -> tuple[str, str]:
    phone = (phone or "").strip()
    if not PHONE_PATTERN.fullmatch(phone):
        raise InvalidInput("invalid_phone", _("请填写正确的联系电话，以便答复您。"), field="phone")
    name = (name or "").strip()
    if len(name) > 50:
        raise InvalidInput("name_too_long", _("姓名不能超过50个字。"), field="name")
    return name, phone


def _ensure_channel(channel: str, entered_by: Account | None) -> None:
    if channel not in Complaint.Channel.values:
        raise InvalidInput("invalid_channel", _("投诉渠道无效。"), field="channel")
    if channel == Complaint.Channel.PHONE and not (
        entered_by and permissions.is_staff_member(entered_by)
    ):
        raise PermissionDenied("forbidden", _("电话投诉由工作人员登记。"))


def _case_target(case_no: str) -> dict:
    case = Case.objects.filter(case_no=(case_no or "").strip()).first()
    if case is None:
        raise InvalidInput(
            "case_not_found", _("未找到该办件编号，请核对后重新填写。"), field="case_no"
        )
    return {"case": case, "department_id": case.department_id}


def _window_target(center_code: str, window: str) -> dict:
    center = ServiceCenter.objects.filter(code=center_code or "").first()
    if center is None:
        raise InvalidInput("center_required", _("请选择被投诉窗口所在的服务中心。"), field="center")
    if len(window or "") > 50:
        raise InvalidInput("window_too_long", _("窗口名称不能超过50个字。"), field="window")
    return {"center": center, "window": (window or "").strip(), "department_id": None}


def _staff_target(staff_no: str) -> dict:
    """By 工号 (the staff account's username); their department answers, else the office."""
    staff = Account.objects.filter(username=(staff_no or "").strip(), is_active=True).first()
    roles = permissions.active_roles(staff) if staff else []
    if not roles:
        raise InvalidInput(
            "staff_not_found", _("未找到该工号的工作人员，请核对后重新填写。"), field="staff_no"
        )
    department_id = next((r.department_id for r in roles if r.department_id), None)
    return {"staff": staff, "department_id": department_id}


def _route(target: str, case_no: str, center_code: str, window: str, staff_no: str) -> dict:
    if target == Target.CASE:
        return _case_target(case_no)
    if target == Target.WINDOW:
        return _window_target(center_code, window)
    if target == Target.STAFF:
        return _staff_target(staff_no)
    raise InvalidInput("invalid_target", _("请选择投诉对象。"), field="target")


def complaint_submit(
    *,
    target: str,
    content: str,
    phone: str,
    name: str = "",
    case_no: str = "",
    center_code: str = "",
    window: str = "",
    staff_no: str = "",
    channel: str = Complaint.Channel.WEB,
    account: Account | None = None,
    entered_by: Account | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Anyone complains about a case, a window or a member of staff; staff enter phone
    complaints. The complaint goes to the department of the case or staff member, else to
    the supervisor office, and is due for an answer in `answer_days` working days."""
    now = _now(now)
    _ensure_channel(channel, entered_by)
    routing = _route(target, case_no, center_code, window, staff_no)
    content = required_text(content, "content", _("请填写投诉内容。"), TEXT_MAX)
    name, phone = _contact(name, phone)
    due = add_workdays(timezone.localdate(now), selectors.answer_days(), get_calendar()).date
    with transaction.atomic():
        return Complaint.objects.create(
            target=target,
            channel=channel,
            name=name,
            phone=phone,
            account=account if account and account.is_authenticated else None,
            entered_by=entered_by,
            content=content,
            received_at=now,
            due_on=due,
            **routing,
        )


def _ensure_handles(actor: Account, complaint: Complaint) -> None:
    """The supervisor office handles every complaint; a department those routed to it."""
    routed_here = complaint.department_id is not None and serves_department(
        actor, complaint.department_id
    )
    if not (routed_here or is_supervisor(actor)):
        raise PermissionDenied("forbidden", _("该投诉不由您所在部门办理。"))


def _locked(complaint: Complaint, status: str, action) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != status:
        raise IllegalAction(
            "illegal_state",
            _("投诉当前状态为“%(s)s”，不能%(a)s。")
            % {"s": complaint.get_status_display(), "a": action},
        )
    return complaint


def complaint_answer(
    *,
    complaint: Complaint,
    actor: Account,
    answer: str,
    founded: bool | None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Answer the complainant, stating whether the complaint was founded (属实)."""
    now = _now(now)
    _ensure_handles(actor, complaint)
    answer = required_text(answer, "answer", _("请填写答复内容。"), TEXT_MAX)
    if founded is None:
        raise InvalidInput("founded_required", _("请认定投诉是否属实。"), field="founded")
    with transaction.atomic():
        complaint = _locked(complaint, Complaint.Status.OPEN, _("答复"))
        complaint.answer, complaint.founded = answer, founded
        complaint.answered_by, complaint.answered_at = actor, now
        complaint.status = Complaint.Status.ANSWERED
        complaint.save()
    return complaint


def complaint_close(
    *,
    complaint: Complaint,
    actor: Account,
    satisfied: bool | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """Close an answered complaint with the complainant's response (satisfied or not)."""
    now = _now(now)
    _ensure_handles(actor, complaint)
    if satisfied is None:
        raise InvalidInput(
            "satisfied_required", _("请记录投诉人对答复是否满意。"), field="satisfied"
        )
    note = checked_text(note, "note", TEXT_MAX)
    with transaction.atomic():
        complaint = _locked(complaint, Complaint.Status.ANSWERED, _("办结"))
        complaint.complainant_satisfied, complaint.response_note = satisfied, note
        complaint.closed_by, complaint.closed_at = actor, now
        complaint.status = Complaint.Status.CLOSED
        complaint.save()
    return complaint

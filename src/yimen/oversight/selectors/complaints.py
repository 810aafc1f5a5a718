"""Reads of complaints: the staff complaints desk with each answer's deadline warning."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases import clocks
from yimen.errors import NotFound
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.selectors.ratings import visible_departments
from yimen.subjects.models import Account
from yimen.worktime.selectors import get_calendar


def answer_days() -> int:
    """Working days a complaint may wait for its answer."""
    return settings.YIMEN_COMPLAINT_ANSWER_DAYS


def _visible(account: Account) -> QuerySet:
    """Supervisors see every complaint; department staff those routed to their departments."""
    found = Complaint.objects.select_related("case", "center", "staff", "department")
    departments = visible_departments(account)
    return found if departments is None else found.filter(department_id__in=departments)


def complaint_warning(complaint: Complaint, today: dt.date, calendar) -> clocks.WarningLevel | None:
    """Until answered: red when the answer is late, yellow on its last days."""
    if complaint.status != Complaint.Status.OPEN:
        return None
    return clocks.warning(complaint.due_on, today, settings.YIMEN_CASE_YELLOW_DAYS, calendar)


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    warning: clocks.WarningLevel | None


def complaint_desk(account: Account, status: str = "", limit: int = 200) -> list[ComplaintRow]:
    """The complaints the account handles: open ones by deadline, then the latest answered."""
    found = _visible(account)
    if status in Complaint.Status.values:
        found = found.filter(status=status)
    found = found.order_by(F("answered_at").desc(nulls_first=True), "due_on", "-pk")[:limit]
    today, calendar = timezone.localdate(), get_calendar()
    return [ComplaintRow(c, complaint_warning(c, today, calendar)) for c in found]


def complaint_for_staff(account: Account, complaint_id: int) -> ComplaintRow:
    complaint = _visible(account).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("complaint_not_found", _("未找到该投诉。"))
    return ComplaintRow(
        complaint, complaint_warning(complaint, timezone.localdate(), get_calendar())
    )

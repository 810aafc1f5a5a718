"""Reads of the approval–regulation exchange: a regulator's inbox and subscriptions, an
approver's findings queue, and the staff's view of deliveries still pending or failed.

What a viewer may see follows their roles: a regulator the notices of their
department(s), an approver the findings and deliveries of theirs, a supervisor
every delivery. A role without a department covers every department.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yimen.catalog.models import Department, Role
from yimen.errors import NotFound
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding, RegulatorSubscription
from yimen.subjects import permissions

PAGE_MAX = 100


def role_departments(account, role: str) -> set[int] | None:
    """Departments where `account` holds `role`; None means every department."""
    if getattr(account, "is_superuser", False) and account.is_active:
        return None
    roles = [r for r in permissions.active_roles(account) if r.role == role]
    if any(r.department_id is None for r in roles):
        return None
    return {r.department_id for r in roles}


def _in_departments(queryset: QuerySet, field: str, departments: set[int] | None) -> QuerySet:
    return queryset if departments is None else queryset.filter(**{f"{field}__in": departments})


def regulator_departments(account) -> list[Department]:
    departments = Department.objects.filter(is_regulator=True).order_by("sort_order", "code")
    return list(_in_departments(departments, "pk", role_departments(account, Role.REGULATOR)))


# --- the regulator's inbox --------------------------------------------------------------


def _notices(account) -> QuerySet[OutboxMessage]:
    return _in_departments(
        OutboxMessage.objects.select_related("department", "acknowledged_by"),
        "department",
        role_departments(account, Role.REGULATOR),
    )


@dataclass
class InboxPage:
    notices: list[OutboxMessage]
    next_before: str | None  # the id to pass as `before` for the next page


def inbox(
    account, *, unacknowledged: bool = False, before: str | None = None, limit: int = 50
) -> InboxPage:
    """My department's notices, newest first, a page at a time (keyset on time and id)."""
    notices = _notices(account).order_by("-created_at", "-pk")
    if unacknowledged:
        notices = notices.filter(acknowledged_at__isnull=True)
    if before:
        cursor = notice_for_regulator(account, before)
        notices = notices.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, pk__lt=cursor.pk)
        )
    limit = max(1, min(limit, PAGE_MAX))
    rows = list(notices[: limit + 1])
    more = len(rows) > limit
    return InboxPage(rows[:limit], str(rows[limit - 1].pk) if more else None)


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("notice_not_found", _("未找到该通知。")) from None


def notice_for_regulator(account, notice_id) -> OutboxMessage:
    notice = _notices(account).filter(pk=_uuid(notice_id)).first()
    if notice is None:
        raise NotFound("notice_not_found", _("未找到该通知。"))
    return notice


def notice_findings(notice: OutboxMessage) -> list[RegulatorFinding]:
    return list(notice.findings.select_related("created_by", "handled_by"))


def _subscriptions(account) -> QuerySet[RegulatorSubscription]:
    subscriptions = RegulatorSubscription.objects.filter(is_active=True).select_related(
        "department", "item"
    )
    departments = role_departments(account, Role.REGULATOR)
    return _in_departments(subscriptions, "department", departments)


def subscriptions_for(account) -> list[RegulatorSubscription]:
    return list(_subscriptions(account).order_by("department__code", "item__code"))


def subscription_for(account, pk: int) -> RegulatorSubscription:
    subscription = _subscriptions(account).filter(pk=pk).first()
    if subscription is None:
        raise NotFound("subscription_not_found", _("未找到该订阅。"))
    return subscription


# --- the approver's findings ------------------------------------------------------------


def findings_for_approver(account, *, status: str = RegulatorFinding.Status.OPEN):
    findings = RegulatorFinding.objects.filter(status=status).select_related(
        "notice", "department", "created_by", "handled_by"
    )
    departments = role_departments(account, Role.APPROVER)
    findings = _in_departments(findings, "notice__approving_department", departments)
    newest_first = status != RegulatorFinding.Status.OPEN
    return list(findings.order_by("-created_at" if newest_first else "created_at")[:PAGE_MAX])


def finding_for_approver(account, pk: int) -> RegulatorFinding:
    findings = _in_departments(
        RegulatorFinding.objects.select_related("notice"),
        "notice__approving_department",
        role_departments(account, Role.APPROVER),
    )
    finding = findings.filter(pk=pk).first()
    if finding is None:
        raise NotFound("finding_not_found", _("未找到该反馈。"))
    return finding


# --- deliveries, for staff --------------------------------------------------------------


def _staff_outbox(account) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.select_related("department")
    if permissions.can(account, "oversight.supervise"):
        return messages
    departments = role_departments(account, Role.APPROVER)
    return _in_departments(messages, "approving_department", departments)


def outbox_pending_and_failed(account) -> dict[str, list[OutboxMessage]]:
    """Deliveries that gave up (oldest first, to retry) and those still being tried."""
    messages = _staff_outbox(account)
    failed = messages.filter(status=OutboxMessage.Status.FAILED).order_by("created_at")
    pending = messages.filter(status=OutboxMessage.Status.PENDING).order_by("next_attempt_at")
    return {"failed": list(failed[:PAGE_MAX]), "pending": list(pending[:PAGE_MAX])}


def outbox_message_for_staff(account, message_id) -> OutboxMessage:
    message = _staff_outbox(account).filter(pk=_uuid(message_id)).first()
    if message is None:
        raise NotFound("notice_not_found", _("未找到该通知。"))
    return message

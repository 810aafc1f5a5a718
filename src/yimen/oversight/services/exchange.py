"""Writes of the approval–regulation exchange: subscriptions, notices (whose delivery is
queued as a background task when they are saved), acknowledgements, findings, and the
staff's retry of a delivery that gave up. How a notice is delivered:
`yimen.oversight.services.exchange_delivery`.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.catalog.models import Department, ServiceItem
from yimen.errors import IllegalAction, InvalidInput
from yimen.oversight.models.exchange import (
    OutboxMessage,
    RegulatorFinding,
    RegulatorSubscription,
)
from yimen.oversight.tasks import deliver_after_commit
from yimen.subjects import permissions

Status = OutboxMessage.Status
TEXT_MAX = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _required_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{field}_required", message, field=field)
    if len(value) > TEXT_MAX:
        raise InvalidInput(
            f"{field}_too_long", _("内容不能超过 %(n)s 个字。") % {"n": TEXT_MAX}, field=field
        )
    return value


# --- subscriptions ----------------------------------------------------------------------


def _check_webhook_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput(
            "webhook_url_invalid",
            _("推送地址无效，请填写以 http:// 或 https:// 开头的完整网址。"),
            field="webhook_url",
        ) from None
    if len(url) > RegulatorSubscription._meta.get_field("webhook_url").max_length:
        raise InvalidInput("webhook_url_invalid", _("推送地址过长。"), field="webhook_url")
    return url


def subscription_save(
    *, actor, department: Department, item_code: str, webhook_url: str = ""
) -> RegulatorSubscription:
    """Subscribe a regulator department to an item (or change its webhook); a signing key is
    made the first time a webhook is given."""
    permissions.ensure_can(actor, "regulation.receive", department)
    if not department.is_regulator:
        raise InvalidInput(
            "not_regulator", _("“%(d)s”不是监管部门。") % {"d": department.name}, field="department"
        )
    item = ServiceItem.objects.filter(code=(item_code or "").strip()).first()
    if item is None:
        raise InvalidInput(
            "item_not_found",
            _("事项编码“%(c)s”不存在。") % {"c": item_code},
            field="item_code",
        )
    url = _check_webhook_url(webhook_url)
    with transaction.atomic():
        subscription, _created = RegulatorSubscription.objects.select_for_update().get_or_create(
            department=department, item=item
        )
        subscription.webhook_url, subscription.is_active = url, True
        if url and not subscription.secret:
            subscription.secret = secrets.token_urlsafe(32)
        subscription.save()
    return subscription


def subscription_end(*, actor, subscription: RegulatorSubscription) -> RegulatorSubscription:
    """Stop new notices; those already sent stay in the inbox."""
    permissions.ensure_can(actor, "regulation.receive", subscription.department)
    RegulatorSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    subscription.is_active = False
    return subscription


# --- notices ----------------------------------------------------------------------------


def licence_payload(licence, kind: str) -> dict:
    """What a regulator is told about a licence: enough to find it, no resident ID."""
    payload = {
        "licence_no": licence.number,
        "identifier": licence.identifier,
        "title": licence.title,
        "item_code": licence.item_code,
        "item_name": licence.item_version.name,
        "holder_name": licence.holder.name,
        "holder_kind": licence.holder.kind,
        "holder_code": licence.holder.masked_code,
        "case_no": licence.case.case_no,
        "department": licence.case.department.name,
        "issued_at": licence.issued_at.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
    }
    if kind == OutboxMessage.Kind.REVOKED:
        payload["revoked_at"] = licence.revoked_at.isoformat()
        payload["revoke_reason"] = licence.revoke_reason
    return payload


def licence_notify(*, licence, kind: str, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """One notice per regulator subscribed to the licence's item, in the caller's transaction;
    those for a webhook are delivered once it commits.

    Saving the same licence event twice adds nothing: a subscription gets each notice once.
    """
    now = _now(now)
    already = OutboxMessage.objects.filter(
        subscription=OuterRef("pk"), kind=kind, licence_no=licence.number
    )
    subscriptions = RegulatorSubscription.objects.filter(
        ~Exists(already), item__code=licence.item_code, is_active=True
    )
    payload = licence_payload(licence, kind)
    messages = [
        OutboxMessage(
            subscription=subscription,
            department_id=subscription.department_id,
            kind=kind,
            licence_no=licence.number,
            approving_department_id=licence.case.department_id,
            payload=payload,
            created_at=now,
            status=Status.PENDING if subscription.webhook_url else Status.INBOX,
            next_attempt_at=now if subscription.webhook_url else None,
        )
        for subscription in subscriptions
    ]
    OutboxMessage.objects.bulk_create(messages)
    deliver_after_commit(m.pk for m in messages if m.status == Status.PENDING)
    return messages


def notice_acknowledge(*, actor, notice: OutboxMessage, now: dt.datetime | None = None):
    """结果互认: the regulator confirms it received the result. Doing it again changes nothing."""
    permissions.ensure_can(actor, "regulation.receive", notice.department)
    with transaction.atomic():
        notice = OutboxMessage.objects.select_for_update().get(pk=notice.pk)
        if notice.acknowledged_at is None:
            notice.acknowledged_at, notice.acknowledged_by = _now(now), actor
            notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return notice


def finding_send(
    *, actor, notice: OutboxMessage, kind: str, text: str, now: dt.datetime | None = None
) -> RegulatorFinding:
    """The regulator's finding about a notice, for the approving department to handle."""
    department = notice.department
    permissions.ensure_can(actor, "regulation.receive", department)
    if kind not in RegulatorFinding.Kind.values:
        raise InvalidInput("finding_kind_invalid", _("请选择反馈类型。"), field="kind")
    if kind == RegulatorFinding.Kind.REQUEST_REVOKE and notice.kind == OutboxMessage.Kind.REVOKED:
        raise IllegalAction("licence_already_revoked", _("该证照已被撤销，无需再建议撤销。"))
    text = _required_text(text, "text", _("请填写反馈内容。"))
    return RegulatorFinding.objects.create(
        notice=notice,
        department=department,
        kind=kind,
        text=text,
        created_by=actor,
        created_at=_now(now),
    )


def finding_handle(
    *, actor, finding: RegulatorFinding, response: str, now: dt.datetime | None = None
) -> RegulatorFinding:
    """The approving department answers a finding (and revokes the licence on its own page)."""
    permissions.ensure_can(actor, "case.decide", finding.notice.approving_department)
    response = _required_text(response, "response", _("请填写处理意见。"))
    with transaction.atomic():
        finding = RegulatorFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.status != RegulatorFinding.Status.OPEN:
            raise IllegalAction("finding_handled", _("该反馈已处理。"))
        finding.status = RegulatorFinding.Status.HANDLED
        finding.handled_by, finding.handled_at, finding.response = actor, _now(now), response
        finding.save(update_fields=["status", "handled_by", "handled_at", "response"])
    return finding


# --- the staff's outbox -----------------------------------------------------------------


def ensure_outbox_staff(actor, department: Department | None = None) -> None:
    """Supervisors see every delivery; approvers those of their department."""
    if not permissions.can(actor, "case.decide", department):
        permissions.ensure_can(actor, "oversight.supervise")


def outbox_retry(*, actor, message: OutboxMessage, now: dt.datetime | None = None):
    """Staff send a message that gave up once more, with a fresh set of attempts."""
    ensure_outbox_staff(actor, message.approving_department)
    updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=_now(now)
    )
    if not updated:
        raise IllegalAction("not_failed", _("只有推送失败的通知可以重新推送。"))
    deliver_after_commit([message.pk])
    message.refresh_from_db()
    return message

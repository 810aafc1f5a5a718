"""Writes of the approval–regulation exchange: subscriptions, notices and their delivery,
acknowledgements, findings, and the staff's retry of a delivery that gave up.

Delivery is at least once and survives restarts: a worker first claims due
messages in a short transaction (one more attempt counted, the next attempt
time pushed past the timeout, so a message whose worker dies is simply due
again later), then posts each one outside any transaction. The receiver
dedupes by `X-Yimen-Delivery`, the message id.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
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
from yimen.subjects import permissions

Status = OutboxMessage.Status
TEXT_MAX = 2000
ERROR_MAX = 500


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


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
    """One notice per regulator subscribed to the licence's item, in the caller's transaction.

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
    return OutboxMessage.objects.bulk_create(messages)


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


# --- delivery ---------------------------------------------------------------------------


class DeliveryError(Exception):
    """The receiver did not take the notice; the reason is kept as the message's last error."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Yimen-Signature`: HMAC-SHA256 over `<timestamp>.<body>` with the subscription's key."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does to check a delivery (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def webhook_body(message: OutboxMessage) -> bytes:
    document = {
        "id": str(message.id),
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
        "department": message.department.code,
        "item_code": message.payload.get("item_code", ""),
        "data": message.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is a failed delivery: the signed notice is meant for this address only.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_webhook(message: OutboxMessage, now: dt.datetime) -> None:
    """POST the signed notice; DeliveryError unless the receiver answers 2xx in time."""
    body = webhook_body(message)
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(
        message.subscription.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Yimen-Outbox/1",
            "X-Yimen-Delivery": str(message.id),
            "X-Yimen-Timestamp": timestamp,
            "X-Yimen-Signature": sign(message.subscription.secret, timestamp, body),
        },
    )
    timeout = _setting("YIMEN_OUTBOX_TIMEOUT_SECONDS", 5)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        error.close()
        raise DeliveryError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise DeliveryError(str(error.reason)) from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise DeliveryError(str(error) or error.__class__.__name__) from None


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the n-th attempt: base · 2^(n-1), capped, and never shorter than a request."""
    base = _setting("YIMEN_OUTBOX_BACKOFF_SECONDS", 30)
    cap = _setting("YIMEN_OUTBOX_BACKOFF_CAP_SECONDS", 3600)
    floor = 2 * _setting("YIMEN_OUTBOX_TIMEOUT_SECONDS", 5)
    return dt.timedelta(seconds=max(floor, min(cap, base * 2 ** (attempts - 1))))


def outbox_claim(*, now: dt.datetime | None = None, limit: int = 50) -> list[OutboxMessage]:
    """Take due messages for one worker: each counts an attempt and is not due again until
    its backoff has passed. Workers on PostgreSQL skip each other's locked rows."""
    now = _now(now)
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .select_related("subscription", "department")
            .order_by("next_attempt_at", "pk")[:limit]
        )
        for message in due:
            message.attempts += 1
            message.next_attempt_at = now + backoff(message.attempts)
        OutboxMessage.objects.bulk_update(due, ["attempts", "next_attempt_at"])
    return due


@dataclass
class DeliveryRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = 50) -> DeliveryRun:
    """One pass of the worker: post up to `limit` due messages, each once.

    Messages are claimed one at a time, so a slow receiver never keeps a claimed message
    waiting past its lease (when another worker could take it too).
    """
    run = DeliveryRun()
    while run.attempted < limit:
        moment = _now(now)
        claimed = outbox_claim(now=moment, limit=1)
        if not claimed:
            break
        _deliver(claimed[0], moment, run)
    return run


def _deliver(message: OutboxMessage, now: dt.datetime, run: DeliveryRun) -> None:
    try:
        post_webhook(message, now)
    except DeliveryError as error:
        gave_up = _record_failure(message, str(error))
        run.failed += gave_up
        run.retrying += not gave_up
    else:
        OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
            status=Status.DELIVERED, delivered_at=now, next_attempt_at=None, last_error=""
        )
        run.delivered += 1


def _record_failure(message: OutboxMessage, error: str) -> bool:
    """Keep the error; give up after the last attempt. True when the message gave up."""
    gave_up = message.attempts >= int(_setting("YIMEN_OUTBOX_MAX_ATTEMPTS", 8))
    changes = {"last_error": error[:ERROR_MAX]}
    if gave_up:
        changes.update(status=Status.FAILED, next_attempt_at=None)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(**changes)
    return gave_up


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
    message.refresh_from_db()
    return message

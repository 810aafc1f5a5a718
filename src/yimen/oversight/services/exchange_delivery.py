"""Delivering the approval–regulation notices to the regulators' webhooks.

Delivery is at least once and survives restarts: an attempt first claims its message in a
short transaction (one more attempt counted, the next attempt time pushed past the
timeout, so a message whose worker dies is simply due again later), then posts it outside
any transaction. The receiver dedupes by `X-Yimen-Delivery`, the message id.

Attempts run as background tasks (`yimen.oversight.tasks`); the outbox row, not the task,
is the durable record of what is still owed and when it is next due.
"""

import datetime as dt
import enum
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yimen.oversight.models.exchange import OutboxMessage

Status = OutboxMessage.Status
ERROR_MAX = 500


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


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


def _due(now: dt.datetime):
    return OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)


def due_notices(*, now: dt.datetime | None = None, limit: int = 50) -> list:
    """The ids of the notices due for an attempt, longest waiting first."""
    due = _due(now or timezone.now()).order_by("next_attempt_at", "pk")
    return list(due.values_list("pk", flat=True)[:limit])


def outbox_claim(message_id, *, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Take the message for one attempt, if it is due: one more attempt is counted and it is
    not due again until its backoff has passed. Workers on PostgreSQL skip each other's
    locked rows."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            _due(now)
            .filter(pk=message_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "department")
            .first()
        )
        if message is not None:
            message.attempts += 1
            message.next_attempt_at = now + backoff(message.attempts)
            message.save(update_fields=["attempts", "next_attempt_at"])
    return message


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRYING = "retrying"  # failed; tried again at the outbox's next attempt time
    FAILED = "failed"  # failed for the last time: waits for staff to retry
    SKIPPED = "skipped"  # not due, already delivered, or being tried by another worker


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    retry_at: dt.datetime | None = None


def notice_deliver(message_id, *, now: dt.datetime | None = None) -> Attempt:
    """One attempt at one notice, when it is due and no other worker has it."""
    now = now or timezone.now()
    message = outbox_claim(message_id, now=now)
    if message is None:
        return Attempt(Outcome.SKIPPED)
    try:
        post_webhook(message, now)
    except DeliveryError as error:
        if _record_failure(message, str(error)):
            return Attempt(Outcome.FAILED)
        return Attempt(Outcome.RETRYING, retry_at=message.next_attempt_at)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
        status=Status.DELIVERED, delivered_at=now, next_attempt_at=None, last_error=""
    )
    return Attempt(Outcome.DELIVERED)


def _record_failure(message: OutboxMessage, error: str) -> bool:
    """Keep the error; give up after the last attempt. True when the message gave up."""
    gave_up = message.attempts >= int(_setting("YIMEN_OUTBOX_MAX_ATTEMPTS", 8))
    changes = {"last_error": error[:ERROR_MAX]}
    if gave_up:
        changes.update(status=Status.FAILED, next_attempt_at=None)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(**changes)
    return gave_up

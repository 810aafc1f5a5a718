"""The approval–regulation exchange (审管互动).

A regulator department subscribes to service items. When a licence of such an
item is granted or revoked, one `OutboxMessage` per subscription is saved in
the same transaction as the licence: it is the notice the regulator reads in
its inbox and the webhook delivery that carries it, retried with backoff until
delivered or given up (then shown to staff with a retry button). The regulator
acknowledges a notice (结果互认) and may send a `RegulatorFinding` back, which
lands in the approving department's queue.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.catalog.models import Department, ServiceItem

__all__ = ["OutboxMessage", "RegulatorFinding", "RegulatorSubscription"]


class RegulatorSubscription(models.Model):
    """A regulator department's interest in one item; without a webhook, inbox only."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"is_regulator": True},
        verbose_name=_("监管部门"),
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    webhook_url = models.URLField(_("推送地址"), max_length=500, blank=True)
    secret = models.CharField(_("签名密钥"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("订阅时间"), default=timezone.now)

    class Meta:
        verbose_name = _("监管订阅")
        verbose_name_plural = _("监管订阅")
        ordering = ["department", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "item"], name="oversight_subscription_unique"
            )
        ]
        indexes = [models.Index(fields=["item", "is_active"], name="oversight_subscription_item")]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.item_id}"


class OutboxMessage(models.Model):
    """One notice to one regulator department; its id is the delivery's idempotency key."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("准予许可")
        REVOKED = "revoked", _("撤销许可")

    class Status(models.TextChoices):
        PENDING = "pending", _("待推送")
        DELIVERED = "delivered", _("已推送")
        FAILED = "failed", _("推送失败")
        INBOX = "inbox", _("仅站内")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        RegulatorSubscription,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("监管订阅"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("监管部门")
    )
    kind = models.CharField(_("通知类型"), max_length=10, choices=Kind.choices)
    licence_no = models.CharField(_("证照编号"), max_length=40)
    approving_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批部门")
    )
    payload = models.JSONField(_("通知内容"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    status = models.CharField(
        _("推送状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("推送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次推送时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )

    class Meta:
        verbose_name = _("审管互动通知")
        verbose_name_plural = _("审管互动通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind", "licence_no"], name="oversight_outbox_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="oversight_outbox_due"),
            models.Index(fields=["department", "created_at"], name="oversight_outbox_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.licence_no}"


class RegulatorFinding(models.Model):
    """What a regulator sends back about a notice: a request to revoke, or an opinion."""

    class Kind(models.TextChoices):
        REQUEST_REVOKE = "request_revoke", _("建议撤销许可")
        OPINION = "opinion", _("监管意见")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    notice = models.ForeignKey(
        OutboxMessage, on_delete=models.PROTECT, related_name="findings", verbose_name=_("通知")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("监管部门")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("反馈时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    response = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("监管反馈")
        verbose_name_plural = _("监管反馈")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="oversight_finding_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.notice_id}"

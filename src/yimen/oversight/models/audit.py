"""The tamper-evident audit chain (审计链).

Every audited act is appended as an `AuditEntry` whose hash covers its own
content and the hash of the entry before it, so altering, deleting or
reordering any entry breaks the chain at that point. `AuditHead` is a single
row holding the chain's end; appending locks it, so two transactions never
fork the chain.
"""

import datetime as dt
import hashlib
import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEntry", "AuditHead"]

GENESIS_HASH = "0" * 64
HEAD_PK = 1


def canonical_json(value) -> str:
    """Sorted keys, compact separators, characters as they are: the same text on every run."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(
    prev_hash: str, seq: int, at: dt.datetime, kind: str, actor: str, object_ref: str, payload
) -> str:
    """sha256(prev_hash + canonical content); `at` is hashed as its UTC ISO form."""
    at_iso = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = canonical_json([seq, at_iso, kind, actor, object_ref, payload])
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


class AuditEntry(models.Model):
    class Kind(models.TextChoices):
        CASE_EVENT = "case_event", _("办件日志")
        VERSION_PUBLISHED = "version_published", _("事项版本发布")
        ITEM_CANCELLED = "item_cancelled", _("事项取消")
        SEAL_USED = "seal_used", _("用印")
        LICENCE_REVOKED = "licence_revoked", _("证照撤销")
        LICENCE_NUMBER_VOIDED = "licence_number_voided", _("证照编号作废")
        STAFF_SIGN_IN = "staff_sign_in", _("工作人员登录")
        SIGN_IN_FAILED = "sign_in_failed", _("登录失败")

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("记录时间"))
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    object_ref = models.CharField(_("对象"), max_length=150, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        indexes = [models.Index(fields=["kind", "at"], name="oversight_audit_kind_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.object_ref}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def computed_hash(self, *, seq: int | None = None) -> str:
        """The hash this entry's content gives (at position `seq`, by default its own)."""
        return chain_hash(
            self.prev_hash,
            self.seq if seq is None else seq,
            self.at,
            self.kind,
            self.actor,
            self.object_ref,
            self.payload,
        )


class AuditHead(models.Model):
    """The chain's last sequence number and hash; one row, locked by every append."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链末端")
        verbose_name_plural = _("审计链末端")
        constraints = [
            models.CheckConstraint(condition=Q(pk=HEAD_PK), name="oversight_audit_head_single")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"

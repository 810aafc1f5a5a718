"""Every write to the catalog. Each service is one transaction."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.catalog.errors import CatalogError
from yimen.catalog.models import ItemVersion, ServiceItem, VersionStatus
from yimen.catalog.rules import Finding, check_version, committed_over_legal_message

# Sent inside the publishing transaction: oversight appends it to the audit chain.
version_published = Signal()
item_cancelled = Signal()

# Parts of a version copied into a revision, each with its many-to-many fields.
VERSION_PARTS = {
    "legal_bases": (),
    "form_fields": (),
    "materials": (),
    "stages": ("parallel_departments",),
}


def _today() -> dt.date:
    return timezone.localdate()


def item_create(*, code: str, **fields) -> ItemVersion:
    """A new item with its first draft version. Parts are added to the draft."""
    code = code.strip()
    if ServiceItem.objects.filter(code=code).exists():
        raise CatalogError(
            "item_code_taken", _("事项编码 %(c)s 已存在。") % {"c": code}, field="code"
        )
    co_departments = fields.pop("co_departments", [])
    _require_limits_in_order(fields.get("committed_limit_days"), fields.get("legal_limit_days"))
    with transaction.atomic():
        item = ServiceItem.objects.create(code=code)
        version = ItemVersion.objects.create(item=item, number=1, **fields)
        version.co_departments.set(co_departments)
    return version


def draft_update(*, version: ItemVersion, **fields) -> ItemVersion:
    if not version.is_draft:
        raise CatalogError("version_frozen", _("已发布的事项版本不可修改，请新建修订草稿。"))
    co_departments = fields.pop("co_departments", None)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(version, name, value)
        _require_limits_in_order(version.committed_limit_days, version.legal_limit_days)
        version.save()
        if co_departments is not None:
            version.co_departments.set(co_departments)
    return version


def _require_limits_in_order(committed: int | None, legal: int | None) -> None:
    """The database refuses it too; this says so in words a catalog clerk understands."""
    if committed is not None and legal is not None and committed > legal:
        raise CatalogError(
            "committed_over_legal",
            committed_over_legal_message(committed, legal),
            field="committed_limit_days",
        )


def item_revise(*, item: ServiceItem) -> ItemVersion:
    """A new draft that starts as a copy of the item's latest version."""
    _require_active(item)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if item.versions.filter(status=VersionStatus.DRAFT).exists():
            raise CatalogError("draft_exists", _("该事项已有未发布的修订草稿，请先完成或删除它。"))
        source = item.versions.order_by("-number").first()
        return _copy_version(source, number=source.number + 1)


def _copy_version(source: ItemVersion, *, number: int) -> ItemVersion:
    draft = ItemVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number = number
    draft.status = VersionStatus.DRAFT
    draft.effective_from = draft.effective_until = draft.published_at = None
    draft.published_by = draft.change_note = ""
    draft.save()
    draft.co_departments.set(source.co_departments.all())
    for relation, m2m_fields in VERSION_PARTS.items():
        for part in getattr(source, relation).all():
            related = {name: list(getattr(part, name).all()) for name in m2m_fields}
            part.pk = None
            part.version = draft
            part.save()
            for name, values in related.items():
                getattr(part, name).set(values)
    return draft


def version_publish(
    *,
    version: ItemVersion,
    actor: str,
    effective_from: dt.date | None = None,
    change_note: str = "",
    published_at: dt.datetime | None = None,
) -> list[Finding]:
    """Freeze a draft. The version before it stops applying on the new effective date.

    Returns the warnings that did not block publication.
    """
    effective_from = effective_from or _today()
    with transaction.atomic():
        version = ItemVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_draft:
            raise CatalogError("not_draft", _("只有草稿可以发布。"))
        _require_active(version.item)
        findings = check_version(version)
        if findings.errors:
            raise CatalogError(
                "version_invalid",
                _("事项版本不符合发布要求：%(e)s")
                % {"e": "；".join(f.message for f in findings.errors)},
                details=[f.__dict__ for f in findings.errors],
            )
        _close_previous(version, effective_from)
        version.status = VersionStatus.PUBLISHED
        version.effective_from = effective_from
        version.published_at = published_at or timezone.now()
        version.published_by = actor
        version.change_note = change_note or version.change_note
        version.save()
        version_published.send(sender=ItemVersion, version=version, actor=actor)
    return findings.warnings


def _close_previous(version: ItemVersion, effective_from: dt.date) -> None:
    open_versions = version.item.versions.filter(
        status=VersionStatus.PUBLISHED, effective_until__isnull=True
    ).exclude(pk=version.pk)
    latest_start = open_versions.aggregate(start=Max("effective_from"))["start"]
    if latest_start and latest_start > effective_from:
        raise CatalogError(
            "effective_before_previous",
            _("生效日期不得早于上一版本的生效日期（%(d)s）。") % {"d": latest_start},
            field="effective_from",
        )
    for previous in open_versions:
        previous.status = VersionStatus.RETIRED
        previous.effective_until = effective_from
        previous.save(update_fields=["status", "effective_until"])


def version_retire(*, version: ItemVersion, effective_until: dt.date | None = None) -> ItemVersion:
    """Withdraw a published version without a successor (the item stops being offered)."""
    with transaction.atomic():
        version = ItemVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.PUBLISHED:
            raise CatalogError("not_published", _("只有已发布的版本可以停用。"))
        version.status = VersionStatus.RETIRED
        version.effective_until = effective_until or _today()
        version.save(update_fields=["status", "effective_until"])
    return version


def draft_delete(*, version: ItemVersion) -> None:
    if not version.is_draft:
        raise CatalogError("version_frozen", _("已发布的事项版本不可删除。"))
    with transaction.atomic():
        item = version.item
        version.delete()
        if not item.versions.exists():
            item.delete()


def item_cancel(*, item: ServiceItem, reason: str, actor: str) -> ServiceItem:
    """取消事项: the item stays visible as cancelled, with its reason."""
    reason = reason.strip()
    if not reason:
        raise CatalogError("reason_required", _("取消事项须写明原因。"), field="reason")
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _require_active(item)
        item.status = ServiceItem.Status.CANCELLED
        item.cancelled_at = timezone.now()
        item.cancel_reason = reason
        item.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        item.versions.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED, effective_until=_today()
        )
        item.versions.filter(status=VersionStatus.DRAFT).delete()
        item_cancelled.send(sender=ServiceItem, item=item, actor=actor)
    return item


def _require_active(item: ServiceItem) -> None:
    if item.status == ServiceItem.Status.CANCELLED:
        raise CatalogError("item_cancelled", _("事项已取消，不能再修订或发布。"))

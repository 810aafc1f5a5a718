"""Everything audited is appended to the chain by these receivers.

Case events, seal uses, licence revocations and voided licence numbers are appended inside the
transaction that made them (model signals run there), as its last step: the
chain's head is locked only then. Catalog publications
and cancellations arrive after the catalog's transaction has committed, and
are appended in one of their own. Actors are named `account:<id>`, never by a
phone number.
"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from yimen.cases.models import CaseEvent
from yimen.catalog.services import item_cancelled, version_published
from yimen.licences.models import Licence, LicenceNumberTaken, SealUse
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.services.audit import Entry, audit_append, audit_append_last
from yimen.subjects import permissions, selectors
from yimen.subjects.masking import mask_text

Kind = AuditEntry.Kind


def account_ref(account_id: int | None) -> str:
    return f"account:{account_id}" if account_id else ""


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(post_save, sender=CaseEvent, dispatch_uid="oversight.audit.case_event")
def case_event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    audit_append_last(
        lambda: Entry(
            kind=Kind.CASE_EVENT,
            actor=account_ref(instance.actor_id),
            object_ref=f"case:{instance.case.case_no}#{instance.seq}",
            payload={
                "action": instance.action,
                "from_state": instance.from_state,
                "to_state": instance.to_state,
                "at": instance.at,
                "data": instance.data,
            },
        )
    )


@receiver(version_published, dispatch_uid="oversight.audit.version_published")
def catalog_version_published(sender, version, actor, **kwargs):
    audit_append(
        kind=Kind.VERSION_PUBLISHED,
        actor=str(actor),
        object_ref=f"item:{version.item.code}@v{version.number}",
        payload={
            "item": version.item.code,
            "version": version.number,
            "name": version.name,
            "effective_from": version.effective_from,
            "published_at": version.published_at,
        },
    )


@receiver(item_cancelled, dispatch_uid="oversight.audit.item_cancelled")
def catalog_item_cancelled(sender, item, actor, **kwargs):
    audit_append(
        kind=Kind.ITEM_CANCELLED,
        actor=str(actor),
        object_ref=f"item:{item.code}",
        payload={"item": item.code, "reason": item.cancel_reason, "at": item.cancelled_at},
    )


@receiver(post_save, sender=SealUse, dispatch_uid="oversight.audit.seal_use")
def seal_used(sender, instance: SealUse, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    audit_append_last(
        lambda: Entry(
            kind=Kind.SEAL_USED,
            actor=account_ref(instance.actor_id),
            object_ref=f"seal-use:{instance.pk}",
            payload={
                "seal": instance.seal.key_id,
                "document": instance.kind,
                "number": instance.document_number,
                "case": instance.case_ref,
                "sha256": instance.sha256,
                "at": instance.at,
            },
        )
    )


@receiver(pre_save, sender=Licence, dispatch_uid="oversight.audit.licence_before")
def licence_before_save(sender, instance: Licence, raw: bool = False, **kwargs):
    instance._audit_was_revoked = (
        instance.pk is not None
        and Licence.objects.filter(pk=instance.pk, revoked_at__isnull=False).exists()
    )


@receiver(post_save, sender=Licence, dispatch_uid="oversight.audit.licence")
def licence_saved(sender, instance: Licence, raw: bool = False, **kwargs):
    """Appended once, when the licence's revocation is first saved."""
    if raw or instance.revoked_at is None or getattr(instance, "_audit_was_revoked", False):
        return
    audit_append_last(
        lambda: Entry(
            kind=Kind.LICENCE_REVOKED,
            actor=account_ref(instance.revoked_by_id),
            object_ref=f"licence:{instance.number}",
            payload={"reason": instance.revoke_reason, "at": instance.revoked_at},
        )
    )


@receiver(post_save, sender=LicenceNumberTaken, dispatch_uid="oversight.audit.number_voided")
def licence_number_voided(sender, instance: LicenceNumberTaken, raw: bool = False, **kwargs):
    """Appended when a taken number is voided (issuing failed, or staff voided it)."""
    if raw or "void_reason" not in (kwargs.get("update_fields") or ()):
        return
    audit_append_last(
        lambda: Entry(
            kind=Kind.LICENCE_NUMBER_VOIDED,
            actor=account_ref(instance.voided_by_id),
            object_ref=f"licence-number:{instance.number}",
            payload={"case": instance.case_id, "reason": instance.void_reason},
        )
    )


def _is_staff(account) -> bool:
    return account.is_staff or permissions.is_staff_member(account)


@receiver(user_logged_in, dispatch_uid="oversight.audit.sign_in")
def staff_signed_in(sender, request, user, **kwargs):
    if not _is_staff(user):
        return
    audit_append(
        kind=Kind.STAFF_SIGN_IN,
        actor=account_ref(user.pk),
        object_ref=account_ref(user.pk),
        payload={"ip": _client_ip(request)},
    )


@receiver(user_login_failed, dispatch_uid="oversight.audit.sign_in_failed")
def staff_sign_in_failed(sender, credentials: dict, request=None, **kwargs):
    """A wrong password for a staff account. Failures naming no staff account are left
    out: anyone could otherwise fill the chain with made-up names."""
    login = str(credentials.get("username") or credentials.get("phone") or "")
    account = selectors.account_by_login(login) if login else None
    if account is None or not _is_staff(account):
        return
    audit_append(
        kind=Kind.SIGN_IN_FAILED,
        object_ref=account_ref(account.pk),
        payload={"login": mask_text(login), "ip": _client_ip(request)},
    )

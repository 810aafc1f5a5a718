"""Every write to subjects, accounts, authorisations and the material locker.

Each service is one transaction and checks who is acting before it acts.
"""

import datetime as dt
import hashlib
import logging
import os
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from yimen import uploads
from yimen.catalog.models import MaterialKind, Role, ServiceItem
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.integrity import sha256_of
from yimen.subjects import permissions, selectors, sms, validators
from yimen.subjects.errors import RateLimited
from yimen.subjects.masking import mask_id, mask_phone
from yimen.subjects.models import (
    Account,
    ApiToken,
    Authorisation,
    DelegatedAct,
    LockerAccessGrant,
    LockerEntry,
    LockerReuse,
    OneTimeCode,
    Organisation,
    Person,
    StaffRole,
    Subject,
)

logger = logging.getLogger(__name__)

OTP_TTL = dt.timedelta(seconds=getattr(settings, "YIMEN_OTP_TTL_SECONDS", 300))
OTP_RESEND_AFTER = dt.timedelta(seconds=getattr(settings, "YIMEN_OTP_RESEND_SECONDS", 60))
OTP_MAX_ATTEMPTS = 5
TOKEN_PREFIX = "ym_"
TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


# --- subjects -------------------------------------------------------------------------


def _required(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput("required", message, field=field)
    return value


def _person_fields(name: str, resident_id: str, phone: str, address: str) -> dict:
    return {
        "name": _required(name, "name", _("请填写姓名。")),
        "code": validators.normalise_resident_id(resident_id),
        "phone": validators.normalise_phone(phone),
        "address": (address or "").strip(),
    }


def _organisation_fields(
    name: str, uscc: str, org_type: str, legal_representative_id: str, address: str
) -> dict:
    fields = {
        "name": _required(name, "name", _("请填写单位名称。")),
        "code": validators.normalise_uscc(uscc),
        "org_type": _org_type(org_type),
        "address": (address or "").strip(),
    }
    legal_id = validators.normalise_resident_id(legal_representative_id)
    representative = Person.objects.by_code(legal_id).first()
    if representative is None:
        raise InvalidInput(
            "legal_representative_unknown",
            _("法定代表人（身份证号 %(id)s）尚未登记，请先登记或导入其个人信息。")
            % {"id": mask_id(legal_id)},
            field="legal_representative_id",
        )
    fields["legal_representative"] = representative
    return fields


def _org_type(value: str) -> str:
    value = (value or "").strip()
    for code, label in Organisation.Type.choices:
        if value in (code, str(label)):
            return code
    raise InvalidInput(
        "invalid_org_type",
        _("组织类型“%(v)s”无效，可选：%(c)s。")
        % {"v": value, "c": "、".join(str(label) for _c, label in Organisation.Type.choices)},
        field="org_type",
    )


def _create_unless_known(model, fields: dict, exists_message) -> Subject:
    if model.objects.by_code(fields["code"]).exists():
        raise IllegalAction(f"{model._meta.model_name}_exists", exists_message)
    return model.objects.create(**fields)


def person_register(
    *, actor: Account, name: str, resident_id: str, phone: str = "", address: str = ""
) -> Person:
    """A window clerk (or grid worker) registers a person the registry does not hold."""
    permissions.ensure_can(actor, "subject.register")
    fields = _person_fields(name, resident_id, phone, address)
    with transaction.atomic():
        return _create_unless_known(Person, fields, _("该身份证号已登记，无需重复登记。"))


def organisation_register(
    *,
    actor: Account,
    name: str,
    uscc: str,
    org_type: str,
    legal_representative_id: str,
    address: str = "",
) -> Organisation:
    permissions.ensure_can(actor, "subject.register")
    fields = _organisation_fields(name, uscc, org_type, legal_representative_id, address)
    with transaction.atomic():
        return _create_unless_known(
            Organisation, fields, _("该统一社会信用代码已登记，无需重复登记。")
        )


def _upsert(model, fields: dict) -> tuple[Subject, str]:
    """Create, or update what changed; blank values in a feed keep what is known."""
    with transaction.atomic():
        subject = model.objects.select_for_update().by_code(fields["code"]).first()
        if subject is None:
            return model.objects.create(**fields), "created"
        changed = {
            key: value
            for key, value in fields.items()
            if value not in ("", None) and getattr(subject, key) != value
        }
        for key, value in changed.items():
            setattr(subject, key, value)
        if changed:
            subject.save()
        return subject, "updated" if changed else "unchanged"


def person_upsert(
    *, name: str, resident_id: str, phone: str = "", address: str = ""
) -> tuple[Person, str]:
    """A person from the population registry, matched by resident ID.

    Returns the person and "created", "updated" or "unchanged".
    """
    return _upsert(Person, _person_fields(name, resident_id, phone, address))


def organisation_upsert(
    *, name: str, uscc: str, org_type: str, legal_representative_id: str, address: str = ""
) -> tuple[Organisation, str]:
    """An organisation from the legal-person registry, matched by USCC."""
    fields = _organisation_fields(name, uscc, org_type, legal_representative_id, address)
    return _upsert(Organisation, fields)


def person_link_account(*, actor: Account, person: Person, account: Account) -> Person:
    """实名关联: after checking the person's ID card, a clerk links their sign-in to them."""
    permissions.ensure_can(actor, "subject.register")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.account_id and person.account_id != account.pk:
            raise IllegalAction("person_already_linked", _("该自然人已关联其他账号。"))
        if Person.objects.filter(account=account).exclude(pk=person.pk).exists():
            raise IllegalAction("account_already_linked", _("该账号已关联其他自然人。"))
        person.account = account
        person.save(update_fields=["account", "updated_at"])
        if not account.name:
            account.name = person.name
            account.save(update_fields=["name"])
    return person


# --- accounts and staff ---------------------------------------------------------------


def staff_role_assign(*, account: Account, role: str, center=None, department=None) -> StaffRole:
    if role not in Role.values:
        raise InvalidInput("invalid_role", _("岗位“%(r)s”无效。") % {"r": role}, field="role")
    with transaction.atomic():
        staff_role, _created = StaffRole.objects.update_or_create(
            account=account,
            role=role,
            center=center,
            department=department,
            defaults={"is_active": True},
        )
        if role == Role.CATALOG_ADMIN:
            _open_catalog_admin(account)
        account.__dict__.pop("_active_staff_roles", None)
    return staff_role


CATALOG_ADMIN_GROUP = "事项管理员"


def _open_catalog_admin(account: Account) -> None:
    """Catalog admins keep the catalog in the admin site: staff status and catalog permissions."""
    group, created = Group.objects.get_or_create(name=CATALOG_ADMIN_GROUP)
    if created or not group.permissions.exists():
        group.permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    account.groups.add(group)
    if not account.is_staff:
        account.is_staff = True
        account.save(update_fields=["is_staff"])


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, account: Account, name: str) -> tuple[ApiToken, str]:
    """A personal access token. The returned value is shown once and never stored."""
    name = _required(name, "name", _("请填写令牌用途，例如“数据对接”。"))[:100]
    if not account.is_active:
        raise PermissionDenied("account_disabled", _("账号已停用。"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            account=account, name=name, prefix=raw[:10], key_hash=_token_hash(raw)
        )
    return token, raw


def token_revoke(*, actor: Account, token: ApiToken) -> ApiToken:
    if token.account_id != actor.pk:
        raise PermissionDenied("forbidden", _("只能撤销自己的访问令牌。"))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> Account | None:
    """The account behind a bearer token, or None for an unknown or revoked token."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    # By its unique hash alone (the cheapest query to build, on every API call), with the
    # account's own person, whom most calls are about (`selectors.own_person`).
    tokens = ApiToken.objects.select_related("account__person")
    try:
        token = tokens.get(key_hash=_token_hash(raw))
    except ApiToken.DoesNotExist:
        return None
    if token.revoked_at is not None or not token.account.is_active:
        return None
    now = timezone.now()
    # "最近使用" to the minute: a busy client does not write the token row on every call.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.account


def _otp_hash(phone: str, code: str) -> str:
    return salted_hmac("yimen.subjects.otp", f"{phone}:{code}").hexdigest()


def otp_send(*, phone: str) -> OneTimeCode:
    """Send a 6-digit sign-in code by SMS; once a minute at most per phone."""
    phone = validators.normalise_mobile(phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        last = OneTimeCode.objects.select_for_update().filter(phone=phone).first()
        if last and now - last.created_at < OTP_RESEND_AFTER:
            wait = int((OTP_RESEND_AFTER - (now - last.created_at)).total_seconds()) + 1
            raise RateLimited(
                "otp_too_soon", _("验证码已发送，请 %(s)s 秒后再获取。") % {"s": wait}
            )
        otp = OneTimeCode.objects.create(
            phone=phone, code_hash=_otp_hash(phone, code), created_at=now, expires_at=now + OTP_TTL
        )
    minutes = int(OTP_TTL.total_seconds() // 60)
    text = _("【一门】您的登录验证码为 %(code)s，%(m)s 分钟内有效，请勿告诉他人。")
    sms.get_backend().send(phone, text % {"code": code, "m": minutes})
    return otp


def otp_sign_in(*, phone: str, code: str) -> Account:
    """Check a code sent to the phone; the phone's account, created on first sign-in."""
    phone = validators.normalise_mobile(phone)
    now = timezone.now()
    with transaction.atomic():
        otp = OneTimeCode.objects.select_for_update().filter(phone=phone, used_at=None).first()
        refusal = _otp_refusal(otp, phone, (code or "").strip(), now)
        if refusal is None:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
    if refusal is not None:
        raise refusal
    account = _account_for_phone(phone)
    if not account.is_active:
        raise PermissionDenied("account_disabled", _("账号已停用，请联系政务服务中心。"))
    logger.info("Account %s signed in by SMS code to %s", account.pk, mask_phone(phone))
    return account


def _otp_refusal(otp, phone: str, code: str, now) -> InvalidInput | None:
    """Why the code is refused, if it is. A wrong guess is counted (and kept)."""
    if otp is None:
        return InvalidInput("otp_missing", _("请先获取短信验证码。"), field="code")
    if otp.expires_at <= now:
        return InvalidInput("otp_expired", _("验证码已过期，请重新获取。"), field="code")
    if otp.failed_attempts >= OTP_MAX_ATTEMPTS:
        return InvalidInput("otp_locked", _("验证码错误次数过多，请重新获取。"), field="code")
    if not constant_time_compare(otp.code_hash, _otp_hash(phone, code)):
        otp.failed_attempts += 1
        otp.save(update_fields=["failed_attempts"])
        return InvalidInput("otp_invalid", _("验证码不正确，请核对短信。"), field="code")
    return None


def _account_for_phone(phone: str) -> Account:
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(
            phone=phone, defaults={"username": phone, "password": make_password(None)}
        )
    return account


# --- authorisations -------------------------------------------------------------------


def _may_manage(account: Account, authorisation_or_principal) -> bool:
    principal = getattr(authorisation_or_principal, "principal", authorisation_or_principal)
    return selectors.speaks_for(account, principal) or permissions.can(
        account, "authorisation.record"
    )


def _items_by_code(codes) -> list[ServiceItem]:
    codes = sorted({c.strip() for c in codes if c.strip()})
    items = list(ServiceItem.objects.filter(code__in=codes, status=ServiceItem.Status.ACTIVE))
    unknown = sorted(set(codes) - {item.code for item in items})
    if unknown:
        raise InvalidInput(
            "unknown_item",
            _("事项编码不存在或已取消：%(c)s。") % {"c": "、".join(unknown)},
            field="item_codes",
        )
    return items


def _check_agent(agent: Account, principal: Subject) -> None:
    if not agent.is_active:
        raise InvalidInput("agent_disabled", _("受托人的账号已停用。"), field="agent_phone")
    if selectors.speaks_for(agent, principal):
        raise InvalidInput("agent_is_principal", _("不能委托给本人。"), field="agent_phone")
    is_grid_worker = agent.staff_roles.filter(role=Role.GRID_WORKER, is_active=True).exists()
    if not is_grid_worker and not Person.objects.filter(account=agent).exists():
        raise InvalidInput(
            "agent_not_verified",
            _("受托人须为已实名关联的个人或网格员。"),
            field="agent_phone",
        )


def authorisation_grant(
    *,
    granted_by: Account,
    principal: Subject,
    agent: Account,
    valid_until: dt.date,
    valid_from: dt.date | None = None,
    all_items: bool = False,
    item_codes=(),
    note: str = "",
) -> Authorisation:
    """委托: the principal (or a window clerk holding its signed power of attorney) lets
    the agent act for it, for the listed items or all of them, from one day to another."""
    if not _may_manage(granted_by, principal):
        raise PermissionDenied("forbidden", _("只有委托人本人或其法定代表人可以办理委托。"))
    valid_from = valid_from or timezone.localdate()
    if valid_until < valid_from:
        raise InvalidInput(
            "invalid_period", _("委托截止日期不能早于生效日期。"), field="valid_until"
        )
    if valid_until < timezone.localdate():
        raise InvalidInput("invalid_period", _("委托截止日期已过。"), field="valid_until")
    items = [] if all_items else _items_by_code(item_codes)
    if not all_items and not items:
        raise InvalidInput(
            "scope_required", _("请选择委托的事项，或委托全部事项。"), field="item_codes"
        )
    _check_agent(agent, principal)
    with transaction.atomic():
        authorisation = Authorisation.objects.create(
            principal=principal,
            agent=agent,
            all_items=all_items,
            valid_from=valid_from,
            valid_until=valid_until,
            note=(note or "").strip()[:200],
            granted_by=granted_by,
        )
        authorisation.items.set(items)
    return authorisation


def authorisation_revoke(*, actor: Account, authorisation: Authorisation) -> Authorisation:
    """The principal withdraws an authorisation, or the agent gives it up."""
    if authorisation.agent_id != actor.pk and not _may_manage(actor, authorisation):
        raise PermissionDenied("forbidden", _("只有委托人或受托人可以撤销委托。"))
    with transaction.atomic():
        authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        if authorisation.revoked_at:
            raise IllegalAction("authorisation_already_revoked", _("该委托已撤销。"))
        authorisation.revoked_at = timezone.now()
        authorisation.revoked_by = actor
        authorisation.save(update_fields=["revoked_at", "revoked_by"])
    return authorisation


def act_for(
    *,
    actor: Account,
    subject: Subject,
    action: str,
    item_code: str = "",
    case_ref: str = "",
    on: dt.date | None = None,
) -> Authorisation | None:
    """Check that `actor` may act for `subject` and record the act with both people.

    Returns None when the actor is the subject itself (or its legal representative),
    else the authorisation acted under. Raises PermissionDenied saying why not.
    """
    if selectors.speaks_for(actor, subject):
        return None
    authorisation = selectors.valid_authorisation(actor, subject, item_code=item_code, on=on)
    with transaction.atomic():
        DelegatedAct.objects.create(
            authorisation=authorisation,
            actor=actor,
            principal=subject,
            action=action,
            item_code=item_code,
            case_ref=case_ref,
        )
    return authorisation


# --- the material locker --------------------------------------------------------------


def _sha256(file: File) -> tuple[str, int]:
    file.seek(0)
    found = sha256_of(file)
    file.seek(0)
    return found


def _kind(kind_code: str) -> MaterialKind:
    kind = MaterialKind.objects.filter(code=kind_code).first()
    if kind is None:
        raise InvalidInput(
            "unknown_material_kind",
            _("材料类型“%(k)s”不存在。") % {"k": kind_code},
            field="kind",
        )
    return kind


def _check_store(source: str, verified_by: Account | None, subject: Subject) -> None:
    if source not in LockerEntry.Source.values:
        raise InvalidInput("invalid_source", _("材料来源无效。"), field="source")
    if source == LockerEntry.Source.IMPORTED and verified_by is None:
        return
    if verified_by is None:
        raise InvalidInput(
            "verifier_required", _("提交或核发的材料须有核验人。"), field="verified_by"
        )
    permissions.ensure_can(verified_by, "locker.store", subject)


def locker_store(
    subject: Subject,
    kind_code: str,
    file,
    source: str,
    verified_by: Account | None,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    *,
    title: str = "",
    origin_item_code: str = "",
    origin_ref: str = "",
) -> LockerEntry:
    """Keep a verified or issued document in the subject's locker.

    The file must pass the upload checks (`yimen.uploads`: a PDF, OFD, JPEG or PNG by
    its content, nothing hidden in it) and goes to Django's default storage under a
    random name, with its SHA-256. The same file of the same kind for the same
    subject is kept once: storing it again returns the entry already there.
    """
    _check_store(source, verified_by, subject)
    kind = _kind(kind_code)
    if valid_until and valid_until < valid_from:
        raise InvalidInput("invalid_period", _("有效期止不能早于有效期起。"), field="valid_until")
    file = file if isinstance(file, File) else File(file)
    sha256, size = _sha256(file)
    if size == 0:
        raise InvalidInput("empty_file", _("材料文件是空的。"), field="file")
    checked = uploads.check_upload(file, field="file")
    filename = os.path.basename(file.name or "") or f"{kind.code}{checked.extension}"
    with transaction.atomic():
        existing = LockerEntry.objects.filter(
            subject=subject, kind=kind, sha256=sha256, revoked_at=None
        ).first()
        if existing:
            return existing
        entry = LockerEntry(
            subject=subject,
            kind=kind,
            title=(title or kind.name)[:200],
            filename=filename[:200],
            sha256=sha256,
            size=size,
            source=source,
            origin_item_code=origin_item_code,
            origin_ref=origin_ref,
            verified_by=verified_by,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        entry.file.save(uploads.random_name(checked), file, save=False)
        entry.save()
    return entry


def locker_revoke(entry: LockerEntry, reason: str, *, actor: Account) -> LockerEntry:
    """作废: a revoked document is never reused again."""
    permissions.ensure_can(actor, "locker.revoke", entry.subject)
    reason = _required(reason, "reason", _("作废材料须写明原因。"))
    with transaction.atomic():
        entry = LockerEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.revoked_at:
            raise IllegalAction("locker_entry_revoked", _("该材料已作废。"))
        entry.revoked_at = timezone.now()
        entry.revoke_reason = reason[:200]
        entry.save(update_fields=["revoked_at", "revoke_reason"])
    return entry


def locker_record_reuse(
    entry: LockerEntry,
    *,
    item_code: str,
    case_ref: str,
    actor: Account,
    on: dt.date | None = None,
) -> LockerReuse:
    """Record that `entry` stands in for a material of `item_code` (so it is not asked for).

    The actor is the subject, its agent (the act is recorded under the
    authorisation), or staff serving the subject's case.
    """
    on = on or timezone.localdate()
    if not entry.is_usable_on(on):
        raise IllegalAction(
            "locker_entry_unusable",
            _("该材料已过期或已作废，不能复用，请重新提交。"),
        )
    with transaction.atomic():
        authorisation = None
        if not selectors.has_locker_grant(actor, entry.subject):
            authorisation = act_for(
                actor=actor,
                subject=entry.subject,
                action="locker_reuse",
                item_code=item_code,
                case_ref=case_ref,
                on=on,
            )
        return LockerReuse.objects.create(
            entry=entry,
            item_code=item_code,
            case_ref=case_ref,
            actor=actor,
            authorisation=authorisation,
        )


def locker_grant_access(
    staff: Account, subject: Subject, case_ref: str, *, expires_at: dt.datetime | None = None
) -> LockerAccessGrant:
    """Open the subject's locker to a member of staff serving its case `case_ref`."""
    permissions.ensure_can(staff, "locker.serve")
    case_ref = _required(case_ref, "case_ref", _("请注明办件编号。"))
    with transaction.atomic():
        grant, _created = LockerAccessGrant.objects.get_or_create(
            staff=staff,
            subject=subject,
            case_ref=case_ref,
            revoked_at=None,
            defaults={"expires_at": expires_at},
        )
    return grant


def locker_revoke_access(staff: Account, subject: Subject, case_ref: str) -> int:
    """Close the locker again when the staff member is done with the case."""
    with transaction.atomic():
        return LockerAccessGrant.objects.filter(
            staff=staff, subject=subject, case_ref=case_ref, revoked_at=None
        ).update(revoked_at=timezone.now())

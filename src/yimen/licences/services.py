"""Every write of the licences app: the seal, its uses, issuing and revoking licences.

Each service is one transaction, but for issuing: it takes the licence number in a
short transaction of its own, renders and seals the licence and the decision holding
no lock, then files the licence in the registry and the holder's material locker and
records the case's 制证 step in one transaction, all or nothing. A number that ends on
no licence stays recorded with the reason (`LicenceNumberTaken`).
"""

import datetime as dt
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen import counters, lastly
from yimen.cases import services as cases
from yimen.cases.models import Case, Decision
from yimen.cases.selectors import case_by_no
from yimen.cases.states import CaseState
from yimen.catalog.models import ItemVersion, MaterialKind
from yimen.errors import DomainError, IllegalAction, InvalidInput, NotFound
from yimen.licences import conf, payload, seal, signing, sm2
from yimen.licences.documents import LicenceData, letter_data_for, render_decision, render_licence
from yimen.licences.models import (
    DocumentKind,
    Licence,
    LicenceNumberTaken,
    LicenceSequence,
    LicenceStatus,
    Seal,
    SealAuthority,
    SealUse,
)
from yimen.licences.numbering import licence_identifier, licence_number
from yimen.licences.selectors import UNFINISHED_AFTER
from yimen.subjects import permissions
from yimen.subjects import services as subjects
from yimen.subjects.models import Account, LockerEntry, Subject

logger = logging.getLogger(__name__)

# Who may put the seal on which document.
SEAL_PERMISSIONS = {
    DocumentKind.RECEIPT: "case.accept",
    DocumentKind.CORRECTION: "case.accept",
    DocumentKind.REFUSAL: "case.accept",
    DocumentKind.GRANT: "case.decide",
    DocumentKind.DENY: "case.decide",
}
# Item names that say "issue the X licence": the licence is called X.
ISSUING_SUFFIXES = ("核发",)
FORM_ROWS_MAX = 8
VOID_REASON_MAX = 200
# Rendering and signing hold the GIL, so threads of one process gain nothing by doing them
# side by side, while each licence in progress holds its own few megabytes (measured: a
# worker's memory after 100 licences in 4 threads 252 → 211 MB, the same CPU). The number
# is taken inside too, so that a process registers its licences in the order of their
# numbers and a stopped worker leaves at most one number unfinished.
_ONE_LICENCE_AT_A_TIME = threading.Lock()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- the seal ---------------------------------------------------------------------------


def _demo_names(common_name: str) -> tuple[str, str]:
    """The seal's and the CA's common names, marked DEMO (the bureau is the organisation)."""
    seal_name = common_name.strip() or _("行政审批专用章")
    if seal.DEMO_MARK not in seal_name:
        seal_name = _("%(n)s（演示 DEMO）") % {"n": seal_name}
    return seal.fit_name(seal_name), _("电子印章根证书（演示 DEMO，不可信）")


def _refuse_when_external() -> None:
    if conf.pkcs12_path() or conf.pkcs11_library():
        raise IllegalAction(
            "seal_external",
            _("已配置外部印章（PKCS#12 或 PKCS#11）：更换印章请替换印章文件，无需生成内置印章。"),
        )


def seal_init(*, common_name: str = "", now: dt.datetime | None = None) -> Seal:
    """The embedded demo seal and its demo CA. Refused once any seal exists (rotate instead)."""
    now = _now(now)
    _refuse_when_external()
    seal_name, authority_name = _demo_names(common_name)
    with transaction.atomic():
        if Seal.objects.select_for_update().exists():
            raise IllegalAction(
                "seal_exists", _("行政审批专用章已存在。如需更换，请使用 yimen seal-rotate。")
            )
        authority = _new_demo_authority(authority_name, now)
        return _new_embedded_seal(authority, seal_name, now)


def seal_rotate(
    *, common_name: str = "", new_authority: bool = False, now: dt.datetime | None = None
) -> Seal:
    """A new embedded seal takes over; the old one is retired but its documents stay valid.

    The new seal is certified by the same CA, so verifiers keep their trust list,
    unless `new_authority` asks for a new CA too (after a CA key is compromised).
    """
    now = _now(now)
    _refuse_when_external()
    with transaction.atomic():
        current = (
            Seal.objects.select_for_update()
            .select_related("authority")
            .filter(retired_at__isnull=True, source=Seal.Source.EMBEDDED)
            .first()
        )
        if current is None:
            raise IllegalAction(
                "no_seal", _("没有在用的内置印章可更换，请先运行 yimen seal-init。")
            )
        seal_name, authority_name = _demo_names(common_name)
        authority = _new_demo_authority(authority_name, now) if new_authority else current.authority
        Seal.objects.filter(pk=current.pk).update(retired_at=now)
        return _new_embedded_seal(authority, seal_name, now)


def _new_demo_authority(name: str, now: dt.datetime) -> SealAuthority:
    key, certificate = seal.demo_authority(name, now)
    return SealAuthority.objects.create(
        name=name,
        certificate_pem=seal.to_pem(certificate),
        fingerprint=seal.fingerprint(certificate),
        key_encrypted=seal.encrypt(seal.private_key_der(key)),
        is_demo=True,
        created_at=now,
    )


def _new_embedded_seal(authority: SealAuthority, name: str, now: dt.datetime) -> Seal:
    authority_key, authority_certificate = seal.authority_material(authority)
    key, certificate = seal.demo_seal(name, authority_key, authority_certificate, now)
    sm2_key = sm2.generate_private_key()
    return Seal.objects.create(
        authority=authority,
        name=name,
        source=Seal.Source.EMBEDDED,
        algorithm=seal.algorithm_name(key),
        certificate_pem=seal.to_pem(certificate),
        fingerprint=seal.fingerprint(certificate),
        key_encrypted=seal.encrypt(seal.private_key_der(key)),
        sm2_public_key=sm2.public_key_of(sm2_key),
        sm2_key_encrypted=seal.encrypt(sm2_key.encode()),
        is_demo=True,
        active_from=now,
    )


# --- sealing documents -----------------------------------------------------------------


@dataclass(frozen=True)
class _Signed:
    """A document with the seal's signature, not yet recorded."""

    kind: str
    number: str
    case_ref: str
    pdf: bytes
    sha256: str


def _sign(loaded: seal.LoadedSeal, *, kind: str, pdf_bytes: bytes, number: str, case_ref: str):
    reason = _("%(b)s行政审批专用章：%(k)s %(n)s") % {
        "b": settings.YIMEN_BUREAU_NAME,
        "k": DocumentKind(kind).label,
        "n": number or case_ref,
    }
    signed = signing.sign_pdf(pdf_bytes, loaded, reason=reason)
    return _Signed(kind, number, case_ref, signed, signing.sha256_hex(signed))


def _record_use(loaded: seal.LoadedSeal, signed: _Signed, actor: Account, now) -> SealUse:
    use = SealUse(
        seal=loaded.record,
        kind=signed.kind,
        document_number=signed.number,
        case_ref=signed.case_ref,
        actor=actor,
        at=now,
        sha256=signed.sha256,
    )
    use.file.save(f"{signed.kind}-{signed.sha256[:16]}.pdf", ContentFile(signed.pdf), save=False)
    use.save()
    return use


def document_seal(
    *,
    kind: str,
    pdf_bytes: bytes,
    case_ref: str,
    actor: Account,
    number: str = "",
    now: dt.datetime | None = None,
) -> bytes:
    """Put the seal on one of a case's letters (`DocumentKind`, the letter kinds) and record
    the use; returns the signed PDF. Licences are sealed only by `licence_issue`."""
    now = _now(now)
    if kind not in SEAL_PERMISSIONS:
        raise InvalidInput(
            "invalid_document_kind", _("文书类型“%(k)s”不能在此盖章。") % {"k": kind}, field="kind"
        )
    if not pdf_bytes:
        raise InvalidInput("empty_file", _("待盖章的文件是空的。"), field="pdf")
    case = case_by_no(case_ref) if case_ref else None
    permissions.ensure_can(actor, SEAL_PERMISSIONS[kind], case)
    loaded = seal.active_seal()
    signed = _sign(loaded, kind=kind, pdf_bytes=pdf_bytes, number=number, case_ref=case_ref)
    with transaction.atomic():
        _record_use(loaded, signed, actor, now)
    return signed.pdf


# --- licence numbers --------------------------------------------------------------------


def _take_number(case: Case, actor: Account, year: int) -> str:
    """The year's next licence number, in a transaction of its own (a savepoint inside a
    caller's), so the counter is locked only for that moment; the number is recorded as
    taken (at the real time, whatever date the licence bears) until its licence is
    registered."""
    with transaction.atomic():
        value = counters.advance(LicenceSequence, key=f"{settings.YIMEN_AREA_CODE}-{year}")
        number = licence_number(settings.YIMEN_AREA_CODE, year, value)
        LicenceNumberTaken.objects.create(
            number=number, case=case, taken_at=timezone.now(), taken_by=actor
        )
    return number


def _void(taken: LicenceNumberTaken, reason: str, actor: Account) -> None:
    taken.void_reason, taken.voided_by = reason[:VOID_REASON_MAX], actor
    taken.save(update_fields=["void_reason", "voided_by"])  # audited by oversight


@contextmanager
def _voided_on_failure(number: str, actor: Account) -> Iterator[None]:
    """Record why `number` ends on no licence when the block fails, and re-raise."""
    try:
        yield
    except Exception as error:
        reason = (
            error.message
            if isinstance(error, DomainError)
            else _("制证中断：%(e)s") % {"e": type(error).__name__}
        )
        try:
            _void(LicenceNumberTaken.objects.get(number=number), reason, actor)
        except DatabaseError:  # the original error matters more; check-integrity finds it
            logger.exception("licence number %s: the reason it is void was not recorded", number)
        raise


def licence_number_void(*, number: str, actor: Account, reason: str) -> LicenceNumberTaken:
    """作废 a licence number whose issuing stopped part-way (`check-integrity` names it):
    it was taken over an hour ago, is on no licence and has no reason yet."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", _("请填写作废原因。"), field="reason")
    with transaction.atomic():
        taken = LicenceNumberTaken.objects.select_for_update().filter(number=number).first()
        if taken is None:
            message = _("证照编号 %(n)s 没有未完成的取号记录。") % {"n": number}
            raise NotFound("number_not_taken", message)
        permissions.ensure_can(actor, "case.decide", taken.case)
        _require_unfinished(taken)
        _void(taken, reason, actor)
    return taken


def _require_unfinished(taken: LicenceNumberTaken) -> None:
    if taken.void_reason:
        message = _("证照编号 %(n)s 已作废：%(r)s") % {"n": taken.number, "r": taken.void_reason}
        raise IllegalAction("number_void", message)
    if taken.taken_at > timezone.now() - UNFINISHED_AFTER:
        message = _("证照编号 %(n)s 刚刚取号，可能仍在制证中，请一小时后再作废。") % {
            "n": taken.number
        }
        raise IllegalAction("number_in_use", message)


# --- licences --------------------------------------------------------------------------


def _licence_kind(version: ItemVersion) -> MaterialKind:
    """The locker kind of the licence an item issues: the licence kind its name names
    (食品经营许可证核发 → 食品经营许可证), else a kind of the item's own."""
    named = [
        kind
        for kind in MaterialKind.objects.filter(is_licence=True)
        if kind.name and kind.name in version.name
    ]
    if named:
        return max(named, key=lambda kind: len(kind.name))
    kind, _created = MaterialKind.objects.get_or_create(
        code=f"licence-{version.item.code}",
        defaults={"name": _licence_title(version), "is_licence": True},
    )
    return kind


def _licence_title(version: ItemVersion) -> str:
    for suffix in ISSUING_SUFFIXES:
        if version.name.endswith(suffix):
            return version.name[: -len(suffix)]
    return _("%(n)s电子证照") % {"n": version.name}


def _type_code(version: ItemVersion) -> str:
    """A local licence type code from the item code, until the catalog carries the national one."""
    return re.sub(r"[^0-9A-Z]", "", version.item.code.upper())


def default_valid_until(valid_from: dt.date) -> dt.date:
    years = conf.licence_valid_years()
    try:
        anniversary = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February
        anniversary = valid_from.replace(year=valid_from.year + years, day=28)
    return anniversary - dt.timedelta(days=1)


def _form_rows(case: Case) -> list[tuple[str, str]]:
    labels = dict(case.version.form_fields.values_list("key", "label"))
    rows = [
        (labels[key], str(value))
        for key, value in case.form_data.items()
        if key in labels and value not in ("", None)
    ]
    address = case.subject.address
    return ([(_("住所"), address)] if address else []) + rows[:FORM_ROWS_MAX]


def _holder_code_label(holder: Subject) -> str:
    return _("统一社会信用代码") if holder.kind == Subject.Kind.ORGANISATION else _("身份证号码")


def _require_issuable(case: Case) -> None:
    if case.state != CaseState.DECIDED or case.decision != Decision.GRANT:
        raise IllegalAction(
            "not_issuable",
            _("只有已作出准予决定、尚未制证的办件才能制发证照（该办件当前状态为“%(s)s”）。")
            % {"s": case.get_state_display()},
        )


def licence_issue(
    *,
    case: Case,
    actor: Account,
    now: dt.datetime | None = None,
    valid_until: dt.date | None = None,
    long_term: bool = False,
    expected_version: int | None = None,
) -> Licence:
    """制证: number, render, seal and register the licence of a granted case, seal its
    decision, put the licence in the holder's locker and record the case's 制证 step.

    The number is taken first, in its own short transaction; the two documents are
    rendered and sealed holding no lock; the registration is one transaction that checks
    the case again. A number that ends on no licence stays recorded with the reason
    (`LicenceNumberTaken`). Valid for YIMEN_LICENCE_VALID_YEARS unless `valid_until` is
    given, or for good when `long_term`. `expected_version`: the case's `lock_version` as
    the caller saw it; a case changed since is refused before a number is taken.
    """
    now = _now(now)
    permissions.ensure_can(actor, "case.decide", case)
    today = timezone.localdate(now)
    valid_until = _valid_until(today, valid_until, long_term)
    case = Case.objects.select_related("version__item", "subject").get(pk=case.pk)
    cases.require_version(case, expected_version)
    _require_issuable(case)
    loaded = seal.active_seal()
    with _ONE_LICENCE_AT_A_TIME:
        number = _take_number(case, actor, today.year)
        with _voided_on_failure(number, actor):
            licence, signed = _draft(case, loaded, number, actor, now, valid_until)
            decision = _sign_decision(case, loaded, number)
    with _voided_on_failure(number, actor), lastly.atomic():
        cases.case_issue_licence(
            case=case, actor=actor, licence_ref=number, now=now, expected_version=expected_version
        )
        _register(licence, signed, loaded, actor, now)
        _record_use(loaded, decision, actor, now)
        LicenceNumberTaken.objects.filter(number=number).delete()
    return licence


def _valid_until(today: dt.date, asked: dt.date | None, long_term: bool) -> dt.date | None:
    if long_term:
        return None
    if asked is None:
        return default_valid_until(today)
    if asked < today:
        raise InvalidInput("invalid_period", _("有效期止不能早于发证日期。"), field="valid_until")
    return asked


def _draft(case, loaded, number, actor, now, valid_until) -> tuple[Licence, _Signed]:
    """The licence, numbered and sealed but not yet saved."""
    version, holder = case.version, case.subject.concrete()
    kind = _licence_kind(version)
    licence = Licence(
        number=number,
        identifier=licence_identifier(
            _type_code(version), conf.bureau_uscc(), number.replace("-", "")
        ),
        title=kind.name,
        holder=holder,
        case=case,
        item_code=version.item.code,
        item_version=version,
        type_code=_type_code(version),
        kind=kind,
        issued_at=now,
        issued_by=actor,
        valid_from=timezone.localdate(now),
        valid_until=valid_until,
        seal=loaded.record,
    )
    licence.qr_payload = payload.make(_claims(licence, loaded), loaded)
    pdf_bytes = render_licence(_licence_data(licence, case), payload.verify_url(licence.qr_payload))
    signed = _sign(
        loaded,
        kind=DocumentKind.LICENCE,
        pdf_bytes=pdf_bytes,
        number=number,
        case_ref=case.case_no,
    )
    licence.sha256 = signed.sha256
    licence.sm2_signature = signing.registry_signature(loaded, signed.sha256)
    return licence, signed


def _register(licence: Licence, signed: _Signed, loaded, actor: Account, now) -> None:
    use = _record_use(loaded, signed, actor, now)
    licence.file.name = use.file.name
    licence.locker_entry = _store_in_locker(licence, signed.pdf, actor)
    licence.save()


def _claims(licence: Licence, loaded: seal.LoadedSeal) -> payload.Claims:
    return payload.Claims(
        number=licence.number,
        identifier=licence.identifier,
        holder_hash=payload.holder_hash(licence.number, licence.holder.code),
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issued_at=licence.issued_at,
        key_id=loaded.record.key_id,
        algorithm=loaded.payload_algorithm(),
    )


def _licence_data(licence: Licence, case: Case) -> LicenceData:
    holder = licence.holder
    return LicenceData(
        title=licence.title,
        number=licence.number,
        identifier=licence.identifier,
        holder_name=holder.name,
        holder_code_display=holder.masked_code,
        holder_code_label=_holder_code_label(holder),
        item_name=case.version.name,
        rows=_form_rows(case),
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issuer=str(settings.YIMEN_BUREAU_NAME),
        issued_on=licence.valid_from,
    )


def _store_in_locker(licence: Licence, signed: bytes, actor: Account) -> LockerEntry:
    return subjects.locker_store(
        licence.holder,
        licence.kind.code,
        ContentFile(signed, name=f"{licence.number}.pdf"),
        LockerEntry.Source.ISSUED,
        actor,
        licence.valid_from,
        licence.valid_until,
        title=licence.title,
        origin_item_code=licence.item_code,
        origin_ref=licence.number,
    )


def _sign_decision(case: Case, loaded: seal.LoadedSeal, number: str) -> _Signed:
    """The 准予许可决定书, which names the licence number, sealed."""
    data = replace(letter_data_for(case, "decision"), licence_number=number)
    return _sign(
        loaded,
        kind=data.kind,
        pdf_bytes=render_decision(data, letter_qr()),
        number=data.doc_number,
        case_ref=case.case_no,
    )


def letter_qr() -> str:
    """What a letter's QR code holds: the page where its PDF is checked."""
    return f"{conf.public_url()}/verify"


def licence_revoke(*, licence: Licence, approver: Account, reason: str, now=None) -> Licence:
    """撤销: the licence stops being valid (on a regulator's finding, say); the holder's
    locker no longer offers it for reuse."""
    now = _now(now)
    permissions.ensure_can(approver, "case.decide", licence.case)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", _("撤销证照须写明理由。"), field="reason")
    with transaction.atomic():
        licence = Licence.objects.select_for_update().get(pk=licence.pk)
        if licence.status == LicenceStatus.REVOKED:
            raise IllegalAction("licence_revoked", _("该证照已被撤销。"))
        licence.status = LicenceStatus.REVOKED
        licence.revoked_at, licence.revoked_by, licence.revoke_reason = now, approver, reason
        licence.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        entry = licence.locker_entry
        if entry is not None and entry.revoked_at is None:
            subjects.locker_revoke(entry, _("证照已撤销：%(r)s") % {"r": reason}, actor=approver)
    return licence

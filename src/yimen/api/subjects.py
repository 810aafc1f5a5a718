"""Subjects, accounts, authorisations and the material locker: /api/v1/.

Handlers stay thin: the services and selectors check permissions and rules.
Resident IDs and phones come back masked unless the caller's role needs them.
"""

import datetime as dt

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status

from yimen.api.auth import ACCOUNT_AUTH, SESSION_AUTH
from yimen.api.params import RowId
from yimen.catalog.selectors import current_version
from yimen.subjects import permissions, selectors, services
from yimen.subjects.masking import mask_phone
from yimen.subjects.models import Authorisation, LockerEntry, Organisation, Subject
from yimen.subjects.selectors import SubjectView

router = Router(tags=["主体与账号"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS = {status: ErrorOut for status in (401, 403, 404, 409, 422, 429)}


class PersonIn(Schema):
    name: str = ""
    resident_id: str = ""
    phone: str = ""
    address: str = ""


class OrganisationIn(Schema):
    name: str = ""
    uscc: str = ""
    org_type: str = ""
    legal_representative_id: str = ""
    address: str = ""


class SubjectOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    masked: bool
    phone: str = ""
    address: str
    org_type: str | None = None
    legal_representative: str | None = None


def subject_out(view: SubjectView) -> dict:
    subject = view.subject.concrete()
    out = {
        "id": subject.pk,
        "kind": subject.kind,
        "name": subject.name,
        "code": view.code,
        "masked": not view.full,
        "phone": view.phone,
        "address": subject.address,
    }
    if isinstance(subject, Organisation):
        out["org_type"] = subject.org_type
        out["legal_representative"] = str(subject.legal_representative)
    return out


def _registered(request, subject: Subject) -> dict:
    return subject_out(selectors.staff_view(request.auth, subject, "register"))


@router.post("/persons", auth=ACCOUNT_AUTH, response={201: SubjectOut, **ERRORS})
def person_register(request, data: PersonIn):
    """登记自然人（综合窗口或网格员）。身份证号无效时返回 422 与 code=invalid_resident_id。"""
    person = services.person_register(actor=request.auth, **data.dict())
    return Status(201, _registered(request, person))


@router.post("/organisations", auth=ACCOUNT_AUTH, response={201: SubjectOut, **ERRORS})
def organisation_register(request, data: OrganisationIn):
    """登记法人。统一社会信用代码无效时返回 422 与 code=invalid_uscc。"""
    organisation = services.organisation_register(actor=request.auth, **data.dict())
    return Status(201, _registered(request, organisation))


@router.get("/persons/{person_id}", auth=ACCOUNT_AUTH, response={200: SubjectOut, **ERRORS})
def person_detail(request, person_id: RowId):
    return subject_out(selectors.subject_for_staff(request.auth, person_id, Subject.Kind.PERSON))


@router.get(
    "/organisations/{organisation_id}", auth=ACCOUNT_AUTH, response={200: SubjectOut, **ERRORS}
)
def organisation_detail(request, organisation_id: RowId):
    return subject_out(
        selectors.subject_for_staff(request.auth, organisation_id, Subject.Kind.ORGANISATION)
    )


# --- me -------------------------------------------------------------------------------


class StaffRoleOut(Schema):
    role: str
    role_label: str
    center: str | None
    department: str | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    phone: str
    person: SubjectOut | None
    staff_roles: list[StaffRoleOut]
    acting_for: list[SubjectOut]


@router.get("/me", auth=ACCOUNT_AUTH, response=MeOut)
def me(request):
    account = request.auth
    own = selectors.own_person(account)
    return {
        "id": account.pk,
        "username": account.public_username,
        "name": account.name,
        "phone": mask_phone(account.phone),
        "person": subject_out(SubjectView(own, False)) if own else None,
        "staff_roles": [
            {
                "role": r.role,
                "role_label": r.get_role_display(),
                "center": r.center and r.center.name,
                "department": r.department and r.department.name,
            }
            for r in permissions.active_roles(account)
        ],
        "acting_for": [
            subject_out(SubjectView(s, False)) for s in selectors.subjects_acting_for(account)
        ],
    }


class LockerEntryOut(Schema):
    id: int
    subject_id: int
    kind: str
    kind_name: str
    title: str
    source: str
    source_label: str
    origin_item_code: str
    origin_ref: str
    sha256: str
    size: int
    valid_from: dt.date
    valid_until: dt.date | None
    revoked: bool
    usable: bool
    stored_at: dt.datetime
    file_url: str


def entry_out(entry: LockerEntry, today: dt.date) -> dict:
    return {
        "id": entry.pk,
        "subject_id": entry.subject_id,
        "kind": entry.kind.code,
        "kind_name": entry.kind.name,
        "title": entry.title,
        "source": entry.source,
        "source_label": entry.get_source_display(),
        "origin_item_code": entry.origin_item_code,
        "origin_ref": entry.origin_ref,
        "sha256": entry.sha256,
        "size": entry.size,
        "valid_from": entry.valid_from,
        "valid_until": entry.valid_until,
        "revoked": entry.revoked_at is not None,
        "usable": entry.is_usable_on(today),
        "stored_at": entry.stored_at,
        "file_url": reverse("api-v1:locker_file", args=[entry.pk]),
    }


def _entries_out(entries) -> list[dict]:
    today = timezone.localdate()
    return [entry_out(e, today) for e in entries]


@router.get("/me/materials", auth=ACCOUNT_AUTH, response={200: list[LockerEntryOut], **ERRORS})
def my_materials(request, subject_id: RowId | None = None, source: str | None = None):
    """我的材料（source=issued 为我的证照）。subject_id 可选：本人或委托我办理的主体。"""
    subject = selectors.subject_for_viewer(request.auth, subject_id)
    return _entries_out(selectors.locker_entries(request.auth, subject, source=source))


@router.get(
    "/me/materials/{entry_id}/file", auth=ACCOUNT_AUTH, url_name="locker_file", response=ERRORS
)
def locker_file(request, entry_id: RowId):
    entry = selectors.locker_entry_for(request.auth, entry_id)
    return FileResponse(entry.file.open("rb"), filename=entry.filename)


class PrefillOut(Schema):
    material: str
    kind: str
    necessity: str
    reused: bool
    entry: LockerEntryOut | None


@router.get(
    "/me/prefill/{item_code}", auth=ACCOUNT_AUTH, response={200: list[PrefillOut], **ERRORS}
)
def my_prefill(request, item_code: str, subject_id: RowId | None = None):
    """办理某事项时，材料库中已有、无需再次提交的材料。"""
    subject = selectors.subject_for_viewer(request.auth, subject_id)
    selectors.ensure_locker_access(request.auth, subject)
    today = timezone.localdate()
    rows = selectors.locker_prefill(subject, current_version(item_code), on=today)
    return [
        {
            "material": row.spec.name,
            "kind": row.spec.kind.code,
            "necessity": row.spec.necessity,
            "reused": row.reused,
            "entry": entry_out(row.entry, today) if row.entry else None,
        }
        for row in rows
    ]


@router.get(
    "/subjects/{subject_id}/materials",
    auth=ACCOUNT_AUTH,
    response={200: list[LockerEntryOut], **ERRORS},
)
def subject_materials(request, subject_id: RowId):
    """工作人员查看主体材料库：仅在为该主体办理办件期间可用。"""
    subject = selectors.subject_by_id(subject_id)
    return _entries_out(selectors.locker_entries(request.auth, subject))


# --- authorisations -------------------------------------------------------------------


class AuthorisationIn(Schema):
    principal_id: RowId | None = None
    agent_phone: str = ""
    all_items: bool = False
    item_codes: list[str] = []
    valid_from: dt.date | None = None
    valid_until: dt.date
    note: str = ""


class AuthorisationOut(Schema):
    id: int
    direction: str
    principal: str
    agent: str
    agent_phone: str
    all_items: bool
    item_codes: list[str]
    valid_from: dt.date
    valid_until: dt.date
    status: str
    revoked_at: dt.datetime | None


def authorisation_out(authorisation: Authorisation, direction: str) -> dict:
    return {
        "id": authorisation.pk,
        "direction": direction,
        "principal": str(authorisation.principal),
        "agent": str(authorisation.agent),
        "agent_phone": mask_phone(authorisation.agent.phone),
        "all_items": authorisation.all_items,
        "item_codes": [item.code for item in authorisation.items.all()],
        "valid_from": authorisation.valid_from,
        "valid_until": authorisation.valid_until,
        "status": selectors.authorisation_status(authorisation),
        "revoked_at": authorisation.revoked_at,
    }


@router.get("/me/authorisations", auth=ACCOUNT_AUTH, response=list[AuthorisationOut])
def my_authorisations(request):
    """我给出的委托（given）与我受托的委托（held）。"""
    given = selectors.authorisations_given(request.auth)
    held = selectors.authorisations_held(request.auth)
    return [authorisation_out(a, "given") for a in given] + [
        authorisation_out(a, "held") for a in held
    ]


@router.post("/me/authorisations", auth=ACCOUNT_AUTH, response={201: AuthorisationOut, **ERRORS})
def authorisation_grant(request, data: AuthorisationIn):
    """委托他人（或网格员）代为办理。principal_id 省略时为本人。"""
    principal = (
        selectors.subject_by_id(data.principal_id)
        if data.principal_id
        else selectors.subject_for_viewer(request.auth, None)
    )
    authorisation = services.authorisation_grant(
        granted_by=request.auth,
        principal=principal,
        agent=selectors.agent_by_phone(data.agent_phone),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        all_items=data.all_items,
        item_codes=data.item_codes,
        note=data.note,
    )
    return Status(201, authorisation_out(authorisation, "given"))


@router.post(
    "/me/authorisations/{authorisation_id}/revoke",
    auth=ACCOUNT_AUTH,
    response={200: AuthorisationOut, **ERRORS},
)
def authorisation_revoke(request, authorisation_id: RowId):
    authorisation = selectors.authorisation_by_id(authorisation_id)
    authorisation = services.authorisation_revoke(actor=request.auth, authorisation=authorisation)
    direction = "held" if authorisation.agent_id == request.auth.pk else "given"
    return authorisation_out(authorisation, direction)


# --- sign-in and tokens ---------------------------------------------------------------


class OtpIn(Schema):
    phone: str = ""


class OtpOut(Schema):
    sent: bool
    expires_in_seconds: int


@router.post("/auth/otp", response={202: OtpOut, **ERRORS})
def otp_send(request, data: OtpIn):
    """发送登录短信验证码（同一手机号每分钟一次）。"""
    otp = services.otp_send(phone=data.phone)
    return Status(
        202,
        {
            "sent": True,
            "expires_in_seconds": int((otp.expires_at - otp.created_at).total_seconds()),
        },
    )


class TokenIn(Schema):
    name: str = ""


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    token: str | None = None


def token_out(token, raw: str | None = None) -> dict:
    fields = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    return {**{f: getattr(token, f) for f in fields}, "token": raw}


@router.post("/tokens", auth=SESSION_AUTH, response={201: TokenOut, **ERRORS})
def token_create(request, data: TokenIn):
    """创建访问令牌（需网页登录；令牌只在此返回一次）。"""
    token, raw = services.token_create(account=request.auth, name=data.name)
    return Status(201, token_out(token, raw))


@router.get("/tokens", auth=ACCOUNT_AUTH, response=list[TokenOut])
def token_list(request):
    return [token_out(t) for t in selectors.tokens_of(request.auth)]


@router.post("/tokens/{token_id}/revoke", auth=ACCOUNT_AUTH, response={200: TokenOut, **ERRORS})
def token_revoke(request, token_id: RowId):
    token = selectors.token_of(request.auth, token_id)
    return token_out(services.token_revoke(actor=request.auth, token=token))

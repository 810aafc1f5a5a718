"""The licence registry, the seal's trust list and verification: /api/v1/licences.

Verification is public (no sign-in): a PDF upload or a QR payload, answered with
valid | revoked | expired | unknown | altered and the holder's name masked. The
registry itself is for staff, a licence's document for those allowed to see it.
"""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from yimen.api.auth import ACCOUNT_AUTH
from yimen.api.params import RowId
from yimen.cases.selectors import case_for_viewer
from yimen.licences import selectors, services, verify
from yimen.licences.models import Licence

router = Router(tags=["证照与印章"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS = {status: ErrorOut for status in (403, 404, 409, 422)}


class LicenceOut(Schema):
    number: str
    identifier: str
    title: str
    holder: str
    item_code: str
    case_no: str
    status: str
    status_label: str
    issued_at: dt.datetime
    valid_from: dt.date
    valid_until: dt.date | None
    sha256: str
    revoked_at: dt.datetime | None
    revoke_reason: str


class LicencePage(Schema):
    items: list[LicenceOut]
    next_before: int | None


class IssueIn(Schema):
    case_no: str
    valid_until: dt.date | None = None
    long_term: bool = False


class RevokeIn(Schema):
    reason: str = ""


class VerifyOut(Schema):
    status: str
    label: str
    reason: str
    message: str
    issuer: str
    demo_seal: bool
    number: str | None = None
    identifier: str | None = None
    title: str | None = None
    item_name: str | None = None
    holder: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None
    document: str | None = None
    case_no: str | None = None
    signed_at: dt.datetime | None = None
    timestamped_at: dt.datetime | None = None


class SealOut(Schema):
    key_id: str
    fingerprint: str
    name: str
    algorithm: str
    demo: bool
    active_from: dt.datetime
    retired_at: dt.datetime | None
    certificate_pem: str
    authority_pem: str
    sm2_public_key: str


def _out(licence: Licence, today: dt.date | None = None) -> LicenceOut:
    status = licence.status_on(today or timezone.localdate())
    return LicenceOut(
        number=licence.number,
        identifier=licence.identifier,
        title=licence.title,
        holder=str(licence.holder),
        item_code=licence.item_code,
        case_no=licence.case.case_no,
        status=status,
        status_label=str(verify.Verdict(status).label),
        issued_at=licence.issued_at,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        sha256=licence.sha256,
        revoked_at=licence.revoked_at,
        revoke_reason=licence.revoke_reason,
    )


@router.post("/licences/verify", response={200: VerifyOut, **ERRORS}, summary="查验证照或文书")
def verify_document(request, payload: Form[str] = "", file: File[UploadedFile] = None):
    """上传 PDF（`file`）或提交二维码内容（`payload`，也可为二维码中的网址）。无需登录。"""
    if file is not None:
        result = verify.verify_pdf(file.read(verify.MAX_UPLOAD_BYTES + 1))
    else:
        result = verify.verify_payload(payload)
    return result.facts()


@router.get("/licences/seals", response=list[SealOut], summary="本局印章证书（离线验证用）")
def seals(request):
    """本局使用过的全部印章证书及其根证书、SM2 公钥；二维码中的 `k` 为证书指纹的前16位。"""
    return [
        SealOut(
            key_id=seal.key_id,
            fingerprint=seal.fingerprint,
            name=seal.name,
            algorithm=seal.algorithm,
            demo=seal.is_demo,
            active_from=seal.active_from,
            retired_at=seal.retired_at,
            certificate_pem=seal.certificate_pem + seal.chain_pem,
            authority_pem=seal.authority.certificate_pem,
            sm2_public_key=seal.sm2_public_key,
        )
        for seal in selectors.seals()
    ]


@router.get("/licences", auth=ACCOUNT_AUTH, response={200: LicencePage, **ERRORS}, summary="证照库")
def licences(
    request,
    status: str = "",
    holder_id: RowId | None = None,
    item_code: str = "",
    before: RowId | None = None,
    limit: int = selectors.PAGE_SIZE,
):
    """工作人员查询证照库，按签发先后倒序；翻页时以上一页的 `next_before` 作为 `before`。"""
    found = selectors.licences_for_staff(
        request.auth,
        status=status,
        holder_id=holder_id,
        item_code=item_code,
        before_id=before,
        limit=limit,
    )
    full_page = len(found) == max(1, min(limit, selectors.PAGE_SIZE))
    return LicencePage(
        items=[_out(licence) for licence in found],
        next_before=found[-1].pk if found and full_page else None,
    )


@router.post(
    "/licences", auth=ACCOUNT_AUTH, response={201: LicenceOut, **ERRORS}, summary="制发证照"
)
def issue(request, body: IssueIn):
    """为已准予的办件制发电子证照：编号、加盖行政审批专用章、登记入证照库和持证人材料库。"""
    case = case_for_viewer(request.auth, body.case_no)
    licence = services.licence_issue(
        case=case, actor=request.auth, valid_until=body.valid_until, long_term=body.long_term
    )
    return Status(201, _out(selectors.licence_by_number(licence.number)))


@router.get(
    "/licences/{number}", auth=ACCOUNT_AUTH, response={200: LicenceOut, **ERRORS}, summary="证照"
)
def licence(request, number: str):
    return _out(selectors.licence_for_viewer(request.auth, number))


@router.get(
    "/licences/{number}/document",
    auth=ACCOUNT_AUTH,
    response={200: None, **ERRORS},
    summary="证照文件（已签章 PDF）",
)
def document(request, number: str):
    found, content = selectors.licence_document(request.auth, number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response


@router.post(
    "/licences/{number}/revoke",
    auth=ACCOUNT_AUTH,
    response={200: LicenceOut, **ERRORS},
    summary="撤销证照",
)
def revoke(request, number: str, body: RevokeIn):
    found = selectors.licence_for_viewer(request.auth, number)
    services.licence_revoke(licence=found, approver=request.auth, reason=body.reason)
    return _out(selectors.licence_by_number(number))

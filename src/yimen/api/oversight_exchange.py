"""The approval–regulation exchange for regulators' systems, and the audit chain's check.

Regulators read their notices, acknowledge them (结果互认) and send findings back;
a supervisor asks whether the audit chain is intact. Everything goes through
`yimen.oversight`; refusals come back as 4xx with a stable `code` and a
Chinese `message`.
"""

import datetime as dt
import uuid

from ninja import Field, Query, Router, Schema, Status

from yimen.api.auth import ACCOUNT_AUTH
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding
from yimen.oversight.selectors import audit as audit_selectors
from yimen.oversight.selectors import exchange as selectors
from yimen.oversight.services import exchange as services
from yimen.subjects import permissions

router = Router(tags=["审管互动"], auth=ACCOUNT_AUTH)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: list = []


ERRORS = {status: ErrorOut for status in (400, 403, 404, 409, 422)}


class NoticeOut(Schema):
    id: uuid.UUID = Field(description="通知编号，也是推送时的 X-Yimen-Delivery")
    kind: str = Field(description="granted 准予许可 / revoked 撤销许可")
    kind_label: str
    licence_no: str
    department: str = Field(description="监管部门编码")
    created_at: dt.datetime
    delivery_status: str
    acknowledged_at: dt.datetime | None
    data: dict


class NoticePage(Schema):
    notices: list[NoticeOut]
    next_before: str | None = Field(description="下一页：作为 before 参数传回")


class InboxQuery(Schema):
    unacknowledged: bool = Field(False, description="只返回尚未确认的通知")
    before: str | None = Field(None, description="上一页返回的 next_before")
    limit: int = Field(50, ge=1, le=selectors.PAGE_MAX)


class FindingIn(Schema):
    kind: str = Field(description="request_revoke 建议撤销许可 / opinion 监管意见")
    text: str


class FindingOut(Schema):
    id: int
    notice_id: uuid.UUID
    kind: str
    text: str
    status: str
    created_at: dt.datetime
    response: str


class ProblemOut(Schema):
    kind: str
    seq: int | None
    message: str


class AuditVerifyOut(Schema):
    intact: bool
    checked: int
    last_seq: int
    anchors: int
    problems: list[ProblemOut]


def _notice_out(notice: OutboxMessage) -> NoticeOut:
    return NoticeOut(
        id=notice.pk,
        kind=notice.kind,
        kind_label=notice.get_kind_display(),
        licence_no=notice.licence_no,
        department=notice.department.code,
        created_at=notice.created_at,
        delivery_status=notice.status,
        acknowledged_at=notice.acknowledged_at,
        data=notice.payload,
    )


def _finding_out(finding: RegulatorFinding) -> FindingOut:
    return FindingOut(
        id=finding.pk,
        notice_id=finding.notice_id,
        kind=finding.kind,
        text=finding.text,
        status=finding.status,
        created_at=finding.created_at,
        response=finding.response,
    )


@router.get("/regulator/notices", response={200: NoticePage, **ERRORS}, summary="监管通知列表")
def notices(request, query: Query[InboxQuery]):
    """本部门订阅事项的许可准予、撤销通知，按时间倒序分页。"""
    permissions.ensure_can(request.auth, "regulation.receive")
    page = selectors.inbox(
        request.auth, unacknowledged=query.unacknowledged, before=query.before, limit=query.limit
    )
    return NoticePage(notices=[_notice_out(n) for n in page.notices], next_before=page.next_before)


@router.post(
    "/regulator/notices/{notice_id}/ack", response={200: NoticeOut, **ERRORS}, summary="确认收到"
)
def acknowledge(request, notice_id: str):
    """结果互认：确认收到审批结果；重复确认不改变首次确认的时间。"""
    notice = selectors.notice_for_regulator(request.auth, notice_id)
    return _notice_out(services.notice_acknowledge(actor=request.auth, notice=notice))


@router.post(
    "/regulator/notices/{notice_id}/findings",
    response={201: FindingOut, **ERRORS},
    summary="反馈监管意见",
)
def send_finding(request, notice_id: str, body: FindingIn):
    """建议撤销许可或提出监管意见，送审批部门处理。"""
    notice = selectors.notice_for_regulator(request.auth, notice_id)
    finding = services.finding_send(
        actor=request.auth, notice=notice, kind=body.kind, text=body.text
    )
    return Status(201, _finding_out(finding))


@router.get("/audit/verify", response={200: AuditVerifyOut, **ERRORS}, summary="校验审计链")
def audit_verify(request):
    """逐条核对审计链的哈希、序号、前后衔接和锚点（监督人员）。"""
    permissions.ensure_can(request.auth, "oversight.supervise")
    report = audit_selectors.audit_verify()
    return AuditVerifyOut(
        intact=report.intact,
        checked=report.checked,
        last_seq=report.last_seq,
        anchors=report.anchors,
        problems=[ProblemOut(kind=p.kind, seq=p.seq, message=p.message) for p in report.problems],
    )

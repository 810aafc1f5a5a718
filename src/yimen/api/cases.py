"""Cases: apply, read a case with its clock and history, and act on it.

Every action goes through `yimen.cases.services`, except 制证 (`issue_licence`), which
`yimen.licences.services` does: it numbers, seals and registers the licence. Refusals
come back as 4xx with a stable `code` and a Chinese `message`.
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from yimen.api.auth import ACCOUNT_AUTH
from yimen.cases import selectors, services
from yimen.cases.selectors import CaseDetail
from yimen.errors import InvalidInput, NotFound
from yimen.licences.services import licence_issue

router = Router(tags=["办件"], auth=ACCOUNT_AUTH)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: list = []


ERRORS = {status: ErrorOut for status in (400, 403, 404, 409, 422)}


class CaseIn(Schema):
    item_code: str = ""
    bundle_code: str = ""
    subject_id: int | None = None
    channel: str = "online"
    form: dict = {}
    forms: dict[str, dict] = Field({}, description="一件事：事项编码 → 申请表")
    provided: list[str] = Field([], description="已提交材料的材料类型编码")


class ActionIn(Schema):
    expected_version: int | None = Field(None, description="办件版本号（lock_version），防止覆盖")
    task_id: int | None = None
    revision: int | None = None
    opinion: str = ""
    reason: str = ""
    legal_basis: str = ""
    notes: list[str] = []
    provided: list[str] = []
    channel: str = "online"
    pending: dict[str, dt.date] = {}
    kind: str = ""
    to_stage_order: int | None = None
    days: int = 0
    grant: bool | None = None
    valid_until: dt.date | None = Field(None, description="制证：有效期止（默认按本局规定年限）")
    long_term: bool = Field(False, description="制证：长期有效")
    mode: str = ""
    tracking_no: str = ""


class TaskOut(Schema):
    id: int
    department: str
    role: str
    status: str
    revision: int
    opinion: str


class StageOut(Schema):
    order: int
    name: str
    kind: str
    tasks: list[TaskOut]


class EventOut(Schema):
    seq: int
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    data: dict


class MaterialOut(Schema):
    kind: str = Field(description="材料类型编码")
    name: str
    necessity: str = Field(description="required 必要 / tolerable 容缺后补 / optional 非必要")
    necessity_label: str
    status: str = Field(
        description="provided 已提交 / reused 材料库复用 / missing 未提交 / pending 容缺后补"
    )
    status_label: str
    supplied_at: dt.datetime | None = Field(description="最近一次提交时间；未提交为空")
    due_on: dt.date | None = Field(description="容缺后补的补交期限")
    has_file: bool = Field(description="是否上传了文件")


class CaseOut(Schema):
    case_no: str
    state: str
    state_label: str
    item_code: str
    version: int
    channel: str
    lock_version: int
    accepted_on: dt.date | None
    deemed_accepted: bool
    deadline: dt.date | None
    legal_deadline: dt.date | None
    deadline_provisional: bool
    warning: str | None
    clock_paused: bool
    visits: int
    decision: str
    licence_ref: str = Field(description="证照编号（制证后）")
    stages: list[StageOut]
    events: list[EventOut]
    actions: list[str]
    materials: list[MaterialOut]


class FilingOut(Schema):
    cases: list[CaseOut]


def _case_out(detail: CaseDetail) -> CaseOut:
    case = detail.case
    return CaseOut(
        case_no=case.case_no,
        state=case.state,
        state_label=case.get_state_display(),
        item_code=case.version.item.code,
        version=case.version.number,
        channel=case.channel,
        lock_version=case.lock_version,
        accepted_on=case.accepted_on,
        deemed_accepted=case.deemed_accepted,
        deadline=case.deadline,
        legal_deadline=case.legal_deadline,
        deadline_provisional=case.deadline_provisional,
        warning=detail.warning,
        clock_paused=detail.clock_paused,
        visits=detail.visits,
        decision=case.decision,
        licence_ref=case.licence_ref,
        stages=[
            StageOut(
                order=s.order,
                name=s.name,
                kind=s.kind,
                tasks=[
                    TaskOut(
                        id=t.pk,
                        department=t.department.code,
                        role=t.role,
                        status=t.status,
                        revision=t.revision,
                        opinion=t.opinion,
                    )
                    for t in s.tasks
                ],
            )
            for s in detail.stages
        ],
        events=[
            EventOut(
                seq=e.seq,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=str(e.actor) if e.actor else None,
                at=e.at,
                data=e.data,
            )
            for e in detail.events
        ],
        actions=detail.actions,
        materials=[
            MaterialOut(
                kind=m.spec.kind.code,
                name=m.spec.name,
                necessity=m.spec.necessity,
                necessity_label=m.spec.get_necessity_display(),
                status=m.status,
                status_label=m.get_status_display(),
                supplied_at=m.supplied_at,
                due_on=m.due_on,
                has_file=bool(m.file),
            )
            for m in detail.materials
        ],
    )


def _detail(case_no: str) -> CaseOut:
    return _case_out(selectors.case_detail(selectors.case_by_no(case_no)))


@router.post("/cases", response={201: FilingOut, **ERRORS}, summary="提交办件申请")
def submit(request, body: CaseIn):
    """`Idempotency-Key` 请求头：同一键重复提交只生成一次办件。"""
    actor = request.auth
    common = {
        "actor": actor,
        "subject": selectors.applicant_subject(actor, body.subject_id),
        "channel": body.channel,
        "provided": body.provided,
        "idempotency_key": request.headers.get("Idempotency-Key", "")[:100],
    }
    if body.bundle_code:
        filing = services.bundle_submit(bundle_code=body.bundle_code, forms=body.forms, **common)
        cases = list(filing.cases.select_related("version__item").order_by("pk"))
    else:
        cases = [services.case_submit(item_code=body.item_code, form=body.form, **common)]
    return Status(201, FilingOut(cases=[_case_out(selectors.filed_case_detail(c)) for c in cases]))


@router.get("/cases/{case_no}", response={200: CaseOut, **ERRORS}, summary="办件详情")
def get_case(request, case_no: str):
    return _case_out(selectors.case_detail(selectors.case_for_viewer(request.auth, case_no)))


def _task(case, body: ActionIn):
    task = selectors.task_by_id(body.task_id or 0)
    if task.case_id != case.pk:
        raise NotFound("task_not_found", _("未找到该任务。"))
    return task


def _grant(body: ActionIn) -> bool:
    if body.grant is None:
        raise InvalidInput("grant_required", _("请选择准予或不予。"), field="grant")
    return body.grant


def _run(action: str, case, actor, body: ActionIn):
    version = {"expected_version": body.expected_version}
    runners = {
        "accept": lambda: services.case_accept(case=case, clerk=actor, **version),
        "accept_pending": lambda: services.case_accept_pending(
            case=case, clerk=actor, pending=body.pending, **version
        ),
        "request_correction": lambda: services.case_request_correction(
            case=case, clerk=actor, notes=body.notes, reason=body.reason, **version
        ),
        "supply_correction": lambda: services.case_supply_correction(
            case=case, actor=actor, provided=body.provided, channel=body.channel, **version
        ),
        "refuse": lambda: services.case_refuse(
            case=case, clerk=actor, reason=body.reason, legal_basis=body.legal_basis, **version
        ),
        "complete_instant": lambda: services.case_complete_instant(
            case=case, clerk=actor, **version
        ),
        "supply_pending": lambda: services.case_supply_pending(
            case=case, actor=actor, kind_code=body.kind, channel=body.channel, **version
        ),
        "complete_task": lambda: services.task_complete(
            task=_task(case, body), actor=actor, opinion=body.opinion, revision=body.revision
        ),
        "return_stage": lambda: services.task_return(
            task=_task(case, body),
            actor=actor,
            to_stage_order=body.to_stage_order or 0,
            reason=body.reason,
            revision=body.revision,
        ),
        "suspend": lambda: services.case_suspend(
            case=case, actor=actor, kind=body.kind, reason=body.reason, **version
        ),
        "resume": lambda: services.case_resume(
            case=case, actor=actor, reason=body.reason, **version
        ),
        "extend": lambda: services.case_extend(
            case=case, approver=actor, days=body.days, reason=body.reason, **version
        ),
        "decide": lambda: services.case_decide(
            case=case, approver=actor, grant=_grant(body), reason=body.reason, **version
        ),
        "issue_licence": lambda: licence_issue(
            case=case,
            actor=actor,
            valid_until=body.valid_until,
            long_term=body.long_term,
            **version,
        ),
        "deliver": lambda: services.case_deliver(
            case=case, actor=actor, mode=body.mode, tracking_no=body.tracking_no, **version
        ),
    }
    if action not in runners:
        raise NotFound("unknown_action", _("没有名为“%(a)s”的办件操作。") % {"a": action})
    runners[action]()


@router.post(
    "/cases/{case_no}/actions/{action}",
    response={200: CaseOut, **ERRORS},
    summary="办理办件（受理、补正、审查、决定、送达等）",
)
def act(request, case_no: str, action: str, body: ActionIn):
    case = selectors.case_for_viewer(request.auth, case_no)
    _run(action, case, request.auth, body)
    return _detail(case_no)

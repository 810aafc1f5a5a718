"""Ratings (好差评), rectification, complaints, the public satisfaction figures and the
internal assessment.

Every write goes through `yimen.oversight.services`; refusals come back as 4xx with a
stable `code` and a Chinese `message`.
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from yimen.api.auth import ACCOUNT_AUTH
from yimen.api.params import RowId
from yimen.cases.selectors import case_by_no
from yimen.oversight.models.ratings import Rating
from yimen.oversight.selectors import assessment as assessment_selectors
from yimen.oversight.selectors import ratings as selectors
from yimen.oversight.selectors.ratings import Figures
from yimen.oversight.services import complaints as complaint_services
from yimen.oversight.services import ratings as services

router = Router(tags=["好差评与监督"], auth=ACCOUNT_AUTH)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: list = []


ERRORS = {status: ErrorOut for status in (400, 403, 404, 409, 422)}


class RatingIn(Schema):
    level: int = Field(..., description="满意度：1 非常满意 … 5 非常不满意（GB/T 39046）")
    channel: str = Field("pc", description="评价渠道：pc, mobile, qr, tablet, terminal, phone")
    tags: list[str] = []
    comment: str = ""


class RectificationOut(Schema):
    step: str
    step_label: str
    step_due: dt.date | None
    warning: str | None
    outcome: str
    rater_satisfied: bool | None


class AppealOut(Schema):
    kind: str
    reason: str
    status: str
    decision_note: str


class RatingOut(Schema):
    id: int
    case_no: str
    level: int
    level_label: str
    tags: list[str]
    comment: str
    channel: str
    rated_at: dt.datetime
    departments: list[str]
    rectification: RectificationOut | None
    appeal: AppealOut | None


def _rectification_out(rating: Rating) -> RectificationOut | None:
    found = getattr(rating, "rectification", None)
    if found is None:
        return None
    return RectificationOut(
        step=found.step,
        step_label=found.get_step_display(),
        step_due=found.step_due,
        warning=selectors.step_warning(found),
        outcome=found.outcome,
        rater_satisfied=found.rater_satisfied,
    )


def _appeal_out(rating: Rating) -> AppealOut | None:
    appeal = getattr(rating, "appeal", None)
    if appeal is None:
        return None
    return AppealOut(
        kind=appeal.kind,
        reason=appeal.reason,
        status=appeal.status,
        decision_note=appeal.decision_note,
    )


def _rating_out(rating: Rating) -> RatingOut:
    return RatingOut(
        id=rating.pk,
        case_no=rating.case.case_no,
        level=rating.level,
        level_label=rating.get_level_display(),
        tags=rating.tags,
        comment=rating.comment,
        channel=rating.channel,
        rated_at=rating.rated_at,
        departments=sorted(d.code for d in rating.departments.all()),
        rectification=_rectification_out(rating),
        appeal=_appeal_out(rating),
    )


@router.post(
    "/cases/{case_no}/rating", response={201: RatingOut, **ERRORS}, summary="评价已办结的办件"
)
def rate(request, case_no: str, body: RatingIn):
    rating = services.rating_submit(
        case=case_by_no(case_no),
        rater=request.auth,
        level=body.level,
        channel=body.channel,
        tags=body.tags,
        comment=body.comment,
    )
    return Status(201, _rating_out(selectors.rating_with_parts(rating.pk)))


@router.get("/ratings", response={200: list[RatingOut], **ERRORS}, summary="评价列表（工作人员）")
def ratings(request, bad: bool = False, before: RowId | None = None, limit: int = 50):
    """本部门（监督人员为全部）的评价，新的在前；`before` 传上一页最后一条的 id 翻页。"""
    found = selectors.ratings_for_staff(request.auth, bad_only=bad, before_id=before, limit=limit)
    return [_rating_out(r) for r in found]


class StepIn(Schema):
    note: str = ""
    rater_satisfied: bool | None = Field(None, description="回访时必填：评价人是否满意")


@router.post(
    "/ratings/{rating_id}/rectification/{action}",
    response={200: RatingOut, **ERRORS},
    summary="办理差评整改环节（verify, rectify, explain, follow_up, close）",
)
def rectification_step(request, rating_id: RowId, action: str, body: StepIn):
    found = selectors.rectification_for_staff(request.auth, rating_id)
    services.rectification_act(
        rectification=found,
        actor=request.auth,
        action=action,
        note=body.note,
        rater_satisfied=body.rater_satisfied,
    )
    return _rating_out(selectors.rating_with_parts(rating_id))


class AppealIn(Schema):
    kind: str = Field("", description="mistaken（误评）或 malicious（恶意差评）")
    reason: str = ""


@router.post("/ratings/{rating_id}/appeal", response={201: RatingOut, **ERRORS}, summary="差评申诉")
def appeal(request, rating_id: RowId, body: AppealIn):
    found = selectors.rectification_for_staff(request.auth, rating_id)
    services.rating_appeal(
        rating=found.rating, actor=request.auth, kind=body.kind, reason=body.reason
    )
    return Status(201, _rating_out(selectors.rating_with_parts(rating_id)))


class AppealDecisionIn(Schema):
    upheld: bool
    note: str = ""


@router.post(
    "/ratings/{rating_id}/appeal/decision",
    response={200: RatingOut, **ERRORS},
    summary="复核差评申诉（监督人员）",
)
def decide_appeal(request, rating_id: RowId, body: AppealDecisionIn):
    found = selectors.rectification_for_staff(request.auth, rating_id)
    services.rating_appeal_decide(
        appeal=selectors.appeal_of(found.rating_id),
        supervisor=request.auth,
        upheld=body.upheld,
        note=body.note,
    )
    return _rating_out(selectors.rating_with_parts(rating_id))


class ComplaintIn(Schema):
    target: str = Field(..., description="case（办件）, window（窗口）或 staff（工作人员）")
    content: str
    phone: str
    name: str = ""
    case_no: str = ""
    center_code: str = ""
    window: str = ""
    staff_no: str = Field("", description="工作人员工号")
    channel: str = Field("web", description="web 或 kiosk")


class ComplaintOut(Schema):
    number: str
    status: str
    routed_to: str
    due_on: dt.date


@router.post(
    "/complaints", response={201: ComplaintOut, **ERRORS}, auth=None, summary="提交投诉（公开）"
)
def complain(request, body: ComplaintIn):
    complaint = complaint_services.complaint_submit(**body.dict())
    routed_to = complaint.department.name if complaint.department else _("监督办公室")
    return Status(
        201,
        ComplaintOut(
            number=complaint.number,
            status=complaint.status,
            routed_to=routed_to,
            due_on=complaint.due_on,
        ),
    )


class FiguresOut(Schema):
    label: str
    total: int
    counts: dict[int, int]
    satisfaction_rate: float | None
    bad: int
    bad_rectified: int
    rectified_rate: float | None


class SatisfactionOut(Schema):
    first_month: dt.date
    last_month: dt.date
    overall: FiguresOut
    by_month: list[FiguresOut]
    by_department: list[FiguresOut]
    by_item: list[FiguresOut]


def _figures_out(figures: Figures) -> FiguresOut:
    return FiguresOut(
        label=figures.label,
        total=figures.total,
        counts=figures.counts,
        satisfaction_rate=figures.satisfaction_rate,
        bad=figures.bad,
        bad_rectified=figures.bad_rectified,
        rectified_rate=figures.rectified_rate,
    )


@router.get("/satisfaction", response=SatisfactionOut, auth=None, summary="满意度公示（公开）")
def satisfaction(request, months: int = 12):
    report = selectors.satisfaction_report(months)
    return SatisfactionOut(
        first_month=report.first_month,
        last_month=report.last_month,
        overall=_figures_out(report.overall),
        by_month=[_figures_out(f) for f in report.by_month],
        by_department=[_figures_out(f) for f in report.by_department],
        by_item=[_figures_out(f) for f in report.by_item],
    )


class TermOut(Schema):
    key: str
    label: str
    points: int
    cap: int | None


class LineOut(Schema):
    key: str
    count: int
    points: int


class ScoreOut(Schema):
    name: str
    ref: str = Field(..., description="部门编码或工作人员工号")
    total: int
    lines: list[LineOut]


class AssessmentOut(Schema):
    month: str
    base: int
    rule: list[TermOut]
    departments: list[ScoreOut]
    staff: list[ScoreOut]


def _score_out(score: assessment_selectors.Score) -> ScoreOut:
    lines = [LineOut(key=x.term.key, count=x.count, points=x.points) for x in score.lines]
    return ScoreOut(name=score.name, ref=score.ref, total=score.total, lines=lines)


@router.get("/assessment", response={200: AssessmentOut, **ERRORS}, summary="内部考评（监督人员）")
def assessment(request, month: str = ""):
    """`month`：年-月，如 2025-09；不填为本月。"""
    assessment_selectors.ensure_may_assess(request.auth)
    result = assessment_selectors.assessment(request.auth, assessment_selectors.parse_month(month))
    return AssessmentOut(
        month=f"{result.month:%Y-%m}",
        base=result.rule.base,
        rule=[
            TermOut(key=t.key, label=str(t.label), points=t.points, cap=t.cap)
            for t in result.rule.terms
        ],
        departments=[_score_out(s) for s in result.departments],
        staff=[_score_out(s) for s in result.staff],
    )

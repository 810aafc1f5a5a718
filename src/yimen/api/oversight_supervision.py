"""Supervision and statistics: the live dashboard, the figures for a period, and random
spot checks. Supervisors (and superusers) only; the pages show the same figures."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from yimen.api.auth import ACCOUNT_AUTH
from yimen.api.cases import ERRORS
from yimen.api.params import RowId
from yimen.oversight.selectors import stats as stats_selectors
from yimen.oversight.selectors import supervision as selectors
from yimen.oversight.selectors.supervision import SpotCheckView, WarningRow
from yimen.oversight.services import supervision as services

router = Router(tags=["电子监察与统计"], auth=ACCOUNT_AUTH)


class TallyOut(Schema):
    key: str
    label: str
    count: int


class WarningCaseOut(Schema):
    case_no: str
    item: str
    department: str
    owner: str | None
    deadline: dt.date
    days_left: int = Field(description="剩余工作日，负数为已超期")


class ProcedureOut(Schema):
    kind: str
    label: str
    running: int
    running_average: float | None = Field(description="进行中的平均已用工作日")
    longest_days: int
    ended: int = Field(description="近90天结束的件数")
    ended_average: float | None


class ViolationOut(Schema):
    case_no: str
    kind: str
    label: str
    at: dt.datetime
    description: str
    details: dict


class DashboardOut(Schema):
    today: dt.date
    open_total: int
    states: list[TallyOut]
    warnings: dict[str, int] = Field(description="red, yellow, normal, paused")
    red: list[WarningCaseOut]
    yellow: list[WarningCaseOut]
    overdue_by_department: list[TallyOut]
    overdue_by_item: list[TallyOut]
    overdue_by_staff: list[TallyOut]
    special_procedures: list[ProcedureOut]
    violation_counts: list[TallyOut]
    violations: list[ViolationOut]


def _warning_out(row: WarningRow) -> WarningCaseOut:
    case = row.case
    return WarningCaseOut(
        case_no=case.case_no,
        item=case.version.name,
        department=case.department.name,
        owner=str(case.owner) if case.owner else None,
        deadline=row.clock.due,
        days_left=row.clock.days_left,
    )


@router.get("/supervision/dashboard", response={200: DashboardOut, **ERRORS}, summary="监察看板")
def dashboard(request):
    board = selectors.dashboard(request.auth)
    return DashboardOut(
        today=board.today,
        open_total=board.open_total,
        states=board.states,
        warnings=board.warnings,
        red=[_warning_out(r) for r in board.red],
        yellow=[_warning_out(r) for r in board.yellow],
        overdue_by_department=board.overdue_by_department,
        overdue_by_item=board.overdue_by_item,
        overdue_by_staff=board.overdue_by_staff,
        special_procedures=board.procedures,
        violation_counts=board.violation_counts,
        violations=[
            ViolationOut(
                case_no=v.case.case_no,
                kind=v.kind,
                label=v.get_kind_display(),
                at=v.at,
                description=v.describe(),
                details=v.details,
            )
            for v in board.violations
        ],
    )


# --- statistics ---------------------------------------------------------------------------


class ScopeIn(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="开始日期（含）")
    date_to: dt.date | None = Field(None, alias="to", description="结束日期（含），默认今天")
    department: str = Field("", description="部门编码")
    center: str = Field("", description="服务中心编码")
    channel: str = Field("", description="申请渠道：window, online, mobile, kiosk, assisted")

    def scope(self) -> stats_selectors.StatsFilter:
        return stats_selectors.stats_filter(
            date_from=self.date_from,
            date_to=self.date_to,
            department=self.department,
            center=self.center,
            channel=self.channel,
        )


class FiguresOut(Schema):
    received: int
    accepted: int
    online: int
    reused: int = Field(description="材料库复用的材料份数")
    completed: int
    completed_within_one_visit: int
    zero_visit: int
    early: int
    sum_workdays: int
    sum_committed_days: int
    one_visit_rate: float | None = Field(description="只跑一次率（0–1）")
    zero_visit_rate: float | None
    online_rate: float | None
    early_rate: float | None
    avg_workdays: float | None
    avg_committed_days: float | None
    p90_workdays: int | None
    p90_capped: bool = Field(description="P90 落在最后一档（不少于60个工作日）")


class GroupOut(Schema):
    key: str
    label: str
    figures: FiguresOut


class SatisfactionOut(Schema):
    ratings: int
    satisfied: int
    bad: int
    rate: float | None


class StatsOut(Schema):
    filters: dict
    totals: FiguresOut
    departments: list[GroupOut]
    months: list[GroupOut]
    satisfaction: SatisfactionOut


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="统计数据")
def stats(request, query: Query[ScopeIn]):
    report = stats_selectors.stats_report(request.auth, query.scope())
    return StatsOut(
        filters=report.filters.as_json(),
        totals=report.totals,
        departments=report.departments,
        months=report.months,
        satisfaction=report.satisfaction,
    )


# --- spot checks --------------------------------------------------------------------------


class SpotCheckIn(ScopeIn):
    size: int = Field(description="抽取数量")
    seed: int | None = Field(None, description="随机种子；不填则随机生成")
    note: str = ""


class SpotCheckCaseOut(Schema):
    position: int
    case_no: str
    item: str
    result: str
    finding: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None


class SpotCheckOut(Schema):
    id: int
    seed: int
    scope: dict
    requested: int
    population: int
    drawn_by: str
    drawn_at: dt.datetime
    note: str
    repeatable: bool = Field(description="按相同种子和范围重新抽取仍得到同一批办件")
    cases: list[SpotCheckCaseOut]


class ReviewIn(Schema):
    result: str = Field(description="ok 或 problem")
    finding: str = ""


def _item_out(item) -> SpotCheckCaseOut:
    return SpotCheckCaseOut(
        position=item.position,
        case_no=item.case.case_no,
        item=item.case.version.name,
        result=item.result,
        finding=item.finding,
        reviewed_by=str(item.reviewed_by) if item.reviewed_by else None,
        reviewed_at=item.reviewed_at,
    )


def _spot_check_out(view: SpotCheckView) -> SpotCheckOut:
    check = view.check
    return SpotCheckOut(
        id=check.pk,
        seed=check.seed,
        scope=check.scope,
        requested=check.requested,
        population=check.population,
        drawn_by=str(check.drawn_by),
        drawn_at=check.drawn_at,
        note=check.note,
        repeatable=view.repeatable,
        cases=[_item_out(item) for item in view.items],
    )


@router.post("/spot-checks", response={201: SpotCheckOut, **ERRORS}, summary="随机抽查：抽取")
def spot_check_draw(request, body: SpotCheckIn):
    check = services.spot_check_draw(
        supervisor=request.auth, scope=body.scope(), size=body.size, seed=body.seed, note=body.note
    )
    return Status(201, _spot_check_out(selectors.spot_check_detail(request.auth, check.pk)))


@router.get("/spot-checks/{check_id}", response={200: SpotCheckOut, **ERRORS}, summary="抽查详情")
def spot_check(request, check_id: RowId):
    return _spot_check_out(selectors.spot_check_detail(request.auth, check_id))


@router.post(
    "/spot-checks/{check_id}/cases/{case_no}/review",
    response={200: SpotCheckCaseOut, **ERRORS},
    summary="随机抽查：记录检查结论",
)
def spot_check_review(request, check_id: RowId, case_no: str, body: ReviewIn):
    item = selectors.spot_check_item(request.auth, check_id, case_no)
    reviewed = services.spot_check_review(
        supervisor=request.auth, item=item, result=body.result, finding=body.finding
    )
    return _item_out(reviewed)

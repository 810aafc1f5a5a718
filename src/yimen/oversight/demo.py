"""Demo oversight: ratings of finished demo cases (mostly good; one bad rating being
rectified, one closed after the follow-up), two complaints (one answered, one open), the
regulators subscribed to the items they oversee with the demo licences in their inboxes, a
regulator's finding for the approver, and a spot check with one finding.

`load_demo()` runs after the demo cases and licences. Everything goes through the
oversight services, at moments counted back in working days like the demo cases; a part
that is there already is skipped, so loading twice adds nothing. Silent.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from yimen.cases.demo import KEY_PREFIX, DemoCases
from yimen.cases.models import Case
from yimen.catalog.models import Department
from yimen.licences.models import Licence
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding
from yimen.oversight.models.ratings import Rating, RatingChannel, RatingTag, RectificationStep
from yimen.oversight.models.ratings import Satisfaction as Level
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase
from yimen.oversight.selectors.stats import StatsFilter
from yimen.oversight.services import complaints, exchange, ratings, supervision
from yimen.subjects.models import Account

Action = RectificationStep.Action
SUPERVISOR = "qu.jiandu"


@dataclass(frozen=True)
class Step:
    """One rectification step, done `back` working days ago."""

    action: str
    note: str
    back: int
    rater_satisfied: bool | None = None


@dataclass(frozen=True)
class DemoRating:
    scenario: str  # the demo case's scenario name (`yimen.cases.demo.SCENARIOS`)
    rater: str  # whose account rates: a subject key of the demo cast
    level: int
    channel: str
    tags: tuple[str, ...] = ()
    comment: str = ""
    back: int | None = None  # working days ago; None: now (the case ended today)
    hour: int = 10
    item: str = ""  # which case of a bundle (her grandson's is left for the tour to rate)
    steps: tuple[Step, ...] = ()


RATINGS = (
    DemoRating(
        "zhang-bundle",
        "grandma",
        Level.VERY_SATISFIED,
        RatingChannel.TABLET,
        (RatingTag.FAST, RatingTag.ONE_TRIP),
        "两件事一次办完，十来分钟就好了。",
        back=9,
        item="220105-MZJ-001",
    ),
    DemoRating(
        "completed-post",
        "zhao",
        Level.SATISFIED,
        RatingChannel.MOBILE,
        (RatingTag.ONE_TRIP,),
        "证书快递到家，不用再跑一趟。",
    ),
    DemoRating(
        "food-licence",
        "restaurant",
        Level.VERY_SATISFIED,
        RatingChannel.QR,
        (RatingTag.FAST, RatingTag.COURTEOUS),
    ),
    DemoRating(
        "denied",
        "grandma",
        Level.DISSATISFIED,
        RatingChannel.MOBILE,
        (RatingTag.UNCLEAR,),
        "不知道收入是怎么算的，工作人员没有讲清楚为什么不符合条件。",
        back=3,
        hour=16,
        steps=(
            Step(
                Action.VERIFY,
                "已调阅卷宗并电话联系申请人：不予批准的依据是家庭人均收入，决定书未写明计算方法。",
                back=2,
            ),
        ),
    ),
    DemoRating(
        "refused",
        "builder",
        Level.VERY_DISSATISFIED,
        RatingChannel.PC,
        (RatingTag.MANY_TRIPS, RatingTag.UNCLEAR),
        "到窗口才知道项目不归本区审批，网上的办事指南没有写清楚受理范围。",
        back=14,
        hour=15,
        steps=(
            Step(
                Action.VERIFY,
                "经核实，办事指南未写明建设项目须位于本区范围内，申请人因此多跑一趟。",
                back=13,
            ),
            Step(
                Action.RECTIFY,
                "已在办事指南“受理条件”中写明项目须位于本区范围内，网上预审增加项目地址提示。",
                back=11,
            ),
            Step(Action.FOLLOW_UP, "电话回访申请人，对整改措施表示认可。", 9, True),
            Step(Action.CLOSE, "整改到位，回访满意，同意办结。", back=8),
        ),
    ),
)


@dataclass(frozen=True)
class DemoComplaint:
    target: str
    complainant: str  # a subject key of the demo cast; their account files it
    content: str
    back: int
    scenario: str = ""  # the case complained about
    window: str = ""  # the window complained about, at the street center
    answer: str = ""  # answered by the case's department a working day later


COMPLAINTS = (
    DemoComplaint(
        Complaint.Target.CASE,
        "son",
        "补正告知书要求重新填写来本区居住日期，但没有说明应以哪份材料为准，我只好再跑一趟。",
        back=2,
        scenario="correction",
        answer="经核查，补正告知书列明了需核对的内容，但未说明以租住合同载明的日期为准。"
        "已电话向您说明，并要求窗口在告知书中写明依据。",
    ),
    DemoComplaint(
        Complaint.Target.WINDOW,
        "wang",
        "东盛街道便民服务中心自助服务区的终端打印不了社保缴费证明，已经坏了一周。",
        back=1,
        window="自助服务区",
    ),
)

# The items each regulator oversees: 市场监管 the food, drug and equipment licences; 消防
# the places open to the public (restaurants, kindergartens, entertainment venues).
REGULATED_ITEMS = {
    "SCJ": ("220105-SCJ-006", "220105-SCJ-007", "220105-SCJ-008", "220105-SCJ-010"),
    "XFJ": ("220105-XFJ-001", "220105-SCJ-006", "220105-JYJ-001", "220105-WLJ-001"),
}
FINDING = (
    "XFJ",
    "food-licence",
    "对该店开展消防监督检查，发现后厨燃气管道未安装可燃气体报警装置，已责令限期改正。"
    "请审批部门知悉，复查合格前请暂缓办理该店相关许可的变更。",
)
SPOT_CHECK_NOTE = "演示：近两个月办结件随机抽查"
SPOT_CHECK_SEED = 20261125
SPOT_CHECK_FINDING = "卷宗中缺少申请人签收的告知书回执，已要求承办部门补齐归档。"


def load_demo() -> None:
    """Create the demo oversight data that is not there yet; silent."""
    with transaction.atomic():
        demo = DemoOversight()
        for rating in RATINGS:
            demo.rate(rating)
        for complaint in COMPLAINTS:
            demo.complain(complaint)
        demo.subscribe_regulators()
        demo.send_finding(*FINDING)
        demo.spot_check()


class DemoOversight:
    def __init__(self):
        self.cast = DemoCases()
        self.supervisor = Account.objects.get(username=SUPERVISOR)

    def case(self, scenario: str, item: str = "") -> Case:
        cases = Case.objects.filter(filing__idempotency_key=KEY_PREFIX + scenario)
        if item:
            cases = cases.filter(version__item__code=item)
        return cases.select_related("department").get()

    def moment(self, back: int | None, hour: int = 10) -> dt.datetime | None:
        return None if back is None else self.cast.at(back, hour)

    # --- ratings --------------------------------------------------------------------------

    def rate(self, spec: DemoRating) -> None:
        case = self.case(spec.scenario, spec.item)
        if Rating.objects.filter(case=case).exists():
            return
        rating = ratings.rating_submit(
            case=case,
            rater=self.cast.account_of(spec.rater),
            level=spec.level,
            channel=spec.channel,
            tags=spec.tags,
            comment=spec.comment,
            now=self.moment(spec.back, spec.hour),
        )
        department_staff = self.cast.reviewer(case.department.code)
        for step in spec.steps:
            ratings.rectification_act(
                rectification=rating.rectification,
                actor=self.supervisor if step.action == Action.CLOSE else department_staff,
                action=step.action,
                note=step.note,
                rater_satisfied=step.rater_satisfied,
                now=self.moment(step.back, 14),
            )

    # --- complaints -----------------------------------------------------------------------

    def complain(self, spec: DemoComplaint) -> None:
        if Complaint.objects.filter(content=spec.content).exists():
            return
        account = self.cast.account_of(spec.complainant)
        complaint = complaints.complaint_submit(
            target=spec.target,
            content=spec.content,
            name=account.name,
            phone=account.phone,
            case_no=self.case(spec.scenario).case_no if spec.scenario else "",
            center_code=self.cast.street.code if spec.window else "",
            window=spec.window,
            account=account,
            now=self.moment(spec.back, 9),
        )
        if spec.answer:
            complaints.complaint_answer(
                complaint=complaint,
                actor=self.cast.reviewer(complaint.department.code),
                answer=spec.answer,
                founded=True,
                now=self.moment(spec.back - 1, 15),
            )

    # --- approval–regulation exchange -----------------------------------------------------

    def regulator(self, code: str) -> Account:
        return Account.objects.get(username=f"jianguan.{code.lower()}")

    def subscribe_regulators(self) -> None:
        """Inbox-only subscriptions; the demo licences already issued for those items are
        put in the inboxes as if the subscriptions had come first."""
        for code, items in REGULATED_ITEMS.items():
            department = Department.objects.get(code=code)
            for item_code in items:
                exchange.subscription_save(
                    actor=self.regulator(code), department=department, item_code=item_code
                )
        subscribed = {code for items in REGULATED_ITEMS.values() for code in items}
        issued = Licence.objects.filter(item_code__in=subscribed).select_related(
            "holder", "item_version", "case__department"
        )
        for licence in issued.order_by("issued_at", "pk"):
            exchange.licence_notify(
                licence=licence, kind=OutboxMessage.Kind.GRANTED, now=licence.issued_at
            )

    def send_finding(self, code: str, scenario: str, text: str) -> None:
        """The regulator acknowledges the licence's notice and sends the approver a finding."""
        licence = Licence.objects.get(case=self.case(scenario))
        notice = OutboxMessage.objects.get(department__code=code, licence_no=licence.number)
        if RegulatorFinding.objects.filter(notice=notice).exists():
            return
        regulator = self.regulator(code)
        exchange.notice_acknowledge(actor=regulator, notice=notice)
        exchange.finding_send(
            actor=regulator, notice=notice, kind=RegulatorFinding.Kind.OPINION, text=text
        )

    # --- supervision ----------------------------------------------------------------------

    def spot_check(self) -> None:
        """A draw over the last two months, with a finding on the first case drawn."""
        if SpotCheck.objects.filter(note=SPOT_CHECK_NOTE).exists():
            return
        today = self.cast.today
        check = supervision.spot_check_draw(
            supervisor=self.supervisor,
            scope=StatsFilter(date_from=today - dt.timedelta(days=60), date_to=today),
            size=3,
            seed=SPOT_CHECK_SEED,
            note=SPOT_CHECK_NOTE,
        )
        supervision.spot_check_review(
            supervisor=self.supervisor,
            item=check.cases.order_by("position").first(),
            result=SpotCheckCase.Result.PROBLEM,
            finding=SPOT_CHECK_FINDING,
        )

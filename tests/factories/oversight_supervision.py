"""Supervision and statistics test data: a small bureau, and cases driven through the real
case services along varied paths (channels, corrections, special procedures, deliveries,
early and late completions)."""

import datetime as dt
import random
from dataclasses import dataclass

from tests.factories import catalog
from tests.factories import subjects as people
from tests.factories.cases import ALL_MATERIALS, at, licence_item
from yimen.cases import services
from yimen.cases.clocks import intake_due
from yimen.cases.models import Case, Channel, Task
from yimen.catalog.models import HandlingType, ItemVersion, Role, ServiceCenter, StageKind
from yimen.subjects.models import Account, Person
from yimen.worktime.calendar import add_workdays
from yimen.worktime.selectors import get_calendar

D = dt.date
VISIT_CHANNELS = (Channel.WINDOW, Channel.KIOSK)


@dataclass
class Bureau:
    clerk: Account
    reviewer: Account
    inspector: Account
    approver: Account
    grid_worker: Account
    supervisor: Account
    citizens: list[tuple[Account, Person]]
    centers: list[ServiceCenter]
    items: dict[str, ItemVersion]


def bureau() -> Bureau:
    """Two departments (民政局 with an inspected licence and an instant item, 市场监管局
    with a plain licence), two centers, staff serving every department, two citizens of
    whom the first has an ID card in the material locker; the grid worker holds both
    citizens' authorisations."""
    market = catalog.department("SCJ", "市场监管局")
    items = {
        "inspected": licence_item("220105-MZJ-101", inspection=True, name="养老机构备案"),
        "plain": licence_item("220105-SCJ-102", name="食品经营许可", lead_department=market),
        "instant": licence_item(
            "220105-MZJ-103", handling_type=HandlingType.INSTANT, name="老年人优待证"
        ),
    }
    citizens = [people.citizen("张桂兰"), people.citizen("李建国", birth="19660405")]
    people.stored(citizens[0][1], "id_card", valid_from=D(2025, 1, 1))
    grid_worker = people.staff(Role.GRID_WORKER, name="周红")
    for _account, person in citizens:
        people.grant(person, grid_worker, valid_from=D(2025, 1, 1))
    return Bureau(
        clerk=people.staff(Role.CLERK),
        reviewer=people.staff(Role.REVIEWER, name="王强"),
        inspector=people.staff(Role.INSPECTOR, name="赵敏"),
        approver=people.staff(Role.APPROVER, name="孙立"),
        grid_worker=grid_worker,
        supervisor=people.staff(Role.SUPERVISOR, name="钱监"),
        citizens=citizens,
        centers=[people.center("QZX"), people.center("DSJ", ServiceCenter.Level.STREET)],
        items=items,
    )


@dataclass(frozen=True)
class Plan:
    """How one case goes. `finish_after`: working days from acceptance to the decision and
    delivery (None leaves the case open)."""

    item: str
    channel: str
    day: dt.date
    citizen: int = 0
    center: int = 0
    correction: bool = False
    second_notice: bool = False
    refuse: bool = False
    deem: bool = False
    suspend_days: int = 0
    finish_after: int | None = 5
    grant: bool = True
    delivery: str = "window"


def workday(day: dt.date, n: int = 1) -> dt.date:
    return add_workdays(day, n, get_calendar()).date


class Driver:
    """Moves one case along its plan, one working day per step."""

    def __init__(self, office: Bureau, plan: Plan):
        self.office, self.plan, self.day = office, plan, plan.day
        self.applicant, self.person = office.citizens[plan.citizen]
        in_person = plan.channel in VISIT_CHANNELS
        self.center = office.centers[plan.center] if in_person else None

    def step(self) -> dt.datetime:
        """The next working day, at ten."""
        self.day = workday(self.day)
        return at(self.day)

    def submit(self) -> Case:
        plan, office = self.plan, self.office
        actor = {Channel.WINDOW: office.clerk, Channel.ASSISTED: office.grid_worker}.get(
            plan.channel, self.applicant
        )
        provided = [m for m in ALL_MATERIALS if not (plan.correction and m == "lease")]
        return services.case_submit(
            actor=actor,
            subject=self.person,
            item_code=self.office.items[plan.item].item.code,
            channel=plan.channel,
            form={"shop_name": "老王面馆"},
            provided=provided,
            center=self.center,
            now=at(self.day, 9),
        )

    def supply(self, case: Case, provided: list[str]) -> Case:
        in_person = self.plan.channel in VISIT_CHANNELS
        return services.case_supply_correction(
            case=case,
            actor=self.office.clerk if self.plan.channel == Channel.WINDOW else self.applicant,
            provided=provided,
            channel=self.plan.channel if in_person else Channel.ONLINE,
            center=self.center,
            now=self.step(),
        )

    def correct(self, case: Case) -> Case:
        clerk = self.office.clerk
        services.case_request_correction(case=case, clerk=clerk, now=at(self.day, 10))
        case = self.supply(case, ["lease"])
        if self.plan.second_notice:
            services.case_request_correction(
                case=case, clerk=clerk, notes=["申请表签名缺失"], reason="初审遗漏", now=self.step()
            )
            case = self.supply(case, [])
        return case

    def intake(self, case: Case) -> Case:
        if self.plan.deem:
            self.day = intake_due(case.intake_from, get_calendar()) + dt.timedelta(days=1)
            services.cases_deem_overdue_intakes(now=at(self.day, 8))
        else:
            services.case_accept(case=case, clerk=self.office.clerk, now=self.step())
        return Case.objects.get(pk=case.pk)

    def suspend(self, case: Case) -> None:
        office = self.office
        services.case_suspend(
            case=case,
            actor=office.approver,
            kind="expert_review",
            reason="专家评审",
            now=self.step(),
        )
        self.day += dt.timedelta(days=self.plan.suspend_days)
        services.case_resume(case=case, actor=office.approver, reason="评审结束", now=at(self.day))

    def work(self, case: Case) -> None:
        waiting = (
            case.tasks.filter(status=Task.Status.OPEN)
            .exclude(stage_kind=StageKind.DECISION)
            .order_by("pk")
        )
        while (task := waiting.first()) is not None:
            actor = self.office.inspector if task.role == Role.INSPECTOR else self.office.reviewer
            services.task_complete(task=task, actor=actor, opinion="同意", now=self.step())

    def finish(self, case: Case, accepted_day: dt.date) -> None:
        office, plan = self.office, self.plan
        self.day = max(workday(accepted_day, plan.finish_after), workday(self.day))
        services.case_decide(
            case=case,
            approver=office.approver,
            grant=plan.grant,
            reason="审查意见",
            now=at(self.day),
        )
        if plan.grant:
            services.case_issue_licence(case=case, actor=office.approver, now=at(self.day, 14))
        services.case_deliver(
            case=case,
            actor=office.clerk,
            mode=plan.delivery,
            tracking_no="SF1234567890" if plan.delivery == "post" else "",
            center=self.center or office.centers[0],
            now=at(self.day, 15),
        )

    def run(self) -> Case:
        plan, clerk = self.plan, self.office.clerk
        case = self.submit()
        if plan.refuse:
            services.case_refuse(
                case=case, clerk=clerk, reason="不符合条件", legal_basis="第35条", now=self.step()
            )
            return case
        if plan.correction:
            case = self.correct(case)
        if plan.item == "instant":
            return services.case_complete_instant(case=case, clerk=clerk, now=self.step())
        case = self.intake(case)
        accepted_day = self.day
        if plan.suspend_days:
            self.suspend(case)
        if plan.finish_after is None:
            return case
        self.work(case)
        self.finish(case, accepted_day)
        return Case.objects.get(pk=case.pk)


def drive(office: Bureau, plan: Plan) -> Case:
    return Driver(office, plan).run()


ITEMS = ("inspected", "plain", "instant")
CHANNELS = tuple(Channel.values)


def plans(count: int = 36, seed: int = 2025) -> list[Plan]:
    """Varied plans: every item on every channel, with corrections, special procedures,
    refusals, deemed acceptances, open cases, and completions from early to very late."""
    rng = random.Random(seed)
    found = []
    for n in range(count):
        correction = rng.random() < 0.3
        found.append(
            Plan(
                item=ITEMS[n % len(ITEMS)],
                channel=CHANNELS[n % len(CHANNELS)],
                day=workday(D(2025, 9, 1), rng.randrange(60)),
                citizen=n % 2,
                center=rng.randrange(2),
                correction=correction,
                second_notice=correction and rng.random() < 0.5,
                refuse=n % 11 == 10,
                deem=n % 9 == 4,
                suspend_days=rng.choice((0, 0, 0, 3, 8)),
                finish_after=rng.choice((None, 1, 4, 8, 12, 24)),
                grant=rng.random() < 0.8,
                delivery=rng.choice(("window", "post", "electronic")),
            )
        )
    return found

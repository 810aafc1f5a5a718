"""Demo cases: every state of the lifecycle, some late, on every channel.

`load_demo()` builds on the demo catalog and the demo subjects and staff (both
loaded first). Each case is driven through `yimen.cases.services` at moments in
the past, counted back in working days from today, so its events, clocks and
visits are the ones real work would leave. A scenario runs only if its filing
(found by its idempotency key) does not exist yet: loading twice adds nothing.

Granted licensing cases stop at their decision: the licences demo issues their
sealed licences (this app never makes one). `deliver_issued()`, run after it, then
hands out the licences of the scenarios that end completed.
"""

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from yimen.cases import services
from yimen.cases.models import Case, Channel, Filing, Task
from yimen.cases.states import CaseState
from yimen.catalog.models import DeliveryMode, ServiceCenter
from yimen.catalog.selectors import current_version
from yimen.subjects import services as subject_services
from yimen.subjects.demo import ORGANISATIONS, PERSONS, resident_id, uscc
from yimen.subjects.models import Account, Organisation, Person, Subject
from yimen.worktime.calendar import is_workday
from yimen.worktime.selectors import get_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "demo-"
FALLBACK_PHONE = "0431-84795271"  # a street center's line, for applicants without a phone
LAW = "《中华人民共和国行政许可法》"

# Demo staff by the usernames `yimen.subjects.demo` gives them.
STAFF = {
    "clerk": "qu.chuangkou",
    "street_clerk": "jd.chuangkou",
    "inspector": "qu.tankan",
    "approver": "qu.juzhang",
    "grid_worker": "jd.wangge",
}


def load_demo() -> None:
    """Create the demo cases that do not exist yet; silent."""
    with transaction.atomic():
        loader = DemoCases()
        for name, scenario in SCENARIOS:
            key = KEY_PREFIX + name
            if not Filing.objects.filter(idempotency_key=key).exists():
                scenario(loader, key)


def deliver_issued() -> None:
    """Hand out the licences the licences demo issued for the scenarios that end completed;
    silent, and nothing once they are delivered."""
    with transaction.atomic():
        clerk = Account.objects.get(username=STAFF["clerk"])
        district = ServiceCenter.objects.get(level=ServiceCenter.Level.DISTRICT)
        for name, (mode, tracking_no) in DELIVERED_AFTER_ISSUE.items():
            issued = Case.objects.filter(
                filing__idempotency_key=KEY_PREFIX + name, state=CaseState.ISSUED
            )
            for case in issued:
                services.case_deliver(
                    case=case, actor=clerk, mode=mode, tracking_no=tracking_no, center=district
                )


class DemoCases:
    """The cast (demo staff, subjects, centers) and the steps every scenario uses."""

    def __init__(self):
        self.today = timezone.localdate()
        self.calendar = get_calendar()
        self.staff = {role: Account.objects.get(username=name) for role, name in STAFF.items()}
        self.subjects = self._subjects()
        self.district = ServiceCenter.objects.get(level=ServiceCenter.Level.DISTRICT)
        streets = ServiceCenter.objects.filter(level=ServiceCenter.Level.STREET)
        self.street = streets.filter(name__contains="东盛").first() or streets.first()

    def _subjects(self) -> dict[str, Subject]:
        persons = {key: resident_id(birth, seq) for key, _n, birth, seq, *_rest in PERSONS}
        orgs = {key: uscc(first17) for key, _n, first17, *_rest in ORGANISATIONS}
        found = {p.code: p for p in Person.objects.by_codes(persons.values())}
        organisations = Organisation.objects.select_related("legal_representative")
        found |= {o.code: o for o in organisations.by_codes(orgs.values())}
        return {key: found[code] for key, code in (persons | orgs).items()}

    def reviewer(self, department_code: str) -> Account:
        return Account.objects.get(username=f"qu.shencha.{department_code.lower()}")

    def account_of(self, subject_key: str) -> Account:
        subject = self.subjects[subject_key]
        if isinstance(subject, Organisation):
            return subject.legal_representative.account
        return subject.account

    # --- time -------------------------------------------------------------------------

    def workday(self, back: int) -> dt.date:
        """The working day `back` working days before today."""
        day = self.today
        while back:
            day -= dt.timedelta(days=1)
            back -= is_workday(day, self.calendar)
        return day

    def at(self, back: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self.workday(back)
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)

    # --- applying ---------------------------------------------------------------------

    def form(self, item_code: str, subject: Subject, on: dt.date, extra: dict) -> dict:
        """The applicant's own details where the item's form asks for them, and `extra`."""
        keys = {f.key for f in current_version(item_code, on).form_fields.all()}
        own = _own_details(subject)
        return {k: v for k, v in own.items() if k in keys} | extra

    def kinds(self, item_code: str, on: dt.date, *, missing=()) -> list[str]:
        """Every material kind the item asks for, except those left `missing`."""
        specs = current_version(item_code, on).materials.values_list("kind__code", flat=True)
        return [code for code in specs if code not in missing]

    def submit(
        self,
        key,
        *,
        actor,
        applicant,
        item,
        channel,
        back,
        hour=9,
        missing=(),
        center=None,
        **extra,
    ) -> Case:
        now = self.at(back, hour)
        subject = self.subjects[applicant]
        return services.case_submit(
            actor=actor,
            subject=subject,
            item_code=item,
            channel=channel,
            form=self.form(item, subject, now.date(), extra),
            provided=self.kinds(item, now.date(), missing=missing),
            idempotency_key=key,
            center=center,
            now=now,
        )

    def accept(self, case: Case, back: int, hour: int = 10, clerk=None) -> Case:
        clerk = clerk or self.staff["clerk"]
        return services.case_accept(case=case, clerk=clerk, now=self.at(back, hour))

    def complete(self, case: Case, department: str, actor: Account, back: int, opinion: str):
        """The open task of `department` is finished with `opinion`."""
        task = case.tasks.get(status=Task.Status.OPEN, department__code=department)
        services.task_complete(task=task, actor=actor, opinion=opinion, now=self.at(back, 15))

    def review(self, case: Case, back: int, opinion: str = "材料齐全，符合法定条件，同意。"):
        department = case.department.code
        self.complete(case, department, self.reviewer(department), back, opinion)

    def inspect(self, case: Case, back: int, opinion: str):
        self.complete(case, case.department.code, self.staff["inspector"], back, opinion)

    def decide(self, case: Case, back: int, reason: str, *, grant: bool = True) -> Case:
        return services.case_decide(
            case=case,
            approver=self.staff["approver"],
            grant=grant,
            reason=reason,
            now=self.at(back, 11),
        )


def _own_details(subject: Subject) -> dict:
    subject = subject.concrete()
    if isinstance(subject, Organisation):
        representative = subject.legal_representative
        return {
            "applicant_name": subject.name,
            "company_name": subject.name,
            "uscc": subject.code,
            "legal_rep": representative.name,
            "phone": representative.phone or FALLBACK_PHONE,
            "address": subject.address,
            "premises_address": subject.address,
        }
    return {
        "applicant_name": subject.name,
        "id_number": subject.code,
        "phone": subject.phone or FALLBACK_PHONE,
        "address": subject.address,
    }


# --- the scenarios, one case (or bundle) each ------------------------------------------------


def zhang_bundle_in_one_visit(d: DemoCases, key: str) -> None:
    """张大娘: her 老年人优待证 and her grandson's 新生儿医保 (his case, she his guardian),
    finished in one 11-minute visit."""
    now = d.at(9, 9, 30)
    grandma, grandson = d.subjects["grandma"], d.subjects["grandson"]
    filing = services.bundle_submit(
        actor=d.staff["street_clerk"],
        subject=grandma,
        bundle_code="220105-YJS-001",
        channel=Channel.WINDOW,
        forms={
            "220105-MZJ-001": d.form(
                "220105-MZJ-001", grandma, now.date(), {"residency": "本市户籍"}
            ),
            "220105-YBJ-001": d.form(
                "220105-YBJ-001",
                grandma,
                now.date(),
                {"baby_name": grandson.name, "birth_date": "2025-12-08", "gender": "男"},
            ),
        },
        provided=["id_card", "photo", "household_register", "birth_certificate"],
        subjects={"220105-YBJ-001": grandson},
        idempotency_key=key,
        center=d.street,
        now=now,
    )
    for case in filing.cases.order_by("pk"):
        services.case_complete_instant(case=case, clerk=d.staff["street_clerk"], now=d.at(9, 9, 41))


def waiting_online(d: DemoCases, key: str) -> None:
    d.submit(
        key,
        actor=d.account_of("restaurant"),
        applicant="restaurant",
        item="220105-SCJ-007",
        channel=Channel.ONLINE,
        back=1,
        hour=15,
        licence_no="JY12201050012345",
        change_item="住所",
    )


def waiting_on_mobile_near_intake_limit(d: DemoCases, key: str) -> None:
    """An agent files on the phone; four working days later intake is nearly due."""
    d.submit(
        key,
        actor=d.account_of("wang"),
        applicant="builder",
        item="220105-ZJJ-004",
        channel=Channel.MOBILE,
        back=4,
        hour=14,
        project_name="东盛大街雨污分流改造工程",
        project_site="长春市二道区东盛大街",
        completed_on=d.workday(8).isoformat(),
    )


def correction_requested(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="son",
        item="220105-GAJ-004",
        channel=Channel.WINDOW,
        back=3,
        center=d.district,
        missing=("residence_proof",),
        resident_since="2024-03-01",
        basis="合法稳定住所",
    )
    services.case_request_correction(
        case=case,
        clerk=d.staff["clerk"],
        notes=["申请表所填“来本区居住日期”与租住合同不一致，请核对后重新填写。"],
        now=d.at(3, 9, 25),
    )


def refused_at_intake(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="builder",
        item="220105-HBJ-001",
        channel=Channel.WINDOW,
        back=15,
        center=d.district,
        project_name="东盛物流园二期",
        project_site="长春市二道区劝农山镇",
        total_investment="12000",
        env_investment="360",
    )
    services.case_refuse(
        case=case,
        clerk=d.staff["clerk"],
        reason="建设项目位于南关区劝农山镇，不在本区范围内，依法不属于本机关审批范围，请向项目所在地审批部门申请。",
        legal_basis=f"{LAW}第三十二条第一款第（二）项",
        now=d.at(15, 9, 40),
    )


def parallel_review_with_pending_material(d: DemoCases, key: str) -> None:
    """Three departments review at once; the fire brigade is done, two are still open."""
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="village",
        item="220105-JYJ-001",
        channel=Channel.WINDOW,
        back=8,
        center=d.district,
        missing=("floor_plan",),
        company_name="三道村阳光幼儿园",
        legal_rep="孙德福",
        classes="3",
        capacity="75",
    )
    case = services.case_accept_pending(
        case=case,
        clerk=d.staff["clerk"],
        pending={"floor_plan": d.today + dt.timedelta(days=5)},
        now=d.at(8, 10),
    )
    d.complete(case, "XFJ", d.reviewer("XFJ"), 5, "消防通道和疏散设施设置符合要求，同意。")


def paused_for_site_inspection(d: DemoCases, key: str) -> None:
    """A grid worker applies for an elderly villager under his signed power of attorney
    (recorded at the street center); the inspection stage stops the clock."""
    subject_services.authorisation_grant(
        granted_by=d.staff["street_clerk"],
        principal=d.subjects["sun"],
        agent=d.staff["grid_worker"],
        valid_from=d.workday(14),
        valid_until=d.today + dt.timedelta(days=365),
        all_items=True,
        note="网格员帮办代办",
    )
    case = d.submit(
        key,
        actor=d.staff["grid_worker"],
        applicant="sun",
        item="220105-MZJ-003",
        channel=Channel.ASSISTED,
        back=12,
        center=d.street,
        care_level="中度失能",
    )
    case = d.accept(case, 11, clerk=d.staff["street_clerk"])
    d.review(case, 9, "困难身份证明有效，需入户核实失能状况。")


def suspended_for_hearing(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="village",
        item="220105-GTJ-003",
        channel=Channel.WINDOW,
        back=10,
        center=d.district,
        project_site="英俊镇三道村村委会东侧",
        floor_space="420",
        storeys="2",
        purpose="乡村公共设施",
    )
    case = d.accept(case, 10, hour=11)
    services.case_suspend(
        case=case,
        actor=d.reviewer("GTJ"),
        kind="hearing",
        reason="相邻村民提出采光异议并申请听证，依法组织听证，听证期间不计入审批时限。",
        now=d.at(4, 14),
    )


def extended_once(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="builder",
        item="220105-FGJ-004",
        channel=Channel.WINDOW,
        back=7,
        center=d.district,
        project_name="东盛大街综合管廊工程",
        tender_method="公开招标",
        tender_organisation="委托招标",
    )
    case = d.accept(case, 7)
    d.review(case, 5)
    services.case_extend(
        case=case,
        approver=d.staff["approver"],
        days=5,
        reason="招标方案涉及多个标段及政府投资比例核定，需会同财政部门进一步核实。",
        now=d.at(2, 10),
    )


def overdue_in_review(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="sun",
        item="220105-RSJ-006",
        channel=Channel.WINDOW,
        back=16,
        center=d.district,
        birth_date="1964-01-17",
        work_start="1982-07-01",
    )
    d.accept(case, 16, hour=11)


def overdue_at_decision(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.account_of("builder"),
        applicant="builder",
        item="220105-HBJ-003",
        channel=Channel.ONLINE,
        back=6,
        hour=16,
        project_name="东盛大街综合管廊工程",
        project_site="长春市二道区东盛大街与吉林大路交汇处",
        start_on=(d.today + dt.timedelta(days=7)).isoformat(),
        end_on=(d.today + dt.timedelta(days=21)).isoformat(),
    )
    case = d.accept(case, 5)
    d.review(case, 4, "降噪措施可行，同意夜间连续施工。")


def due_tomorrow(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.account_of("zhao"),
        applicant="zhao",
        item="220105-MZJ-007",
        channel=Channel.MOBILE,
        back=4,
        hour=8,
        hardship="重大疾病",
        amount="3000",
    )
    d.accept(case, 4, hour=14)


def accepted_with_pending_material(d: DemoCases, key: str) -> None:
    """At the kiosk: the bank account is to follow (容缺); due today, so a yellow warning."""
    case = d.submit(
        key,
        actor=d.account_of("grandma"),
        applicant="grandma",
        item="220105-RSJ-005",
        channel=Channel.KIOSK,
        back=5,
        center=d.district,
        missing=("bank_account",),
        birth_date="1953-03-12",
        bank_account_no="6217000010012345678",
    )
    services.case_accept_pending(
        case=case,
        clerk=d.staff["clerk"],
        pending={"bank_account": d.today + dt.timedelta(days=3)},
        now=d.at(5, 10, 30),
    )


def food_licence_collected_at_window(d: DemoCases, key: str) -> None:
    """Granted after an on-site check; the owner collects the licence at the window."""
    case = d.submit(
        key,
        actor=d.account_of("restaurant"),
        applicant="restaurant",
        item="220105-SCJ-006",
        channel=Channel.ONLINE,
        back=7,
        hour=16,
        floor_area="86",
        operator_type="餐饮服务经营者",
    )
    case = d.accept(case, 6)
    d.review(case, 5)
    d.inspect(case, 3, "现场布局、设施设备与申请材料一致，符合食品安全要求。")
    d.decide(
        case, 2, "经审查及现场核查，符合《中华人民共和国食品安全法》第三十五条规定，准予许可。"
    )


def issued_awaiting_delivery(d: DemoCases, key: str) -> None:
    """Granted; once the licences demo has issued the licence it waits to be delivered."""
    case = d.submit(
        key,
        actor=d.account_of("wang"),
        applicant="wang",
        item="220105-WJJ-005",
        channel=Channel.ONLINE,
        back=5,
        hour=20,
        institution="长春市二道区人民医院",
        exam_passed_on="2026-05-20",
    )
    case = d.accept(case, 4)
    d.review(case, 3)
    d.decide(case, 2, "符合《护士条例》第七条规定的执业注册条件，准予注册。")


def completed_by_post(d: DemoCases, key: str) -> None:
    """Granted; the licence goes out by post once issued (`deliver_issued`)."""
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="zhao",
        item="220105-JYJ-003",
        channel=Channel.WINDOW,
        back=18,
        center=d.district,
        level="小学",
        subject="语文",
        mandarin_level="二级甲等",
    )
    case = d.accept(case, 18, hour=11)
    d.review(case, 10, "学历、普通话等级及体检结论均符合小学教师资格认定条件。")
    d.decide(case, 6, "符合《教师资格条例》第六条、第十三条规定，准予认定。")


def denied_and_told(d: DemoCases, key: str) -> None:
    case = d.submit(
        key,
        actor=d.staff["clerk"],
        applicant="grandma",
        item="220105-MZJ-003",
        channel=Channel.WINDOW,
        back=20,
        center=d.district,
        care_level="轻度失能",
    )
    case = d.accept(case, 20, hour=11)
    d.review(case, 17, "需入户核实家庭经济状况。")
    d.inspect(case, 14, "经入户核查，申请人家庭人均月收入4200元，高于补贴标准。")
    case = d.decide(
        case, 12, "申请人家庭人均收入高于本市规定标准，不符合补贴条件，不予批准。", grant=False
    )
    services.case_deliver(
        case=case,
        actor=d.staff["clerk"],
        mode="post",
        tracking_no="EMS1187745520931",
        now=d.at(11, 10),
    )


def denied_awaiting_delivery(d: DemoCases, key: str) -> None:
    """Relief refused on review; the written decision is still to be served."""
    case = d.submit(
        key,
        actor=d.account_of("son"),
        applicant="son",
        item="220105-MZJ-007",
        channel=Channel.ONLINE,
        back=9,
        hour=19,
        hardship="生活必需支出突增",
        amount="5000",
    )
    case = d.accept(case, 8)
    d.review(case, 6, "经入户核查，申请人家庭人均月收入高于本市临时救助标准。")
    d.decide(
        case,
        3,
        "申请人家庭人均收入高于本市临时救助标准，不符合《社会救助暂行办法》第四十七条规定的"
        "救助条件，不予批准。",
        grant=False,
    )


Scenario = Callable[[DemoCases, str], None]
SCENARIOS: tuple[tuple[str, Scenario], ...] = (
    ("zhang-bundle", zhang_bundle_in_one_visit),
    ("submitted-online", waiting_online),
    ("submitted-mobile", waiting_on_mobile_near_intake_limit),
    ("correction", correction_requested),
    ("refused", refused_at_intake),
    ("parallel-review", parallel_review_with_pending_material),
    ("inspection-stage", paused_for_site_inspection),
    ("hearing", suspended_for_hearing),
    ("extended", extended_once),
    ("overdue-review", overdue_in_review),
    ("overdue-decision", overdue_at_decision),
    ("due-tomorrow", due_tomorrow),
    ("pending-material", accepted_with_pending_material),
    ("food-licence", food_licence_collected_at_window),
    ("issued", issued_awaiting_delivery),
    ("completed-post", completed_by_post),
    ("denied", denied_and_told),
    ("denied-to-serve", denied_awaiting_delivery),
)
# Scenarios whose licence is handed out once issued: name -> (delivery mode, tracking number).
DELIVERED_AFTER_ISSUE = {
    "food-licence": (DeliveryMode.WINDOW, ""),
    "completed-post": (DeliveryMode.POST, "SF1402378865521"),
}

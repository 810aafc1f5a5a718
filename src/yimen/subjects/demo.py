"""Demo subjects, accounts, staff, authorisations and locker documents.

`load_demo()` builds on the demo catalog (its centers, departments and material
kinds, looked up by name or level) and may be run again: it changes nothing the
second time. Every account's password is `demo12345`.
"""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from yimen.catalog.models import Department, MaterialKind, Role, ServiceCenter
from yimen.pdf import build_document, paragraph
from yimen.subjects import services
from yimen.subjects.models import (
    Account,
    Authorisation,
    LockerEntry,
    Organisation,
    Person,
    Subject,
)
from yimen.subjects.validators import uscc_check_char

DEMO_PASSWORD = "demo12345"
AREA = "220105"  # 长春市二道区

REVIEWER_NAMES = [
    "高云", "罗洁", "梁伟", "宋佳", "谢明", "韩冰", "唐磊", "冯雪",
    "于洋", "董丽", "萧楠", "程琳", "曹阳", "袁芳", "邓超", "许静",
]  # fmt: skip
REGULATOR_NAMES = ["马国庆", "田野", "潘红", "杜鹏"]


def resident_id(birth: str, sequence: str, area: str = AREA) -> str:
    """A valid resident ID for a birth date `YYYYMMDD` and a 3-digit sequence (odd: male)."""
    first17 = f"{area}{birth}{sequence}"
    return first17 + ric.calc_check_digit(first17 + "0")


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


HOME = "长春市二道区东盛街道万通社区3栋2单元101"
# (key, name, birth, sequence, phone, address); a phone means the person signs in.
PERSONS = [
    ("grandma", "张桂兰", "19530312", "002", "13904310001", HOME),
    ("grandson", "李沐阳", "20251208", "015", "", HOME),
    ("son", "李建国", "19790506", "031", "13504310002", HOME),
    ("zhao", "赵丽华", "19860921", "048", "13804310003", "长春市二道区荣光街道荣光社区12栋503"),
    ("wang", "王秀英", "19900214", "026", "13604310004", "长春市二道区长青街道长青社区6栋302"),
    ("chen", "陈志强", "19720830", "017", "13704310005", "长春市二道区东盛街道东盛社区1栋801"),
    ("sun", "孙德福", "19640117", "053", "", "长春市二道区英俊镇三道村"),
]

# (key, name, USCC without its check character, type, legal representative, address)
ORGANISATIONS = [
    ("restaurant", "长春市二道区丽华家常菜馆", "92220105MA15D8K3W", "individual_business",
     "zhao", "长春市二道区荣光路218号"),
    ("builder", "吉林省东盛建筑工程有限公司", "91220105MA14X2Q5T", "enterprise",
     "chen", "长春市二道区东盛大街1099号"),
    ("village", "长春市二道区英俊镇三道村股份经济合作社", "N2220105MF3R7L9P0", "other",
     "sun", "长春市二道区英俊镇三道村村委会"),
]  # fmt: skip

SUBMITTED, ISSUED = LockerEntry.Source.SUBMITTED, LockerEntry.Source.ISSUED
# (holder, kind names (the first the catalog has), source, valid for days or None: no end)
DOCUMENTS = [
    ("grandma", ("居民身份证",), SUBMITTED, 3650),
    ("grandma", ("居民户口簿", "户口簿"), SUBMITTED, None),
    ("grandson", ("出生医学证明",), SUBMITTED, None),
    ("zhao", ("居民身份证",), SUBMITTED, 3650),
    ("restaurant", ("营业执照",), ISSUED, None),
    ("restaurant", ("食品经营许可证",), ISSUED, 1825),
]


def demo_document(title: str, subject: Subject) -> bytes:
    """A one-page PDF standing for a scanned document (the locker keeps PDFs and images)."""
    return build_document(
        title=title, story=[paragraph(f"演示材料：{title}（{subject.name}）")], subject="演示数据"
    )


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo data (again, harmlessly). Returns (角色, username, password) rows."""
    return DemoLoader().load()


class DemoLoader:
    def __init__(self):
        self.password = make_password(DEMO_PASSWORD)  # hashed once: every account shares it
        self.logins: list[tuple[str, str, str]] = []
        self.staff: dict[str, Account] = {}
        self.today = timezone.localdate()

    def load(self) -> list[tuple[str, str, str]]:
        self.admin = self.account("admin", "系统管理员", "系统管理员（后台）", superuser=True)
        self.subjects: dict[str, Subject] = self.persons()
        self.subjects.update(self.organisations())
        district = ServiceCenter.objects.filter(level=ServiceCenter.Level.DISTRICT).first()
        if district:
            self.district_staff(district)
        streets = ServiceCenter.objects.filter(level=ServiceCenter.Level.STREET)
        street = streets.filter(name__contains="东盛").first() or streets.first()
        if street:
            self.street_staff(street)
        self.authorisations()
        self.locker()
        return self.logins

    def account(self, username, name, role_label, *, phone=None, superuser=False, staff=False):
        account = Account.objects.get_or_create(
            username=username,
            defaults={
                "name": name,
                "phone": phone,
                "password": self.password,
                "is_superuser": superuser,
                "is_staff": superuser or staff,
            },
        )[0]
        self.logins.append((role_label, username, DEMO_PASSWORD))
        return account

    def persons(self) -> dict[str, Person]:
        persons = {}
        for key, name, birth, sequence, phone, address in PERSONS:
            person, _outcome = services.person_upsert(
                name=name, resident_id=resident_id(birth, sequence), phone=phone, address=address
            )
            if phone:
                account = self.account(phone, name, f"群众 · {name}", phone=phone)
                if person.account_id is None:
                    person = services.person_link_account(
                        actor=self.admin, person=person, account=account
                    )
            persons[key] = person
        return persons

    def organisations(self) -> dict[str, Organisation]:
        return {
            key: services.organisation_upsert(
                name=name,
                uscc=uscc(first17),
                org_type=org_type,
                legal_representative_id=self.subjects[representative].code,
                address=address,
            )[0]
            for key, name, first17, org_type, representative, address in ORGANISATIONS
        }

    def hire(self, key, username, name, role, description, *, center=None, department=None):
        account = self.account(username, name, description, staff=role == Role.CATALOG_ADMIN)
        services.staff_role_assign(account=account, role=role, center=center, department=department)
        self.staff[key] = account

    def district_staff(self, center: ServiceCenter) -> None:
        at = center.name
        self.hire("clerk", "qu.chuangkou", "刘晓梅", Role.CLERK, f"{at} · 综合窗口", center=center)
        for name, department in zip(REVIEWER_NAMES, Department.objects.all(), strict=False):
            self.hire(
                f"reviewer.{department.code}",
                f"qu.shencha.{department.code.lower()}",
                name,
                Role.REVIEWER,
                f"{at} · 审查人员（{department.name}）",
                center=center,
                department=department,
            )
        for key, username, name, role, label in [
            ("inspector", "qu.tankan", "吴静", Role.INSPECTOR, "踏勘人员"),
            (
                "approver",
                "qu.juzhang",
                "周建华",
                Role.APPROVER,
                "审批负责人（局长，持行政审批专用章）",
            ),
            ("catalog_admin", "qu.shixiang", "郑海涛", Role.CATALOG_ADMIN, "事项管理员"),
            ("supervisor", "qu.jiandu", "孙立新", Role.SUPERVISOR, "监督人员"),
        ]:
            self.hire(key, username, name, role, f"{at} · {label}", center=center)
        regulators = Department.objects.filter(is_regulator=True)
        for name, regulator in zip(REGULATOR_NAMES, regulators, strict=False):
            self.hire(
                f"regulator.{regulator.code}",
                f"jianguan.{regulator.code.lower()}",
                name,
                Role.REGULATOR,
                f"{regulator.name} · 监管部门人员",
                department=regulator,
            )

    def street_staff(self, center: ServiceCenter) -> None:
        at = center.name
        self.hire(
            "street_clerk", "jd.chuangkou", "何丽", Role.CLERK, f"{at} · 综合窗口", center=center
        )
        department = Department.objects.filter(code="MZJ").first() or Department.objects.first()
        if department:
            self.hire(
                "street_reviewer",
                "jd.shencha",
                "黄志刚",
                Role.REVIEWER,
                f"{at} · 审查人员（{department.name}）",
                center=center,
                department=department,
            )
        self.hire(
            "grid_worker", "jd.wangge", "林秀芳", Role.GRID_WORKER, f"{at} · 网格员", center=center
        )

    def authorisations(self) -> None:
        subjects, staff = self.subjects, self.staff
        grandma, wang = subjects["grandma"].account, subjects["wang"].account
        # (principal, agent, granted by, note)
        grants = [
            (
                subjects["grandson"],
                grandma,
                staff.get("street_clerk", self.admin),
                "监护人委托祖母代办",
            ),
            (subjects["restaurant"], wang, subjects["zhao"].account, "企业经办人"),
            (subjects["builder"], wang, subjects["chen"].account, "企业经办人"),
        ]
        if "grid_worker" in staff:
            grants.append((subjects["grandma"], staff["grid_worker"], grandma, "网格员帮办代办"))
        for principal, agent, granted_by, note in grants:
            if not Authorisation.objects.filter(principal=principal, agent=agent).exists():
                services.authorisation_grant(
                    granted_by=granted_by,
                    principal=principal,
                    agent=agent,
                    valid_until=self.today + dt.timedelta(days=365),
                    all_items=True,
                    note=note,
                )

    def locker(self) -> None:
        verifiers = {
            SUBMITTED: self.staff.get("clerk") or self.staff.get("street_clerk"),
            ISSUED: self.staff.get("approver"),
        }
        for holder, kind_names, source, days in DOCUMENTS:
            kind = MaterialKind.objects.filter(name__in=kind_names).first()
            if kind is None or verifiers[source] is None:
                continue
            subject = self.subjects[holder]
            services.locker_store(
                subject,
                kind.code,
                ContentFile(demo_document(kind.name, subject), f"{kind.code}.pdf"),
                source,
                verifiers[source],
                self.today - dt.timedelta(days=30),
                self.today + dt.timedelta(days=days) if days else None,
                title=kind.name,
                origin_ref="演示数据",
            )

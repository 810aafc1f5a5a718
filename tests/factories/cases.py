"""Case test data: items with real processes, and the staff who handle them."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tests.factories import catalog
from tests.factories import subjects as people
from yimen.cases import services
from yimen.cases.models import Case, Channel, Task
from yimen.catalog import services as catalog_services
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    Department,
    FormField,
    HandlingType,
    ItemVersion,
    LegalBasis,
    MaterialSpec,
    Role,
    StageKind,
    StageSpec,
)
from yimen.subjects.models import Account, Person

SHANGHAI = ZoneInfo("Asia/Shanghai")
EFFECTIVE = dt.date(2025, 1, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment on `day` in Shanghai office hours."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _material(version, order, kind_code, name, necessity=MaterialSpec.Necessity.REQUIRED):
    MaterialSpec.objects.create(
        version=version,
        order=order,
        kind=catalog.kind(kind_code, name),
        name=name,
        form=MaterialSpec.Form.BOTH,
        source=MaterialSpec.Source.APPLICANT,
        necessity=necessity,
    )


def _stage(
    version,
    order,
    kind,
    name,
    role,
    *,
    department=None,
    parallel=(),
    stops_clock=False,
    share_days=0,
):
    stage = StageSpec.objects.create(
        version=version,
        order=order,
        kind=kind,
        name=name,
        role=role,
        department=department,
        share_days=share_days,
        stops_clock=stops_clock,
        max_days=10 if stops_clock else None,
    )
    stage.parallel_departments.set(parallel)
    return stage


def licence_item(
    code: str = "220105-SCJ-001",
    *,
    parallel: tuple[Department, ...] = (),
    inspection: bool = False,
    handling_type: str = HandlingType.COMMITTED,
    **overrides,
) -> ItemVersion:
    """A published licence: accept, review (in parallel if given), an optional site
    inspection that stops the clock, and a decision. Materials: an ID card (required), a
    floor plan (容缺 allowed) and a lease (not reusable)."""
    instant = handling_type == HandlingType.INSTANT
    fields = catalog.version_fields(
        name=overrides.pop("name", "食品经营许可"),
        handling_type=handling_type,
        legal_limit_days=0 if instant else 20,
        committed_limit_days=0 if instant else 10,
        delivery_modes=["window", "post", "electronic"],
        **overrides,
    )
    version = catalog_services.item_create(code=code, **fields)
    LegalBasis.objects.create(version=version, law="中华人民共和国食品安全法", article="第35条")
    _material(version, 1, "id_card", "居民身份证")
    _material(version, 2, "floor_plan", "经营场所平面图", MaterialSpec.Necessity.TOLERABLE)
    _material(version, 3, "lease", "租赁合同")
    FormField.objects.create(
        version=version, order=1, key="shop_name", label="店铺名称", field_type="text"
    )
    share = 0 if instant else 1
    _stage(version, 1, StageKind.ACCEPT, "受理", Role.CLERK, share_days=share)
    if not instant:
        _stage(version, 2, StageKind.REVIEW, "审查", Role.REVIEWER, parallel=parallel, share_days=1)
        if inspection:
            _stage(version, 3, StageKind.INSPECTION, "现场踏勘", Role.INSPECTOR, stops_clock=True)
    _stage(version, 9, StageKind.DECISION, "决定", Role.APPROVER, share_days=share)
    catalog_services.version_publish(
        version=version, actor="catalog-admin", effective_from=EFFECTIVE
    )
    version.refresh_from_db()
    return version


def bundle(code: str, *versions: ItemVersion, name: str = "开办餐馆一件事") -> Bundle:
    made = Bundle.objects.create(code=code, name=name)
    for order, version in enumerate(versions):
        BundleItem.objects.create(bundle=made, item=version.item, order=order)
    return made


def _instant(code: str, name: str, materials, field: tuple[str, str, str, list]) -> ItemVersion:
    version = catalog.draft(
        code,
        name=name,
        handling_type=HandlingType.INSTANT,
        legal_limit_days=0,
        committed_limit_days=0,
        delivery_modes=["window"],
        materials=materials,
    )
    key, label, field_type, choices = field
    FormField.objects.create(
        version=version, order=1, key=key, label=label, field_type=field_type, choices=choices
    )
    catalog_services.version_publish(
        version=version, actor="catalog-admin", effective_from=EFFECTIVE
    )
    version.refresh_from_db()
    return version


FAMILY_BUNDLE = "220105-YJS-001"


def family_bundle() -> tuple[ItemVersion, ItemVersion]:
    """The seed's 11 minutes: a grandmother's 老年人优待证 and her grandson's 新生儿医保, two
    instant items filed as one bundle. Both ask for an ID card (hers, as the guardian)."""
    senior = _instant(
        "220105-MZJ-001",
        "老年人优待证办理",
        (("id_card", "居民身份证"), ("photo", "一寸免冠照片")),
        ("residency", "户籍情况", "choice", ["本市户籍", "外埠常住"]),
    )
    newborn = _instant(
        "220105-YBJ-001",
        "新生儿城乡居民基本医疗保险参保登记",
        (("birth_certificate", "出生医学证明"), ("id_card", "监护人居民身份证")),
        ("baby_name", "新生儿姓名", "text", []),
    )
    bundle(FAMILY_BUNDLE, senior, newborn, name="老年人优待证和新生儿参保一件事")
    return senior, newborn


@dataclass
class Team:
    """The staff of one center: a clerk, reviewers per department, an inspector, an approver."""

    clerk: Account
    approver: Account
    inspector: Account
    reviewers: dict[str, Account]
    applicant: Account
    person: Person


def team(*departments: Department) -> Team:
    lead = catalog.department()
    applicant, person = people.citizen()
    return Team(
        clerk=people.staff(Role.CLERK),
        approver=people.staff(Role.APPROVER, department=lead),
        inspector=people.staff(Role.INSPECTOR),
        reviewers={d.code: people.staff(Role.REVIEWER, department=d) for d in (lead, *departments)},
        applicant=applicant,
        person=person,
    )


ALL_MATERIALS = ("id_card", "floor_plan", "lease")


def submitted(
    crew: Team,
    version: ItemVersion,
    *,
    day: dt.date = dt.date(2025, 9, 26),
    provided=ALL_MATERIALS,
    channel: str = Channel.WINDOW,
    key: str = "",
) -> Case:
    actor = crew.clerk if channel == Channel.WINDOW else crew.applicant
    return services.case_submit(
        actor=actor,
        subject=crew.person,
        item_code=version.item.code,
        channel=channel,
        form={"shop_name": "老王面馆"},
        provided=provided,
        idempotency_key=key,
        now=at(day),
    )


def accepted(crew: Team, version: ItemVersion, *, day: dt.date = dt.date(2025, 9, 26)) -> Case:
    case = submitted(crew, version, day=day)
    return services.case_accept(case=case, clerk=crew.clerk, now=at(day, 11))


def open_tasks(case: Case) -> list[Task]:
    return list(case.tasks.filter(status=Task.Status.OPEN).order_by("pk"))

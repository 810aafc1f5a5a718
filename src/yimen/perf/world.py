"""What generated cases are made of: the catalog (the demo items, then synthetic ones up to
the size asked for), the demo staff, and read-only snapshots of both for fast generation."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import import_catalog
from yimen.catalog.exchange.synthetic import PREFIX, generate_items
from yimen.catalog.models import HandlingType, Role, ServiceCenter, ServiceItem, StageKind
from yimen.catalog.selectors import versions_in_force
from yimen.subjects.demo import load_demo as load_demo_subjects
from yimen.subjects.models import StaffRole

CATALOG_ITEMS = 1063  # the seed's catalog: every item of the district
# Stages done by the case's own actions, not by tasks (as in yimen.cases.services).
NON_TASK_STAGES = frozenset({StageKind.ACCEPT, StageKind.ISSUE, StageKind.DELIVER})


def ensure_world(items: int = CATALOG_ITEMS) -> None:
    """The demo catalog, subjects and staff, and synthetic items up to `items` in all."""
    with transaction.atomic():
        if not ServiceItem.objects.exists():
            import_catalog(demo_catalog(), actor="generate")
        load_demo_subjects()
        own = ServiceItem.objects.exclude(code__startswith=PREFIX).count()
        if items > own:
            generate_items(items - own, actor="generate")


@dataclass(frozen=True)
class Stage:
    order: int
    kind: str
    name: str
    role: str
    departments: tuple[int, ...]
    stops_clock: bool


@dataclass(frozen=True)
class Material:
    spec_id: int
    kind_code: str
    necessity: str


@dataclass(frozen=True)
class Version:
    id: int
    item_id: int
    item_code: str
    number: int
    name: str
    instant: bool
    committed_days: int
    legal_days: int
    department_id: int
    subject_type: str
    online: bool
    delivery_modes: tuple[str, ...]
    popularity: int
    materials: tuple[Material, ...]
    stages: tuple[Stage, ...]

    @property
    def committed_limit_days(self) -> int:  # read by the statistics' contribution functions
        return self.committed_days


def versions(on: dt.date) -> list[Version]:
    """Every version in force on the day, with its materials and work stages."""
    found = []
    queryset = (
        versions_in_force(on)
        .select_related("item")
        .prefetch_related("materials__kind", "stages__parallel_departments")
        .order_by("pk")
    )
    for version in queryset:
        found.append(
            Version(
                id=version.pk,
                item_id=version.item_id,
                item_code=version.item.code,
                number=version.number,
                name=version.name,
                instant=version.handling_type == HandlingType.INSTANT,
                committed_days=version.committed_limit_days,
                legal_days=version.legal_limit_days,
                department_id=version.lead_department_id,
                subject_type=version.subject_type,
                online=version.online_depth >= 3,
                delivery_modes=tuple(version.delivery_modes) or ("window",),
                popularity=version.item.popularity,
                materials=tuple(
                    Material(m.pk, m.kind.code, m.necessity)
                    for m in sorted(version.materials.all(), key=lambda m: (m.order, m.pk))
                ),
                stages=tuple(
                    _stage(stage, version.lead_department_id)
                    for stage in sorted(version.stages.all(), key=lambda s: s.order)
                    if stage.kind not in NON_TASK_STAGES
                ),
            )
        )
    return found


def _stage(stage, lead_department_id: int) -> Stage:
    parallel = tuple(sorted(d.pk for d in stage.parallel_departments.all()))
    return Stage(
        order=stage.order,
        kind=stage.kind,
        name=stage.name,
        role=stage.role,
        departments=parallel or (stage.department_id or lead_department_id,),
        stops_clock=stage.stops_clock,
    )


@dataclass(frozen=True)
class Staff:
    """Who does the work in generated cases: account ids by role (and department)."""

    clerks: dict[int | None, list[int]]  # by center
    by_role: dict[str, list[int]]
    by_role_department: dict[tuple[str, int], list[int]]
    centers: list[int]

    def clerk(self, center_id: int | None, pick) -> int | None:
        return pick(self.clerks.get(center_id) or self.by_role.get(Role.CLERK) or [None])

    def worker(self, role: str, department_id: int, pick) -> int | None:
        found = self.by_role_department.get((role, department_id)) or self.by_role.get(role)
        return pick(found or [None])


def staff() -> Staff:
    clerks, by_role, by_role_department = defaultdict(list), defaultdict(list), defaultdict(list)
    for account, role, center, department in StaffRole.objects.filter(is_active=True).values_list(
        "account_id", "role", "center_id", "department_id"
    ):
        by_role[role].append(account)
        if role == Role.CLERK:
            clerks[center].append(account)
        if department:
            by_role_department[(role, department)].append(account)
    centers = list(ServiceCenter.objects.order_by("pk").values_list("pk", flat=True))
    return Staff(dict(clerks), dict(by_role), dict(by_role_department), centers)

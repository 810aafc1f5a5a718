"""Catalog test data, built through the catalog services as staff would."""

from yimen.catalog import services
from yimen.catalog.models import (
    Department,
    HandlingType,
    ItemType,
    ItemVersion,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    Role,
    StageKind,
    StageSpec,
    SubjectType,
)


def department(code: str = "MZJ", name: str | None = None) -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name or f"{code}局"})[0]


def kind(code: str = "id_card", name: str = "居民身份证") -> MaterialKind:
    return MaterialKind.objects.get_or_create(code=code, defaults={"name": name})[0]


def version_fields(**overrides) -> dict:
    fields = {
        "name": "老年人优待证办理",
        "item_type": ItemType.PUBLIC_SERVICE,
        "subject_type": SubjectType.PERSON,
        "lead_department": department(),
        "acceptance_conditions": "年满60周岁的本区户籍老年人。",
        "handling_type": HandlingType.COMMITTED,
        "legal_limit_days": 20,
        "committed_limit_days": 10,
        "visits_required": 1,
        "visits_reason": "核验身份证原件",
        "delivery_modes": ["window", "post"],
        "handling_locations": "二道区政务服务中心一楼综合窗口",
        "consult_phone": "0431-84600000",
        "complaint_phone": "0431-84600001",
    }
    fields.update(overrides)
    return fields


def add_parts(version: ItemVersion, *, materials=(("id_card", "居民身份证"),)) -> ItemVersion:
    LegalBasis.objects.create(
        version=version, law="中华人民共和国老年人权益保障法", article="第五十七条"
    )
    for order, (kind_code, name) in enumerate(materials, start=1):
        MaterialSpec.objects.create(
            version=version,
            order=order,
            kind=kind(kind_code, name),
            name=name,
            form=MaterialSpec.Form.BOTH,
            originals=1,
            copies=1,
            source=MaterialSpec.Source.APPLICANT,
            necessity=MaterialSpec.Necessity.REQUIRED,
        )
    stages = [(StageKind.ACCEPT, "受理", Role.CLERK), (StageKind.DECISION, "决定", Role.APPROVER)]
    for order, (stage_kind, name, role) in enumerate(stages, start=1):
        share = 1 if version.handling_type == HandlingType.COMMITTED else 0
        StageSpec.objects.create(
            version=version, order=order, kind=stage_kind, name=name, role=role, share_days=share
        )
    return version


def draft(code: str = "220105-MZJ-001", **overrides) -> ItemVersion:
    materials = overrides.pop("materials", (("id_card", "居民身份证"),))
    return add_parts(
        services.item_create(code=code, **version_fields(**overrides)), materials=materials
    )


def published(code: str = "220105-MZJ-001", *, effective_from=None, **overrides) -> ItemVersion:
    version = draft(code, **overrides)
    services.version_publish(version=version, actor="catalog-admin", effective_from=effective_from)
    version.refresh_from_db()
    return version

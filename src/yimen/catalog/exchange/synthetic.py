"""Synthetic but plausible service items for scale tests (`yimen catalog-generate`).

Items are numbered `SYN-000001`, `SYN-000002`, ...; item n is the same for a
given seed however many are asked for, and an item that exists is never made
again. They are imported as an exchange file, so they are checked and
published by the same rules as any other item.
"""

import random

from django.utils import timezone

from yimen.catalog.exchange.importer import ImportReport, import_catalog
from yimen.catalog.exchange.schema import FORMAT, FORMAT_VERSION, SECTIONS
from yimen.catalog.models import Department, MaterialKind, ServiceItem, Theme

PREFIX = "SYN-"

# Used only when the catalog has no departments or material kinds yet.
MINIMAL_DEPARTMENTS = [
    ("MZJ", "区民政局"),
    ("RSJ", "区人力资源和社会保障局"),
    ("SCJ", "区市场监督管理局"),
    ("ZJJ", "区住房和城乡建设局"),
    ("WJJ", "区卫生健康局"),
]
MINIMAL_KINDS = [
    ("id_card", "居民身份证", False),
    ("hukou", "居民户口簿", False),
    ("photo", "近期免冠照片", False),
    ("application_form", "申请表", False),
    ("authorisation", "授权委托书", False),
    ("business_licence", "营业执照", True),
    ("premises_proof", "经营场所使用证明", False),
]

PERSON_SUBJECTS = [
    "老年人优待证", "高龄津贴", "城乡居民最低生活保障", "临时救助", "残疾人证",
    "残疾人两项补贴", "独生子女父母奖励", "生育登记", "城乡居民养老保险", "城乡居民医疗保险",
    "灵活就业人员社会保险", "失业登记", "就业创业证", "居住证", "义务兵家庭优待金",
    "困难群众医疗救助", "特困人员救助供养", "公共租赁住房", "职业技能培训补贴", "殡葬补贴",
]  # fmt: skip
PERSON_ACTIONS = ["申领", "办理", "变更", "补领", "注销", "资格认定", "待遇核定", "审核"]
ORGANISATION_SUBJECTS = [
    "食品经营许可证", "公共场所卫生许可证", "建筑工程施工许可证", "城镇污水排入排水管网许可",
    "户外广告设施设置许可", "民办非企业单位登记", "劳务派遣经营许可", "人力资源服务许可",
    "城市道路挖掘许可", "娱乐场所经营许可", "出版物零售经营许可", "药品零售企业许可",
    "医疗机构执业许可", "民办学校办学许可", "二次供水单位卫生许可", "特种设备使用登记",
    "临时占用城市道路许可", "养老机构备案",
]  # fmt: skip
ORGANISATION_ACTIONS = ["核发", "变更", "延续", "注销", "补办", "备案"]
QUALIFIERS = ["", "", "（首次）", "（跨区迁入）", "（网上申办）", "（街道受理）", "（简易程序）"]
LAWS = [
    ("中华人民共和国行政许可法", "第二十九条"),
    ("中华人民共和国老年人权益保障法", "第五十七条"),
    ("社会救助暂行办法", "第十一条"),
    ("中华人民共和国食品安全法", "第三十五条"),
    ("中华人民共和国社会保险法", "第十条"),
    ("中华人民共和国残疾人保障法", "第四十八条"),
    ("公共场所卫生管理条例", "第八条"),
    ("中华人民共和国城乡规划法", "第四十条"),
]
VISIT_REASONS = ["核验申请人身份及材料原件", "现场签署告知承诺书", "领取纸质证照"]


def generate_items(count: int, *, seed: int = 1, actor: str = "catalog-generate") -> ImportReport:
    """Add the items SYN-000001 … SYN-<count> that do not exist yet."""
    codes = [f"{PREFIX}{n:06d}" for n in range(1, count + 1)]
    existing = set(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
    data = {"format": FORMAT, "format_version": FORMAT_VERSION}
    data |= {spec.key: [] for spec in SECTIONS}
    departments = _department_codes(data)
    kinds = _material_kinds(data)
    context = {
        "departments": departments,
        "kinds": kinds,
        "themes": list(Theme.objects.values_list("code", flat=True)),
        "actor": actor,
        "published_at": timezone.localtime().isoformat(),
        "today": timezone.localdate().isoformat(),
    }
    data["items"] = [
        synthetic_item(code, random.Random(f"{seed}:{code}"), context)
        for code in codes
        if code not in existing
    ]
    return import_catalog(data, actor=actor)


def _department_codes(data: dict) -> list[str]:
    codes = list(
        Department.objects.filter(is_regulator=False).values_list("code", flat=True)
    ) or list(Department.objects.values_list("code", flat=True))
    if not codes:
        data["departments"] = [
            {"code": code, "name": name, "sort_order": order}
            for order, (code, name) in enumerate(MINIMAL_DEPARTMENTS, start=1)
        ]
        codes = [code for code, _ in MINIMAL_DEPARTMENTS]
    return codes


def _material_kinds(data: dict) -> list[tuple[str, str]]:
    kinds = list(MaterialKind.objects.values_list("code", "name"))
    if not kinds:
        data["material_kinds"] = [
            {"code": code, "name": name, "is_licence": licence}
            for code, name, licence in MINIMAL_KINDS
        ]
        kinds = [(code, name) for code, name, _ in MINIMAL_KINDS]
    return kinds


def synthetic_item(code: str, rng: random.Random, context: dict) -> dict:
    themes = context["themes"]
    return {
        "code": code,
        "themes": [rng.choice(themes)] if themes and rng.random() < 0.3 else [],
        "versions": [_version(rng, context)],
    }


def _version(rng: random.Random, context: dict) -> dict:
    organisation = rng.random() < 0.66  # the seed: 383 organisation and 192 person items
    committed = rng.random() < 0.6
    legal = rng.choice([10, 15, 20, 30, 45, 60]) if committed else rng.choice([1, 3, 5])
    limit = rng.randint(1, legal // 2) if committed else 0
    lead, *others = rng.sample(context["departments"], len(context["departments"]))
    co_departments = sorted(others[: rng.randint(0, 2)]) if committed else []
    return {
        "number": 1,
        "status": "published",
        "effective_from": context["today"],
        "published_at": context["published_at"],
        "published_by": context["actor"],
        "change_note": "合成测试数据",
        "name": _name(rng, organisation),
        "item_type": rng.choice(["01", "01", "07"])
        if organisation
        else rng.choice(["05", "07", "20"]),
        "subject_type": "organisation" if organisation else rng.choice(["person"] * 9 + ["both"]),
        "lead_department": lead,
        "co_departments": co_departments,
        "acceptance_conditions": "申请人符合法定条件，申请材料齐全、符合法定形式。",
        "handling_type": "2" if committed else "1",
        "legal_limit_days": legal,
        "committed_limit_days": limit,
        **_fee(rng),
        **_visits(rng, organisation),
        "handling_locations": "二道区政务服务中心综合窗口",
        "consult_phone": "0431-84600000",
        "complaint_phone": "0431-12345",
        "legal_bases": [
            {"law": law, "article": article} for law, article in rng.sample(LAWS, rng.randint(1, 2))
        ],
        "form_fields": _form_fields(organisation),
        "materials": _materials(rng, context["kinds"]),
        "stages": _stages(rng, limit, co_departments),
    }


def _name(rng: random.Random, organisation: bool) -> str:
    subjects, actions = (
        (ORGANISATION_SUBJECTS, ORGANISATION_ACTIONS)
        if organisation
        else (PERSON_SUBJECTS, PERSON_ACTIONS)
    )
    return rng.choice(subjects) + rng.choice(actions) + rng.choice(QUALIFIERS)


def _fee(rng: random.Random) -> dict:
    if rng.random() < 0.9:
        return {"fee_fen": 0, "fee_basis": ""}
    return {
        "fee_fen": rng.choice([1000, 2000, 5000]),
        "fee_basis": "《吉林省行政事业性收费项目目录》",
    }


def _visits(rng: random.Random, organisation: bool) -> dict:
    depth = rng.choice([2, 3, 3, 4])
    visits = 0 if depth == 4 else rng.choice([0, 1, 1, 1, 2])
    modes = ["window"]
    if visits == 0 or rng.random() < 0.3:
        modes.append("post")
    if depth == 4 or (organisation and rng.random() < 0.5):
        modes.append("electronic")
    return {
        "online_depth": depth,
        "visits_required": visits,
        "visits_reason": rng.choice(VISIT_REASONS) if visits else "",
        "delivery_modes": modes,
    }


def _form_fields(organisation: bool) -> list[dict]:
    fields = [
        {
            "key": "contact_phone",
            "label": "联系电话",
            "field_type": "text",
            "max_length": 20,
            "pattern": r"[0-9-]{7,20}",
        }
    ]
    if organisation:
        fields.append(
            {
                "key": "floor_area",
                "label": "经营面积（平方米）",
                "field_type": "number",
                "min_value": "0.00",
                "max_value": "100000.00",
            }
        )
    return fields


def _materials(rng: random.Random, kinds: list[tuple[str, str]]) -> list[dict]:
    chosen = rng.sample(kinds, min(len(kinds), rng.randint(2, 6)))
    return [
        {
            "kind": code,
            "name": name,
            "form": rng.choice(["paper", "electronic", "both"]),
            "originals": rng.choice([0, 1]),
            "copies": rng.choice([0, 1, 2]),
            "source": "applicant",
            "necessity": "required" if order == 0 else rng.choice(["required", "optional"]),
        }
        for order, (code, name) in enumerate(chosen)
    ]


def _stages(rng: random.Random, limit: int, co_departments: list[str]) -> list[dict]:
    """Accept, review (in parallel by the co-departments), decide; shares add up to the limit."""
    decision = min(limit, 1)
    stages = [
        {"kind": "accept", "name": "受理", "role": "clerk"},
        {
            "kind": "review",
            "name": "审查",
            "role": "reviewer",
            "parallel_departments": co_departments,
            "share_days": limit - decision,
        },
        {"kind": "decision", "name": "决定", "role": "approver", "share_days": decision},
    ]
    if limit and rng.random() < 0.2:
        stages.insert(2, {
            "kind": "inspection", "name": "现场踏勘", "role": "inspector",
            "stops_clock": True, "max_days": 5,
        })  # fmt: skip
    return [{"order": order, **stage} for order, stage in enumerate(stages, start=1)]

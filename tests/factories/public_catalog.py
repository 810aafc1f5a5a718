"""A small public catalog: items of several departments, types and themes, a bundle, a
cancelled item and an item with two versions. Built through the catalog services."""

from dataclasses import dataclass

from tests.factories import catalog as make
from yimen.catalog import services
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    HandlingType,
    ItemType,
    ItemVersion,
    MaterialSpec,
    ServiceCenter,
    ServiceItem,
    SubjectType,
    Theme,
)
from yimen.catalog.search import clear_index

ELDERLY = "220105-MZJ-001"
NEWBORN_INSURANCE = "220105-YBJ-001"
FOOD_LICENCE = "220105-SCJ-001"
SOLE_TRADER = "220105-SCJ-002"
ROAD_OCCUPATION = "220105-ZJJ-001"
BUNDLE = "YJS-001"


@dataclass
class PublicCatalog:
    elderly: ItemVersion
    newborn_insurance: ItemVersion
    food_licence: ItemVersion
    sole_trader: ItemVersion
    road_occupation: ItemVersion
    bundle: Bundle
    center: ServiceCenter


def theme(code: str, name: str, order: int = 0) -> Theme:
    return Theme.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})[0]


def add_material(
    version: ItemVersion,
    kind_code: str,
    name: str,
    *,
    form=MaterialSpec.Form.PAPER,
    originals=0,
    copies=1,
    necessity=MaterialSpec.Necessity.REQUIRED,
    notes="",
) -> MaterialSpec:
    return MaterialSpec.objects.create(
        version=version,
        order=version.materials.count() + 1,
        kind=make.kind(kind_code, name),
        name=name,
        form=form,
        originals=originals,
        copies=copies,
        source=MaterialSpec.Source.APPLICANT,
        necessity=necessity,
        notes=notes,
    )


def publish(version: ItemVersion, *, change_note: str = "") -> ItemVersion:
    services.version_publish(version=version, actor="catalog-admin", change_note=change_note)
    version.refresh_from_db()
    return version


def item(code: str, *, themes=(), popularity=0, extra_materials=(), **fields) -> ItemVersion:
    """A published item; extra_materials are add_material keyword sets."""
    version = make.draft(code, **fields)
    for material in extra_materials:
        add_material(version, **material)
    version.item.themes.set(themes)
    ServiceItem.objects.filter(pk=version.item_id).update(popularity=popularity)
    return publish(version)


def revise(version: ItemVersion, *, change_note: str, **changes) -> ItemVersion:
    draft = services.item_revise(item=version.item)
    services.draft_update(version=draft, **changes)
    return publish(draft, change_note=change_note)


def bundle(code: str, name: str, versions, *, themes=(), description="") -> Bundle:
    created = Bundle.objects.create(code=code, name=name, description=description)
    created.themes.set(themes)
    for order, version in enumerate(versions, start=1):
        BundleItem.objects.create(bundle=created, item=version.item, order=order)
    return created


def build() -> PublicCatalog:
    clear_index()
    yanglao, shengyu = theme("yanglao", "养老", 1), theme("shengyu", "生育", 2)
    kaiban, jiuye = theme("kaiban", "开办企业", 3), theme("jiuye", "就业", 4)
    make.department("MZJ", "区民政局")
    elderly = item(
        ELDERLY,
        name="老年人优待证",
        themes=[yanglao],
        popularity=50,
        materials=(("id_card", "居民身份证"), ("hukou", "户口簿")),
        extra_materials=[
            {
                "kind_code": "photo",
                "name": "近期一寸免冠照片",
                "form": MaterialSpec.Form.PAPER,
                "originals": 2,
                "copies": 0,
                "notes": "白底彩色",
            }
        ],
    )
    newborn = item(
        NEWBORN_INSURANCE,
        name="城乡居民基本医疗保险参保登记",
        lead_department=make.department("YBJ", "区医疗保障局"),
        themes=[shengyu],
        popularity=30,
        materials=(("id_card", "居民身份证"), ("birth_cert", "出生医学证明")),
    )
    food = item(
        FOOD_LICENCE,
        name="食品经营许可",
        item_type=ItemType.LICENSING,
        subject_type=SubjectType.ORGANISATION,
        lead_department=make.department("SCJ", "区市场监督管理局"),
        themes=[kaiban],
        popularity=20,
        fee_fen=1050,
        fee_basis="吉林省物价局吉省价收〔2018〕1号",
        materials=(("business_licence", "营业执照"),),
        extra_materials=[
            {
                "kind_code": "lease",
                "name": "经营场所使用证明",
                "form": MaterialSpec.Form.ELECTRONIC,
                "copies": 3,
                "necessity": MaterialSpec.Necessity.TOLERABLE,
            }
        ],
    )
    sole_trader = item(
        SOLE_TRADER,
        name="个体工商户设立登记",
        item_type=ItemType.CONFIRMATION,
        subject_type=SubjectType.BOTH,
        lead_department=make.department("SCJ"),
        themes=[kaiban, jiuye],
        popularity=40,
        handling_type=HandlingType.INSTANT,
        legal_limit_days=5,
        committed_limit_days=0,
    )
    road = item(
        ROAD_OCCUPATION,
        name="临时占用城市道路审批",
        item_type=ItemType.LICENSING,
        subject_type=SubjectType.ORGANISATION,
        lead_department=make.department("ZJJ", "区住房和城乡建设局"),
        popularity=99,
    )
    services.item_cancel(item=road.item, reason="已下放至街道办理", actor="catalog-admin")
    center = ServiceCenter.objects.create(
        code="QZX",
        name="二道区政务服务中心",
        level=ServiceCenter.Level.DISTRICT,
        address="长春市二道区东盛大街100号",
        hours="工作日 8:30–16:30",
        phone="0431-84610000",
    )
    center.items.add(elderly.item, newborn.item)
    together = bundle(
        BUNDLE,
        "老年证和新生儿医保一起办",
        [elderly, newborn],
        themes=[yanglao, shengyu],
        description="为老人办优待证，同时为新生儿办理医保参保。",
    )
    return PublicCatalog(elderly, newborn, food, sole_trader, road, together, center)

"""The demo catalog meets the numbers of the service-catalog issue and every catalog rule."""

import re
from collections import Counter

import pytest

from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import export_catalog, import_catalog
from yimen.catalog.models import ItemVersion, ServiceCenter, VersionStatus
from yimen.catalog.rules import check_version
from yimen.catalog.selectors import bundle_view, current_version

STREET_NAMES = (
    "东盛街道",
    "吉林街道",
    "荣光街道",
    "东站街道",
    "远达街道",
    "八里堡街道",
    "长青街道",
)
CORE_KINDS = {"id_card", "household_register", "application_form", "business_licence"}
PHONE = re.compile(r"^0431-8\d{7}$")


@pytest.fixture(scope="module")
def catalog() -> dict:
    return demo_catalog()


def current(item: dict) -> dict:
    return item["versions"][-1]


def active_items(catalog: dict) -> list[dict]:
    return [i for i in catalog["items"] if i["status"] == "active"]


def all_versions(catalog: dict) -> list[dict]:
    return [v for item in catalog["items"] for v in item["versions"]]


def item_named(catalog: dict, name: str) -> dict:
    (item,) = [i for i in catalog["items"] if current(i)["name"] == name]
    return item


def bundle_with(catalog: dict, name_part: str) -> dict:
    (bundle,) = [b for b in catalog["bundles"] if name_part in b["name"]]
    return bundle


def test_fifteen_departments_each_lead_items(catalog):
    codes = [d["code"] for d in catalog["departments"]]
    leading = Counter(current(i)["lead_department"] for i in active_items(catalog))
    assert len(set(codes)) == 15
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert {code: leading[code] for code in codes if leading[code] == 0} == {}
    assert 1 <= sum(d["is_regulator"] for d in catalog["departments"]) <= 2


def test_at_least_80_items_with_real_codes_over_both_subject_types(catalog):
    items = active_items(catalog)
    codes = [i["code"] for i in catalog["items"]]
    assert len(items) >= 80
    assert len(set(codes)) == len(codes)
    for item in catalog["items"]:
        dept = re.fullmatch(r"220105-([A-Z]{3})-\d{3}", item["code"]).group(1)
        assert all(v["lead_department"] == dept for v in item["versions"]), item["code"]
    names = [current(i)["name"] for i in items]
    assert len(set(names)) == len(names)
    subjects = Counter(current(i)["subject_type"] for i in items)
    assert subjects["person"] >= 30 and subjects["organisation"] >= 30 and subjects["both"] >= 3


def test_instant_and_committed_items_keep_the_halved_limits(catalog):
    versions = [current(i) for i in active_items(catalog)]
    instant = [v for v in versions if v["handling_type"] == "1"]
    assert len(instant) / len(versions) >= 0.25
    assert all(v["committed_limit_days"] == 0 for v in instant)
    for v in all_versions(catalog):
        assert v["committed_limit_days"] <= v["legal_limit_days"], v["name"]
        if v["handling_type"] == "2":
            assert 1 <= v["committed_limit_days"] * 2 <= v["legal_limit_days"], v["name"]


def test_every_version_is_complete(catalog):
    for v in all_versions(catalog):
        assert v["legal_bases"] and all(b["law"] and b["article"] for b in v["legal_bases"])
        assert len(v["form_fields"]) >= 2, v["name"]
        assert v["materials"] and v["acceptance_conditions"], v["name"]
        kinds = [s["kind"] for s in v["stages"]]
        assert kinds[0] == "accept" and kinds[-1] == "deliver", v["name"]
        assert "decision" in kinds, v["name"]
        assert PHONE.match(v["consult_phone"]) and PHONE.match(v["complaint_phone"])
        assert v["handling_locations"]


def test_charged_items_name_their_fee_basis(catalog):
    charged = [v for v in all_versions(catalog) if v["fee_fen"]]
    assert charged
    assert all("元" in v["fee_basis"] for v in charged)


def test_tolerable_materials_are_non_core_and_only_on_committed_items(catalog):
    tolerable = [
        (v, m)
        for v in all_versions(catalog)
        for m in v["materials"]
        if m["necessity"] == "tolerable"
    ]
    assert len(tolerable) >= 5
    for version, material in tolerable:
        assert version["handling_type"] == "2", version["name"]
        assert material["kind"] not in CORE_KINDS, version["name"]


def test_material_kinds_are_shared_across_items(catalog):
    known = {k["code"] for k in catalog["material_kinds"]}
    used = Counter(m["kind"] for v in all_versions(catalog) for m in v["materials"])
    assert set(used) == known
    assert used["id_card"] >= 20 and used["business_licence"] >= 20


def test_several_items_are_reviewed_in_parallel(catalog):
    parallel = {}
    for item in active_items(catalog):
        version = current(item)
        stages = [s for s in version["stages"] if s["parallel_departments"]]
        if stages:
            departments = set(stages[0]["parallel_departments"])
            assert departments == set(version["co_departments"]), version["name"]
            assert version["lead_department"] not in departments
            parallel[version["name"]] = departments
    assert len(parallel) >= 3
    assert {"XFJ", "WJJ", "SCJ"} <= parallel["娱乐场所经营许可"]


def test_special_procedures_stop_the_clock_with_a_limit(catalog):
    special = [s for v in all_versions(catalog) for s in v["stages"] if s["stops_clock"]]
    assert {s["kind"] for s in special} >= {"inspection", "expert_review", "publicity"}
    assert all(s["max_days"] for s in special)


def test_outdoor_signboard_approval_is_cancelled_for_lacking_a_legal_basis(catalog):
    item = item_named(catalog, "户外牌匾审批")
    assert item["status"] == "cancelled"
    assert item["cancelled_at"] and "依据" in item["cancel_reason"]
    assert all(v["status"] == "retired" for v in item["versions"])
    assert all(item["code"] not in c["items"] for c in catalog["centers"])


def test_two_items_show_their_history(catalog):
    revised = [i for i in catalog["items"] if len(i["versions"]) == 2]
    assert {current(i)["name"] for i in revised} >= {"公司名称变更登记", "食品经营许可证核发"}
    for item in revised:
        old, new = item["versions"]
        assert (old["status"], new["status"]) == ("retired", "published")
        assert old["effective_until"] == new["effective_from"]
        assert new["change_note"]


def test_one_district_center_and_eight_street_centers(catalog):
    centers = catalog["centers"]
    district = [c for c in centers if c["level"] == "district"]
    streets = [c for c in centers if c["level"] == "street"]
    assert len(district) == 1 and len(streets) == 8
    assert set(district[0]["items"]) == {i["code"] for i in active_items(catalog)}
    subjects = {i["code"]: current(i)["subject_type"] for i in catalog["items"]}
    for center in streets:
        assert 30 <= len(center["items"]) <= 50, center["name"]
        assert all(subjects[code] != "organisation" for code in center["items"])
        assert center["address"] and center["hours"] and PHONE.match(center["phone"])
    for street in (*STREET_NAMES, "英俊镇"):
        assert any(c["name"].startswith(street) for c in streets), street


def test_bundles_include_the_seeds_two(catalog):
    bundles = catalog["bundles"]
    codes = {i["code"]: i for i in active_items(catalog)}
    assert len(bundles) >= 5
    assert all(code in codes for b in bundles for code in b["items"])

    visit = bundle_with(catalog, "老年人优待证")
    names = [current(codes[code])["name"] for code in visit["items"]]
    assert names == ["老年人优待证办理", "新生儿城乡居民基本医疗保险参保登记"]
    assert all(current(codes[code])["handling_type"] == "1" for code in visit["items"])
    dongsheng = next(c for c in catalog["centers"] if c["name"].startswith("东盛街道"))
    assert set(visit["items"]) <= set(dongsheng["items"])

    rename = bundle_with(catalog, "企业名称变更")
    names = {current(codes[code])["name"] for code in rename["items"]}
    assert {"公司名称变更登记", "食品经营许可证变更", "变更税务登记"} <= names


def test_every_item_is_in_one_or_two_known_themes(catalog):
    known = {t["code"] for t in catalog["themes"]}
    used = set()
    for item in catalog["items"]:
        assert 1 <= len(item["themes"]) <= 2, item["code"]
        used.update(item["themes"])
    assert used == known


@pytest.mark.django_db
def test_demo_imports_and_every_version_passes_the_publication_rules(catalog):
    report = import_catalog(demo_catalog(), actor="demo")

    assert report.warnings == []
    versions = ItemVersion.objects.exclude(status=VersionStatus.DRAFT)
    assert versions.count() == len(all_versions(catalog))
    for version in versions:
        findings = check_version(version)
        assert (findings.errors, findings.warnings) == ([], []), version.item.code
    assert export_catalog() == catalog


@pytest.mark.django_db
def test_importing_the_demo_again_changes_nothing():
    import_catalog(demo_catalog(), actor="demo")
    assert import_catalog(demo_catalog(), actor="demo").changed is False


@pytest.mark.django_db
def test_the_eleven_minute_visit_is_done_on_the_spot_at_a_street_center(catalog):
    import_catalog(demo_catalog(), actor="demo")
    bundle = bundle_with(catalog, "老年人优待证")

    view = bundle_view(bundle["code"])

    assert [v.item.code for v in view.versions] == bundle["items"]
    assert view.combined_limit_days == 0 and view.total_fee_fen == 0
    street = ServiceCenter.objects.get(name="东盛街道公共服务中心")
    assert set(street.items.values_list("code", flat=True)) >= set(bundle["items"])
    assert current_version(bundle["items"][0]).name == "老年人优待证办理"

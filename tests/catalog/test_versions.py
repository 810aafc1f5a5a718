"""The version lifecycle: drafts are edited, published versions never change."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import catalog as make
from yimen.catalog import selectors, services
from yimen.catalog.errors import CatalogError
from yimen.catalog.models import (
    HandlingType,
    ItemVersion,
    MaterialSpec,
    OnlineDepth,
    ServiceItem,
    VersionStatus,
)
from yimen.errors import NotFound

pytestmark = pytest.mark.django_db


def error_codes(excinfo) -> set[str]:
    return {d["code"] for d in excinfo.value.details}


def test_publish_freezes_a_draft_and_makes_it_current():
    version = make.draft()
    warnings = services.version_publish(version=version, actor="admin")
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_by == "admin"
    assert selectors.current_version("220105-MZJ-001").pk == version.pk
    assert warnings == []


def test_committed_limit_over_legal_is_refused_by_the_database():
    version = make.draft()
    version.committed_limit_days = 30
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


def test_committed_limit_over_legal_is_refused_with_a_clear_message():
    version = make.draft()
    with pytest.raises(CatalogError) as excinfo:
        services.draft_update(version=version, committed_limit_days=25)
    assert excinfo.value.code == "committed_over_legal"
    assert "不得超过法定时限" in excinfo.value.message
    assert ItemVersion.objects.get(pk=version.pk).committed_limit_days == 10
    with pytest.raises(CatalogError, match="不得超过法定时限"):
        make.draft(code="X-2", committed_limit_days=30)
    assert not ServiceItem.objects.filter(code="X-2").exists()


def test_committed_over_half_the_legal_limit_publishes_with_a_warning():
    version = make.draft(legal_limit_days=20, committed_limit_days=15)
    warnings = services.version_publish(version=version, actor="admin")
    assert [w.code for w in warnings] == ["committed_over_half"]
    assert "一半" in warnings[0].message


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"visits_required": 1, "visits_reason": ""}, "visits_without_reason"),
        (
            {"visits_required": 2, "online_depth": OnlineDepth.FULL_ONLINE},
            "full_online_with_visits",
        ),
        (
            {"visits_required": 0, "visits_reason": "", "delivery_modes": ["window"]},
            "zero_visits_without_delivery",
        ),
        ({"fee_fen": 1000, "fee_basis": ""}, "fee_without_basis"),
        ({"delivery_modes": []}, "no_delivery_mode"),
        ({"handling_type": HandlingType.INSTANT, "committed_limit_days": 5}, "instant_with_limit"),
    ],
)
def test_catalog_quality_rules_block_publication(overrides, code):
    version = make.draft(**overrides)
    with pytest.raises(CatalogError) as excinfo:
        services.version_publish(version=version, actor="admin")
    assert code in error_codes(excinfo)
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_a_version_without_materials_or_stages_cannot_be_published():
    version = services.item_create(code="X-1", **make.version_fields())
    with pytest.raises(CatalogError) as excinfo:
        services.version_publish(version=version, actor="admin")
    assert {"no_materials", "no_stages", "no_legal_basis"} <= error_codes(excinfo)


def test_published_versions_never_change():
    version = make.published()
    version.name = "改过的名称"
    with pytest.raises(CatalogError, match="不可修改"):
        version.save()
    material = version.materials.first()
    material.copies = 5
    with pytest.raises(CatalogError):
        material.save()
    with pytest.raises(CatalogError):
        MaterialSpec.objects.create(
            version=version,
            kind=make.kind("photo", "照片"),
            name="照片",
            form="paper",
            source="applicant",
            necessity="required",
        )
    with pytest.raises(CatalogError):
        version.stages.first().delete()
    with pytest.raises(CatalogError), transaction.atomic():
        version.co_departments.add(make.department("SJJ"))
    with pytest.raises(CatalogError):
        version.delete()
    with pytest.raises(CatalogError):
        services.draft_update(version=version, name="又改")
    stored = ItemVersion.objects.get(pk=version.pk)
    assert stored.name == "老年人优待证办理"
    assert stored.materials.get().copies == 1
    assert stored.stages.count() == 2
    assert not stored.co_departments.exists()


def test_revision_copies_everything_and_publishing_it_retires_the_previous():
    v1 = make.published(effective_from=dt.date(2024, 1, 1))
    v2 = services.item_revise(item=v1.item)
    assert (v2.number, v2.status) == (2, VersionStatus.DRAFT)
    assert list(v2.materials.values_list("name", "copies")) == [("居民身份证", 1)]
    assert v2.stages.count() == 2 and v2.legal_bases.count() == 1
    services.draft_update(version=v2, committed_limit_days=5, name="老年人优待证办理（新）")
    services.version_publish(
        version=v2, actor="admin", effective_from=dt.date(2025, 1, 1), change_note="压缩时限"
    )
    v1.refresh_from_db()
    assert (v1.status, v1.effective_until) == (VersionStatus.RETIRED, dt.date(2025, 1, 1))
    assert selectors.current_version(v1.item.code, on=dt.date(2024, 6, 1)).number == 1
    assert selectors.current_version(v1.item.code, on=dt.date(2025, 6, 1)).number == 2
    changes = {c.field: (c.before, c.after) for c in selectors.version_diff(v1, v2)}
    assert changes["committed_limit_days"] == ("10", "5")
    assert changes["name"] == ("老年人优待证办理", "老年人优待证办理（新）")


def test_only_one_draft_at_a_time_and_not_before_the_previous_effective_date():
    v1 = make.published(effective_from=dt.date(2025, 1, 1))
    v2 = services.item_revise(item=v1.item)
    with pytest.raises(CatalogError, match="草稿"):
        services.item_revise(item=v1.item)
    with pytest.raises(CatalogError) as excinfo:
        services.version_publish(version=v2, actor="admin", effective_from=dt.date(2024, 1, 1))
    assert excinfo.value.code == "effective_before_previous"
    assert ItemVersion.objects.get(pk=v1.pk).status == VersionStatus.PUBLISHED


def test_cancelled_item_stays_visible_with_its_reason_but_is_not_in_force():
    version = make.published(code="220105-CGJ-009", name="户外牌匾设置审批")
    with pytest.raises(CatalogError, match="原因"):
        services.item_cancel(item=version.item, reason="  ", actor="admin")
    services.item_cancel(item=version.item, reason="无法定依据，予以取消。", actor="admin")
    item = ServiceItem.objects.get(code="220105-CGJ-009")
    assert item.status == ServiceItem.Status.CANCELLED
    assert item.cancel_reason == "无法定依据，予以取消。"
    assert item.versions.get().status == VersionStatus.RETIRED
    with pytest.raises(NotFound):
        selectors.current_version("220105-CGJ-009")
    with pytest.raises(CatalogError, match="已取消"):
        services.item_revise(item=item)


def test_bundle_asks_a_shared_material_kind_once_and_takes_the_longest_limit():
    from yimen.catalog.models import Bundle, BundleItem

    a = make.published(code="A-1", name="老年人优待证", committed_limit_days=5)
    b = make.published(
        code="B-1",
        name="城乡居民医保参保登记",
        committed_limit_days=8,
        materials=(("id_card", "居民身份证"), ("household_register", "户口簿")),
    )
    bundle = Bundle.objects.create(code="elderly-newborn", name="老年证和新生儿医保")
    BundleItem.objects.create(bundle=bundle, item=a.item, order=1)
    BundleItem.objects.create(bundle=bundle, item=b.item, order=2)
    view = selectors.bundle_view("elderly-newborn")
    assert [m.kind_code for m in view.materials] == ["id_card", "household_register"]
    assert view.materials[0].for_items == ("老年人优待证", "城乡居民医保参保登记")
    assert view.combined_limit_days == 8

"""`yimen catalog-generate`: synthetic items for scale tests."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yimen.catalog.models import (
    Department,
    HandlingType,
    ItemVersion,
    MaterialKind,
    ServiceItem,
    SubjectType,
    VersionStatus,
)
from yimen.catalog.rules import check_version

pytestmark = pytest.mark.django_db


def generate(capsys, *args: str) -> str:
    call_command("catalog-generate", *args)
    return capsys.readouterr().out


def synthetic_versions():
    return ItemVersion.objects.filter(item__code__startswith="SYN-").select_related("item")


def test_generated_items_are_published_and_pass_the_publication_rules(capsys):
    out = generate(capsys, "--items", "80")

    assert "已新增合成事项 80 个" in out
    versions = list(synthetic_versions())
    assert len(versions) == 80
    assert {v.item.code for v in versions} == {f"SYN-{n:06d}" for n in range(1, 81)}
    for version in versions:
        assert version.status == VersionStatus.PUBLISHED
        assert check_version(version).errors == []
        assert 2 <= version.materials.count() <= 6
        assert version.legal_bases.exists() and version.stages.exists()


def test_generated_items_spread_over_departments_subjects_and_handling_types(capsys):
    generate(capsys, "--items", "80")
    versions = synthetic_versions()

    subjects = Counter(versions.values_list("subject_type", flat=True))
    assert subjects[SubjectType.PERSON] > 10 and subjects[SubjectType.ORGANISATION] > 10
    handling = Counter(versions.values_list("handling_type", flat=True))
    assert handling[HandlingType.INSTANT] > 10 and handling[HandlingType.COMMITTED] > 10
    assert len(set(versions.values_list("lead_department", flat=True))) >= 4
    assert len(set(versions.values_list("name", flat=True))) > 60


def test_without_departments_or_material_kinds_a_minimal_set_is_created(capsys):
    generate(capsys, "--items", "3")
    assert Department.objects.count() == 5
    assert MaterialKind.objects.filter(is_licence=True).exists()


def test_existing_departments_and_kinds_are_used(capsys):
    Department.objects.create(code="GTJ", name="区规划和自然资源局")
    Department.objects.create(code="JGJ", name="区监管局", is_regulator=True)
    MaterialKind.objects.create(code="id_card", name="居民身份证")
    MaterialKind.objects.create(code="hukou", name="居民户口簿")

    generate(capsys, "--items", "10")

    assert set(synthetic_versions().values_list("lead_department__code", flat=True)) == {"GTJ"}
    assert MaterialKind.objects.count() == 2 and Department.objects.count() == 2


def test_running_again_adds_nothing_and_a_larger_count_adds_the_rest(capsys):
    generate(capsys, "--items", "12", "--seed", "7")
    first = list(synthetic_versions().order_by("item__code").values_list("pk", "name"))

    assert "已新增合成事项 0 个" in generate(capsys, "--items", "12", "--seed", "7")
    assert "已新增合成事项 3 个" in generate(capsys, "--items", "15", "--seed", "9")

    assert ServiceItem.objects.count() == 15
    assert list(synthetic_versions().order_by("item__code").values_list("pk", "name"))[:12] == first


def test_the_same_seed_gives_the_same_items(capsys):
    generate(capsys, "--items", "5", "--seed", "3")
    first = list(
        synthetic_versions().order_by("item__code").values_list("name", "legal_limit_days")
    )
    ItemVersion.objects.all().delete()  # test clean-up: bypasses the freeze on purpose
    ServiceItem.objects.all().delete()

    generate(capsys, "--items", "5", "--seed", "3")

    again = synthetic_versions().order_by("item__code").values_list("name", "legal_limit_days")
    assert list(again) == first


@pytest.mark.parametrize(("count", "message"), [("many", "不是整数"), ("-1", "应在 0 到")])
def test_a_bad_count_is_refused(count, message):
    with pytest.raises(CommandError, match=message):
        call_command("catalog-generate", "--items", count)
    assert not ServiceItem.objects.exists()

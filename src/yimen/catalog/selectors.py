"""Reads of the catalog."""

import datetime as dt
import functools
import time
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.catalog.models import (
    Bundle,
    Department,
    FormField,
    ItemVersion,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    ServiceItem,
    StageSpec,
    Theme,
    VersionStatus,
)
from yimen.errors import NotFound


def versions_in_force(on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """Published (or since closed) versions whose effective period covers `on`."""
    on = on or timezone.localdate()
    return ItemVersion.objects.filter(
        Q(effective_until__isnull=True) | Q(effective_until__gt=on),
        status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED],
        effective_from__lte=on,
        item__status=ServiceItem.Status.ACTIVE,
    )


def with_parts(versions: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return versions.select_related("item", "lead_department").prefetch_related(
        "co_departments",
        "legal_bases",
        "form_fields",
        Prefetch("materials", queryset=MaterialSpec.objects.select_related("kind")),
        Prefetch(
            "stages",
            queryset=StageSpec.objects.select_related("department").prefetch_related(
                "parallel_departments"
            ),
        ),
        "item__themes",
    )


def current_version(item_code: str, on: dt.date | None = None) -> ItemVersion:
    """The version in force, with its parts: one indexed query when this process holds it."""
    found = (
        versions_in_force(on)
        .filter(item__code=item_code)
        .order_by("-effective_from", "-number")
        .values_list("pk", "status", "effective_until", "published_at")
        .first()
    )
    if found is None:
        raise NotFound("item_not_found", _("未找到事项 %(c)s 的现行版本。") % {"c": item_code})
    return _frozen_version(*found, _age_bucket())


def frozen_parts(version: ItemVersion) -> ItemVersion:
    """A published (or retired) version with its parts, without a query when this process
    holds it: a case's version, say, to open its stages. A draft is read as it is now."""
    if version.is_draft:
        return with_parts(ItemVersion.objects.filter(pk=version.pk)).get()
    return _frozen_version(
        version.pk, version.status, version.effective_until, version.published_at, _age_bucket()
    )


# A published version's content and parts never change (the catalog refuses to), so this
# process keeps the ones it reads, shared read-only between requests. The key holds what
# may still change (its status and end, when it is retired) and when it was published, so
# a changed or another version is read anew; the names of departments, items and kinds it
# shows are refreshed at least every FROZEN_MAX_AGE_SECONDS, at once after an edit here.
FROZEN_MAX_AGE_SECONDS = 300
FROZEN_VERSIONS_KEPT = 256


def _age_bucket() -> int:
    return int(time.monotonic() // FROZEN_MAX_AGE_SECONDS)


@functools.lru_cache(maxsize=FROZEN_VERSIONS_KEPT)
def _frozen_version(pk: int, status, effective_until, published_at, age_bucket) -> ItemVersion:
    return with_parts(ItemVersion.objects.filter(pk=pk)).get()


def forget_frozen_versions(**_signal) -> None:
    _frozen_version.cache_clear()


for _model in (
    ItemVersion,
    ServiceItem,
    Department,
    Theme,
    MaterialKind,
    LegalBasis,
    FormField,
    MaterialSpec,
    StageSpec,
):
    _name = _model.__name__
    post_save.connect(forget_frozen_versions, sender=_model, dispatch_uid=f"frozen-{_name}-save")
    post_delete.connect(forget_frozen_versions, sender=_model, dispatch_uid=f"frozen-{_name}-del")
for _through in (
    ItemVersion.co_departments.through,
    StageSpec.parallel_departments.through,
    ServiceItem.themes.through,
):
    m2m_changed.connect(
        forget_frozen_versions, sender=_through, dispatch_uid=f"frozen-{_through.__name__}"
    )


def version_by_number(item_code: str, number: int) -> ItemVersion:
    version = with_parts(
        ItemVersion.objects.filter(item__code=item_code, number=number).exclude(
            status=VersionStatus.DRAFT
        )
    ).first()
    if version is None:
        raise NotFound(
            "version_not_found",
            _("事项 %(c)s 没有第 %(n)s 版。") % {"c": item_code, "n": number},
        )
    return version


def published_material_with(item_code: str, material_id: int, file_field: str) -> MaterialSpec:
    """A material of a published (or since retired) version of the item that has a file
    in `file_field` (its blank form or sample): public, like the rest of the guide."""
    material = (
        MaterialSpec.objects.filter(pk=material_id, version__item__code=item_code)
        .exclude(version__status=VersionStatus.DRAFT)
        .exclude(**{file_field: ""})
        .first()
    )
    if material is None:
        raise NotFound("material_file_not_found", _("未找到该材料的文件。"))
    return material


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def _scalar_fields():
    return [
        ItemVersion._meta.get_field(name)
        for name in ItemVersion.CONTENT_FIELDS
        if name != "co_departments"
    ]


def _display(version: ItemVersion, field) -> str:
    if field.choices:
        return str(getattr(version, f"get_{field.name}_display")())
    value = getattr(version, field.name)
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def _parts_summary(version: ItemVersion) -> dict[str, tuple[str, list[str]]]:
    return {
        "co_departments": (_("并联审查部门"), [d.name for d in version.co_departments.all()]),
        "legal_bases": (_("设定依据"), [str(b) for b in version.legal_bases.all()]),
        "form_fields": (
            _("申请表字段"),
            [
                f"{f.label}（{f.get_field_type_display()}{'，必填' if f.required else ''}）"
                for f in version.form_fields.all()
            ],
        ),
        "materials": (
            _("申请材料"),
            [
                f"{m.name}（{m.get_necessity_display()}，{m.get_form_display()}，"
                f"原件{m.originals}份，复印件{m.copies}份）"
                for m in version.materials.all()
            ],
        ),
        "stages": (
            _("办理环节"),
            [
                f"{s.order}. {s.name}（{s.get_role_display()}，{s.share_days}个工作日"
                f"{'，特别程序' if s.stops_clock else ''}）"
                for s in version.stages.all()
            ],
        ),
    }


def version_diff(before: ItemVersion, after: ItemVersion) -> list[Change]:
    """What changed from one version of an item to another, field by field."""
    changes = [
        Change(f.name, str(f.verbose_name), _display(before, f), _display(after, f))
        for f in _scalar_fields()
        if _display(before, f) != _display(after, f)
    ]
    old_parts, new_parts = _parts_summary(before), _parts_summary(after)
    for key, (label, old) in old_parts.items():
        new = new_parts[key][1]
        if old != new:
            changes.append(Change(key, str(label), "\n".join(old), "\n".join(new)))
    return changes


@dataclass(frozen=True)
class BundleMaterial:
    kind_code: str
    name: str
    for_items: tuple[str, ...]
    spec: MaterialSpec


@dataclass(frozen=True)
class BundleView:
    bundle: Bundle
    versions: list[ItemVersion]
    materials: list[BundleMaterial]
    combined_limit_days: int
    combined_legal_days: int
    total_fee_fen: int


def bundle_view(code: str, on: dt.date | None = None) -> BundleView:
    """A bundle with its merged material list: a kind asked for by several items is asked once.

    Its items are filed together and run in parallel, so the bundle's limit is
    the longest of its items' limits.
    """
    bundle = Bundle.objects.filter(code=code, is_active=True).first()
    if bundle is None:
        raise NotFound("bundle_not_found", _("未找到一件事 %(c)s。") % {"c": code})
    codes = list(bundle.members.order_by("order").values_list("item__code", flat=True))
    in_force = {
        v.item.code: v for v in with_parts(versions_in_force(on).filter(item__code__in=codes))
    }
    versions = [in_force[c] for c in codes if c in in_force]
    return BundleView(
        bundle=bundle,
        versions=versions,
        materials=_merge_materials(versions),
        combined_limit_days=max((v.committed_limit_days for v in versions), default=0),
        combined_legal_days=max((v.legal_limit_days for v in versions), default=0),
        total_fee_fen=sum(v.fee_fen for v in versions),
    )


def _merge_materials(versions: list[ItemVersion]) -> list[BundleMaterial]:
    merged: dict[str, BundleMaterial] = {}
    for version in versions:
        for spec in version.materials.all():
            seen = merged.get(spec.kind.code)
            names = (*seen.for_items, version.name) if seen else (version.name,)
            merged[spec.kind.code] = BundleMaterial(
                spec.kind.code, seen.name if seen else spec.name, names, seen.spec if seen else spec
            )
    return list(merged.values())


# --- integrity ----------------------------------------------------------------------------


def integrity_problems() -> list:
    """Published or retired versions without materials or without stages: the rules refuse
    to publish such a version, so one found here was changed behind the services' back."""
    from yimen.integrity import Problem

    frozen = ItemVersion.objects.exclude(status=VersionStatus.DRAFT).select_related("item")
    lacking = [
        (
            "version_without_materials",
            frozen.filter(materials__isnull=True),
            _("已发布的事项版本没有申请材料。"),
        ),
        (
            "version_without_stages",
            frozen.filter(stages__isnull=True),
            _("已发布的事项版本没有办理环节。"),
        ),
    ]
    return [
        Problem(
            code, _("事项 %(c)s 第 %(n)s 版") % {"c": version.item.code, "n": version.number}, text
        )
        for code, versions, text in lacking
        for version in versions.order_by("item__code", "number")
    ]

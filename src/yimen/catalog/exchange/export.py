"""The catalog as exchange-format data, every list in a fixed order."""

from django.db.models import Prefetch, QuerySet

from yimen.catalog.exchange.schema import FORMAT, FORMAT_VERSION, SECTIONS, Record
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    Department,
    ItemVersion,
    MaterialKind,
    MaterialSpec,
    ServiceCenter,
    ServiceItem,
    StageSpec,
    Theme,
)


def export_catalog() -> dict:
    data = {"format": FORMAT, "format_version": FORMAT_VERSION}
    for spec in SECTIONS:
        data[spec.key] = export_records(spec, section_objects(spec))
    return data


def export_records(spec: Record, objects) -> list[dict]:
    return [export_record(spec, obj) for obj in objects]


def export_record(spec: Record, obj) -> dict:
    record = {f.key: f.export(obj) for f in spec.fields}
    for child in spec.children:
        record[child.key] = export_records(child, getattr(obj, child.key).all())
    return record


def section_objects(spec: Record) -> QuerySet:
    """A section's records in export order, with everything an export reads prefetched."""
    querysets = {
        "departments": lambda: Department.objects.order_by("code"),
        "themes": lambda: Theme.objects.order_by("code"),
        "material_kinds": lambda: MaterialKind.objects.order_by("code"),
        "centers": centers,
        "items": items,
        "bundles": bundles,
    }
    return querysets[spec.key]()


def centers() -> QuerySet[ServiceCenter]:
    return ServiceCenter.objects.order_by("code").prefetch_related(
        Prefetch("items", queryset=ServiceItem.objects.only("code"))
    )


def items() -> QuerySet[ServiceItem]:
    versions = (
        ItemVersion.objects.order_by("number")
        .select_related("lead_department")
        .prefetch_related(
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
        )
    )
    return ServiceItem.objects.order_by("code").prefetch_related(
        "themes", Prefetch("versions", queryset=versions)
    )


def bundles() -> QuerySet[Bundle]:
    return Bundle.objects.order_by("code").prefetch_related(
        "themes",
        Prefetch(
            "members", queryset=BundleItem.objects.select_related("item").order_by("order", "pk")
        ),
    )

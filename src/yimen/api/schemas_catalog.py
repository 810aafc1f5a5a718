"""Shapes of the public catalog API."""

import datetime as dt

from django.urls import reverse
from ninja import Schema

from yimen.catalog.search import BundleEntry, ItemEntry


def item_url(code: str) -> str:
    return reverse("catalog:item", args=[code])


def material_file_url(spec, part: str) -> str | None:
    """Where the public downloads a material's blank form or sample, if it has one."""
    if not getattr(spec, part):
        return None
    return reverse(f"catalog:{part}", args=[spec.version.item.code, spec.pk])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class DepartmentRef(Schema):
    code: str
    name: str


class FacetOut(Schema):
    code: str
    name: str
    item_count: int


class ItemSummaryOut(Schema):
    """One item in a list, read from the search index."""

    code: str
    name: str
    item_type: str
    item_type_name: str
    subject_type: str
    department: DepartmentRef
    handling_type: str
    committed_limit_days: int
    status: str
    cancel_reason: str
    url: str

    @staticmethod
    def resolve_item_type_name(entry: ItemEntry) -> str:
        return entry.item_type_label

    @staticmethod
    def resolve_department(entry: ItemEntry) -> dict:
        return {"code": entry.department_code, "name": entry.department_name}

    @staticmethod
    def resolve_status(entry: ItemEntry) -> str:
        return "cancelled" if entry.cancelled else "active"

    @staticmethod
    def resolve_url(entry: ItemEntry) -> str:
        return item_url(entry.code)


class ItemPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[ItemSummaryOut]


class LegalBasisOut(Schema):
    law: str
    article: str
    text: str


class MaterialOut(Schema):
    kind: str
    kind_name: str
    name: str
    form: str
    originals: int
    copies: int
    source: str
    necessity: str
    reusable: bool
    notes: str
    blank_form_url: str | None
    sample_url: str | None

    @staticmethod
    def resolve_kind(spec) -> str:
        return spec.kind.code

    @staticmethod
    def resolve_kind_name(spec) -> str:
        return spec.kind.name

    @staticmethod
    def resolve_blank_form_url(spec) -> str | None:
        return material_file_url(spec, "blank_form")

    @staticmethod
    def resolve_sample_url(spec) -> str | None:
        return material_file_url(spec, "sample")


class StageOut(Schema):
    order: int
    kind: str
    name: str
    role: str
    department: DepartmentRef | None
    parallel_departments: list[DepartmentRef]
    share_days: int
    stops_clock: bool
    max_days: int | None

    @staticmethod
    def resolve_parallel_departments(stage) -> list:
        return list(stage.parallel_departments.all())


class HistoryOut(Schema):
    number: int
    status: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    published_at: dt.datetime | None
    change_note: str


class ItemDetailOut(Schema):
    """A version's whole service guide. Validate with context={"entry": the item's entry}."""

    code: str
    version: int
    version_status: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    published_at: dt.datetime | None
    change_note: str
    status: str
    cancel_reason: str
    name: str
    item_type: str
    item_type_name: str
    subject_type: str
    subject_type_name: str
    department: DepartmentRef
    co_departments: list[DepartmentRef]
    themes: list[DepartmentRef]
    acceptance_conditions: str
    handling_type: str
    handling_type_name: str
    legal_limit_days: int
    committed_limit_days: int
    extension_days: int
    fee_fen: int
    fee_basis: str
    visits_required: int
    visits_reason: str
    online_depth: int
    online_depth_name: str
    delivery_modes: list[str]
    handling_locations: str
    consult_phone: str
    complaint_phone: str
    legal_bases: list[LegalBasisOut]
    materials: list[MaterialOut]
    stages: list[StageOut]
    versions: list[HistoryOut]
    url: str
    notice_url: str

    @staticmethod
    def resolve_code(version) -> str:
        return version.item.code

    @staticmethod
    def resolve_version(version) -> int:
        return version.number

    @staticmethod
    def resolve_version_status(version) -> str:
        return version.status

    @staticmethod
    def resolve_status(version) -> str:
        return version.item.status

    @staticmethod
    def resolve_cancel_reason(version) -> str:
        return version.item.cancel_reason

    @staticmethod
    def resolve_item_type_name(version) -> str:
        return version.get_item_type_display()

    @staticmethod
    def resolve_subject_type_name(version) -> str:
        return version.get_subject_type_display()

    @staticmethod
    def resolve_handling_type_name(version) -> str:
        return version.get_handling_type_display()

    @staticmethod
    def resolve_online_depth_name(version) -> str:
        return version.get_online_depth_display()

    @staticmethod
    def resolve_department(version):
        return version.lead_department

    @staticmethod
    def resolve_co_departments(version) -> list:
        return list(version.co_departments.all())

    @staticmethod
    def resolve_themes(version) -> list:
        return list(version.item.themes.all())

    @staticmethod
    def resolve_legal_bases(version) -> list:
        return list(version.legal_bases.all())

    @staticmethod
    def resolve_materials(version) -> list:
        return list(version.materials.all())

    @staticmethod
    def resolve_stages(version) -> list:
        return list(version.stages.all())

    @staticmethod
    def resolve_versions(version, context) -> tuple:
        return context["entry"].history

    @staticmethod
    def resolve_url(version) -> str:
        return f"{item_url(version.item.code)}?version={version.number}"

    @staticmethod
    def resolve_notice_url(version) -> str:
        return f"{reverse('catalog:notice', args=[version.item.code])}?version={version.number}"


class ItemRef(Schema):
    code: str
    name: str
    url: str

    @staticmethod
    def resolve_url(member) -> str:
        return item_url(member.code)


class BundleSummaryOut(Schema):
    code: str
    name: str
    description: str
    themes: list[str]
    items: list[ItemRef]
    url: str

    @staticmethod
    def resolve_items(bundle: BundleEntry) -> tuple:
        return bundle.members

    @staticmethod
    def resolve_url(bundle: BundleEntry) -> str:
        return reverse("catalog:bundle", args=[bundle.code])


class BundleItemOut(Schema):
    code: str
    name: str
    department: DepartmentRef
    handling_type: str
    legal_limit_days: int
    committed_limit_days: int
    fee_fen: int
    url: str

    @staticmethod
    def resolve_code(version) -> str:
        return version.item.code

    @staticmethod
    def resolve_department(version):
        return version.lead_department

    @staticmethod
    def resolve_url(version) -> str:
        return item_url(version.item.code)


class BundleMaterialOut(Schema):
    kind: str
    name: str
    for_items: list[str]
    form: str
    originals: int
    copies: int
    necessity: str

    @staticmethod
    def resolve_kind(material) -> str:
        return material.kind_code

    @staticmethod
    def resolve_form(material) -> str:
        return material.spec.form

    @staticmethod
    def resolve_originals(material) -> int:
        return material.spec.originals

    @staticmethod
    def resolve_copies(material) -> int:
        return material.spec.copies

    @staticmethod
    def resolve_necessity(material) -> str:
        return material.spec.necessity


class BundleDetailOut(Schema):
    """A bundle as `selectors.bundle_view` sees it: a kind asked for by several items once."""

    code: str
    name: str
    description: str
    items: list[BundleItemOut]
    materials: list[BundleMaterialOut]
    combined_limit_days: int
    combined_legal_days: int
    total_fee_fen: int

    @staticmethod
    def resolve_code(view) -> str:
        return view.bundle.code

    @staticmethod
    def resolve_name(view) -> str:
        return view.bundle.name

    @staticmethod
    def resolve_description(view) -> str:
        return view.bundle.description

    @staticmethod
    def resolve_items(view) -> list:
        return view.versions

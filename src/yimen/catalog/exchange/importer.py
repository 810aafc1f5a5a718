"""Import of an exchange file: all of it, or nothing.

The file is checked on its own, then against the database; only a file with
no problem at all is applied, in one transaction. Versions are published
through the catalog services so the publication rules apply to imported items
as to any other; a rule refusing an item while applying is reported at the
item's place and rolls everything back.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.catalog import services
from yimen.catalog.exchange.export import export_record, section_objects
from yimen.catalog.exchange.problems import CatalogImportError, Place, Problem
from yimen.catalog.exchange.schema import (
    BUNDLES,
    CENTERS,
    DEPARTMENTS,
    ITEMS,
    LIFECYCLE_KEYS,
    MATERIAL_KINDS,
    SECTION_BY_TARGET,
    SECTIONS,
    TARGETS,
    THEMES,
    VERSIONS,
    BundleItems,
    Code,
    Codes,
    Day,
    Moment,
    Record,
)
from yimen.catalog.exchange.validate import FileCheck, Node
from yimen.catalog.models import BundleItem, ItemVersion, ServiceItem, VersionStatus
from yimen.errors import DomainError

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
OUTCOME_LABELS = {
    CREATED: gettext_lazy("新增"),
    UPDATED: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("未变"),
}
RECORD_TYPES = (DEPARTMENTS, THEMES, MATERIAL_KINDS, CENTERS, ITEMS, VERSIONS, BUNDLES)
# Lifecycle changes a published version may still undergo.
RETIRABLE = {"status", "effective_until"}
DAY = Day(nullable=True)
MOMENT = Moment(nullable=True)


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[Problem] = field(default_factory=list)  # publication rules' warnings

    def note(self, spec: Record, outcome: str) -> None:
        self.counts[spec.key][outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c[CREATED] or c[UPDATED] for c in self.counts.values())

    def summary(self) -> str:
        parts = [
            f"{spec.sheet}："
            + "，".join(f"{label} {counts[key]}" for key, label in OUTCOME_LABELS.items())
            for spec in RECORD_TYPES
            if (counts := self.counts.get(spec.key))
        ]
        return "；".join(parts) if parts else _("文件中没有任何记录。")


def import_catalog(data: dict, *, actor: str) -> ImportReport:
    """Apply an exchange file (as read by `read_json` or `read_xlsx`).

    `actor` publishes versions whose file names no publisher. Raises
    `CatalogImportError` listing every problem; then nothing is changed.
    """
    with transaction.atomic():
        check = FileCheck().run(data)
        existing = Existing(check.sections)
        existing.check(check)
        if check.problems:
            raise CatalogImportError(check.problems)
        importer = Importer(existing, actor)
        importer.apply(check.sections)
        if importer.problems:
            raise CatalogImportError(importer.problems)
    return importer.report


class Existing:
    """What the database holds for the records a file names, as exported."""

    def __init__(self, sections: dict[str, list[Node]]):
        self.file_codes = {key: {n.code for n in nodes} for key, nodes in sections.items()}
        self.records: dict[str, dict[str, tuple]] = {}
        for spec in SECTIONS:
            wanted = self.file_codes.get(spec.key, set())
            objects = section_objects(spec).filter(code__in=wanted) if wanted else []
            self.records[spec.key] = {o.code: (o, export_record(spec, o)) for o in objects}

    def get(self, spec: Record, code: str) -> tuple:
        return self.records[spec.key].get(code, (None, None))

    def check(self, check: FileCheck) -> None:
        self._check_references(check)
        for spec in SECTIONS:
            for unique in spec.unique_fields():
                if unique.key != "code":
                    self._check_taken(check, spec, unique.key)
        for node in check.sections.get("items", []):
            current = self.get(ITEMS, node.code)[1]
            if node.valid and current:
                _check_item_against(node, current, check)

    def _check_references(self, check: FileCheck) -> None:
        known = {
            target: set(model.objects.values_list("code", flat=True))
            | self.file_codes.get(target, set())
            for model, target in TARGETS.items()
        }
        for ref in check.references:
            if ref.code not in known[ref.target]:
                check.add(
                    ref.place,
                    ref.key,
                    _("未知的%(what)s编码“%(code)s”。")
                    % {"what": SECTION_BY_TARGET[ref.target].sheet, "code": ref.code},
                )

    def _check_taken(self, check: FileCheck, spec: Record, key: str) -> None:
        """A unique value (a name) must not belong to a record the file leaves alone."""
        owners = dict(spec.model.objects.values_list(key, "code"))
        for node in check.sections.get(spec.key, []):
            owner = owners.get(node.data.get(key))
            if owner and owner != node.code and owner not in self.file_codes[spec.key]:
                check.add(
                    node.place,
                    key,
                    _("“%(v)s”已被%(what)s %(owner)s 使用。")
                    % {"v": node.data[key], "what": spec.sheet, "owner": owner},
                )


def _check_item_against(node: Node, current: dict, check: FileCheck) -> None:
    cancel_keys = ("status", "cancelled_at", "cancel_reason")
    if current["status"] == ServiceItem.Status.CANCELLED and any(
        node.data[key] != current[key] for key in cancel_keys
    ):
        check.add(node.place, "status", _("事项已取消，其状态、取消时间和原因不可修改。"))
    stored = {v["number"]: v for v in current["versions"]}
    for version in node.children["versions"]:
        before = stored.get(version.code)
        if before and before["status"] != VersionStatus.DRAFT:
            _check_frozen(version, before, check)


def _check_frozen(node: Node, before: dict, check: FileCheck) -> None:
    changed = {key for key, value in node.data.items() if before[key] != value}
    retiring = before["status"] == VersionStatus.PUBLISHED
    if retiring and node.data["status"] == VersionStatus.RETIRED:
        changed -= RETIRABLE
    if changed:
        labels = "、".join(VERSIONS.label_of(key) for key in node.data if key in changed)
        check.add(
            node.place,
            None,
            _("已发布版本不可修改（与系统中的版本不同：%(f)s）。如需修改，请新增版本。")
            % {"f": labels},
        )


class ImportFailure(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def problems_from(error: DomainError, place: Place) -> list[Problem]:
    details = [d for d in error.details if isinstance(d, dict) and d.get("message")]
    if details:
        return [place.problem(d.get("field"), d["message"]) for d in details]
    return [place.problem(error.field, error.message)]


def relate(manager, linked: list, *, fresh: bool) -> None:
    """Set a many-to-many link; a record just created has nothing linked to replace."""
    if not fresh:
        manager.set(linked)
    elif linked:
        manager.add(*linked)


class Importer:
    def __init__(self, existing: Existing, actor: str):
        self.existing, self.actor = existing, actor
        self.report = ImportReport()
        self.problems: list[Problem] = []
        self.lookup: dict[str, dict] = {}

    def apply(self, sections: dict[str, list[Node]]) -> None:
        for spec in (DEPARTMENTS, THEMES, MATERIAL_KINDS):
            self.upsert_all(spec, sections[spec.key])
        self.refresh_lookup()
        for node in sections["items"]:
            self.guarded(node.place, lambda node=node: self.apply_item(node))
        self.refresh_lookup()
        for spec in (CENTERS, BUNDLES):
            self.upsert_all(spec, sections[spec.key])

    def refresh_lookup(self) -> None:
        self.lookup = {
            target: {o.code: o for o in model.objects.all()} for model, target in TARGETS.items()
        }

    def guarded(self, place: Place, action) -> None:
        """Run one record's changes; a refusal becomes a problem at the record's place."""
        try:
            with transaction.atomic():
                action()
        except ImportFailure as failure:
            self.problems.extend(failure.problems)
        except DomainError as error:
            self.problems.extend(problems_from(error, place))
        except DatabaseError:
            self.problems.append(
                place.problem(None, _("与系统中已有的数据冲突，无法保存（例如名称重复）。"))
            )

    def upsert_all(self, spec: Record, nodes: list[Node]) -> None:
        for node in nodes:
            obj, current = self.existing.get(spec, node.code)
            if current == node.data:
                self.report.note(spec, UNCHANGED)
                continue
            self.guarded(
                node.place, lambda n=node, o=obj: self.save(spec, o or spec.model(), n.data)
            )
            self.report.note(spec, UPDATED if current else CREATED)

    def save(self, spec: Record, obj, data: dict, *, skip=()):
        fresh = obj.pk is None
        self.assign(spec, obj, data, skip=skip)
        obj.save()
        self.link(spec, obj, data, fresh=fresh)
        return obj

    def assign(self, spec: Record, obj, data: dict, *, skip=()) -> None:
        for f in spec.fields:
            if f.key in skip or isinstance(f.kind, Codes):
                continue
            value = data[f.key]
            if isinstance(f.kind, Code):
                value = self.lookup[f.kind.target][value] if value else None
            setattr(obj, f.key, f.kind.to_model(value))

    def link(self, spec: Record, obj, data: dict, *, fresh: bool) -> None:
        for f in spec.fields:
            if isinstance(f.kind, BundleItems):
                self.set_members(obj, data[f.key])
            elif isinstance(f.kind, Codes):
                linked = [self.lookup[f.kind.target][code] for code in data[f.key]]
                relate(getattr(obj, f.key), linked, fresh=fresh)

    def set_members(self, bundle, codes: list[str]) -> None:
        bundle.members.all().delete()
        BundleItem.objects.bulk_create(
            BundleItem(bundle=bundle, item=self.lookup["items"][code], order=order)
            for order, code in enumerate(codes, start=1)
        )

    def apply_item(self, node: Node) -> None:
        spec = ITEMS
        item, current = self.existing.get(spec, node.code)
        fresh = item is None
        if fresh:
            item = ServiceItem.objects.create(code=node.code)
        stored = {} if fresh else {v.number: v for v in item.versions.all()}
        before = {v["number"]: v for v in current["versions"]} if current else {}
        for version in node.children["versions"]:
            try:
                self.apply_version(
                    item, version, stored.get(version.code), before.get(version.code)
                )
            except DomainError as error:
                raise ImportFailure(problems_from(error, version.place)) from error
        item_data = {k: v for k, v in node.data.items() if k != "versions"}
        if current is None or item_data != {k: current[k] for k in item_data}:
            self.update_item(item, item_data, fresh=fresh)
            self.report.note(spec, UPDATED if current else CREATED)
        else:
            self.report.note(spec, UNCHANGED)

    def update_item(self, item: ServiceItem, data: dict, *, fresh: bool) -> None:
        themes = [self.lookup["themes"][code] for code in data["themes"]]
        relate(item.themes, themes, fresh=fresh)
        if (
            data["status"] == ServiceItem.Status.CANCELLED
            and item.status == ServiceItem.Status.ACTIVE
        ):
            services.item_cancel(item=item, reason=data["cancel_reason"], actor=self.actor)
            ServiceItem.objects.filter(pk=item.pk).update(
                cancelled_at=MOMENT.to_model(data["cancelled_at"])
            )

    def apply_version(self, item, node: Node, stored: ItemVersion | None, before: dict | None):
        data = node.data
        if stored is not None and not stored.is_draft:
            if stored.status == VersionStatus.PUBLISHED and data["status"] == VersionStatus.RETIRED:
                services.version_retire(
                    version=stored, effective_until=DAY.to_model(data["effective_until"])
                )
                self.report.note(VERSIONS, UPDATED)
            else:
                self.report.note(VERSIONS, UNCHANGED)
            return
        if before == data:
            self.report.note(VERSIONS, UNCHANGED)
            return
        if stored is not None:
            stored.delete()
        version = self.create_draft(item, data)
        if data["status"] != VersionStatus.DRAFT:
            self.publish(version, node)
        self.report.note(VERSIONS, UPDATED if stored else CREATED)

    def create_draft(self, item: ServiceItem, data: dict) -> ItemVersion:
        version = self.save(VERSIONS, ItemVersion(item=item), data, skip=LIFECYCLE_KEYS)
        for part in VERSIONS.children:
            positioned = "order" not in part.keys
            parts = [
                part.model(version=version, **({"order": n} if positioned else {}))
                for n in range(1, len(data[part.key]) + 1)
            ]
            for obj, part_data in zip(parts, data[part.key], strict=True):
                self.assign(part, obj, part_data)
            part.model.objects.bulk_create(parts)
            for obj, part_data in zip(parts, data[part.key], strict=True):
                self.link(part, obj, part_data, fresh=True)
        return version

    def publish(self, version: ItemVersion, node: Node) -> None:
        data = node.data
        warnings = services.version_publish(
            version=version,
            actor=data["published_by"] or self.actor,
            effective_from=DAY.to_model(data["effective_from"]),
            change_note=data["change_note"],
            published_at=MOMENT.to_model(data["published_at"]),
        )
        self.report.warnings += [node.place.problem(w.field, w.message) for w in warnings]
        if data["status"] == VersionStatus.RETIRED:
            services.version_retire(
                version=version, effective_until=DAY.to_model(data["effective_until"])
            )

"""Checks an exchange file on its own, before the database is consulted.

Every record becomes a `Node` holding its canonical data (the shape an export
writes) and its place in the file; every problem found is kept, none stops the
check, so a file is answered with all of its problems at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yimen.catalog.exchange.problems import WHERE, Place, Problem
from yimen.catalog.exchange.schema import (
    FORMAT,
    FORMAT_VERSION,
    MISSING,
    SECTIONS,
    Bad,
    Field,
    Record,
)
from yimen.catalog.models import ServiceItem, VersionStatus
from yimen.catalog.rules import committed_over_legal_message


def file_place() -> Place:
    """The place of a problem with the file as a whole."""
    return Place(_("文件"))


@dataclass
class Node:
    spec: Record
    place: Place
    data: dict
    children: dict[str, list["Node"]]
    valid: bool

    @property
    def code(self):
        return self.data.get(self.spec.code_field.key)


@dataclass(frozen=True)
class Reference:
    target: str  # the section the code belongs to
    code: str
    place: Place
    key: str


@dataclass
class FileCheck:
    problems: list[Problem] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    sections: dict[str, list[Node]] = field(default_factory=dict)

    def add(self, place: Place, key: str | None, message: str) -> None:
        self.problems.append(place.problem(key, message))

    def run(self, data) -> "FileCheck":
        if not self._is_catalog(data):
            return self
        known = {"format", "format_version", *(spec.key for spec in SECTIONS)}
        for key in sorted(data.keys() - known):
            self.add(file_place(), key, _("未知字段“%(k)s”。") % {"k": key})
        for spec in SECTIONS:
            nodes = self.records(spec, data.get(spec.key, []), spec.key)
            self.sections[spec.key] = nodes
            for unique in spec.unique_fields():
                self.refuse_duplicates(nodes, unique.key)
        return self

    def _is_catalog(self, data) -> bool:
        if not isinstance(data, dict):
            self.add(file_place(), None, _("文件内容应为一个 JSON 对象。"))
            return False
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            self.add(
                file_place(),
                "format",
                _(
                    "不是一门事项目录文件，或格式版本不受支持"
                    "（应为 format = %(f)s，format_version = %(v)s）。"
                )
                % {"f": FORMAT, "v": FORMAT_VERSION},
            )
            return False
        return True

    def records(self, spec: Record, raw, path: str) -> list[Node]:
        if not isinstance(raw, list):
            self.add(Place(path), None, _("应为列表（[…]）。"))
            return []
        nodes = [self.record(spec, item, path, index) for index, item in enumerate(raw)]
        return [node for node in nodes if node is not None]

    def record(self, spec: Record, raw, path: str, index: int) -> Node | None:
        place = Place.of(raw, path, index, spec)
        if not isinstance(raw, dict):
            self.add(place, None, _("应为对象（{…}）。"))
            return None
        before = len(self.problems)
        for key in sorted(raw.keys() - spec.keys - {WHERE}):
            self.add(place, key, _("未知字段“%(k)s”。") % {"k": key})
        data = {
            f.key: value for f in spec.fields if (value := self.value(f, raw, place)) is not MISSING
        }
        node = Node(spec, place, data, {}, valid=True)
        for child in spec.children:
            self.add_children(node, child, raw.get(child.key, []))
        node.valid = len(self.problems) == before
        if node.valid:
            RULES.get(spec.key, _no_rule)(node, self)
            node.valid = len(self.problems) == before
        return node

    def value(self, f: Field, raw: dict, place: Place):
        try:
            if f.key not in raw:
                if f.default is MISSING:
                    raise Bad(_("缺少此项。"))
                return list(f.default) if isinstance(f.default, list) else f.default
            if raw[f.key] is None and not getattr(f.kind, "nullable", False):
                raise Bad(_("不能为空。"))
            value = f.kind.check(raw[f.key])
        except Bad as bad:
            self.add(place, f.key, str(bad))
            return MISSING
        self.note_references(f, value, place)
        return value

    def note_references(self, f: Field, value, place: Place) -> None:
        if not f.kind.target or value is None:
            return
        for code in value if isinstance(value, list) else [value]:
            self.references.append(Reference(f.kind.target, code, place, f.key))

    def add_children(self, node: Node, child: Record, raw) -> None:
        nodes = self.records(child, raw, f"{node.place.sheet}.{child.key}")
        if child.order_by and all(n.valid for n in nodes):
            nodes.sort(key=lambda n: n.data[child.order_by])
        node.children[child.key] = nodes
        node.data[child.key] = [n.data for n in nodes]

    def refuse_duplicates(self, nodes: list[Node], key: str) -> None:
        first_seen: dict = {}
        for node in nodes:
            value = node.data.get(key)
            if value is None:
                continue
            if value in first_seen:
                self.add(
                    node.place,
                    key,
                    _("“%(v)s”重复，已在 %(first)s 出现。")
                    % {"v": value, "first": first_seen[value]},
                )
            else:
                first_seen[value] = node.place


def _no_rule(node: Node, check: FileCheck) -> None:
    pass


def check_item(node: Node, check: FileCheck) -> None:
    versions = node.children["versions"]
    check.refuse_duplicates(versions, "number")
    _check_version_statuses(versions, check)
    _check_cancellation(node, check)


def _check_version_statuses(versions: list[Node], check: FileCheck) -> None:
    drafts = [v for v in versions if v.data["status"] == VersionStatus.DRAFT]
    if len(drafts) > 1 or (drafts and drafts[-1] is not versions[-1]):
        check.add(drafts[-1].place, "status", _("一个事项最多有一个草稿，且须是最新的版本。"))
    published = [v for v in versions if v.data["status"] == VersionStatus.PUBLISHED]
    if len(published) > 1:
        check.add(
            published[0].place,
            "status",
            _("一个事项只能有一个现行的已发布版本，较早的版本应为已停用。"),
        )


def _check_cancellation(node: Node, check: FileCheck) -> None:
    data = node.data
    if data["status"] == ServiceItem.Status.CANCELLED:
        if not data["cancelled_at"]:
            check.add(node.place, "cancelled_at", _("已取消的事项须填写取消时间。"))
        if not data["cancel_reason"].strip():
            check.add(node.place, "cancel_reason", _("已取消的事项须写明取消原因。"))
        for version in node.children["versions"]:
            if version.data["status"] != VersionStatus.RETIRED:
                check.add(version.place, "status", _("已取消事项的版本都应为已停用。"))
        return
    if data["cancelled_at"] or data["cancel_reason"]:
        key = "cancelled_at" if data["cancelled_at"] else "cancel_reason"
        check.add(node.place, key, _("有效的事项不应填写取消时间或取消原因。"))


def check_version(node: Node, check: FileCheck) -> None:
    data = node.data
    if data["committed_limit_days"] > data["legal_limit_days"]:
        check.add(
            node.place,
            "committed_limit_days",
            committed_over_legal_message(data["committed_limit_days"], data["legal_limit_days"]),
        )
    _check_lifecycle(node, check)
    check.refuse_duplicates(node.children["form_fields"], "key")
    check.refuse_duplicates(node.children["stages"], "order")


def _check_lifecycle(node: Node, check: FileCheck) -> None:
    data, place = node.data, node.place
    if data["status"] == VersionStatus.DRAFT:
        for key in ("effective_from", "effective_until", "published_at", "published_by"):
            if data[key]:
                check.add(place, key, _("草稿尚未发布，不应填写此项。"))
        return
    for key in ("effective_from", "published_at"):
        if not data[key]:
            check.add(place, key, _("已发布或已停用的版本须填写此项。"))
    until, start = data["effective_until"], data["effective_from"]
    if data["status"] == VersionStatus.PUBLISHED and until:
        check.add(place, "effective_until", _("现行的已发布版本不应有失效日期。"))
    if data["status"] == VersionStatus.RETIRED and not until:
        check.add(place, "effective_until", _("已停用的版本须填写失效日期。"))
    if until and start and until < start:
        check.add(place, "effective_until", _("失效日期不能早于生效日期。"))


RULES: dict[str, Callable[[Node, FileCheck], None]] = {
    "items": check_item,
    "versions": check_version,
}

"""What the public sees of the catalog: search, browsing and the power list.

Every public page reads one in-memory index of the items in force, the
cancelled items and the active bundles. The index is rebuilt when a cheap
stamp of the published versions changes (a publication, a withdrawal, a
cancellation or a new day), when this process saves a bundle, and at the latest
every INDEX_MAX_AGE_SECONDS so that renamed departments, theme links, bundles
edited in other processes and popularity catch up.

A query matches, best first: the exact name or code; a substring of the name;
full pinyin from a syllable boundary or a run of initials (老年人优待证 →
"laonianren…", "lnrydz"); department, theme, type or code; then, for terms of
two or more characters, the name's characters in order (老年证) or syllable
prefixes in order (lnz, laonianzheng).

The syllables are those stored with each version and bundle when it was saved
(catalog.pinyin), so that this module, and a web process, never load pypinyin.

Each index keeps the ranked results of its latest queries (the same few come from
kiosks and the home page all day); a changed catalog is a new index, with none.
"""

import datetime as dt
import functools
import threading
import time
from dataclasses import dataclass, field
from itertools import groupby

from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yimen.catalog.models import (
    Bundle,
    BundleItem,
    Department,
    HandlingType,
    ItemType,
    ItemVersion,
    LegalBasis,
    ServiceItem,
    SubjectType,
    Theme,
    VersionStatus,
)
from yimen.catalog.pinyin import normalise
from yimen.catalog.selectors import versions_in_force
from yimen.errors import InvalidInput, NotFound

INDEX_MAX_AGE_SECONDS = 300
PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 100
POPULAR_COUNT = 8
RESULT_CACHE_SIZE = 512  # (query, filters) pairs whose ranked items an index keeps
# Guide text the index never reads; left out of the one big query.
LONG_TEXT_FIELDS = ("acceptance_conditions", "fee_basis", "handling_locations", "visits_reason")


@dataclass(frozen=True)
class Keys:
    """Normalised text a query is matched against."""

    name: str
    code: str
    pinyin: str
    syllable_starts: frozenset[int]
    initials: str
    syllables: tuple[str, ...]
    extra: str


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    status: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    published_at: dt.datetime | None
    change_note: str

    def get_status_display(self) -> str:
        return str(VersionStatus(self.status).label)


@dataclass(frozen=True)
class ItemEntry:
    """One item as the public sees it: its version in force, or its last one if cancelled."""

    code: str
    name: str
    version_number: int
    item_type: str
    subject_type: str
    department_code: str
    department_name: str
    department_order: int
    handling_type: str
    legal_limit_days: int
    committed_limit_days: int
    fee_fen: int
    popularity: int
    themes: tuple[str, ...]
    legal_bases: tuple[str, ...]
    cancelled: bool
    cancelled_at: dt.datetime | None
    cancel_reason: str
    history: tuple[HistoryEntry, ...]
    keys: Keys = field(repr=False, compare=False)

    @property
    def item_type_label(self) -> str:
        return str(ItemType(self.item_type).label)

    @property
    def subject_type_label(self) -> str:
        return str(SubjectType(self.subject_type).label)

    @property
    def handling_type_label(self) -> str:
        return str(HandlingType(self.handling_type).label)

    @property
    def status_label(self) -> str:
        if self.cancelled:
            return _("已取消：%(r)s") % {"r": self.cancel_reason}
        return _("有效")

    def resolve_version(self, requested: str | int | None, field_name: str = "version") -> int:
        """The version number to show: the one asked for, or the current one."""
        if requested in (None, ""):
            return self.version_number
        number = _positive_int(requested, field_name, _("版本号须为正整数。"))
        if number not in {h.number for h in self.history}:
            raise NotFound(
                "version_not_found",
                _("事项 %(c)s 没有第 %(n)s 版。") % {"c": self.code, "n": number},
                field=field_name,
            )
        return number

    def previous_number(self, number: int) -> int | None:
        """The published version before `number`, if any."""
        return max((h.number for h in self.history if h.number < number), default=None)


@dataclass(frozen=True)
class BundleMember:
    code: str
    name: str


@dataclass(frozen=True)
class BundleEntry:
    code: str
    name: str
    description: str
    themes: tuple[str, ...]
    members: tuple[BundleMember, ...]
    keys: Keys = field(repr=False, compare=False)


@dataclass(frozen=True)
class Facet:
    """A department or theme to filter by, with how many items in force it has."""

    code: str
    name: str
    item_count: int


@dataclass(frozen=True)
class SearchResult:
    count: int
    page: int
    page_size: int
    items: list[ItemEntry]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


@dataclass(frozen=True)
class CatalogIndex:
    """The public catalog at one moment. A page that reads it several times asks once."""

    stamp: tuple
    items: tuple[ItemEntry, ...]
    bundles: tuple[BundleEntry, ...]
    departments: tuple[Facet, ...]
    themes: tuple[Facet, ...]

    def search_items(
        self,
        q: str | None = "",
        *,
        department: str | None = None,
        subject_type: str | None = None,
        item_type: str | None = None,
        theme: str | None = None,
        include_cancelled: bool | str | None = False,
        page: int | str | None = 1,
        page_size: int = PAGE_SIZE,
    ) -> SearchResult:
        """Items matching the query and filters, best first, one page of them.

        Filters take the raw values a form or query string sends; empty means
        "any". subject_type=person (or organisation) also finds items for both.
        """
        terms = _terms(q)
        wanted = self._item_filter(
            department=department,
            subject_type=subject_type,
            item_type=item_type,
            theme=theme,
            include_cancelled=_flag(include_cancelled, "include_cancelled"),
        )
        page = _positive_int(
            page or 1, "page", _("页码须为1至%(n)s之间的整数。") % {"n": MAX_PAGE}, upper=MAX_PAGE
        )
        ranked = self._ranked_items(terms, wanted)
        start = (page - 1) * page_size
        return SearchResult(
            count=len(ranked),
            page=page,
            page_size=page_size,
            items=list(ranked[start : start + page_size]),
        )

    def search_bundles(self, q: str | None = "", *, theme: str | None = None) -> list[BundleEntry]:
        """Active bundles matching the query (and theme), best first."""
        terms = _terms(q)
        theme = _known_code(theme, self.themes, "theme", _("未知的办事主题：%(c)s。"))
        ranked = sorted(
            (*rank, bundle.code, bundle)
            for bundle in self.bundles
            if (theme is None or theme in bundle.themes)
            and (rank := _rank(terms, bundle.keys)) is not None
        )
        return [row[-1] for row in ranked]

    def item(self, code: str) -> ItemEntry:
        """An item in force or cancelled; NotFound otherwise."""
        entry = self._items_by_code.get(code)
        if entry is None:
            raise NotFound("item_not_found", _("未找到事项 %(c)s。") % {"c": code})
        return entry

    def bundle(self, code: str) -> BundleEntry:
        entry = self._bundles_by_code.get(code)
        if entry is None:
            raise NotFound("bundle_not_found", _("未找到一件事 %(c)s。") % {"c": code})
        return entry

    def popular_items(self, limit: int = POPULAR_COUNT) -> list[ItemEntry]:
        offered = (e for e in self.items if not e.cancelled)
        return sorted(offered, key=lambda e: (-e.popularity, e.code))[:limit]

    def power_list(
        self, *, department: str | None = None, item_type: str | None = None
    ) -> list[ItemEntry]:
        """权力清单: every item in force or cancelled, by type, department and code."""
        wanted = self._item_filter(
            department=department, item_type=item_type, include_cancelled=True
        )
        return sorted(
            filter(wanted, self.items),
            key=lambda e: (e.item_type, e.department_order, e.department_code, e.code),
        )

    def theme_names(self, codes: tuple[str, ...]) -> list[str]:
        names = {t.code: t.name for t in self.themes}
        return [names[c] for c in codes if c in names]

    @functools.cached_property
    def _ranked_items(self):
        """(terms, ItemFilter) → the matching items, best first; the latest kept."""
        return _item_ranking(self.items)

    @functools.cached_property
    def _items_by_code(self) -> dict[str, ItemEntry]:
        return {e.code: e for e in self.items}

    @functools.cached_property
    def _bundles_by_code(self) -> dict[str, BundleEntry]:
        return {b.code: b for b in self.bundles}

    def _item_filter(
        self,
        *,
        department: str | None = None,
        subject_type: str | None = None,
        item_type: str | None = None,
        theme: str | None = None,
        include_cancelled: bool = False,
    ) -> "ItemFilter":
        return ItemFilter(
            department=_known_code(
                department, self.departments, "department", _("未知的部门：%(c)s。")
            ),
            subject_types=_subject_types(subject_type),
            item_type=_choice(
                item_type, ItemType.values, "item_type", _("未知的事项类型：%(c)s。")
            ),
            theme=_known_code(theme, self.themes, "theme", _("未知的办事主题：%(c)s。")),
            include_cancelled=include_cancelled,
        )


@dataclass(frozen=True)
class ItemFilter:
    """Checked filter values (None: any); called on an item, whether it passes."""

    department: str | None
    subject_types: frozenset[str] | None
    item_type: str | None
    theme: str | None
    include_cancelled: bool

    def __call__(self, entry: ItemEntry) -> bool:
        return (
            (self.include_cancelled or not entry.cancelled)
            and self.department in (None, entry.department_code)
            and self.item_type in (None, entry.item_type)
            and (self.subject_types is None or entry.subject_type in self.subject_types)
            and (self.theme is None or self.theme in entry.themes)
        )


def _item_ranking(items: tuple[ItemEntry, ...]):
    """A function of (terms, filter) giving the matching items best first, remembering the
    latest answers. It holds the items, not the index, so an index it belongs to is freed
    as soon as a newer one replaces it."""

    @functools.lru_cache(maxsize=RESULT_CACHE_SIZE)
    def ranked(terms: tuple[str, ...], wanted: ItemFilter) -> tuple[ItemEntry, ...]:
        rows = sorted(
            (
                (entry.cancelled, *rank, -entry.popularity, entry.code, entry)
                for entry in items
                if wanted(entry) and (rank := _rank(terms, entry.keys)) is not None
            ),
            key=lambda row: row[:-1],
        )
        return tuple(row[-1] for row in rows)

    return ranked


# ---------------------------------------------------------------- single reads


def search_items(q: str | None = "", **filters) -> SearchResult:
    """Takes the filters of CatalogIndex.search_items."""
    return catalog_index().search_items(q, **filters)


def search_bundles(q: str | None = "", *, theme: str | None = None) -> list[BundleEntry]:
    return catalog_index().search_bundles(q, theme=theme)


def item_entry(code: str) -> ItemEntry:
    return catalog_index().item(code)


def bundle_entry(code: str) -> BundleEntry:
    return catalog_index().bundle(code)


# ---------------------------------------------------------------- the index

_lock = threading.Lock()
_current: CatalogIndex | None = None


def catalog_index() -> CatalogIndex:
    """The index for the catalog as it is now; one cheap query when nothing changed."""
    global _current
    stamp = _catalog_stamp()
    index = _current
    if index is not None and index.stamp == stamp:
        return index
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = _build_index(stamp)
        return _current


def clear_index(**_signal) -> None:
    global _current
    _current = None


for _model in (Bundle, BundleItem):
    post_save.connect(clear_index, sender=_model, dispatch_uid=f"search-{_model.__name__}-save")
    post_delete.connect(clear_index, sender=_model, dispatch_uid=f"search-{_model.__name__}-del")


def _catalog_stamp() -> tuple:
    published = ItemVersion.objects.exclude(status=VersionStatus.DRAFT).aggregate(
        versions=Count("id"),
        retired=Count("id", filter=Q(status=VersionStatus.RETIRED)),
        last_id=Max("id"),
        last_published=Max("published_at"),
        cancelled_items=Count(
            "item", filter=Q(item__status=ServiceItem.Status.CANCELLED), distinct=True
        ),
    )
    age_bucket = int(time.monotonic() // INDEX_MAX_AGE_SECONDS)
    return (timezone.localdate(), age_bucket, *published.values())


def _build_index(stamp: tuple) -> CatalogIndex:
    with translation.override(settings.LANGUAGE_CODE):
        department_rows = list(Department.objects.all())
        theme_rows = {t.pk: t for t in Theme.objects.all()}
        item_themes = _item_theme_codes(theme_rows)
        items = _item_entries(item_themes, theme_rows)
        bundles = _bundle_entries({e.code: e.name for e in items if not e.cancelled})
    offered = [e for e in items if not e.cancelled]
    return CatalogIndex(
        stamp=stamp,
        items=tuple(items),
        bundles=tuple(bundles),
        departments=tuple(
            Facet(d.code, d.name, sum(e.department_code == d.code for e in offered))
            for d in department_rows
        ),
        themes=tuple(
            Facet(t.code, t.name, sum(t.code in e.themes for e in offered))
            for t in theme_rows.values()
        ),
    )


def _item_theme_codes(theme_rows: dict[int, Theme]) -> dict[int, tuple[str, ...]]:
    links = ServiceItem.themes.through.objects.order_by("theme_id").values_list(
        "serviceitem_id", "theme_id"
    )
    codes: dict[int, tuple[str, ...]] = {}
    for item_id, theme_id in links:
        codes[item_id] = (*codes.get(item_id, ()), theme_rows[theme_id].code)
    return codes


def _item_entries(
    item_themes: dict[int, tuple[str, ...]], theme_rows: dict[int, Theme]
) -> list[ItemEntry]:
    in_force = set(versions_in_force().values_list("pk", flat=True))
    published = (
        ItemVersion.objects.exclude(status=VersionStatus.DRAFT)
        .select_related("item", "lead_department")
        .defer(*LONG_TEXT_FIELDS)
        .order_by("item_id", "number")
    )
    shown: list[tuple[ItemVersion, list[ItemVersion]]] = []
    for _item_id, group in groupby(published, key=lambda v: v.item_id):
        versions = list(group)
        version = _public_version(versions, in_force)
        if version is not None:
            shown.append((version, versions))
    bases = _legal_bases([version.pk for version, _versions in shown])
    theme_names = {t.code: t.name for t in theme_rows.values()}
    return [
        _item_entry(version, versions, item_themes.get(version.item_id, ()), bases, theme_names)
        for version, versions in shown
    ]


def _public_version(versions: list[ItemVersion], in_force: set[int]) -> ItemVersion | None:
    """The version in force, the last one of a cancelled item, or None (not public)."""
    if versions[0].item.status == ServiceItem.Status.CANCELLED:
        return versions[-1]
    current = [v for v in versions if v.pk in in_force]
    return max(current, key=lambda v: (v.effective_from, v.number), default=None)


def _legal_bases(version_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    for basis in LegalBasis.objects.filter(version_id__in=version_ids).order_by("order", "pk"):
        found[basis.version_id] = (*found.get(basis.version_id, ()), str(basis))
    return found


def _item_entry(
    version: ItemVersion,
    versions: list[ItemVersion],
    theme_codes: tuple[str, ...],
    bases: dict[int, tuple[str, ...]],
    theme_names: dict[str, str],
) -> ItemEntry:
    item, department = version.item, version.lead_department
    extra = (
        department.name,
        department.code,
        *(theme_names[c] for c in theme_codes),
        version.get_item_type_display(),
        version.get_subject_type_display(),
        version.get_handling_type_display(),
    )
    return ItemEntry(
        code=item.code,
        name=version.name,
        version_number=version.number,
        item_type=version.item_type,
        subject_type=version.subject_type,
        department_code=department.code,
        department_name=department.name,
        department_order=department.sort_order,
        handling_type=version.handling_type,
        legal_limit_days=version.legal_limit_days,
        committed_limit_days=version.committed_limit_days,
        fee_fen=version.fee_fen,
        popularity=item.popularity,
        themes=theme_codes,
        legal_bases=bases.get(version.pk, ()),
        cancelled=item.status == ServiceItem.Status.CANCELLED,
        cancelled_at=item.cancelled_at,
        cancel_reason=item.cancel_reason,
        history=tuple(
            HistoryEntry(
                v.number,
                v.status,
                v.effective_from,
                v.effective_until,
                v.published_at,
                v.change_note,
            )
            for v in reversed(versions)
        ),
        keys=_keys(version.name, version.name_syllables, item.code, extra),
    )


def _bundle_entries(item_names: dict[str, str]) -> list[BundleEntry]:
    """Active bundles with the members the public can see (items in force)."""
    members: dict[int, tuple[str, ...]] = {}
    for bundle_id, code in BundleItem.objects.order_by("order", "pk").values_list(
        "bundle_id", "item__code"
    ):
        members[bundle_id] = (*members.get(bundle_id, ()), code)
    entries = []
    for bundle in Bundle.objects.filter(is_active=True).prefetch_related("themes"):
        public = tuple(
            BundleMember(c, item_names[c]) for c in members.get(bundle.pk, ()) if c in item_names
        )
        extra = (
            bundle.description,
            *(t.name for t in bundle.themes.all()),
            *(m.name for m in public),
        )
        entries.append(
            BundleEntry(
                code=bundle.code,
                name=bundle.name,
                description=bundle.description,
                themes=tuple(t.code for t in bundle.themes.all()),
                members=public,
                keys=_keys(bundle.name, bundle.name_syllables, bundle.code, extra),
            )
        )
    return entries


# ---------------------------------------------------------------- matching


def _keys(name: str, name_syllables: str, code: str, extra: tuple[str, ...]) -> Keys:
    """name_syllables: as stored with the name (catalog.pinyin.name_syllables)."""
    syllables = tuple(name_syllables.split())
    starts, offset = set(), 0
    for syllable in syllables:
        starts.add(offset)
        offset += len(syllable)
    return Keys(
        name=normalise(name),
        code=normalise(code),
        pinyin="".join(syllables),
        syllable_starts=frozenset(starts),
        initials="".join(s[0] for s in syllables),
        syllables=syllables,
        extra="\x1f".join(normalise(x) for x in (code, *extra)),
    )


def _terms(q: str | None) -> tuple[str, ...]:
    q = q or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            "query_too_long",
            _("搜索词不能超过%(n)s个字。") % {"n": MAX_QUERY_LENGTH},
            field="q",
        )
    return tuple(normalise(q).replace("'", " ").split())


def _rank(terms: tuple[str, ...], keys: Keys) -> tuple[int, int] | None:
    """(tier, position) of the worst-matching term; None when a term does not match."""
    if not terms:
        return (0, 0)
    tiers, positions = [], 0
    for term in terms:
        found = _match(term, keys)
        if found is None:
            return None
        tiers.append(found[0])
        positions += found[1]
    return (max(tiers), positions)


def _match(term: str, keys: Keys) -> tuple[int, int] | None:
    if term in (keys.name, keys.code):
        return (0, 0)
    if (pos := keys.name.find(term)) >= 0:
        return (1, pos)
    if (pos := _pinyin_position(term, keys)) is not None:
        return (2, pos)
    if (pos := keys.extra.find(term)) >= 0:
        return (3, pos)
    if len(term) > 1 and (_in_order_in_name(term, keys) or _syllable_prefixes_match(term, keys)):
        return (4, 0)
    return None


def _in_order_in_name(term: str, keys: Keys) -> bool:
    # The first and last characters are looked for in C first: most names have neither.
    return term[0] in keys.name and term[-1] in keys.name and _is_subsequence(term, keys.name)


def _pinyin_position(term: str, keys: Keys) -> int | None:
    """Syllable index where the term starts as full pinyin or as initials."""
    pos = keys.pinyin.find(term)
    while pos >= 0:
        if pos in keys.syllable_starts:
            return sum(start < pos for start in keys.syllable_starts)
        pos = keys.pinyin.find(term, pos + 1)
    pos = keys.initials.find(term)
    return pos if pos >= 0 else None


def _is_subsequence(needle: str, haystack: str) -> bool:
    rest = iter(haystack)
    return all(c in rest for c in needle)


def _syllable_prefixes_match(term: str, keys: Keys) -> bool:
    """True when the term is a prefix of some syllables, taken in order (lnz, laonzh)."""
    # The term starts a syllable, so its first letter is an initial: few names pass that.
    if term[0] not in keys.initials or not _is_subsequence(term, keys.pinyin):
        return False
    reached = {0}
    for syllable in keys.syllables:
        step = set(reached)
        for start in reached:
            matched = 0
            while (
                matched < len(syllable)
                and start + matched < len(term)
                and term[start + matched] == syllable[matched]
            ):
                matched += 1
                step.add(start + matched)
        reached = step
        if len(term) in reached:
            return True
    return False


# ---------------------------------------------------------------- input checks


def _subject_types(value: str | None) -> frozenset[str] | None:
    value = _choice(value, SubjectType.values, "subject_type", _("未知的服务对象：%(c)s。"))
    if value is None:
        return None
    return frozenset({SubjectType.BOTH} if value == SubjectType.BOTH else {value, SubjectType.BOTH})


def _choice(value: str | None, allowed, field_name: str, message: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise InvalidInput(f"unknown_{field_name}", message % {"c": value}, field=field_name)
    return value


def _known_code(value: str | None, facets, field_name: str, message: str) -> str | None:
    return _choice(value, {f.code for f in facets}, field_name, message)


def _positive_int(value, field_name: str, message: str, *, upper: int | None = None) -> int:
    text = str(value).strip()
    number = int(text) if text.isascii() and text.isdigit() else 0
    if number < 1 or (upper is not None and number > upper):
        raise InvalidInput(f"bad_{field_name}", message, field=field_name)
    return number


def _flag(value, field_name: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"", "0", "false", "no", "off"}:
        return False
    raise InvalidInput(f"bad_{field_name}", _("参数取值须为 true 或 false。"), field=field_name)

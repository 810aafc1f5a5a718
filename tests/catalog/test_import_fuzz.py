"""Fuzzing the catalog import: whatever a file holds, the import applies it whole or refuses
it with `CatalogImportError` listing the problems, and a refused file changes nothing."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yimen.catalog.exchange import (
    CatalogImportError,
    export_catalog,
    import_catalog,
    read_json,
    read_xlsx,
    write_xlsx,
)
from yimen.catalog.exchange.synthetic import generate_items
from yimen.catalog.models import Bundle, BundleItem, ServiceCenter, ServiceItem, Theme

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a file may carry that databases and encoders choke on.
AWKWARD_TEXT = st.sampled_from(
    [
        *("", " ", "\n", "\x00", "a\x00b", "\ud800", "𠮷" * 300, "=1+1"),
        *("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00"),
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
    | AWKWARD_TEXT
    | st.dates().map(str)
    | st.datetimes().map(str)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def valid_file() -> dict:
    """A small catalog in the database, exported: items with versions, a theme, a center
    and a bundle. Importing it again changes nothing."""
    generate_items(3, seed=7)
    theme = Theme.objects.create(code="elderly", name="养老")
    items = list(ServiceItem.objects.order_by("code"))
    items[0].themes.add(theme)
    center = ServiceCenter.objects.create(
        code="QZX", name="二道区政务服务中心", level="district", address="二道区", hours="8:30"
    )
    center.items.set(items[:2])
    bundle = Bundle.objects.create(code="YJS-001", name="开店一件事")
    for order, item in enumerate(items[1:], start=1):
        BundleItem.objects.create(bundle=bundle, item=item, order=order)
    return export_catalog()


def catalog_state() -> str:
    return json.dumps(export_catalog(), sort_keys=True, ensure_ascii=False)


def import_or_refuse(data) -> None:
    before = catalog_state()
    try:
        import_catalog(data, actor="fuzz")
    except CatalogImportError as refused:
        assert refused.problems, "a refusal names its problems"
        assert catalog_state() == before, "a refused file changed the catalog"


def places(tree, path=()):
    """Every value in a JSON tree with its path, the tree itself first."""
    yield tree, path
    if isinstance(tree, dict | list):
        for key, child in tree.items() if isinstance(tree, dict) else enumerate(tree):
            yield from places(child, (*path, key))


def parent_of(tree, path: tuple):
    for key in path[:-1]:
        tree = tree[key]
    return tree


CHANGES = ("replace", "remove", "duplicate", "add")


@st.composite
def mutations(draw, valid: dict, changes=CHANGES, most: int = 3) -> dict:
    """The valid file with a few changes: a value replaced by any JSON value (or a text by an
    awkward one), a key or list entry removed or duplicated, an unknown key added."""
    data = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, most))):
        change = draw(st.sampled_from(changes))
        paths = [
            path
            for value, path in places(data)
            if path and (change != "awkward" or isinstance(value, str))
        ]
        path = draw(st.sampled_from(paths))
        parent, key = parent_of(data, path), path[-1]
        if change in ("replace", "awkward"):
            parent[key] = draw(JSON if change == "replace" else AWKWARD_TEXT)
        elif change == "remove":
            del parent[key]
        elif change == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12) | st.just("_where"))] = draw(JSON)
    return data


@FUZZ
@given(data=JSON)
def test_any_json_value_is_imported_or_refused_with_its_problems(db, data):
    import_or_refuse(data)


@FUZZ
@given(data=st.data())
def test_a_valid_file_changed_anywhere_is_imported_or_refused_whole(valid_file, data):
    import_or_refuse(data.draw(mutations(valid_file)))


@FUZZ
@given(data=st.data())
def test_a_valid_file_with_one_awkward_text_is_imported_or_refused_whole(valid_file, data):
    """NUL characters, lone surrogates, far dates: each alone, so that nothing else in the
    file stops it before it reaches the database."""
    import_or_refuse(data.draw(mutations(valid_file, changes=("awkward",), most=1)))


def test_the_valid_file_imports_unchanged(valid_file):
    """The fuzzing starts from a file the import accepts (else it tests only refusals)."""
    report = import_catalog(valid_file, actor="fuzz")
    assert not report.changed and report.counts["items"]["unchanged"] == 3


@FUZZ
@given(content=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_read_as_json_give_data_or_a_refusal(db, content):
    try:
        data = read_json(content)
    except CatalogImportError as refused:
        assert refused.problems
    else:
        import_or_refuse(data)


@pytest.fixture
def valid_workbook(valid_file) -> bytes:
    return write_xlsx(valid_file)


@FUZZ
@given(data=st.data())
def test_a_damaged_workbook_is_read_or_refused(valid_workbook, data):
    workbook = bytearray(valid_workbook)
    for _ in range(data.draw(st.integers(1, 4))):
        workbook[data.draw(st.integers(0, len(workbook) - 1))] = data.draw(st.integers(0, 255))
    try:
        read = read_xlsx(bytes(workbook))
    except CatalogImportError as refused:
        assert refused.problems
    else:
        import_or_refuse(read)

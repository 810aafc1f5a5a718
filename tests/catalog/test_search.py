"""Searching the public catalog: Chinese, pinyin, initials, filters and cancelled items."""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import catalog as make
from tests.factories import public_catalog as sample
from yimen.catalog import search, services
from yimen.catalog.models import ServiceItem
from yimen.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return sample.build()


def codes(result) -> list[str]:
    return [entry.code for entry in result.items]


@pytest.mark.parametrize(
    "query",
    [
        "优待证",  # Chinese substring
        "老年证",  # Chinese characters in order
        "laonianrenyoudaizheng",  # full pinyin
        "youdai",  # full pinyin from a syllable boundary
        "lnrydz",  # initials
        "lnz",  # initials of some syllables, in order
        "laonianzheng",  # syllables, some skipped
        "LNZ",  # case does not matter
        "ｌｎｚ",  # nor full-width letters
        "养老",  # theme
        "区民政局",  # department
        "220105-MZJ-001",  # code
    ],
)
def test_queries_find_the_elderly_card(catalog, query):
    assert sample.ELDERLY in codes(search.search_items(query))


def test_name_matches_rank_before_fuzzy_ones(catalog):
    # "登记" is in two names; "dengji" as pinyin finds the same two, by popularity.
    assert codes(search.search_items("登记")) == [sample.SOLE_TRADER, sample.NEWBORN_INSURANCE]
    assert codes(search.search_items("dengji")) == [sample.SOLE_TRADER, sample.NEWBORN_INSURANCE]


def test_exact_name_ranks_first(catalog):
    sample.item("220105-MZJ-009", name="优待证明补办", popularity=1000)
    assert codes(search.search_items("老年人优待证"))[0] == sample.ELDERLY
    assert codes(search.search_items("优待证"))[:2] == ["220105-MZJ-009", sample.ELDERLY]


def test_every_term_must_match(catalog):
    assert codes(search.search_items("食品 许可")) == [sample.FOOD_LICENCE]
    assert codes(search.search_items("食品 养老")) == []


def test_pinyin_inside_a_syllable_does_not_match(catalog):
    # "ian" sits inside "nian" and "dian" but starts no syllable and no initials run.
    assert search.search_items("ian").count == 0


def test_a_query_that_matches_nothing(catalog):
    result = search.search_items("不存在的事项")
    assert (result.count, result.items) == (0, [])


def test_empty_query_lists_items_in_force_by_popularity(catalog):
    assert codes(search.search_items("")) == [
        sample.ELDERLY,
        sample.SOLE_TRADER,
        sample.NEWBORN_INSURANCE,
        sample.FOOD_LICENCE,
    ]


def test_filters(catalog):
    assert codes(search.search_items(department="SCJ")) == [sample.SOLE_TRADER, sample.FOOD_LICENCE]
    assert codes(search.search_items(item_type="01")) == [sample.FOOD_LICENCE]
    assert codes(search.search_items(theme="kaiban")) == [sample.SOLE_TRADER, sample.FOOD_LICENCE]
    assert codes(search.search_items("个体", theme="jiuye")) == [sample.SOLE_TRADER]


def test_subject_type_filter_includes_items_for_both(catalog):
    assert codes(search.search_items(subject_type="organisation")) == [
        sample.SOLE_TRADER,
        sample.FOOD_LICENCE,
    ]
    assert codes(search.search_items(subject_type="both")) == [sample.SOLE_TRADER]


def test_cancelled_items_are_hidden_unless_asked_for(catalog):
    assert search.search_items("占用道路").count == 0
    shown = search.search_items("占用道路", include_cancelled="1")
    assert codes(shown) == [sample.ROAD_OCCUPATION]
    assert shown.items[0].cancelled
    assert shown.items[0].cancel_reason == "已下放至街道办理"


def test_cancelling_an_item_removes_it_from_results_at_once(catalog):
    assert search.search_items("lnz").count == 1
    services.item_cancel(item=catalog.elderly.item, reason="合并办理", actor="admin")
    assert search.search_items("lnz").count == 0


def test_a_new_version_is_searchable_by_its_new_name(catalog):
    sample.revise(catalog.food_licence, change_note="更名", name="食品经营许可（含小餐饮）")
    assert codes(search.search_items("xiaocanyin")) == [sample.FOOD_LICENCE]
    assert search.item_entry(sample.FOOD_LICENCE).version_number == 2


def test_a_repeated_query_sees_a_changed_catalog_at_once(catalog):
    # Answers are kept for repeated queries; each change below must show on the next one.
    def dengji() -> list[str]:
        return codes(search.search_items("dengji", subject_type="person"))

    assert dengji() == [sample.SOLE_TRADER, sample.NEWBORN_INSURANCE]
    assert dengji() == [sample.SOLE_TRADER, sample.NEWBORN_INSURANCE]

    sample.item("220105-MZJ-010", name="婚姻登记", popularity=70)
    assert dengji() == ["220105-MZJ-010", sample.SOLE_TRADER, sample.NEWBORN_INSURANCE]

    sample.revise(catalog.sole_trader, change_note="更名", name="个体工商户开业")
    assert dengji() == ["220105-MZJ-010", sample.NEWBORN_INSURANCE]

    services.item_cancel(item=catalog.newborn_insurance.item, reason="并入一件事", actor="admin")
    assert dengji() == ["220105-MZJ-010"]
    assert codes(search.search_items("dengji", include_cancelled=True)) == [
        "220105-MZJ-010",
        sample.NEWBORN_INSURANCE,
    ]


def test_every_page_of_a_repeated_query_is_the_same(catalog):
    pages = [codes(search.search_items("", page=n, page_size=3)) for n in (1, 2, 1, 2)]
    assert pages[:2] == [
        [sample.ELDERLY, sample.SOLE_TRADER, sample.NEWBORN_INSURANCE],
        [sample.FOOD_LICENCE],
    ]
    assert pages[2:] == pages[:2]


def test_paging(catalog):
    first = search.search_items("", page=1, page_size=3)
    second = search.search_items("", page="2", page_size=3)
    assert (first.count, first.num_pages, len(first.items), len(second.items)) == (4, 2, 3, 1)
    assert first.has_next and not second.has_next and second.has_previous
    assert search.search_items("", page=9).items == []


@pytest.mark.parametrize(
    ("filters", "code", "field"),
    [
        ({"page": "0"}, "bad_page", "page"),
        ({"page": "abc"}, "bad_page", "page"),
        ({"page": "²"}, "bad_page", "page"),
        ({"page": "100001"}, "bad_page", "page"),
        ({"department": "XXX"}, "unknown_department", "department"),
        ({"theme": "nope"}, "unknown_theme", "theme"),
        ({"subject_type": "alien"}, "unknown_subject_type", "subject_type"),
        ({"item_type": "99"}, "unknown_item_type", "item_type"),
        ({"include_cancelled": "maybe"}, "bad_include_cancelled", "include_cancelled"),
        ({"q": "事" * 101}, "query_too_long", "q"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message(catalog, filters, code, field):
    with pytest.raises(InvalidInput) as excinfo:
        search.search_items(**filters)
    assert (excinfo.value.code, excinfo.value.field) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in excinfo.value.message)


def test_a_new_item_is_found_by_the_pinyin_of_the_name_it_was_published_with(catalog):
    draft = make.draft("220105-MZJ-020", name="宠物登记")
    services.draft_update(version=draft, name="犬类登记证补办")
    assert search.search_items("quanlei").count == 0  # not public before it is published
    sample.publish(draft)
    for query in ("quanleidengjizhengbuban", "buban", "qldjzbb", "qlbb", "quanleibuban"):
        assert codes(search.search_items(query)) == ["220105-MZJ-020"], query
    assert search.search_items("chongwu").count == 0


def test_a_renamed_bundle_is_found_by_its_new_pinyin(catalog):
    catalog.bundle.name = "一老一小一起办"
    catalog.bundle.save(update_fields=["name"])
    assert [b.code for b in search.search_bundles("ylyx")] == [sample.BUNDLE]
    assert [b.code for b in search.search_bundles("yilaoyixiao")] == [sample.BUNDLE]


def test_bundles_are_searched_the_same_way(catalog):
    sample.bundle("YJS-002", "开办餐饮店", [catalog.food_licence], themes=[])
    search.clear_index()  # bundles are not part of the version stamp
    assert [b.code for b in search.search_bundles("老年证")] == [sample.BUNDLE]
    assert [b.code for b in search.search_bundles("canyin")] == ["YJS-002"]
    assert [b.code for b in search.search_bundles("医疗保险")] == [sample.BUNDLE]  # an item's name
    assert [b.code for b in search.search_bundles("", theme="shengyu")] == [sample.BUNDLE]


def test_power_list_has_every_item_with_cancelled_ones_marked(catalog):
    entries = search.catalog_index().power_list()
    assert [(e.item_type, e.code) for e in entries] == [
        ("01", sample.FOOD_LICENCE),
        ("01", sample.ROAD_OCCUPATION),
        ("07", sample.SOLE_TRADER),
        ("20", sample.ELDERLY),
        ("20", sample.NEWBORN_INSURANCE),
    ]
    assert [e.code for e in entries if e.cancelled] == [sample.ROAD_OCCUPATION]
    assert entries[0].legal_bases == ("《中华人民共和国老年人权益保障法》第五十七条",)


def test_facets_count_items_in_force(catalog):
    assert {f.code: f.item_count for f in search.catalog_index().departments} == {
        "MZJ": 1,
        "YBJ": 1,
        "SCJ": 2,
        "ZJJ": 0,
    }
    assert {f.code: f.item_count for f in search.catalog_index().themes}["kaiban"] == 2


def test_an_unchanged_catalog_costs_one_query_per_read(catalog, django_assert_num_queries):
    search.search_items("lnz")
    with django_assert_num_queries(2):  # the catalog stamp, once per read
        search.search_items("laonian", department="MZJ")
        search.item_entry(sample.ELDERLY)


def test_popularity_orders_the_most_used_items(catalog):
    ServiceItem.objects.filter(code=sample.FOOD_LICENCE).update(popularity=500)
    search.clear_index()
    assert [e.code for e in search.catalog_index().popular_items(2)] == [
        sample.FOOD_LICENCE,
        sample.ELDERLY,
    ]


WEB_PROCESS = """
import json, sys
import django
django.setup()
import yimen.urls
from yimen.catalog import search
found = {q: [e.code for e in search.search_items(q).items] for q in sys.argv[1:]}
print(json.dumps({"found": found, "pypinyin loaded": "pypinyin" in sys.modules}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_web_process_answers_pinyin_queries_without_loading_pypinyin(tmp_path):
    # pypinyin's dictionaries cost a web worker ~56 MB; names are spelt when saved.
    sample.build()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yimen.settings",
        "DATABASE_URL": _database_url_for_another_process(tmp_path),
        "YIMEN_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS, "lnrydz", "laonianzheng", "dengji"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {
        "found": {
            "lnrydz": [sample.ELDERLY],
            "laonianzheng": [sample.ELDERLY],
            "dengji": [sample.SOLE_TRADER, sample.NEWBORN_INSURANCE],
        },
        "pypinyin loaded": False,
    }


def _database_url_for_another_process(tmp_path: Path) -> str:
    """The test database, as a URL another process can open (SQLite's is in memory: a copy)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "catalog.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{path}"
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_items_and_bundles_saved_before_names_were_spelt_are_found_by_pinyin():
    sample.build()
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0002_constraint_message")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    search.clear_index()
    assert codes(search.search_items("lnrydz")) == [sample.ELDERLY]
    assert [b.code for b in search.search_bundles("yiqiban")] == [sample.BUNDLE]

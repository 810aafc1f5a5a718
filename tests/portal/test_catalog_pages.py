"""The public catalog pages as a visitor meets them: home, search, guide, bundles, power list."""

import csv
import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.factories import public_catalog as sample

pytestmark = pytest.mark.django_db

BUREAU_PROCESSOR = "yimen.portal.context_processors.bureau"


@pytest.fixture(autouse=True)
def bureau_in_context(settings):
    """Until settings list the portal context processor, add it for these pages."""
    options = settings.TEMPLATES[0]["OPTIONS"]
    if BUREAU_PROCESSOR not in options["context_processors"]:
        engine = {**settings.TEMPLATES[0]}
        engine["OPTIONS"] = {
            **options,
            "context_processors": [*options["context_processors"], BUREAU_PROCESSOR],
        }
        settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


@pytest.fixture
def catalog():
    return sample.build()


def visible(html: str) -> str:
    """The words a reader sees, one space between elements."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())


def text(response) -> str:
    return visible(response.content.decode())


def table_row(response, label: str) -> str:
    """The text of the one table row that mentions `label`."""
    rows = [
        visible(row)
        for row in re.findall(r"<tr.*?</tr>", response.content.decode(), re.S)
        if label in row
    ]
    assert len(rows) == 1, rows
    return rows[0]


def test_home_offers_search_themes_bundles_and_popular_items(client, catalog):
    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    assert 'action="/items/"' in response.content.decode()
    assert "长春市二道区行政审批局" in page
    for shown in ("养老", "开办企业", "老年证和新生儿医保一起办", "老年人优待证", "食品经营许可"):
        assert shown in page
    assert "临时占用城市道路审批" not in page  # cancelled, though the most popular


def test_layout_has_skip_link_navigation_and_language_switch(client, catalog):
    html = client.get("/items/").content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    for link in ('href="/items/" aria-current="page"', 'href="/bundles/"', 'href="/power-list/"'):
        assert link in html
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/items/"})
    assert (response.status_code, response["Location"]) == (302, "/items/")


@pytest.mark.parametrize("query", ["lnz", "老年证", "laonianren", "优待"])
def test_search_page_finds_the_elderly_card(client, catalog, query):
    page = text(client.get("/items/", {"q": query}))
    assert "共找到 1 个事项" in page
    assert "老年人优待证" in page


def test_search_page_filters_keep_their_values(client, catalog):
    response = client.get("/items/", {"department": "SCJ", "subject_type": "organisation"})
    page = text(response)
    assert "共找到 2 个事项" in page
    assert "个体工商户设立登记" in page and "食品经营许可" in page
    html = response.content.decode()
    assert '<option value="SCJ" selected>' in html
    assert '<option value="organisation" selected>' in html


def test_cancelled_items_show_only_when_asked(client, catalog):
    assert "临时占用城市道路审批" not in text(client.get("/items/", {"q": "道路"}))
    page = text(client.get("/items/", {"q": "道路", "include_cancelled": "1"}))
    assert "临时占用城市道路审批" in page
    assert "已取消：已下放至街道办理" in page


def test_search_pages_through_results(client, catalog):
    for n in range(21):
        sample.item(f"220105-MZJ-1{n:02d}", name=f"社会救助事项{n:02d}")
    first = client.get("/items/", {"q": "救助"}).content.decode()
    assert "共找到 21 个事项" in first and "第 1 / 2 页" in first
    assert 'href="?q=%E6%95%91%E5%8A%A9&amp;page=2"' in first
    second = text(client.get("/items/", {"q": "救助", "page": "2"}))
    assert "第 2 / 2 页" in second and "社会救助事项20" in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "abc"}, "页码须为1至10000之间的整数。"),
        ({"department": "XXX"}, "未知的部门：XXX。"),
        ({"item_type": "99"}, "未知的事项类型：99。"),
        ({"q": "长" * 101}, "搜索词不能超过100个字。"),
    ],
)
def test_bad_search_input_is_explained_on_the_page(client, catalog, params, message):
    response = client.get("/items/", params)
    assert response.status_code == 422
    assert message in text(response)


def test_the_guide_shows_every_part_in_one_layout(client, catalog):
    sample.item(
        "220105-SCJ-009",
        name="食品小作坊登记",
        lead_department=catalog.food_licence.lead_department,
        fee_fen=1050,
        fee_basis="吉省价收〔2018〕1号",
        extra_materials=[
            {"kind_code": "photo", "name": "作坊照片", "originals": 2, "copies": 0},
            {"kind_code": "plan", "name": "平面图", "form": "electronic", "copies": 3},
        ],
    )
    response = client.get("/items/220105-SCJ-009/")
    page = text(response)
    assert response.status_code == 200
    assert table_row(response, "居民身份证") == (
        "1 居民身份证 已在材料库的可免交 必要 纸质或电子 1 份 1 份 申请人自备 —"
    )
    assert table_row(response, "作坊照片").startswith(
        "2 作坊照片 已在材料库的可免交 必要 纸质 2 份 0 份"
    )
    assert table_row(response, "平面图").startswith(
        "3 平面图 已在材料库的可免交 必要 电子 0 份 3 份"
    )
    for expected in (
        "年满60周岁的本区户籍老年人。",  # acceptance conditions
        "法定办结时限 20 个工作日（依法可延长 10 个工作日）",
        "承诺办结时限 10 个工作日",
        "收费 10.50 元（收费依据：吉省价收〔2018〕1号）",
        "到现场次数 1 次（核验身份证原件）",
        "送达方式 窗口领取、快递送达",
        "二道区政务服务中心一楼综合窗口",
        "咨询电话 0431-84600000",
        "投诉电话 0431-84600001",
        "《中华人民共和国老年人权益保障法》第五十七条",
        "受理 综合窗口受理人员 · 区市场监督管理局 1 个工作日",
        "下载一次性告知单（PDF）",
    ):
        assert expected in page, expected


def test_the_guide_lists_service_centers_and_themes(client, catalog):
    page = text(client.get(f"/items/{sample.ELDERLY}/"))
    assert "二道区政务服务中心 长春市二道区东盛大街100号 办公时间：工作日 8:30–16:30" in page
    assert "养老" in page
    assert "收费 不收费" in page


def test_a_cancelled_item_stays_visible_but_is_not_offered(client, catalog):
    response = client.get(f"/items/{sample.ROAD_OCCUPATION}/")
    page = text(response)
    assert response.status_code == 200
    assert "临时占用城市道路审批" in page
    assert "取消原因：已下放至街道办理" in page
    assert "notice.pdf" not in response.content.decode()
    refused = client.get(f"/items/{sample.ROAD_OCCUPATION}/notice.pdf")
    assert refused.status_code == 409
    assert "该事项已取消（已下放至街道办理），不再受理。" in text(refused)


def test_an_older_version_and_the_history(client, catalog):
    sample.revise(catalog.food_licence, change_note="压缩承诺时限", name="食品经营许可（告知承诺）")
    current = text(client.get(f"/items/{sample.FOOD_LICENCE}/"))
    assert "食品经营许可（告知承诺）" in current
    assert "第 2 版 " in current and "压缩承诺时限" in current
    older = client.get(f"/items/{sample.FOOD_LICENCE}/", {"version": "1"})
    page = text(older)
    assert older.status_code == 200
    assert "您正在查看历史版本（第 1 版），仅供参考。" in page
    assert "查看现行版本（第 2 版）" in page
    assert f'href="/items/{sample.FOOD_LICENCE}/changes/?to=2"' in older.content.decode()


def test_what_changed_between_two_versions(client, catalog):
    sample.revise(catalog.food_licence, change_note="更名", name="食品经营许可（告知承诺）")
    response = client.get(f"/items/{sample.FOOD_LICENCE}/changes/", {"from": "1", "to": "2"})
    assert response.status_code == 200
    assert table_row(response, "事项名称") == "事项名称 食品经营许可 食品经营许可（告知承诺）"
    by_default = text(client.get(f"/items/{sample.FOOD_LICENCE}/changes/"))
    assert "第 1 版与第 2 版的区别" in by_default
    only_one = text(client.get(f"/items/{sample.ELDERLY}/changes/"))
    assert "该事项只有一个版本，没有可比较的修订。" in only_one


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/items/220105-NOPE-001/", 404, "未找到事项 220105-NOPE-001。"),
        (f"/items/{sample.ELDERLY}/?version=9", 404, f"事项 {sample.ELDERLY} 没有第 9 版。"),
        (f"/items/{sample.ELDERLY}/?version=v1", 422, "版本号须为正整数。"),
        (f"/items/{sample.ELDERLY}/changes/?from=x", 422, "版本号须为正整数。"),
        ("/items/220105-NOPE-001/notice.pdf", 404, "未找到事项 220105-NOPE-001。"),
        ("/bundles/NOPE/", 404, "未找到一件事 NOPE。"),
        ("/power-list/?format=pdf", 422, "导出格式须为 xlsx 或 csv。"),
    ],
)
def test_unknown_codes_and_bad_input_get_a_friendly_chinese_page(
    client, catalog, url, status, message
):
    response = client.get(url)
    assert response.status_code == status
    page = text(response)
    assert message in page
    assert "搜索办事事项" in page  # a way on


def test_pages_are_read_only(client, catalog):
    assert client.post("/items/").status_code == 405
    assert client.post(f"/items/{sample.ELDERLY}/").status_code == 405


def test_notice_pdf_is_rendered_for_the_version_asked(client, catalog):
    sample.revise(catalog.elderly, change_note="改名", name="老年人优待证（含补办）")
    response = client.get(f"/items/{sample.ELDERLY}/notice.pdf", {"version": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="{sample.ELDERLY}-v1-notice.pdf"')
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "老年人优待证" in pdf_text and "含补办" not in pdf_text


def test_bundle_page_merges_a_shared_material_once(client, catalog):
    response = client.get(f"/bundles/{sample.BUNDLE}/")
    page = text(response)
    assert response.status_code == 200
    assert table_row(response, "居民身份证") == (
        "1 居民身份证 老年人优待证、城乡居民基本医疗保险参保登记 必要 纸质或电子 1 份 1 份"
    )
    assert "户口簿" in page and "出生医学证明" in page
    assert "合并办结时限 10 个工作日（各事项同时办理，取最长）" in page


def test_bundle_list_searches_bundles(client, catalog):
    assert "老年证和新生儿医保一起办" in text(client.get("/bundles/", {"q": "yibao"}))
    assert "没有找到符合条件的一件事。" in text(client.get("/bundles/", {"q": "餐饮"}))


def test_power_list_page_lists_every_item_by_type(client, catalog):
    response = client.get("/power-list/")
    page = text(response)
    assert "行政许可（2）" in page and "公共服务（2）" in page and "行政确认（1）" in page
    assert table_row(response, "临时占用城市道路审批") == (
        "220105-ZJJ-001 临时占用城市道路审批 区住房和城乡建设局 "
        "《中华人民共和国老年人权益保障法》第五十七条 已取消：已下放至街道办理"
    )
    filtered = text(client.get("/power-list/", {"department": "SCJ"}))
    assert "食品经营许可" in filtered and "老年人优待证" not in filtered


def test_power_list_exports_as_xlsx_and_csv(client, catalog):
    xlsx = client.get("/power-list/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"].startswith('attachment; filename="power-list-')
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "序号",
        "事项编码",
        "事项名称",
        "事项类型",
        "实施部门",
        "服务对象",
        "设定依据",
        "状态",
    ]
    assert len(rows) == 6
    assert rows[2][1:4] == ["220105-ZJJ-001", "临时占用城市道路审批", "行政许可"]
    assert rows[2][7] == "已取消：已下放至街道办理"

    exported = client.get("/power-list/", {"format": "csv", "item_type": "20"})
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [line[1] for line in lines[1:]] == [sample.ELDERLY, sample.NEWBORN_INSURANCE]


def test_item_and_search_pages_do_a_fixed_number_of_queries(
    client, catalog, django_assert_max_num_queries
):
    many_parts = [{"kind_code": f"k{n}", "name": f"材料{n}"} for n in range(8)]
    sample.item("220105-SCJ-010", name="多材料事项", extra_materials=many_parts)
    client.get("/items/")  # builds the index
    with django_assert_max_num_queries(1):  # the catalog stamp; the rest is in memory
        client.get("/items/", {"q": "lnz", "theme": "yanglao"})
    with django_assert_max_num_queries(1):
        client.get("/")
    with django_assert_max_num_queries(10):  # the stamp, the version and each kind of part
        response = client.get("/items/220105-SCJ-010/")
    assert "材料7" in text(response)
    with django_assert_max_num_queries(11):
        client.get(f"/bundles/{sample.BUNDLE}/")

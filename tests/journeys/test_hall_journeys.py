"""Journeys 1, 3 and 4 of the seed, walked through the real pages in Chromium: 张大娘's
bundle finished at her street center in one visit, 王女士 printing six one-time notices at
the kiosk, and a licence through parallel review, sealed, downloaded and verified."""

import io
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader

from yimen.subjects.demo import ORGANISATIONS, PERSONS, resident_id, uscc

pytestmark = pytest.mark.browser

RESIDENT_IDS = {key: resident_id(birth, seq) for key, _name, birth, seq, *_rest in PERSONS}
USCCS = {key: uscc(first17) for key, _name, first17, *_rest in ORGANISATIONS}
GRANDMA_PHONE = "13904310001"


def open_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=label).click()


def fact(page: Page, term: str):
    """The value beside a term of a page's facts list."""
    return page.locator("dl.facts dt", has_text=term).first.locator(
        "xpath=following-sibling::dd[1]"
    )


def told(page: Page, message: str) -> None:
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def open_case(page: Page, menu: str, case_no: str) -> None:
    open_menu(page, menu)
    page.get_by_role("link", name=case_no).first.click()
    expect(fact(page, "办件编号")).to_have_text(case_no)


def finish_my_task(page: Page, case_no: str, opinion: str) -> None:
    """A reviewer or inspector opens the case from 我的待办 and completes their task."""
    open_case(page, "我的待办", case_no)
    task = page.locator("#act-complete_task")
    task.get_by_label("办理意见").fill(opinion)
    task.get_by_role("button", name="提交意见").click()
    told(page, "已办理：完成环节任务。")


# --- journey 1 --------------------------------------------------------------------------


def start_new_business(window: Page, search: str, row_name: str) -> None:
    """At the window workbench: find the subject and start filing for them."""
    window.get_by_label("身份证号、统一社会信用代码或姓名（单位名称）").fill(search)
    window.get_by_role("button", name="查找", exact=True).click()
    window.get_by_role("row", name=re.compile(row_name)).get_by_role(
        "link", name="为其办理新业务"
    ).click()


def bundle_item(page: Page, name: str):
    legend = page.locator("legend", has_text=name)
    return page.locator("fieldset.bundle-item").filter(has=legend)


def test_zhang_files_a_bundle_at_her_street_center_and_both_finish_in_one_visit(
    sign_in, screenshot
):
    grandma_id, grandson_id = RESIDENT_IDS["grandma"], RESIDENT_IDS["grandson"]
    window = sign_in("jd.chuangkou")
    open_menu(window, "综合窗口工作台")
    expect(window.get_by_text("东盛街道公共服务中心")).to_be_visible()
    start_new_business(window, grandma_id, "张桂兰")

    window.get_by_label("查找事项（名称、拼音或首字母）").fill("lnz")
    window.get_by_role("button", name="查找事项").click()
    window.get_by_role("link", name="老年人优待证和新生儿医保参保一次办").click()
    elder = bundle_item(window, "老年人优待证办理")
    elder.get_by_label("申请人姓名").fill("张桂兰")
    elder.get_by_label("公民身份号码").fill(grandma_id)
    elder.get_by_label("联系电话").fill(GRANDMA_PHONE)
    elder.get_by_label("联系地址").fill("长春市二道区东盛街道万通社区3栋2单元101")
    elder.get_by_label("户籍类别").select_option("本市户籍")
    baby = bundle_item(window, "新生儿城乡居民基本医疗保险参保登记")
    baby.get_by_label("申请人", exact=True).fill(grandson_id)
    baby.get_by_label("新生儿姓名").fill("李沐阳")
    baby.get_by_label("出生日期").fill("2025-12-08")
    baby.get_by_label("性别").select_option("男")
    baby.get_by_label("监护人姓名").fill("张桂兰")
    baby.get_by_label("监护人公民身份号码").fill(grandma_id)
    baby.get_by_label("联系电话").fill(GRANDMA_PHONE)
    for material in window.locator("input[name=provided]").all():
        material.check()
    window.get_by_role("button", name="确认收件（一件事）").click()
    told(window, "已收件：老年人优待证和新生儿医保参保一次办")

    # The elder's card first, then her grandson's, both finished at the window.
    elder_case_no = fact(window, "办件编号").inner_text()
    window.get_by_role("button", name="当场办结").click()
    told(window, "已办理：即办办结。")
    expect(fact(window, "状态")).to_have_text("已办结")
    window.locator("section[aria-labelledby=siblings]").get_by_role("link").click()
    baby_case_no = fact(window, "办件编号").inner_text()
    expect(fact(window, "申请人")).to_contain_text("李沐阳")
    window.get_by_role("button", name="当场办结").click()
    told(window, "已办理：即办办结。")
    expect(fact(window, "状态")).to_have_text("已办结")
    expect(fact(window, "到现场次数")).to_have_text("1")

    grandma = sign_in(GRANDMA_PHONE)
    open_menu(grandma, "我的办件")
    for case_no, name in ((elder_case_no, "老年人优待证办理"), (baby_case_no, "李沐阳")):
        card = grandma.locator(".item-card", has_text=case_no)
        expect(card).to_contain_text(name)
        expect(card).to_contain_text("已办结")
    grandma.get_by_role("link", name="老年人优待证办理").click()
    expect(fact(grandma, "状态")).to_have_text("已办结")
    expect(fact(grandma, "申请渠道")).to_have_text("综合窗口")
    expect(fact(grandma, "到现场次数")).to_have_text("1")
    expect(fact(grandma, "审批决定")).to_have_text("准予")  # decided on the spot, no reason
    siblings = grandma.locator("section[aria-labelledby=siblings]")
    expect(siblings).to_contain_text(baby_case_no)
    expect(siblings).to_contain_text("已办结")
    screenshot(grandma)


# --- journey 3 --------------------------------------------------------------------------

# What 王女士 types (pinyin initials) and the item she means.
NOTICES = (
    ("czjmyl", "城镇居民社会养老保险参保信息变更"),
    ("jysydjz", "《就业失业登记证》补办"),
    ("sydj", "失业登记"),
    ("shbzk", "社会保障卡申领"),
    ("ydjy", "异地就医备案"),
    ("lnz", "老年人优待证办理"),
)


# Headless Chromium crashes when a page prints the PDF viewer's frame, so the kiosk's
# printer is played by this: every frame's print() notes the address it would print.
PRINTER = """window.print = function () {
  const hall = window.top;
  (hall.kioskPrinted = hall.kioskPrinted || []).push(location.pathname);
};"""


@pytest.fixture
def kiosk(browser, live_server, demo_world):
    """The hall's self-service terminal: a tall touch screen nobody is signed in to."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1080, "height": 1600},
        has_touch=True,
    )
    context.add_init_script(PRINTER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_wang_finds_six_items_by_pinyin_initials_at_the_kiosk_and_prints_each_notice(
    kiosk, screenshot
):
    kiosk.goto("/kiosk/")
    kiosk.get_by_role("link", name=re.compile("^事项查询")).click()
    for initials, name in NOTICES:
        kiosk.locator("#q").fill(initials)
        kiosk.get_by_role("button", name="查询").click()
        kiosk.get_by_role("link", name=re.compile("^" + re.escape(name))).click()
        expect(kiosk.get_by_role("heading", level=1)).to_have_text(name)
        with kiosk.expect_response(re.compile(r"/kiosk/items/[^/]+/notice\.pdf$")) as served:
            kiosk.get_by_role("link", name="打印告知单").click()
        notice = served.value
        assert notice.ok and notice.header_value("content-type") == "application/pdf"
        printed = urlsplit(notice.url).path
        kiosk.wait_for_function("path => (window.kioskPrinted || []).includes(path)", arg=printed)
        # The frame hands the PDF to Chromium's viewer; the same address read again:
        pdf = kiosk.request.get(notice.url).body()
        assert pdf.startswith(b"%PDF")
        assert PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]["/Subject"].endswith(name)
        expect(kiosk.get_by_role("heading", level=1)).to_have_text("正在打印一次性告知单")
        expect(kiosk.locator(".kiosk-lead")).to_have_text(name)
        if initials != NOTICES[-1][0]:
            kiosk.get_by_role("link", name="打印其他事项").click()

    printed = kiosk.locator("section[aria-labelledby=printed-title]")
    expect(printed.get_by_role("heading")).to_have_text("本次已打印 6 份告知单")
    expect(printed.get_by_role("listitem")).to_have_text([name for _q, name in NOTICES])
    screenshot(kiosk)


# --- journey 4 --------------------------------------------------------------------------

NET_CAFE = "220105-WLJ-002"  # 互联网上网服务营业场所经营许可: 公安 and 消防 review in parallel


def test_a_licence_goes_through_parallel_review_and_its_sealed_pdf_verifies(sign_in, screenshot):
    window = sign_in("qu.chuangkou")
    open_menu(window, "综合窗口工作台")
    start_new_business(window, "丽华家常菜馆", "丽华家常菜馆")
    window.get_by_label("查找事项（名称、拼音或首字母）").fill("hlwsw")
    window.get_by_role("button", name="查找事项").click()
    window.get_by_role("link", name="互联网上网服务营业场所经营许可").click()
    for label, value in (
        ("单位名称", "长春市二道区丽华家常菜馆"),
        ("统一社会信用代码", USCCS["restaurant"]),
        ("法定代表人（负责人）", "赵丽华"),
        ("联系电话", "13804310003"),
        ("经营场所地址", "长春市二道区荣光路220号二层"),
        ("经营场所面积（平方米）", "260"),
        ("计算机台数", "60"),
    ):
        window.get_by_label(label, exact=True).fill(value)
    for material in window.locator("input[name=provided]").all():
        material.check()
    window.get_by_role("button", name="确认收件").click()
    told(window, "已收件，办件编号")
    case_no = fact(window, "办件编号").inner_text()
    expect(fact(window, "事项")).to_contain_text(NET_CAFE)
    window.get_by_role("button", name="材料齐全，受理").click()
    told(window, "已办理：受理。")
    expect(fact(window, "状态")).to_have_text("办理中")

    police, fire = sign_in("qu.shencha.gaj"), sign_in("qu.shencha.xfj")
    finish_my_task(police, case_no, "网络安全、信息安全管理制度健全，实名登记措施落实，同意。")
    finish_my_task(fire, case_no, "疏散通道、安全出口和消防设施符合要求，同意。")
    stages = fire.locator("ol.stages")
    expect(stages).to_contain_text("市公安局二道分局 · 审查人员 · 已办")
    expect(stages).to_contain_text("二道区消防救援大队 · 审查人员 · 已办")
    expect(stages).to_contain_text("现场踏勘")

    inspector = sign_in("qu.tankan")
    finish_my_task(inspector, case_no, "场所距最近的中小学校出入口约450米，计算机布局与图纸一致。")

    approver = sign_in("qu.juzhang")
    open_case(approver, "我的待办", case_no)
    decide = approver.locator("#act-decide")
    decide.get_by_label("准予").check()
    decide.get_by_label("决定理由").fill(
        "经审查及实地检查，符合《互联网上网服务营业场所管理条例》规定的条件，准予许可。"
    )
    decide.get_by_role("button", name="作出决定").click()
    told(approver, "已办理：审批决定。")
    approver.get_by_role("button", name="制发电子证照").click()
    told(approver, "已制发电子证照")
    expect(approver.locator(".verdict__word")).to_have_text("有效")
    expect(fact(approver, "持证主体")).to_contain_text("丽华家常菜馆")
    number = fact(approver, "证照编号").inner_text()

    # Chromium would open the PDF in its viewer: the link is read as a download instead.
    download = approver.get_by_role("link", name="下载已签章的证照（PDF）")
    pdf = approver.request.get(download.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    signed = pdf.body()
    assert signed.startswith(b"%PDF")
    (signature,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert "行政审批专用章" in signature.signer_cert.subject.human_friendly

    open_menu(approver, "证照查验")
    approver.get_by_label("上传 PDF 文件").set_input_files(
        files=[{"name": f"{number}.pdf", "mimeType": "application/pdf", "buffer": signed}]
    )
    approver.get_by_role("button", name="查验文件").click()
    expect(approver.locator(".verdict__word")).to_have_text("有效")
    expect(fact(approver, "证照编号")).to_have_text(number)
    expect(fact(approver, "持证主体")).to_contain_text("家常菜馆")  # masked for the public
    screenshot(approver)

"""The seed's online journeys in a real Chromium on the demo catalog, each person using only
the pages: a company renames itself online and never comes in (2), a bad rating is verified,
rectified and followed up until it is closed (5), and a phone applies from search to
receipt (6). Each journey keeps within JOURNEY_SECONDS."""

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from reportlab.pdfgen import canvas

from yimen.cases import services as cases
from yimen.cases.models import Channel
from yimen.catalog.models import ServiceCenter
from yimen.subjects.demo import ORGANISATIONS, PERSONS, resident_id, uscc
from yimen.subjects.models import Account, Person

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
    ),
}
JOURNEY_SECONDS = 40


@pytest.fixture(autouse=True)
def patient_expectations():
    """Several people's pages share two busy cores: wait as long as a page may take."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def scan(tmp_path):
    """`scan(title)`: a small one-page PDF standing for a scanned document."""

    def make(title: str):
        path = tmp_path / f"{title}.pdf"
        document = canvas.Canvas(str(path))
        document.drawString(72, 720, title)
        document.save()
        return path

    return make


@pytest.fixture
def stopwatch():
    """Fails the journey that took longer than JOURNEY_SECONDS, its set-up not counted."""
    started = time.monotonic()
    yield
    assert time.monotonic() - started < JOURNEY_SECONDS


def resident_id_of(name: str) -> str:
    birth, sequence = next((p[2], p[3]) for p in PERSONS if p[1] == name)
    return resident_id(birth, sequence)


def sideways_scroll(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# --- 2. a company renames itself online ------------------------------------------------------

RESTAURANT = "长春市二道区丽华家常菜馆"
NEW_NAME = "长春市二道区丽华食府"
RENAMING_UPLOADS = (
    "公司变更登记（备案）申请书",
    "股东会关于变更公司名称的决议",
    "修改后的公司章程或章程修正案",
)


def uscc_of(name: str) -> str:
    return uscc(next(o[2] for o in ORGANISATIONS if o[1] == name))


def open_case(page, queue: str, case_no: str) -> None:
    """From the staff member's queue in the menu to the case."""
    page.goto("/")
    page.get_by_role("link", name=queue).click()
    page.get_by_role("link", name=case_no).click()
    expect(page.locator("dl.facts").first).to_contain_text(case_no)


def test_a_company_renames_itself_online_and_never_comes_in(sign_in, screenshot, scan, stopwatch):
    zhao = sign_in("13804310003")
    zhao.goto("/")
    zhao.get_by_label("搜索办事事项").fill("名称变更")
    zhao.get_by_role("button", name="搜索").click()
    zhao.get_by_role("link", name="公司名称变更登记").click()
    guide = zhao.get_by_role("article")
    expect(guide).to_contain_text("0 次（零跑动）")
    expect(guide).to_contain_text("电子证照、快递送达")
    zhao.get_by_role("link", name="在线申请").click()
    zhao.get_by_label(RESTAURANT, exact=False).check()
    zhao.get_by_role("button", name="下一步：填写申请表").click()
    zhao.get_by_label("原公司名称").fill(RESTAURANT)
    zhao.get_by_label("变更后公司名称").fill(NEW_NAME)
    zhao.get_by_label("统一社会信用代码").fill(uscc_of(RESTAURANT))
    zhao.get_by_label("法定代表人（负责人）").fill("赵丽华")
    zhao.get_by_label("联系电话").fill("13804310003")
    resolved = timezone.localdate() - dt.timedelta(days=3)
    zhao.get_by_label("股东会决议日期").fill(resolved.isoformat())
    zhao.get_by_role("button", name="保存并继续").click()
    expect(zhao.get_by_text("无需提交（来自材料库：营业执照）")).to_be_visible()
    for material in RENAMING_UPLOADS:
        zhao.get_by_label(f"上传{material}").set_input_files(scan(material))
    zhao.get_by_role("button", name="保存并继续").click()
    expect(zhao.get_by_text("申请渠道：网上大厅")).to_be_visible()
    zhao.get_by_role("button", name="确认提交").click()
    expect(zhao.get_by_role("status")).to_contain_text("申请已提交，办件编号")
    case_no = re.search(r"办件编号 ([0-9-]+)", zhao.get_by_role("status").inner_text()).group(1)
    facts = zhao.locator("dl.facts").first
    expect(facts).to_contain_text("网上大厅")
    expect(facts).to_contain_text("待受理")

    window = sign_in("qu.chuangkou")
    open_case(window, "综合窗口工作台", case_no)
    window.get_by_label("其他需补正的内容（每行一项）").fill(
        "股东会决议缺少全体股东签字页，请补签后重新上传。"
    )
    window.get_by_role("button", name="出具补正告知书").click()
    expect(window.get_by_role("status")).to_contain_text("已办理：一次性告知补正")

    zhao.reload()
    expect(facts).to_contain_text("待补正")
    zhao.get_by_role("link", name="补正告知书（打印）").click()
    notice = zhao.get_by_role("article")
    expect(notice).to_contain_text("股东会决议缺少全体股东签字页，请补签后重新上传。")
    zhao.go_back()
    supply = zhao.get_by_role("region", name="补交材料")
    supply.get_by_label("股东会关于变更公司名称的决议").set_input_files(scan("签字后的股东会决议"))
    supply.get_by_role("button", name="提交材料").click()
    expect(zhao.get_by_role("status")).to_contain_text("材料已提交，请留意办理进度。")
    expect(facts).to_contain_text("待受理")

    window.reload()
    window.get_by_role("button", name="材料齐全，受理").click()
    expect(window.locator("dl.facts").first).to_contain_text("办理中")

    reviewer = sign_in("qu.shencha.scj")
    open_case(reviewer, "我的待办", case_no)
    reviewer.get_by_label("办理意见").fill("补正后材料齐全，名称已自主申报，同意变更。")
    reviewer.get_by_role("button", name="提交意见").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已办理")

    approver = sign_in("qu.juzhang")
    open_case(approver, "我的待办", case_no)
    approver.get_by_label("准予").check()
    approver.get_by_label("决定理由").fill("符合公司名称变更登记条件，准予变更。")
    approver.get_by_role("button", name="作出决定").click()
    expect(approver.locator("dl.facts").first).to_contain_text("已决定")
    approver.get_by_role("button", name="制发电子证照").click()
    expect(approver.get_by_role("status").filter(has_text="已制发电子证照")).to_be_visible()
    expect(approver.get_by_text("该证照由本局签发，真实有效，内容未被改动。")).to_be_visible()
    expect(approver.locator("dl.facts").first).to_contain_text(f"持证主体{RESTAURANT}")

    window.reload()
    window.get_by_role("radio", name="电子证照").check()
    window.get_by_role("button", name="送达并办结").click()
    expect(window.locator("dl.facts").first).to_contain_text("已办结")

    zhao.reload()
    expect(facts).to_contain_text("已办结")
    expect(facts).to_contain_text("送达方式电子证照")
    expect(facts).to_contain_text("到现场次数0")
    expect(zhao.get_by_role("region", name="电子证照")).to_contain_text("公司名称变更登记电子证照")
    expect(zhao.get_by_role("link", name="下载已签章的证照（PDF）")).to_be_visible()
    screenshot(zhao)


# --- 5. a bad rating, rectified and followed up ----------------------------------------------

SENIOR_CARD = "220105-MZJ-001"  # 老年人优待证办理, an instant item of 区民政局


@pytest.fixture
def finished_senior_card(demo_world) -> str:
    """张桂兰's 老年人优待证, finished on the spot at her street center's window before the
    story starts; its case number."""
    grandma = Person.objects.get(account__phone="13904310001")
    clerk = Account.objects.get(username="jd.chuangkou")
    street = ServiceCenter.objects.get(level=ServiceCenter.Level.STREET, name__contains="东盛")
    case = cases.case_submit(
        actor=clerk,
        subject=grandma,
        item_code=SENIOR_CARD,
        channel=Channel.WINDOW,
        form={
            "applicant_name": grandma.name,
            "id_number": grandma.code,
            "phone": grandma.phone,
            "address": grandma.address,
            "residency": "本市户籍",
        },
        provided=["photo"],
        center=street,
    )
    return cases.case_complete_instant(case=case, clerk=clerk).case_no


def do_step(page, step: str, note: str, *, satisfied: bool | None = None) -> None:
    """Fill in and submit the form of a rectification step on its page."""
    form = page.get_by_role("region", name=step)
    form.get_by_label("情况说明").fill(note)
    if satisfied is not None:
        form.get_by_role("radio", name="满意" if satisfied else "不满意", exact=True).check()
    form.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text(f"已办理：{step}。")


def test_a_bad_rating_is_rectified_and_followed_up_until_closed(
    sign_in, screenshot, finished_senior_card, stopwatch
):
    case_no = finished_senior_card
    zhang = sign_in("13904310001")
    zhang.get_by_role("link", name="我的办件").click()
    zhang.get_by_role("link", name="老年人优待证办理").click()
    expect(zhang.locator("dl.facts").first).to_contain_text(case_no)
    zhang.get_by_role("link", name="评价", exact=True).click()
    zhang.get_by_role("radio", name="非常不满意").check()
    zhang.get_by_role("checkbox", name="告知不清楚").check()
    zhang.get_by_role("checkbox", name="多次跑动").check()
    zhang.get_by_label("意见和建议").fill("网上指南没写要带照片，我回家取了一趟才办成。")
    zhang.get_by_role("button", name="提交评价").click()
    expect(zhang.get_by_role("status")).to_contain_text("感谢您的评价！")
    expect(zhang.get_by_text("我们已将您的意见交责任部门核实整改，并将回访您。")).to_be_visible()
    expect(zhang.locator("dl.facts").filter(has_text="评价等级")).to_contain_text("非常不满意")

    department = sign_in("qu.shencha.mzj")
    department.get_by_role("link", name="好差评整改").click()
    row = department.get_by_role("row", name=case_no)
    expect(row).to_contain_text("非常不满意")
    expect(row).to_contain_text("核实")
    row.get_by_role("link", name=case_no).click()
    status = department.get_by_role("region", name="整改进度")
    expect(status).to_contain_text("区民政局")
    do_step(department, "核实", "经查，窗口未提前告知需提交照片，情况属实。")
    expect(status).to_contain_text("当前环节整改或解释说明")
    do_step(department, "整改", "已在办事指南和一次性告知单中写明照片要求，并对窗口人员进行培训。")
    expect(status).to_contain_text("当前环节回访")
    expect(status).to_contain_text("整改结果已整改")
    do_step(department, "回访", "电话回访张桂兰，她对整改表示满意。", satisfied=True)
    expect(status).to_contain_text("当前环节审核办结")
    expect(status).to_contain_text("回访结果满意")

    supervisor = sign_in("qu.jiandu")
    supervisor.get_by_role("link", name="好差评整改").click()
    supervisor.get_by_role("row", name=case_no).get_by_role("link", name=case_no).click()
    do_step(supervisor, "审核办结", "核实、整改、回访齐全，评价人满意，同意办结。")
    status = supervisor.get_by_role("region", name="整改进度")
    expect(status).to_contain_text("当前环节已办结")
    steps = status.get_by_role("listitem")
    expect(steps).to_have_count(4)
    for n, step in enumerate(("核实", "整改", "回访", "审核办结")):
        expect(steps.nth(n)).to_contain_text(step)
    screenshot(supervisor)


# --- 6. a phone, from search to receipt ------------------------------------------------------


def test_a_phone_applies_from_search_to_receipt(sign_in, screenshot, scan, stopwatch):
    page = sign_in("13804310003", **PHONE)

    def on_page(heading: str) -> None:
        """The page showing this heading has loaded, and nothing on it scrolls sideways."""
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        assert sideways_scroll(page) == 0, page.url

    page.goto("/")
    on_page("查事项、看指南、一次办成")
    page.get_by_label("搜索办事事项").fill("灵活就业")
    page.get_by_role("button", name="搜索").click()
    on_page("灵活就业人员参加职工基本养老保险登记")
    page.get_by_role("link", name="灵活就业人员参加职工基本养老保险登记").click()
    on_page("灵活就业人员参加职工基本养老保险登记")

    page.get_by_role("link", name="在线申请").click()
    on_page("第 1 步：选择申请人")
    page.get_by_label("赵丽华", exact=False).check()
    page.get_by_role("button", name="下一步：填写申请表").click()
    on_page("第 2 步：填写申请表")
    page.get_by_label("申请人姓名").fill("赵丽华")
    page.get_by_label("公民身份号码").fill(resident_id_of("赵丽华"))
    page.get_by_label("联系电话").fill("13804310003")
    page.get_by_label("缴费基数档次").select_option("100%")
    page.get_by_role("button", name="保存并继续").click()
    on_page("第 3 步：提交材料")
    expect(page.get_by_text("无需提交（来自材料库：居民身份证）")).to_be_visible()
    page.get_by_label("上传灵活就业人员参保登记表").set_input_files(scan("参保登记表"))
    page.get_by_role("button", name="保存并继续").click()
    on_page("第 4 步：确认提交")
    expect(page.get_by_text("申请渠道：手机端")).to_be_visible()
    page.get_by_role("button", name="确认提交").click()

    on_page("申请材料")
    expect(page.get_by_role("status")).to_contain_text("申请已提交，办件编号")
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("手机端")
    expect(facts).to_contain_text("待受理")
    expect(page.get_by_text("下载灵活就业人员参保登记表")).to_be_visible()
    screenshot(page)

"""The citizen's pages on a 375-pixel-wide phone, in a real Chromium: nothing scrolls
sideways, every control is a 44-pixel target, elderly mode really is larger, an
application made on the phone is filed as 手机端, and the keyboard always shows where it is."""

import pytest
from django.test import Client
from reportlab.pdfgen import canvas

from tests.factories import cases as make
from tests.factories import subjects as people
from yimen.cases.models import Case, Channel

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
# Horizontal overflow of the page, and controls smaller than a 44 x 44 pixel target (a
# checkbox or radio button counts with its label, which is the target people press).
LAYOUT_PROBLEMS = """() => {
  const doc = document.documentElement;
  const small = [];
  for (const el of document.querySelectorAll('button, select, input, textarea, .button')) {
    const box = el.getBoundingClientRect();
    if (el.type === 'hidden' || box.width === 0 || el.closest('[hidden]')) continue;
    const target = ['checkbox', 'radio'].includes(el.type) && el.labels.length
      ? el.labels[0].getBoundingClientRect() : box;
    if (target.height < 44 || target.width < 44) {
      small.push(`${el.tagName} ${el.name || el.innerText} ${target.width}x${target.height}`);
    }
  }
  return {overflow: doc.scrollWidth - doc.clientWidth, small};
}"""


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def licence(crew):
    return make.licence_item()


@pytest.fixture
def phone(browser, live_server, crew):
    """A phone's browser, signed in as the crew's applicant."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_UA,
    )
    client = Client()
    client.force_login(crew.applicant)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def fits_the_phone(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert problems == {"overflow": 0, "small": []}, path


def test_the_public_and_my_pages_fit_a_phone(phone, licence, crew):
    code = licence.item.code
    make.bundle("220105-YJS-001", licence)
    case = make.submitted(crew, licence, channel=Channel.ONLINE)
    for path in (
        "/",
        "/items/?q=shipin",
        f"/items/{code}/",
        "/bundles/",
        "/bundles/220105-YJS-001/",
        "/power-list/",
        "/me/cases/",
        "/me/ratings/",
        "/apply/drafts/",
        "/accounts/",
        "/me/materials/",
        "/me/licences/",
        "/complaints/new/",
        "/satisfaction/",
        "/verify",
        f"/cases/{case.case_no}/",
        f"/cases/{case.case_no}/rate/",
        f"/apply/{code}/",
    ):
        fits_the_phone(phone, path)


def test_an_application_made_on_a_phone_fits_each_step_and_is_filed_as_mobile(
    phone, licence, crew, tmp_path
):
    scan = tmp_path / "lease.pdf"
    page_of = canvas.Canvas(str(scan))
    page_of.drawString(72, 720, "lease")
    page_of.save()

    fits_the_phone(phone, f"/apply/{licence.item.code}/")
    phone.get_by_label(crew.person.name, exact=False).check()
    phone.get_by_role("button", name="下一步：填写申请表").click()
    fits_the_phone(phone, phone.url)
    phone.get_by_label("店铺名称").fill("老王面馆")
    phone.get_by_role("button", name="保存并继续").click()
    fits_the_phone(phone, phone.url)
    for name in ("上传居民身份证", "上传租赁合同"):
        phone.get_by_label(name).set_input_files(str(scan))
    phone.get_by_role("button", name="保存并继续").click()
    fits_the_phone(phone, phone.url)
    phone.get_by_role("button", name="确认提交").click()

    case = Case.objects.get()
    assert phone.url.endswith(f"/cases/{case.case_no}/")
    assert case.channel == Channel.MOBILE


def test_elderly_mode_is_larger_and_plainer_on_a_phone(phone, live_server):
    phone.goto("/items/")
    phone.get_by_role("button", name="长辈模式").click()
    phone.wait_for_url("**/items/")

    size = phone.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 22
    assert phone.locator("#department").is_hidden()
    assert phone.locator("#q").is_visible()
    button = phone.get_by_role("button", name="搜索").bounding_box()
    assert button["height"] >= 56
    assert phone.evaluate(LAYOUT_PROBLEMS)["overflow"] == 0


def test_the_keyboard_meets_the_skip_link_first_and_always_sees_where_it_is(phone):
    phone.goto("/")
    phone.keyboard.press("Tab")

    skip = phone.evaluate(
        """() => { const el = document.activeElement, box = el.getBoundingClientRect();
        return {href: el.getAttribute('href'), top: box.top,
                outline: getComputedStyle(el).outlineWidth}; }"""
    )
    assert skip == {"href": "#main", "top": skip["top"], "outline": "3px"} and skip["top"] >= 0
    phone.keyboard.press("Enter")
    assert phone.evaluate("() => document.activeElement.id") == "main"
    phone.keyboard.press("Tab")
    focused = phone.evaluate(
        "() => [document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["home-q", "solid"]

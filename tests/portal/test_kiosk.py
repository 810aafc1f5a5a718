"""The kiosk: big touch pages that forget their user, pinyin search, printing notices one
after another, tickets, progress lookups, self-service applications and ratings."""

import re

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client

from tests.factories import cases as case_make
from tests.factories import hall as make
from tests.factories import subjects as people
from tests.factories.hall import MONDAY, at
from tests.factories.pages import text
from yimen.cases import services as case_services
from yimen.cases.models import Case, Visit
from yimen.cases.models_hall import Appointment, QueueTicket
from yimen.oversight.models.ratings import Rating
from yimen.subjects.models import SmsMessage

pytestmark = pytest.mark.django_db
SENIOR = "220105-MZJ-001"  # 老年人优待证办理: instant, online depth Ⅲ, ID card and photo


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)
    cache.clear()  # the kiosks' wrong-lookup counts


@pytest.fixture
def crew(db) -> case_make.Team:
    return case_make.team()


@pytest.fixture
def licence(db):
    return case_make.licence_item()


@pytest.fixture
def qzx(db):
    return make.center()


@pytest.fixture
def senior(db):
    return case_make.family_bundle()[0]


@pytest.fixture
def kiosk(qzx) -> Client:
    """A kiosk that has shown its home page once (and so holds its device cookie)."""
    client = Client()
    client.get("/kiosk/")
    return client


def with_locker(person, *kinds: str):
    for kind in kinds:
        people.stored(person, kind)
    return person


# --- the layout ---------------------------------------------------------------------------


def test_the_home_page_signs_out_and_forgets_the_last_person(qzx, settings):
    settings.YIMEN_KIOSK_IDLE_SECONDS = 45
    account, _person = people.citizen()
    client = Client()
    client.force_login(account)
    session = client.session
    session["kiosk_printed"] = [{"code": SENIOR, "name": "老年人优待证办理"}]
    session.save()

    home = client.get("/kiosk/")
    assert home.status_code == 200
    assert "_auth_user_id" not in client.session and "kiosk_printed" not in client.session
    assert "yimen_kiosk_device" in home.cookies
    html = home.content.decode()
    for label in ("事项查询", "取号", "预约签到", "办件进度查询", "自助申请", "评价"):
        assert f">{label}<span>" in html
    assert "site-nav" not in html and "kbtn--home" not in html

    page = client.get("/kiosk/items/").content.decode()
    assert '<a class="kbtn kbtn--home" href="/kiosk/">返回首页</a>' in page
    assert "site-nav" not in page
    assert '<noscript><meta http-equiv="refresh" content="120;url=/kiosk/"></noscript>' in page
    assert "limit = 45 * 1000" in page and 'home = "/kiosk/"' in page


def test_any_kiosk_page_signs_a_signed_in_user_out(qzx):
    client = Client()
    client.force_login(people.citizen()[0])
    assert client.get("/kiosk/progress/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_kiosk_targets_are_at_least_72px_tall():
    with open(finders.find("portal/kiosk.css"), encoding="utf-8") as css:
        rules = css.read()
    assert "--k-target: 72px;" in rules
    button = re.search(r"\.kbtn \{([^}]*)\}", rules).group(1)
    field = re.search(r"\.ksearch input \{([^}]*)\}", rules).group(1)
    assert "min-height: var(--k-target)" in button and "min-height: var(--k-target)" in field


def test_the_kiosk_remembers_its_center(qzx):
    street = make.center("DSJD")
    client = Client()
    assert "二道区政务服务中心" in text(client.get("/kiosk/"))
    set_up = client.get("/kiosk/?center=DSJD")
    assert set_up.cookies["yimen_kiosk_center"].value == "DSJD"
    assert street.name in text(client.get("/kiosk/items/"))
    assert client.get("/kiosk/?center=NOPE").status_code == 404


# --- items and notices --------------------------------------------------------------------


def test_pinyin_initials_find_the_item_as_a_big_button(kiosk, senior):
    found = kiosk.get("/kiosk/items/", {"q": "lnz"})
    assert "找到 1 个事项" in text(found)
    assert f'class="kbtn kbtn--wide" href="/kiosk/items/{SENIOR}/"' in found.content.decode()
    assert "老年人优待证办理" in text(found)
    assert "没有找到相关事项" in text(kiosk.get("/kiosk/items/", {"q": "zzzzqx"}))
    assert kiosk.get("/kiosk/items/", {"q": "老" * 101}).status_code == 422


def test_printing_one_notice_after_another(kiosk, senior):
    licence = case_make.licence_item()
    item = text(kiosk.get(f"/kiosk/items/{SENIOR}/"))
    assert "打印告知单" in item and "居民身份证" in item and "一寸免冠照片" in item

    first = kiosk.get(f"/kiosk/items/{SENIOR}/print/").content.decode()
    assert f'<iframe id="notice" class="knotice" src="/kiosk/items/{SENIOR}/notice.pdf"' in first
    assert "contentWindow.print()" in first
    pdf = kiosk.get(f"/kiosk/items/{SENIOR}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"

    kiosk.get(f"/kiosk/items/{SENIOR}/print/")  # printed again: still one notice of it
    second = text(kiosk.get(f"/kiosk/items/{licence.item.code}/print/"))
    assert "本次已打印 2 份告知单 老年人优待证办理 食品经营许可" in second
    assert "打印其他事项" in second
    kiosk.get("/kiosk/")
    assert "本次已打印" not in text(kiosk.get(f"/kiosk/items/{SENIOR}/"))
    assert kiosk.get("/kiosk/items/220105-XXX-404/print/").status_code == 404


# --- tickets ------------------------------------------------------------------------------


def test_taking_a_ticket_shows_it_huge_with_a_printable_slip(kiosk, qzx):
    with time_machine.travel(at(MONDAY, 10), tick=False):
        assert "综合窗口 0 人等候" in text(kiosk.get("/kiosk/ticket/"))
        taken = kiosk.post("/kiosk/ticket/", {"line": "A"})
        first = QueueTicket.objects.get()
        assert taken["Location"] == f"/kiosk/ticket/{first.pk}/"
        page = kiosk.get(taken["Location"])
        assert '<p class="kticket" aria-live="polite">A001</p>' in page.content.decode()
        assert "前面还有 0 人等候" in text(page)

        second = kiosk.get(kiosk.post("/kiosk/ticket/", {"line": "A"})["Location"])
        assert "A002" in text(second) and "前面还有 1 人等候" in text(second)
        slip = text(kiosk.get(f"/kiosk/ticket/{first.pk}/slip/"))
        assert "二道区政务服务中心 综合窗口 A001" in slip and "2025-11-03 10:00" in slip

        assert Client().get(f"/kiosk/ticket/{first.pk}/").status_code == 404
        kiosk.get("/kiosk/")
        assert kiosk.get(f"/kiosk/ticket/{first.pk}/").status_code == 404
        assert kiosk.post("/kiosk/ticket/", {"line": "Z"}).status_code == 422
    with time_machine.travel(at(MONDAY, 18), tick=False):
        closed = kiosk.post("/kiosk/ticket/", {"line": "A"})
    assert closed.status_code == 409 and "暂不能取号" in text(closed)
    assert QueueTicket.objects.count() == 2


def test_checking_an_appointment_in_gives_a_priority_ticket(kiosk, qzx):
    booked = make.book(qzx, at(MONDAY, 10), now=at(MONDAY, 7))
    with time_machine.travel(at(MONDAY, 9, 45), tick=False):
        wrong = kiosk.post("/kiosk/ticket/check-in/", {"code": booked.code, "phone_tail": "0000"})
        assert wrong.status_code == 404 and "预约号或手机号后四位不正确" in text(wrong)
        short = kiosk.post("/kiosk/ticket/check-in/", {"code": booked.code, "phone_tail": "12"})
        assert short.status_code == 422
        right = {"code": booked.code, "phone_tail": booked.phone[-4:]}
        checked_in = kiosk.post("/kiosk/ticket/check-in/", right, follow=True)
        assert "A001" in text(checked_in) and "预约优先" in text(checked_in)
        again = kiosk.post("/kiosk/ticket/check-in/", right)
    assert again.status_code == 409 and "已签到" in text(again)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CHECKED_IN


# --- progress lookup ----------------------------------------------------------------------


def test_progress_by_case_number_and_resident_id(kiosk, crew, licence):
    case = case_make.accepted(crew, licence)
    shown = kiosk.post(
        "/kiosk/progress/", {"case_no": case.case_no, "resident_id": crew.person.code}
    )
    page = text(shown)
    assert shown.status_code == 200
    assert "食品经营许可" in page and "办理中" in page and "申请人 张*兰" in page
    assert "提交申请 2025-09-26 10:00 受理 2025-09-26 11:00" in page
    assert "张桂兰" not in page and crew.person.code not in page


def test_a_wrong_number_or_id_gets_one_message_and_too_many_pause_the_kiosk(
    kiosk, crew, licence, settings
):
    settings.YIMEN_KIOSK_LOOKUP_ATTEMPTS = 3
    case = case_make.submitted(crew, licence)
    someone_else = people.person("李四", birth="19900101").code
    wrong_pairs = [
        {"case_no": case.case_no, "resident_id": someone_else},
        {"case_no": "220105-20250926-999999", "resident_id": crew.person.code},
    ]
    answers = [kiosk.post("/kiosk/progress/", pair) for pair in wrong_pairs]
    assert [a.status_code for a in answers] == [404, 404]
    assert text(answers[0]) == text(answers[1])
    assert "办件编号或身份证号不正确，请核对后重试。" in text(answers[0])

    malformed = kiosk.post("/kiosk/progress/", {"case_no": case.case_no, "resident_id": "123"})
    assert malformed.status_code == 422 and "身份证号应为18位" in text(malformed)
    kiosk.post("/kiosk/progress/", wrong_pairs[0])
    right = {"case_no": case.case_no, "resident_id": crew.person.code}
    locked = kiosk.post("/kiosk/progress/", right)
    assert locked.status_code == 429 and "查询错误次数过多" in text(locked)
    kiosk.get("/kiosk/")  # a fresh session does not lift the pause on this kiosk
    assert kiosk.post("/kiosk/progress/", right).status_code == 429
    assert Client().post("/kiosk/progress/", right).status_code == 200


# --- self-service application -----------------------------------------------------------


def _sent_code(phone: str) -> str:
    message = SmsMessage.objects.filter(phone=phone).latest("sent_at")
    return re.search(r"\d{6}", message.text).group()


def test_applying_for_a_simple_item_at_the_kiosk(kiosk, qzx, senior):
    account, person = people.citizen()
    with_locker(person, "id_card", "photo")
    start = kiosk.get(f"/kiosk/items/{SENIOR}/apply/")
    assert "第一步" in text(start)
    asked = kiosk.post(
        f"/kiosk/items/{SENIOR}/apply/", {"step": "identify", "resident_id": person.code}
    )
    assert f"验证码已发送至 {account.masked_phone}" in text(asked)

    wrong = kiosk.post(f"/kiosk/items/{SENIOR}/apply/", {"step": "verify", "code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in text(wrong)
    code = _sent_code(account.phone)
    verified = kiosk.post(f"/kiosk/items/{SENIOR}/apply/", {"step": "verify", "code": code})
    assert verified.status_code == 302
    form = kiosk.get(f"/kiosk/items/{SENIOR}/apply/")
    assert "申请人：张*兰" in text(form) and "户籍情况" in text(form)
    key = re.search(r'name="key" value="(\w+)"', form.content.decode()).group(1)

    missing = kiosk.post(f"/kiosk/items/{SENIOR}/apply/", {"step": "submit", "key": key})
    assert missing.status_code == 422 and "户籍情况为必填项" in text(missing)
    assert not Case.objects.exists()

    filled = {"step": "submit", "key": key, "f_residency": "本市户籍"}
    done = kiosk.post(f"/kiosk/items/{SENIOR}/apply/", filled)
    case = Case.objects.get()
    assert "申请已提交" in text(done) and case.case_no in text(done)
    assert (case.channel, case.subject_id, case.filing.submitted_by, case.center) == (
        "kiosk",
        person.pk,
        account,
        qzx,
    )
    assert {m.status for m in case.materials.all()} == {"reused"}
    assert Visit.objects.get().cases.get() == case
    assert "_auth_user_id" not in kiosk.session and "kiosk_apply" not in kiosk.session
    assert "第一步" in text(kiosk.get(f"/kiosk/items/{SENIOR}/apply/"))


def test_an_unknown_or_unregistered_person_is_told_the_same(kiosk, senior):
    unlinked = people.person("王女士", birth="19700101", phone="13811112222")
    for resident_id in (unlinked.code, people.new_resident_id()):
        refused = kiosk.post(
            f"/kiosk/items/{SENIOR}/apply/", {"step": "identify", "resident_id": resident_id}
        )
        assert refused.status_code == 422
        assert "未能核验您的身份" in text(refused)
    assert not SmsMessage.objects.exists()


def test_an_item_that_is_not_simple_goes_to_the_window_with_its_notice(kiosk, licence):
    code = licence.item.code
    item = text(kiosk.get(f"/kiosk/items/{code}/"))
    assert "在本机自助申请" not in item and "本事项请到综合窗口办理" in item
    page = kiosk.get(f"/kiosk/items/{code}/apply/")
    assert "请到窗口办理" in text(page)
    assert f'href="/kiosk/items/{code}/print/"' in page.content.decode()
    assert not Case.objects.exists()


def test_a_simple_item_without_the_locker_documents_goes_to_the_window(kiosk, senior):
    account, person = people.citizen()
    with_locker(person, "id_card")
    kiosk.post(f"/kiosk/items/{SENIOR}/apply/", {"step": "identify", "resident_id": person.code})
    code = _sent_code(account.phone)
    kiosk.post(f"/kiosk/items/{SENIOR}/apply/", {"step": "verify", "code": code})
    page = text(kiosk.get(f"/kiosk/items/{SENIOR}/apply/"))
    assert "您的材料库中还没有以下材料" in page and "一寸免冠照片" in page
    assert not Case.objects.exists()


def test_the_kiosk_lists_the_items_one_may_apply_for(kiosk, senior, licence):
    listed = kiosk.get("/kiosk/items/", {"apply": "1"}).content.decode()
    assert f'href="/kiosk/items/{SENIOR}/apply/"' in listed
    assert licence.item.code not in listed


# --- rating -------------------------------------------------------------------------------


def test_rating_a_finished_case_at_the_kiosk(kiosk, crew):
    instant = case_make.licence_item("220105-MZJ-009", handling_type="1", name="居住证签注")
    case = case_make.submitted(crew, instant)
    lookup = {"step": "lookup", "case_no": case.case_no, "resident_id": crew.person.code}
    assert kiosk.post("/kiosk/rate/", lookup).status_code == 302
    assert "尚未办结" in text(kiosk.get("/kiosk/rate/"))

    case_services.case_complete_instant(case=case, clerk=crew.clerk)
    form = kiosk.get("/kiosk/rate/")
    assert "非常满意" in text(form)
    unexplained = kiosk.post("/kiosk/rate/", {"step": "rate", "level": "5"})
    assert unexplained.status_code == 422 and "请勾选或填写原因" in text(unexplained)
    rated = kiosk.post("/kiosk/rate/", {"step": "rate", "level": "1", "tags": ["fast"]})
    assert "感谢您的评价" in text(rated)
    rating = Rating.objects.get()
    assert (rating.case, rating.rater, rating.channel, rating.level) == (
        case,
        crew.applicant,
        "terminal",
        1,
    )
    kiosk.post("/kiosk/rate/", lookup)
    assert "您已评价过该办件（非常满意）" in text(kiosk.get("/kiosk/rate/"))


def test_rating_needs_the_holders_registered_account(kiosk, crew, licence):
    walk_in = people.person("赵六", birth="19660606")
    case = case_services.case_submit(
        actor=crew.clerk,
        subject=walk_in,
        item_code=licence.item.code,
        channel="window",
        form={"shop_name": "赵记"},
    )
    refused = kiosk.post(
        "/kiosk/rate/", {"step": "lookup", "case_no": case.case_no, "resident_id": walk_in.code}
    )
    assert refused.status_code == 409 and "尚未在本系统实名注册" in text(refused)
    assert not Rating.objects.exists()

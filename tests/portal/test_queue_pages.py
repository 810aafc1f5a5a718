"""The hall's pages: booking online, the window's call screen, the hall board and the
supervisors' waiting times."""

import re
from html import unescape

import pytest
import time_machine
from django.test import Client

from tests.factories import hall as make
from tests.factories import subjects as people
from tests.factories.hall import MONDAY, at
from yimen.cases import services_hall
from yimen.cases.models_hall import Appointment, QueueTicket
from yimen.catalog.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def qzx(db):
    return make.center()


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


# --- appointments -----------------------------------------------------------------------


def test_booking_a_slot_step_by_step_and_cancelling_it(qzx):
    account, _person = people.citizen()
    client = signed_in(account)
    with time_machine.travel(at(MONDAY, 8), tick=False):
        assert "二道区政务服务中心" in text(client.get("/appointments/"))
        assert "11月3日" in text(client.get("/appointments/?center=QZX"))
        page = "/appointments/?center=QZX&day=2025-11-03"
        slots = text(client.get(page))
        assert "09:00–09:30（余6个）" in slots and "11:00–11:30（余6个）" in slots

        response = client.post(page, {"slot": "09:00", "item": ""})
        assert response.status_code == 302
        booked = Appointment.objects.get()
        assert (booked.booked_by, booked.booked_via, booked.phone) == (
            account,
            "online",
            account.phone,
        )
        mine = text(client.get("/appointments/"))
        assert f"预约号 {booked.code}" in mine and "2025-11-03 09:00–09:30 已预约" in mine

        cancelled = client.post(f"/appointments/{booked.pk}/cancel/", follow=True)
    assert f"已取消预约 {booked.code}" in text(cancelled)
    booked.refresh_from_db()
    assert booked.status == "cancelled"


def test_a_refused_booking_is_told_beside_the_form_and_saves_nothing(qzx):
    citizen = people.citizen()
    client = signed_in(citizen[0])
    make.book(qzx, at(MONDAY, 14), citizen=citizen, now=at(MONDAY, 7))
    with time_machine.travel(at(MONDAY, 8), tick=False):
        page = "/appointments/?center=QZX&day=2025-11-03"
        twice = client.post(page, {"slot": "09:00"})
        assert twice.status_code == 409
        assert "每人每天只能预约一次" in text(twice)
        gone = client.post(page, {"slot": "07:30"})
        assert gone.status_code == 422
        bad_day = client.get("/appointments/?center=QZX&day=3-11")
        assert bad_day.status_code == 422 and "日期格式不正确" in text(bad_day)
    assert Appointment.objects.count() == 1


def test_someone_else_cannot_cancel_and_an_unverified_account_cannot_book(qzx):
    booked = make.book(qzx, at(MONDAY, 9), now=at(MONDAY, 7))
    stranger = signed_in(people.citizen()[0])
    assert stranger.post(f"/appointments/{booked.pk}/cancel/").status_code == 404
    unverified = signed_in(people.account()).get("/appointments/")
    assert unverified.status_code == 404 and "实名关联" in text(unverified)
    assert Client().get("/appointments/").status_code == 302
    booked.refresh_from_db()
    assert booked.status == "booked"


# --- the window -------------------------------------------------------------------------


def test_a_window_calls_recalls_finishes_and_passes_over(qzx):
    client = signed_in(make.clerk(qzx))
    with time_machine.travel(at(MONDAY, 9, 30), tick=False):
        first = make.walk_in(qzx, at(MONDAY, 9))
        make.walk_in(qzx, at(MONDAY, 9, 5), "B")
        assert "选择窗口" in text(client.get("/window/queue/"))
        unnamed = client.post("/window/queue/", {"center": "QZX", "window": "", "lines": ["A"]})
        assert unnamed.status_code == 422
        setup = {"center": "QZX", "window": "3号窗口", "lines": ["A", "B"]}
        assert client.post("/window/queue/", setup).status_code == 302
        page = text(client.get("/window/queue/"))
        assert "本窗口空闲" in page and "A001 自助终端取号 09:00" in page
        assert "综合窗口（A） 1 人等候" in page

        called = text(client.post("/window/queue/call/", follow=True))
        assert "请 A001 号到3号窗口办理" in called
        recalled = client.post("/window/queue/recall/", {"ticket": first.pk}, follow=True)
        assert "已重呼 A001（第2次）" in text(recalled)
        busy = client.post("/window/queue/call/", follow=True)
        assert "3号窗口正在办理 A001" in text(busy)
        done = client.post("/window/queue/finish/", {"ticket": first.pk}, follow=True)
        assert "A001 已办结" in text(done)

        client.post("/window/queue/call/")
        passed = QueueTicket.objects.get(line="B")
        wrong = client.post("/window/queue/no-show/", {"ticket": first.pk}, follow=True)
        assert "该号不在本窗口办理" in text(wrong)
        assert "B001 已过号" in text(
            client.post("/window/queue/no-show/", {"ticket": passed.pk}, follow=True)
        )
        assert "当前没有等候的号" in text(client.post("/window/queue/call/", follow=True))
        assert "已为来人取号 A002" in text(
            client.post("/window/queue/take/", {"line": "A"}, follow=True)
        )
    first.refresh_from_db()
    passed.refresh_from_db()
    assert (first.status, first.call_count, passed.status) == ("served", 2, "no_show")


def test_only_clerks_call_and_a_clerk_only_at_their_centers(qzx):
    assert signed_in(people.account()).get("/window/queue/").status_code == 403
    other = make.center("DSJD")
    client = signed_in(make.clerk(other))
    choices = text(client.get("/window/queue/"))
    assert "DSJD公共服务中心" in choices and "二道区政务服务中心" not in choices
    smuggled = client.post("/window/queue/", {"center": "QZX", "window": "1号", "lines": ["A"]})
    assert smuggled.status_code == 422
    assert client.post("/window/queue/call/").status_code == 302
    assert not QueueTicket.objects.exists()


def test_leaving_the_window_asks_again(qzx):
    client = signed_in(make.clerk(qzx))
    client.post("/window/queue/", {"center": "QZX", "window": "3号窗口", "lines": ["A"]})
    left = client.post("/window/queue/leave/", follow=True)
    assert "已退出 3号窗口 的叫号" in text(left) and "开始叫号" in text(left)


# --- the hall board ---------------------------------------------------------------------


def test_the_board_shows_called_numbers_and_reloads_itself(qzx):
    clerk = make.clerk(qzx)
    with time_machine.travel(at(MONDAY, 9, 30), tick=False):
        for minute in range(3):
            make.walk_in(qzx, at(MONDAY, 9, minute))
        for window in ("1号窗口", "2号窗口"):
            services_hall.ticket_call_next(center=qzx, window=window, clerk=clerk)
        board = Client().get("/hall/QZX/board/")
    html = board.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "<script" not in html
    assert "A002 2号窗口 A001 1号窗口" in text(board)
    assert "综合窗口：1 人等候" in text(board)
    assert Client().get("/hall/NOPE/board/").status_code == 404


# --- supervision ------------------------------------------------------------------------


def test_supervisors_see_waiting_times_per_center_and_day(qzx):
    clerk = make.clerk(qzx)
    for minute, wait in ((0, 10), (1, 20), (2, 33)):
        ticket = make.walk_in(qzx, at(MONDAY, 9, minute))
        make.served(ticket, clerk, at(MONDAY, 9, minute + wait))
    make.walk_in(qzx, at(MONDAY, 16))
    client = signed_in(people.staff(Role.SUPERVISOR))
    page = client.get("/supervision/waiting/?from=2025-11-03&to=2025-11-09")
    assert page.status_code == 200
    assert "二道区政务服务中心 2025-11-03 4 3 0 21.0 33.0 33.0" in text(page)
    assert "所选期间没有取号记录" in text(client.get("/supervision/waiting/"))

    backwards = client.get("/supervision/waiting/?from=2025-11-09&to=2025-11-03")
    assert backwards.status_code == 422 and "开始日期不能晚于结束日期" in text(backwards)
    assert client.get("/supervision/waiting/?from=someday&to=").status_code == 422
    assert signed_in(clerk).get("/supervision/waiting/").status_code == 403

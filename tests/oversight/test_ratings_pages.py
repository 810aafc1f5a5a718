"""The pages: rating a case (signed in and through the SMS link), the bad ratings and their
steps, the complaint form and desk, the assessment. Errors are shown beside the form, with
what was typed kept."""

import re

import pytest

from tests.factories import catalog
from tests.factories import oversight_ratings as make
from tests.factories import subjects as people
from tests.factories.cases import accepted, licence_item, team
from tests.factories.oversight_ratings import sandbox  # noqa: F401
from yimen.catalog.models import Role
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.ratings import Rating, RatingChannel, Rectification
from yimen.oversight.services import ratings as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def finished(crew):
    return make.finished_instant(crew, make.instant_item())


def signed_in(client, account):
    client.force_login(account)
    return client


def text(response) -> str:
    return response.content.decode()


# --- rating -------------------------------------------------------------------------------


def test_the_applicant_rates_their_finished_case(client, crew, finished):
    url = f"/cases/{finished.case_no}/rate/"
    signed_in(client, crew.applicant)
    assert "提交评价" in text(client.get(url))

    refused = client.post(url, {"level": "5", "comment": ""})
    assert refused.status_code == 422
    assert "请勾选或填写原因" in text(refused)
    assert re.search(r'value="5"[^>]*checked', text(refused))
    assert not Rating.objects.exists()

    done = client.post(
        url, {"level": "5", "tags": ["rude"], "comment": "被要求重复提交材料"}, follow=True
    )
    assert done.status_code == 200
    assert "感谢您的评价" in text(done) and "被要求重复提交材料" in text(done)
    rating = Rating.objects.get()
    assert (rating.level, rating.channel, rating.tags) == (5, RatingChannel.PC, ["rude"])
    assert rating.rectification.step == Rectification.Step.VERIFY


def test_the_rating_page_gives_the_kiosk_channel_and_refuses_open_cases(client, crew):
    case = make.finished_instant(crew, make.instant_item())
    signed_in(client, crew.applicant)
    client.post(f"/cases/{case.case_no}/rate/?channel=terminal", {"level": "1"})
    assert Rating.objects.get().channel == RatingChannel.TERMINAL

    open_case = accepted(crew, licence_item())
    page = client.get(f"/cases/{open_case.case_no}/rate/")
    assert "办结后才能评价" in text(page) and "提交评价" not in text(page)
    refused = client.post(f"/cases/{open_case.case_no}/rate/", {"level": "1"})
    assert refused.status_code == 409 and "办结后才能评价" in text(refused)


def test_strangers_find_no_rating_page(client, finished):
    url = f"/cases/{finished.case_no}/rate/"
    assert client.get(url).status_code == 302
    stranger, _ = people.citizen("王五", birth="19900101")
    assert signed_in(client, stranger).get(url).status_code == 404


def test_the_sms_link_rates_without_signing_in(client, finished):
    token = services.rating_link_token(services.rating_invite_send(case_id=finished.pk))
    url = f"/r/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "居住证签注" in text(page)
    assert "提交评价" in text(page)

    refused = client.post(url, {"comment": "很好"})
    assert (
        refused.status_code == 422 and "请选择评价等级" in text(refused) and "很好" in text(refused)
    )
    assert client.post(url, {"level": "2", "comment": "很好"}).status_code == 200
    assert Rating.objects.get().channel == RatingChannel.SMS

    used = client.get(url)
    assert used.status_code == 409 and "已使用过" in text(used)
    assert client.get("/r/not-a-token/").status_code == 404


# --- bad ratings and their steps -----------------------------------------------------------


def test_the_department_works_through_a_bad_rating_step_by_step(client, crew, finished):
    rating = make.rate(finished, crew, 4, comment="等了很久")
    boss = make.supervisor()
    listing = signed_in(client, boss).get("/oversight/ratings/")
    assert finished.case_no in text(listing) and "核实" in text(listing)

    detail_url = f"/oversight/ratings/{rating.pk}/"
    signed_in(client, crew.approver)
    assert "等了很久" in text(client.get(detail_url))
    refused = client.post(detail_url + "verify/", {"note": ""})
    assert refused.status_code == 422 and "action-box--failed" in text(refused)
    assert not rating.rectification.steps.exists()

    done = client.post(detail_url + "verify/", {"note": "经核实属实"}, follow=True)
    assert "已办理：核实" in text(done) and "经核实属实" in text(done)
    assert "整改" in text(done) and "解释说明" in text(done)
    wrong = client.post(detail_url + "close/", {"note": "办结"})
    assert wrong.status_code == 403
    rating.rectification.refresh_from_db()
    assert rating.rectification.step == Rectification.Step.RECTIFY


def test_appeals_are_filed_by_the_department_and_decided_by_a_supervisor(client, crew, finished):
    rating = make.rate(finished, crew, 5)
    url = f"/oversight/ratings/{rating.pk}/"
    signed_in(client, crew.approver).post(url + "appeal/", {"kind": "malicious", "reason": "恶意"})
    page = signed_in(client, make.supervisor()).get(url)
    assert "复核申诉" in text(page) and "待复核" in text(page)
    client.post(url + "decide_appeal/", {"upheld": "yes", "note": "经查属恶意差评"})
    page = client.get(url)
    assert "申诉成立" in text(page) and "不计入满意度统计" in text(page)


def test_the_bad_ratings_are_not_for_every_member_of_staff(client, crew, finished):
    rating = make.rate(finished, crew, 4)
    assert signed_in(client, crew.clerk).get("/oversight/ratings/").status_code == 403
    other = people.staff(Role.APPROVER, department=catalog.department("YBJ", "区医疗保障局"))
    signed_in(client, other)
    assert client.get(f"/oversight/ratings/{rating.pk}/").status_code == 404
    assert client.post(f"/oversight/ratings/{rating.pk}/verify/", {"note": "x"}).status_code == 404


# --- complaints --------------------------------------------------------------------------


def test_anyone_may_complain_and_the_department_answers(client, crew, finished):
    form = client.get(f"/complaints/new/?target=case&case={finished.case_no}")
    assert form.status_code == 200 and finished.case_no in text(form)
    fields = {"target": "case", "case_no": finished.case_no, "content": "窗口推诿", "phone": ""}
    refused = client.post("/complaints/new/", fields)
    assert refused.status_code == 422
    assert "请填写联系电话" in text(refused) and "窗口推诿" in text(refused)
    unknown = client.post("/complaints/new/", {**fields, "case_no": "X-1", "phone": "13812345678"})
    assert unknown.status_code == 422 and "未找到该办件编号" in text(unknown)
    assert not Complaint.objects.exists()

    sent = client.post("/complaints/new/", {**fields, "phone": "13812345678"})
    complaint = Complaint.objects.get()
    assert sent.status_code == 200 and complaint.number in text(sent)

    signed_in(client, crew.approver)
    assert complaint.number in text(client.get("/oversight/complaints/"))
    url = f"/oversight/complaints/{complaint.pk}/"
    refused = client.post(url + "answer/", {"answer": "已批评教育"})
    assert refused.status_code == 422 and "请认定投诉是否属实" in text(refused)
    assert "已批评教育" in text(refused)
    client.post(url + "answer/", {"answer": "已批评教育", "founded": "yes"})
    client.post(url + "close/", {"satisfied": "no", "note": "仍不满意"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.founded, complaint.complainant_satisfied) == (
        Complaint.Status.CLOSED,
        True,
        False,
    )


def test_staff_enter_phone_complaints(client, crew, finished):
    signed_in(client, crew.clerk)
    fields = {
        "target": "case",
        "case_no": finished.case_no,
        "content": "电话反映",
        "phone": "0431-84600000",
    }
    client.post("/complaints/new/?channel=phone", {**fields, "channel": "phone"})
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.entered_by) == (Complaint.Channel.PHONE, crew.clerk)
    assert complaint.account is None


# --- assessment ----------------------------------------------------------------------------


def test_the_assessment_page_shows_scores_beside_the_rule(client, crew, finished):
    make.rate(finished, crew, 5)
    signed_in(client, make.supervisor())
    page = client.get(f"/oversight/assessment/?month={finished.completed_at:%Y-%m}")
    assert page.status_code == 200
    assert (
        "基础分 100 分" in text(page)
        and "每次 -5 分" in text(page)
        and "<strong>95</strong>" in text(page)
    )

    refused = client.get("/oversight/assessment/?month=2025-13")
    assert refused.status_code == 422
    assert "月份格式" in text(refused) and 'value="2025-13"' in text(refused)
    assert signed_in(client, crew.approver).get("/oversight/assessment/").status_code == 403

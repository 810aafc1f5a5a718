"""`yimen demo` end to end: after it, every demo login finds its pages working, with real
sealed licences, ratings being rectified, complaints, regulator notices and findings, a
spot check, and an intact audit chain. Loading again adds nothing."""

import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.test import Client

from tests.licences import helpers as licences
from yimen.cases.models import Case
from yimen.cases.states import CaseState
from yimen.licences import verify
from yimen.licences.models import Licence, SealUse
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding, RegulatorSubscription
from yimen.oversight.models.ratings import Rating, Rectification
from yimen.oversight.models.stats import CaseDailyStat
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase
from yimen.oversight.services.stats import stats_rebuild
from yimen.subjects.models import Account

pytestmark = pytest.mark.django_db

ZHAO = "13804310003"  # 赵丽华: the teacher's licence, and the restaurant she represents
GRANDMA = "13904310001"  # 张桂兰
CLERK, SCJ_REVIEWER, APPROVER = "qu.chuangkou", "qu.shencha.scj", "qu.juzhang"
SUPERVISOR, SCJ_REGULATOR, XFJ_REGULATOR = "qu.jiandu", "jianguan.scj", "jianguan.xfj"


@pytest.fixture
def demo(settings, tmp_path):
    licences.sandbox(settings, tmp_path)
    settings.YIMEN_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    load()


def load() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(Account.objects.get(username=username))
    return client


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def nav_links(response) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', response.content.decode(), re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def licence_of(scenario: str) -> Licence:
    return Licence.objects.select_related("case").get(
        case__filing__idempotency_key=f"demo-{scenario}"
    )


def test_every_demo_login_finds_its_pages_and_the_licences_working(demo):
    teacher, food = licence_of("completed-post"), licence_of("food-licence")
    pages = {
        ZHAO: ["/", "/items/", "/me/cases/", f"/cases/{teacher.case.case_no}/"],
        GRANDMA: ["/me/cases/", "/me/materials/"],
        CLERK: ["/window/", f"/cases/{food.case.case_no}/"],
        SCJ_REVIEWER: ["/work/"],
        APPROVER: ["/work/", "/findings/", f"/licences/{food.number}/"],
        SUPERVISOR: ["/supervision/", "/supervision/stats/", "/supervision/spot-checks/"],
        SCJ_REGULATOR: ["/regulator/"],
        XFJ_REGULATOR: ["/regulator/"],
    }
    for username, urls in pages.items():
        client = signed_in(username)
        offered = nav_links(client.get("/"))
        for url in [*urls, *offered]:
            assert client.get(url).status_code == 200, (username, url)
    for url in ("/", "/items/", "/satisfaction/", "/verify"):
        assert Client().get(url).status_code == 200, url

    # The licences are real, and shown where people look for them.
    assert teacher.case.state == CaseState.COMPLETED
    with teacher.file.open("rb") as document:
        assert verify.verify_pdf(document.read()).status == "valid"

    zhao = signed_in(ZHAO)
    assert teacher.number in text(zhao.get("/me/licences/"))
    case_page = zhao.get(f"/cases/{teacher.case.case_no}/")
    assert f'href="/licences/{teacher.number}/document/"' in case_page.content.decode()
    assert "您已评价：满意" in text(case_page)
    checked = Client().get("/verify", {"p": teacher.qr_payload})
    assert checked.status_code == 200 and "有效" in text(checked)

    waiting = licence_of("issued")
    assert waiting.case.state == CaseState.ISSUED
    assert "送达并办结" in text(signed_in(CLERK).get(f"/cases/{waiting.case.case_no}/"))


def test_the_oversight_records_tell_the_stories_the_tour_shows(demo):
    levels = sorted(Rating.objects.values_list("level", flat=True))
    assert levels == [1, 1, 2, 4, 5]
    steps = dict(Rectification.objects.values_list("rating__level", "step"))
    assert steps == {4: Rectification.Step.RECTIFY, 5: Rectification.Step.CLOSED}
    closed = Rectification.objects.get(step=Rectification.Step.CLOSED)
    assert closed.rater_satisfied and closed.steps.count() == 4
    assert "整改或解释说明" in text(signed_in(SUPERVISOR).get("/oversight/ratings/"))

    assert sorted(Complaint.objects.values_list("status", flat=True)) == ["answered", "open"]

    assert not RegulatorSubscription.objects.exclude(webhook_url="").exists()
    food = licence_of("food-licence")
    notices = OutboxMessage.objects.filter(licence_no=food.number)
    assert {(n.department.code, n.status, n.acknowledged_at is not None) for n in notices} == {
        ("SCJ", "inbox", False),
        ("XFJ", "inbox", True),
    }
    assert food.number in text(signed_in(SCJ_REGULATOR).get("/regulator/"))
    finding = RegulatorFinding.objects.get()
    assert finding.status == RegulatorFinding.Status.OPEN
    assert "可燃气体报警装置" in text(signed_in(APPROVER).get("/findings/"))

    check = SpotCheck.objects.get()
    results = sorted(check.cases.values_list("result", flat=True))
    assert results == [SpotCheckCase.Result.PENDING] * 2 + [SpotCheckCase.Result.PROBLEM]

    assert stats_rebuild(check=True).differences == []
    assert CaseDailyStat.objects.exists()
    out = io.StringIO()
    call_command("audit-verify", stdout=out)  # exits 1 when the chain is broken
    assert "审计链完整" in out.getvalue()


def counts() -> list[int]:
    models = (Case, Licence, SealUse, Rating, Complaint, OutboxMessage, RegulatorFinding)
    return [m.objects.count() for m in (*models, SpotCheck, RegulatorSubscription)]


def test_loading_the_demo_again_adds_nothing(demo):
    before = counts()
    load()
    assert counts() == before

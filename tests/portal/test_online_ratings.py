"""我的评价: the ratings I gave, and my finished cases still waiting for one."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client

from tests.factories import cases as make
from tests.factories import oversight_ratings as ratings
from tests.factories import subjects as people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_my_ratings_lists_what_i_rated_and_links_the_finished_cases_not_yet_rated(crew):
    rated = ratings.finished_instant(crew, ratings.instant_item("220105-MZJ-009"))
    waiting = ratings.finished_instant(crew, ratings.instant_item("220105-MZJ-008"))
    still_open = make.submitted(crew, make.licence_item("220105-SCJ-001"))
    ratings.rate(rated, crew, 4, comment="窗口人员态度生硬")

    page = signed_in(crew.applicant).get("/me/ratings/")

    assert page.status_code == 200
    given, to_rate = text(page).split("我给出的评价")[1], text(page).split("我给出的评价")[0]
    assert "不满意" in given and "窗口人员态度生硬" in given and rated.case_no in given
    assert f'href="/cases/{waiting.case_no}/rate/"' in page.content.decode()
    assert waiting.case_no in to_rate and rated.case_no not in to_rate
    assert still_open.case_no not in text(page)


def test_a_finished_case_waits_for_its_rating_behind_a_hundred_newer_cases(crew):
    waiting = ratings.finished_instant(
        crew, ratings.instant_item("220105-MZJ-008"), on=dt.date(2025, 9, 1)
    )
    item = make.licence_item("220105-SCJ-001")
    for _ in range(101):
        make.submitted(crew, item, day=dt.date(2025, 9, 26))

    page = signed_in(crew.applicant).get("/me/ratings/").content.decode()

    assert f'href="/cases/{waiting.case_no}/rate/"' in page


def test_my_ratings_shows_only_my_own(crew):
    case = ratings.finished_instant(crew, ratings.instant_item())
    ratings.rate(case, crew, 1, comment="办事很快")
    stranger = people.citizen("李建国", birth="19650101")[0]

    page = text(signed_in(stranger).get("/me/ratings/"))

    assert "办事很快" not in page and case.case_no not in page
    assert "您还没有评价过办件。" in page and "没有待评价的办件。" in page


def test_my_ratings_needs_a_sign_in():
    response = Client().get("/me/ratings/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")

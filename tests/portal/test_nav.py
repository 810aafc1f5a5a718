"""The main navigation: each role sees the pages its work opens, and only those, and every
link it is offered opens."""

import re

import pytest
from django.test import Client

from tests.factories import catalog
from tests.factories import subjects as people
from yimen.catalog.models import Role
from yimen.subjects.services import staff_role_assign

pytestmark = pytest.mark.django_db

PUBLIC = {"/items/", "/bundles/", "/power-list/", "/verify", "/satisfaction/", "/complaints/new/"}
ACCOUNT = "/accounts/"
EXPECTED = {
    "anonymous": PUBLIC | {"/accounts/login/"},
    "citizen": PUBLIC | {"/me/cases/", "/me/materials/", "/me/licences/", ACCOUNT},
    Role.CLERK: PUBLIC | {"/window/", ACCOUNT},
    Role.REVIEWER: PUBLIC | {"/work/", "/oversight/ratings/", ACCOUNT},
    Role.INSPECTOR: PUBLIC | {"/work/", "/oversight/ratings/", ACCOUNT},
    Role.APPROVER: PUBLIC | {"/work/", "/findings/", "/oversight/ratings/", ACCOUNT},
    Role.SUPERVISOR: PUBLIC
    | {
        "/supervision/",
        "/oversight/ratings/",
        "/oversight/complaints/",
        "/oversight/assessment/",
        "/outbox/",
        ACCOUNT,
    },
    Role.REGULATOR: PUBLIC | {"/regulator/", ACCOUNT},
}


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


def client_for(who: str) -> Client:
    client = Client()
    if who == "citizen":
        client.force_login(people.citizen()[0])
    elif who != "anonymous":
        client.force_login(people.staff(who, department=catalog.department("SCJ", "市场监管局")))
    return client


def nav_of(html: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def nav_links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', nav_of(html)))


@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_is_offered_its_pages_and_only_those(who):
    client = client_for(who)
    offered = nav_links(client.get("/").content.decode())
    assert offered == EXPECTED[who]
    for url in sorted(offered):
        assert client.get(url).status_code == 200, url


def test_the_links_are_named_for_the_work_they_open():
    supervisor = nav_of(client_for(Role.SUPERVISOR).get("/").content.decode())
    for label in (
        "电子监察",
        "好差评整改",
        "投诉处理",
        "内部考评",
        "审管推送",
        "满意度",
        "投诉建议",
    ):
        assert f">{label}</a>" in supervisor
    citizen = nav_of(client_for("citizen").get("/").content.decode())
    for label in ("办事指南", "一件事", "权力清单", "证照查验", "我的办件", "我的材料", "我的证照"):
        assert f">{label}</a>" in citizen
    assert "综合窗口工作台" not in citizen and "电子监察" not in citizen


@pytest.mark.parametrize(
    ("who", "url", "current"),
    [
        ("citizen", "/me/cases/", "/me/cases/"),
        ("citizen", "/me/licences/", "/me/licences/"),
        (Role.SUPERVISOR, "/oversight/complaints/", "/oversight/complaints/"),
        (Role.SUPERVISOR, "/supervision/stats/", "/supervision/"),
        (Role.REGULATOR, "/regulator/", "/regulator/"),
        ("anonymous", "/items/", "/items/"),
    ],
)
def test_the_current_page_is_marked_once(who, url, current):
    nav = nav_of(client_for(who).get(url).content.decode())
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [current]


def test_a_member_of_staff_with_two_roles_sees_both():
    both = people.staff(Role.CLERK)
    staff_role_assign(account=both, role=Role.SUPERVISOR)
    client = Client()
    client.force_login(both)
    offered = nav_links(client.get("/").content.decode())
    assert EXPECTED[Role.CLERK] | EXPECTED[Role.SUPERVISOR] == offered


def test_department_staff_reach_their_bad_ratings_and_the_link_shows_once():
    reviewer = people.staff(Role.REVIEWER, department=catalog.department("SCJ", "市场监管局"))
    staff_role_assign(account=reviewer, role=Role.SUPERVISOR)
    client = Client()
    client.force_login(reviewer)
    nav = nav_of(client.get("/").content.decode())
    assert nav.count(">好差评整改</a>") == 1
    assert ">好差评整改</a>" in nav_of(client_for(Role.INSPECTOR).get("/").content.decode())

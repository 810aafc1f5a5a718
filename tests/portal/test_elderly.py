"""长辈模式 (适老化): a switch in the header, kept in a cookie, that makes pages larger,
plainer and higher in contrast. A plain form post: it works without JavaScript."""

import re
from pathlib import Path

import pytest
from django.test import Client

import yimen.portal

pytestmark = pytest.mark.django_db

CSS = Path(yimen.portal.__file__).parent / "static" / "portal" / "portal.css"


def body_tag(response) -> str:
    return re.search(r"<body[^>]*>", response.content.decode()).group(0)


def switch_button(response) -> str:
    return re.search(r'<form class="mode-switch".*?</form>', response.content.decode(), re.S)[0]


def test_the_switch_turns_elderly_mode_on_for_every_page_and_off_again():
    client = Client()
    page = client.get("/items/")
    assert body_tag(page) == "<body>"
    assert 'aria-pressed="false"' in switch_button(page)
    assert 'name="elderly" value="1"' in switch_button(page)

    response = client.post("/prefs/elderly/", {"elderly": "1", "next": "/items/?q=lnz"})

    assert response.status_code == 302 and response.url == "/items/?q=lnz"
    cookie = response.cookies["yimen_elderly"]
    assert cookie.value == "1" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    for path in ("/", "/items/", "/bundles/", "/power-list/"):
        on = client.get(path)
        assert body_tag(on) == '<body class="elderly">', path
        assert 'aria-pressed="true"' in switch_button(on)
        assert "（已开启）" in switch_button(on)

    off = client.post("/prefs/elderly/", {"elderly": "0", "next": "/"})
    assert off.cookies["yimen_elderly"].value == ""
    assert body_tag(client.get("/")) == "<body>"


def test_the_switch_only_returns_to_this_site():
    response = Client().post(
        "/prefs/elderly/", {"elderly": "1", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_the_switch_changes_nothing_on_a_get():
    response = Client().get("/prefs/elderly/?elderly=1")
    assert response.status_code == 405 and "yimen_elderly" not in response.cookies


def test_the_switch_is_protected_against_cross_site_posts():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/prefs/elderly/", {"elderly": "1"}).status_code == 403


def test_the_style_sheet_makes_elderly_pages_larger_plainer_and_stronger():
    css = CSS.read_text()
    rules = css[css.index("/* 长辈模式") :]

    assert "html:has(> body.elderly) { font-size: 137.5%; }" in rules  # 22px rem
    assert "font-size: max(22px, 1rem)" in rules
    assert "--target: 56px" in rules and "--ink: #000" in rules
    hidden = rules[rules.index(".elderly .site-brand__tagline") : rules.index("{ display: none; }")]
    assert ".elderly .secondary" in hidden and ".elderly .filters" in hidden

"""WCAG 2.1 AA basics on the home, search and guide pages and the online application:
every control labelled, errors tied to their fields, headings in order, the skip link's
target present, and the palette's contrast."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

import yimen.portal
from tests.factories import cases as make
from tests.factories import subjects as people
from yimen.cases.models import ApplicationDraft

pytestmark = pytest.mark.django_db

CSS = Path(yimen.portal.__file__).parent / "static" / "portal" / "portal.css"
CONTROLS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button"}


class Page(HTMLParser):
    """The parts of a page these checks read."""

    def __init__(self, html: str):
        super().__init__()
        self.controls, self.label_for, self.ids, self.headings = [], set(), set(), []
        self.open_labels = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in CONTROLS and attrs.get("type") not in UNLABELLED_TYPES:
            self.controls.append({**attrs, "tag": tag, "wrapped": self.open_labels > 0})
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[dict]:
        return [
            c
            for c in self.controls
            if not (c["wrapped"] or c.get("id") in self.label_for or c.get("aria-label"))
        ]

    def dangling_descriptions(self) -> list[str]:
        described = [i for c in self.controls for i in c.get("aria-describedby", "").split()]
        return [i for i in described if i not in self.ids]

    def heading_jumps(self) -> list[tuple[int, int]]:
        return [(a, b) for a, b in zip(self.headings, self.headings[1:], strict=False) if b > a + 1]


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def applying(crew):
    """A signed-in applicant with a draft of the food licence, and its code."""
    licence = make.licence_item()
    client = Client()
    client.force_login(crew.applicant)
    client.post(f"/apply/{licence.item.code}/", {"subject": crew.person.pk})
    return client, ApplicationDraft.objects.get(), licence.item.code


def checked(response) -> Page:
    assert response.status_code in (200, 422)
    page = Page(response.content.decode())
    assert page.unlabelled() == []
    assert page.dangling_descriptions() == []
    assert 'href="#main"' in response.content.decode() and "main" in page.ids
    return page


def test_the_public_pages_label_every_control_and_keep_headings_in_order(crew):
    code = make.licence_item().item.code
    for path in ("/", f"/items/{code}/"):
        page = checked(Client().get(path))
        assert page.headings.count(1) == 1 and page.heading_jumps() == [], path
    checked(Client().get("/items/", {"q": "shipin"}))


def test_every_step_of_an_application_is_labelled_and_in_order(applying):
    client, draft, code = applying
    pages = [
        client.get(f"/apply/{code}/"),
        client.get("/apply/drafts/"),
        client.get("/me/ratings/"),
    ]
    pages.append(client.post(f"/apply/drafts/{draft.pk}/form/", {"action": "next"}))
    client.post(f"/apply/drafts/{draft.pk}/form/", {"i0_shop_name": "老王面馆"})
    pages.append(client.post(f"/apply/drafts/{draft.pk}/materials/", {"action": "next"}))
    for response in pages:
        page = checked(response)
        assert page.headings.count(1) == 1 and page.heading_jumps() == [], response.request


def test_a_field_in_error_is_marked_invalid_and_described_by_its_message(applying):
    client, draft, _code = applying

    response = client.post(f"/apply/drafts/{draft.pk}/form/", {"action": "next"})

    html = response.content.decode()
    field = re.search(r'<input[^>]*name="i0_shop_name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_i0_shop_name_error"' in field
    message = re.search(r'<p class="field-error" id="id_i0_shop_name_error">(.*?)</p>', html, re.S)
    assert "店铺名称为必填项。" in message.group(1)
    assert 'role="alert"' in html and '<a href="#id_i0_shop_name">' in html


# --- contrast ------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def palette(selector: str) -> dict[str, str]:
    css = CSS.read_text()
    block = css[css.index(selector + " {") :]
    block = block[: block.index("}")]
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


@pytest.mark.parametrize("selector", [":root", "body.elderly"])
def test_text_colours_have_at_least_4_5_to_1_contrast_on_their_backgrounds(selector):
    colours = {**palette(":root"), **palette(selector)}
    white = "#ffffff"
    pairs = [
        (colours[text], colours[ground])
        for text in ("ink", "muted", "brand", "brand-dark", "danger")
        for ground in ("paper", "tint", "info-tint")
    ]
    pairs += [(colours["danger"], colours["danger-tint"]), (white, colours["brand"])]
    pairs += [(white, colours["brand-dark"])]
    assert min(contrast(a, b) for a, b in pairs) >= 4.5

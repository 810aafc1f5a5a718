"""English as the second language: the switch, the chrome of every public page, the online
application end to end, and a translation for every string of the pages people meet first.

The English messages are compiled from src/yimen/locale (the .po file is the source; the
compiled .mo is not kept) into a temporary directory with gettext's msgfmt.
"""

import gettext
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from reportlab.pdfgen import canvas

import yimen
from tests.factories import catalog
from tests.factories import subjects as people
from yimen.catalog import services as catalog_services
from yimen.catalog.models import FormField

pytestmark = pytest.mark.django_db

PACKAGE = Path(yimen.__file__).parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
PORTAL = PACKAGE / "portal" / "templates" / "portal"
FIRST_MET = [
    "base.html",
    "catalog/home.html",
    "catalog/search.html",
    "catalog/item.html",
    "catalog/_item_list.html",
    "catalog/bundles.html",
    "catalog/bundle.html",
    "catalog/power_list.html",
    "accounts/login.html",
    "cases/my_cases.html",
    *sorted(str(p.relative_to(PORTAL)) for p in (PORTAL / "online").glob("*.html")),
]
HAN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    locale = tmp_path_factory.mktemp("locale")
    target = locale / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run([msgfmt, "--check", "-o", target / "django.mo", PO], check=True)
    return locale


@pytest.fixture
def english(settings, compiled) -> Client:
    """A visitor who chose English, with the compiled messages in use."""
    settings.LOCALE_PATHS = [compiled]
    people.sandbox(settings, compiled.parent)
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    return client


def page_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_choosing_english_gives_english_navigation_on_the_home_page(english):
    response = english.get("/")

    html = response.content.decode()
    assert '<html lang="en">' in html
    text = page_text(response)
    for words in (
        "Skip to main content",
        "Service guides",
        "Bundles",
        "Power list",
        "Sign in",
        "Find a service, read its guide, get it done in one go",
        "Search for a service",
        "Elderly mode",
    ):
        assert words in text
    assert "办事指南" not in text and "跳到主要内容" not in text


def test_chinese_stays_the_default():
    text = page_text(Client().get("/"))
    assert "办事指南" in text and "Service guides" not in text


# --- every string of the pages people meet first has its English -----------------------------


TRANSLATE_TAG = re.compile(r"{%\s*translate\s+([\"'])(.*?)\1")
GETTEXT_CALL = re.compile(r'_\("(.*?)"\)')
BLOCK_TAG = re.compile(r"{%\s*blocktranslate\b[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)


def template_messages(source: str) -> list[tuple[str, str | None]]:
    """(msgid, plural) of each translate and blocktranslate tag, as makemessages reads them."""
    found = [(text, None) for _quote, text in TRANSLATE_TAG.findall(source)]
    found += [(text, None) for text in GETTEXT_CALL.findall(source)]
    for block in BLOCK_TAG.findall(source):
        singular, _sep, plural = block.partition("{% plural %}")
        found.append((as_msgid(singular), as_msgid(plural) if plural else None))
    return found


def as_msgid(body: str) -> str:
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)


@pytest.mark.parametrize("template", FIRST_MET)
def test_every_string_of_the_pages_people_meet_first_is_in_english(compiled, template):
    messages = gettext.GNUTranslations((compiled / "en" / "LC_MESSAGES" / "django.mo").open("rb"))
    source = (PORTAL / template).read_text()

    untranslated = []
    for msgid, plural in template_messages(source):
        english = messages.ngettext(msgid, plural, 2) if plural else messages.gettext(msgid)
        if english in (msgid, plural):
            untranslated.append(msgid)
    assert untranslated == []


# --- the online application, all in English but for the data ---------------------------------


@pytest.fixture
def english_item(db):
    version = catalog.draft(
        "220105-SCJ-001",
        name="Food business licence",
        lead_department=catalog.department("SCJ", "Market Regulation"),
        materials=(("lease", "Lease"),),
    )
    FormField.objects.create(
        version=version, order=1, key="shop", label="Shop name", field_type="text"
    )
    catalog_services.version_publish(version=version, actor="catalog-admin")
    return version


def test_an_online_application_speaks_english_from_start_to_review(english, english_item):
    account, person = people.citizen("Zhang Guilan")
    english.force_login(account)
    code = english_item.item.code

    pages = [english.get(f"/apply/{code}/")]
    draft_url = english.post(f"/apply/{code}/", {"subject": person.pk}).url
    pages.append(english.post(draft_url, {"action": "next"}))
    english.post(draft_url, {"i0_shop": "Wang's noodles", "action": "next"})
    materials = draft_url.replace("form", "materials")
    pages.append(english.post(materials, {"action": "next"}))
    english.post(materials, {"m_lease": scanned_lease(), "action": "next"})
    pages.append(english.get(draft_url.replace("form", "review")))
    pages += [english.get("/apply/drafts/"), english.get("/me/ratings/")]

    for response in pages:
        leftovers = set(HAN.findall(page_text(response))) - {"简体中文"}
        assert leftovers == set(), response.request["PATH_INFO"]
    assert "Shop name is required." in page_text(pages[1])
    assert "Upload “Lease”." in page_text(pages[2])
    assert "Applying through: Online hall." in page_text(pages[3])


def scanned_lease() -> SimpleUploadedFile:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "lease")
    page.save()
    return SimpleUploadedFile("lease.pdf", out.getvalue(), content_type="application/pdf")

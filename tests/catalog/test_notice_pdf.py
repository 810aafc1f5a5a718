"""The one-time notice PDF, read back the way a person meets it: as text and as a rendered page."""

import datetime as dt
import logging
import os
import re
import shutil
import subprocess

import pytest
import time_machine
from django.test import override_settings
from PIL import Image

from yimen import pdf
from yimen.catalog import selectors, services
from yimen.catalog.models import (
    Department,
    HandlingType,
    ItemType,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    OnlineDepth,
    Role,
    StageKind,
    StageSpec,
    SubjectType,
)
from yimen.catalog.notice import render_notice

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfinfo")),
    reason="poppler-utils (pdftotext, pdftoppm, pdfinfo) is not installed",
)

# 2025-03-01 17:30 UTC is already 2 March in Shanghai.
PRINTED_AT = dt.datetime(2025, 3, 1, 17, 30, tzinfo=dt.UTC)

MATERIALS = [
    # name, originals, copies, necessity, reusable, notes
    ("居民身份证", 1, 1, MaterialSpec.Necessity.REQUIRED, True, "核验原件后退还"),
    ("户口簿", 1, 1, MaterialSpec.Necessity.REQUIRED, True, ""),
    ("食品经营许可申请书", 1, 0, MaterialSpec.Necessity.REQUIRED, False, "申请人签字并按手印"),
    ("经营场所使用证明", 0, 2, MaterialSpec.Necessity.TOLERABLE, False, "租赁合同或产权证明"),
]
LAWS = [
    ("中华人民共和国食品安全法", "第三十五条", "国家对食品生产经营实行许可制度。"),
    ("食品经营许可和备案管理办法", "第十条", ""),
]


def publish_item(code="220105-SJ-001", materials=MATERIALS, **overrides):
    lead = Department.objects.get_or_create(code="SJJ", defaults={"name": "区市场监督管理局"})[0]
    fields = {
        "name": "食品经营许可证核发",
        "item_type": ItemType.LICENSING,
        "subject_type": SubjectType.BOTH,
        "lead_department": lead,
        "acceptance_conditions": "申请人具有与经营的食品品种、数量相适应的经营场所。",
        "handling_type": HandlingType.COMMITTED,
        "legal_limit_days": 20,
        "committed_limit_days": 5,
        "fee_fen": 1250,
        "fee_basis": "吉价收费〔2019〕12号",
        "visits_required": 1,
        "visits_reason": "现场核验身份",
        "online_depth": OnlineDepth.ONLINE_ACCEPT,
        "delivery_modes": ["window", "post"],
        "handling_locations": "二道区政务服务中心一楼综合窗口",
        "consult_phone": "0431-84600123",
        "complaint_phone": "0431-12345678",
        **overrides,
    }
    draft = services.item_create(code=code, **fields)
    for order, (law, article, text) in enumerate(LAWS):
        LegalBasis.objects.create(version=draft, order=order, law=law, article=article, text=text)
    for order, (name, originals, copies, necessity, reusable, notes) in enumerate(materials):
        MaterialSpec.objects.create(
            version=draft,
            order=order,
            kind=MaterialKind.objects.get_or_create(code=f"k{order}", defaults={"name": name})[0],
            name=name,
            form=MaterialSpec.Form.PAPER,
            originals=originals,
            copies=copies,
            source=MaterialSpec.Source.APPLICANT,
            reusable=reusable,
            necessity=necessity,
            notes=notes,
        )
    add_stages(draft, lead, counted_days=0 if fields["committed_limit_days"] == 0 else 2)
    services.version_publish(
        version=draft, actor="catalog-admin", effective_from=dt.date(2025, 1, 1)
    )
    return selectors.current_version(code, on=dt.date(2025, 3, 2))


def add_stages(draft, lead, *, counted_days):
    stages = [
        (StageKind.ACCEPT, "受理", Role.CLERK, counted_days // 2, False, None),
        (StageKind.INSPECTION, "现场核查", Role.INSPECTOR, 0, True, 10),
        (
            StageKind.DECISION,
            "审批决定",
            Role.APPROVER,
            counted_days - counted_days // 2,
            False,
            None,
        ),
    ]
    for order, (kind, name, role, days, stops_clock, max_days) in enumerate(stages, 1):
        StageSpec.objects.create(
            version=draft,
            order=order,
            kind=kind,
            name=name,
            role=role,
            department=lead,
            share_days=days,
            stops_clock=stops_clock,
            max_days=max_days,
        )


def render(version) -> bytes:
    with time_machine.travel(PRINTED_AT, tick=False):
        return render_notice(version)


def poppler(tool: str, *args: str, pdf_bytes: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool, *args, "-", "-"], input=pdf_bytes, capture_output=True, check=True, timeout=60
    )


def pdf_text(pdf_bytes: bytes, *page_range: str) -> str:
    """The text poppler extracts, in drawing order, with all white space removed."""
    out = poppler("pdftotext", "-raw", "-enc", "UTF-8", *page_range, pdf_bytes=pdf_bytes).stdout
    return re.sub(r"\s+", "", out.decode())


def page_count(pdf_bytes: bytes) -> int:
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf_bytes, capture_output=True, check=True, timeout=60
    )
    return int(re.search(rb"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def fonts_listed(pdf_bytes: bytes) -> str:
    listed = subprocess.run(
        ["pdffonts", "-"], input=pdf_bytes, capture_output=True, check=True, timeout=60
    )
    return listed.stdout.decode()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_poppler
def test_notice_text_is_real_chinese_text():
    version = publish_item()
    text = pdf_text(render(version))

    expected = [
        "一次性告知单",
        "长春市二道区行政审批局",
        version.name,
        version.item.code,
        version.acceptance_conditions,
        "12.50元",
        version.fee_basis,
        "法定时限20个工作日（依法可延长10个工作日）",
        "承诺时限5个工作日",
        version.consult_phone,
        version.complaint_phone,
        version.handling_locations,
        "到现场次数1次（现场核验身份）",
        "窗口领取、快递送达",
        "特别程序，不计入时限（最长10个工作日）",
        "本告知单一次性告知办理该事项所需全部材料",
        "打印日期：2025年3月2日",
    ]
    expected += [squeeze(f"《{law}》{article}") for law, article, _text in LAWS]
    expected += [name for name, *_rest in MATERIALS]
    expected += [notes for *_rest, notes in MATERIALS if notes]
    for fragment in expected:
        assert squeeze(fragment) in text, fragment


@needs_poppler
def test_materials_table_states_copies_necessity_and_locker():
    text = pdf_text(render(publish_item()))

    assert "居民身份证（已在材料库的可免交）原件1份复印件1份纸质申请人自备必要" in text
    assert "食品经营许可申请书原件1份纸质申请人自备必要" in text
    assert "经营场所使用证明复印件2份纸质申请人自备容缺后补" in text
    assert text.count("已在材料库的可免交") == 1 + sum(1 for m in MATERIALS if m[4])


@needs_poppler
def test_instant_free_item_says_instant_and_free():
    version = publish_item(
        handling_type=HandlingType.INSTANT, committed_limit_days=0, fee_fen=0, fee_basis=""
    )
    text = pdf_text(render(version))

    assert "承诺时限即办件，即来即办" in text
    assert "收费免费" in text
    assert "依法可延长" not in text


def render_page_one(pdf_bytes: bytes, tmp_path) -> tuple[Image.Image, str]:
    """Page 1 as poppler draws it on a machine with no fonts at all, and what poppler said."""
    (tmp_path / "fonts.conf").write_text(
        f"<fontconfig><dir>{tmp_path}/no-fonts</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    result = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-singlefile", "-", str(tmp_path / "page")],
        input=pdf_bytes,
        capture_output=True,
        check=True,
        timeout=60,
        env={**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")},
    )
    return Image.open(tmp_path / "page.png").convert("L"), result.stderr.decode()


@needs_poppler
def test_page_one_renders_with_the_embedded_font_only(tmp_path):
    pdf_bytes = render(publish_item())
    assert "yes yes yes" in fonts_listed(pdf_bytes), "Chinese font must be an embedded subset"

    page, complaints = render_page_one(pdf_bytes, tmp_path)

    a4_at_50_dpi = (pdf.PAGE_WIDTH * 50 / 72, pdf.PAGE_HEIGHT * 50 / 72)
    assert all(abs(got - want) <= 1 for got, want in zip(page.size, a4_at_50_dpi, strict=True))
    dark = sum(page.histogram()[:128])
    assert dark > page.width * page.height * 0.01, "page 1 is blank"
    assert "font" not in complaints.lower(), complaints


@needs_poppler
def test_without_fonts_poppler_cannot_draw_the_cid_fallback(tmp_path, not_a_font):
    """The control for the test above: its font check does see a missing font."""
    with override_settings(YIMEN_PDF_FONT_PATHS=[str(not_a_font)]):
        pdf_bytes = render(publish_item())

    _page, complaints = render_page_one(pdf_bytes, tmp_path)

    assert "Couldn't find a font" in complaints


@needs_poppler
def test_long_material_list_runs_onto_numbered_pages():
    materials = [
        (f"第{i}号证明材料", 1, 1, MaterialSpec.Necessity.REQUIRED, False, "须加盖公章" * 3)
        for i in range(1, 41)
    ]
    pdf_bytes = render(publish_item(materials=materials))

    pages = page_count(pdf_bytes)
    assert pages >= 2
    for number in range(1, pages + 1):
        page_text = pdf_text(pdf_bytes, "-f", str(number), "-l", str(number))
        assert f"第{number}页共{pages}页" in page_text
    later_pages = pdf_text(pdf_bytes, "-f", "2", "-l", str(pages))
    assert "材料名称" in later_pages, "the table header repeats on the next page"
    assert "第40号证明材料" in later_pages


@needs_poppler
def test_header_carries_the_configured_bureau_name():
    with override_settings(YIMEN_BUREAU_NAME="长春市南关区行政审批局"):
        text = pdf_text(render(publish_item()))

    assert "长春市南关区行政审批局" in text


@pytest.fixture
def not_a_font(tmp_path):
    path = tmp_path / "broken.ttf"
    path.write_bytes(b"this is not a font")
    return path


@needs_poppler
def test_an_unusable_font_file_is_skipped_for_the_next_candidate(not_a_font):
    with override_settings(YIMEN_PDF_FONT_PATHS=[str(not_a_font), *pdf.DEFAULT_FONT_PATHS]):
        pdf_bytes = render(publish_item())

    assert "yes yes yes" in fonts_listed(pdf_bytes)
    assert pdf.FALLBACK_CID_FONT not in fonts_listed(pdf_bytes)


@needs_poppler
def test_without_a_font_file_falls_back_to_the_cid_font(tmp_path, not_a_font, caplog):
    version = publish_item()

    with (
        override_settings(YIMEN_PDF_FONT_PATHS=[str(tmp_path / "missing.ttc"), str(not_a_font)]),
        caplog.at_level(logging.WARNING, logger="yimen.pdf"),
    ):
        first, second = render(version), render(version)

    assert pdf.FALLBACK_CID_FONT in fonts_listed(first)
    assert version.name in pdf_text(first)
    assert "经营场所使用证明" in pdf_text(second)
    fallback_warnings = [r for r in caplog.records if "No embeddable CJK font" in r.message]
    assert len(fallback_warnings) == 1, "the fallback is logged once, not on every document"
    assert any(str(not_a_font) in r.getMessage() for r in caplog.records)


def test_same_version_renders_to_the_same_bytes():
    version = publish_item()

    assert render(version) == render(version)


def test_rendering_a_prefetched_version_runs_no_queries(django_assert_num_queries):
    version = publish_item()

    with django_assert_num_queries(0):
        render(version)

"""The bureau's documents as an applicant meets them: text to read, a red seal to see, a QR
code to scan; and the numbers every licence carries."""

import datetime as dt
import io
import shutil
import string
import subprocess

import pytest
import segno
from PIL import Image, ImageChops
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from stdnum.iso7064 import mod_37_36

from tests.factories import cases as factories
from tests.factories import subjects as people
from yimen.cases import services
from yimen.catalog.models import SubjectType
from yimen.errors import InvalidInput, NotFound
from yimen.licences.documents import (
    LetterData,
    LetterKind,
    LicenceData,
    letter_data_for,
    letters,
    licence,
    qr,
    render_correction_notice,
    render_decision,
    render_licence,
    render_receipt,
    render_refusal,
)
from yimen.licences.numbering import identifier_is_valid, licence_identifier, licence_number

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo")),
    reason="poppler-utils (pdftotext, pdftoppm, pdfinfo) is not installed",
)
needs_zbar = pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbar-tools (zbarimg) is not installed"
)

BUREAU = "长春市二道区行政审批局"
DAY = dt.date(2025, 9, 26)
PAYLOAD = "https://yimen.example.gov.cn/verify?p=eyJkb2MiOiIyMjAxMDUtMjAyNS0wMDAxMjMifQ"
ISSUER_USCC = "11220105013546785A"
IDENTIFIER = "1.2.156.3005.2.SPJYXK.11220105013546785A.2201052026000123.001.4"
MM = 72 / 25.4  # points per millimetre


# --- reading a PDF the way a person does ---------------------------------------------------


def text_of(document: bytes) -> str:
    """The document's text with the layout's line breaks and spaces removed."""
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=document, capture_output=True, check=True
    )
    return "".join(result.stdout.decode().split())


def page_count(document: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=document, capture_output=True, check=True)
    pages = next(line for line in info.stdout.decode().splitlines() if line.startswith("Pages:"))
    return int(pages.split()[1])


def first_page(document: bytes, tmp_path, dpi: int) -> Image.Image:
    target = tmp_path / f"page-{dpi}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", "-", target],
        input=document,
        check=True,
    )
    return Image.open(f"{target}.png").convert("RGB")


def mask(image: Image.Image, red, green, blue) -> Image.Image:
    """White where each channel passes its test, black elsewhere."""
    channels = [
        c.point(lambda v, t=t: 255 if t(v) else 0)
        for c, t in zip(image.split(), (red, green, blue), strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])


def seal_red(image: Image.Image) -> Image.Image:
    # The seal's #D0021B, not the licence frame's darker #9A1B1B.
    return mask(image, lambda v: v > 180, lambda v: v < 90, lambda v: v < 100)


def black(image: Image.Image) -> Image.Image:
    return mask(image, lambda v: v < 80, lambda v: v < 80, lambda v: v < 80)


def count(white_mask: Image.Image) -> int:
    return white_mask.histogram()[255]


def assert_one_seal(document: bytes, tmp_path, diameter_mm: float) -> tuple[int, int, int, int]:
    """One red seal of the given size on page 1, in its right half, with black text (the
    bureau's name and the date) showing through it. Returns the seal's box in pixels."""
    dpi = 100
    image = first_page(document, tmp_path, dpi)
    red = seal_red(image)
    box = red.getbbox()
    assert box is not None, "no red on the page"
    left, top, right, bottom = box
    expected = diameter_mm / 25.4 * dpi
    assert abs((right - left) - expected) < 4 and abs((bottom - top) - expected) < 4
    assert left > image.width / 2
    assert count(red) > 0.08 * (right - left) * (bottom - top)
    assert count(black(image.crop(box))) > 200
    return box


def assert_qr_encodes(document: bytes, tmp_path, origin, size: float, payload: str) -> None:
    """Read the QR code on page 1 module by module: it is segno's symbol for `payload`."""
    dpi = 300
    image = first_page(document, tmp_path, dpi).convert("L")
    symbol = segno.make(payload, error=qr.ERROR_LEVEL, mask=qr.MASK)
    expected = [list(row) for row in symbol.matrix]
    modules = len(expected) + 2 * qr.QUIET_ZONE
    unit = size / modules
    page_height = image.height / dpi * 72
    x0, y0 = origin
    seen = [
        [
            image.getpixel(
                (
                    round((x0 + (col + qr.QUIET_ZONE + 0.5) * unit) / 72 * dpi),
                    round(
                        (page_height - y0 - size + (row + qr.QUIET_ZONE + 0.5) * unit) / 72 * dpi
                    ),
                )
            )
            < 128
            for col in range(len(expected))
        ]
        for row in range(len(expected))
    ]
    assert seen == [[bool(m) for m in row] for row in expected]


def scanned(document: bytes, tmp_path) -> list[str]:
    """What a QR reader (zbar) finds on page 1."""
    page = tmp_path / "scan.png"
    first_page(document, tmp_path, 300).save(page)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


# --- cases in every state a letter is written in (crew and food: conftest.py) -----------


@pytest.fixture(autouse=True)
def _appeal_bodies(settings):
    settings.YIMEN_BUREAU_NAME = BUREAU
    settings.YIMEN_REVIEW_BODY = "长春市二道区人民政府"
    settings.YIMEN_COURT = "长春铁路运输法院"


def decided(crew, version, *, grant: bool, reason: str):
    case = factories.accepted(crew, version, day=DAY)
    services.task_complete(task=factories.open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    return services.case_decide(
        case=case, approver=crew.approver, grant=grant, reason=reason, now=factories.at(DAY, 15)
    )


def chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the letters ---------------------------------------------------------------------------


@needs_poppler
def test_the_receipt_names_the_case_the_acceptance_and_the_deadline(crew, food, tmp_path):
    case = factories.accepted(crew, food, day=DAY)

    document = render_receipt(letter_data_for(case, "receipt"), PAYLOAD)

    text = text_of(document)
    for expected in (
        BUREAU,
        "受理通知书",
        f"二审批受字〔2025〕第{case.pk:06d}号",
        "张桂兰：",
        f"“{food.name}”申请",
        case.case_no,
        "申请材料齐全、符合法定形式",
        "第三十二条第一款第（五）项",
        f"受理日期为{chinese(DAY)}",
        f"本机关将于{chinese(case.deadline)}前作出决定",
        "扫码核验",
    ):
        assert expected in text
    assert "申请行政复议" not in text
    assert_one_seal(document, tmp_path, diameter_mm=42)
    assert_qr_encodes(document, tmp_path, letters.QR_ORIGIN, letters.QR_SIZE, PAYLOAD)


@needs_poppler
def test_a_receipt_with_pending_material_says_what_to_bring_by_when(crew, food):
    case = factories.submitted(crew, food, day=DAY, provided=("id_card", "lease"))
    due = dt.date(2025, 10, 20)
    services.case_accept_pending(
        case=case, clerk=crew.clerk, pending={"floor_plan": due}, now=factories.at(DAY, 11)
    )

    text = text_of(render_receipt(letter_data_for(case, "receipt"), PAYLOAD))

    assert f"经营场所平面图（{chinese(due)}前）" in text
    assert "补齐前本机关不作出决定" in text


@needs_poppler
def test_the_correction_notice_lists_every_deficiency_at_once(crew, food, tmp_path):
    case = factories.submitted(crew, food, day=DAY, provided=("floor_plan",))
    notice = services.case_request_correction(
        case=case, clerk=crew.clerk, notes=["申请书第3页缺少申请人签字"], now=factories.at(DAY, 11)
    )

    document = render_correction_notice(letter_data_for(case, "correction"), PAYLOAD)

    text = text_of(document)
    for expected in (
        "补正材料通知书",
        f"二审批补字〔2025〕第{notice.pk:06d}号",
        "现一次性告知你需要补正的全部内容",
        "1.补交材料：居民身份证",
        "2.补交材料：租赁合同",
        "3.申请书第3页缺少申请人签字",
        "补正材料齐全之日为受理日期",
    ):
        assert expected in text
    assert_one_seal(document, tmp_path, diameter_mm=42)


@needs_poppler
def test_the_refusal_gives_reason_basis_and_the_right_to_appeal(crew, food, tmp_path):
    case = factories.submitted(crew, food, day=DAY)
    services.case_refuse(
        case=case,
        clerk=crew.clerk,
        reason="申请事项不属于本机关职权范围。",
        legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        now=factories.at(DAY, 11),
    )

    document = render_refusal(letter_data_for(case, "refusal"), PAYLOAD)

    text = text_of(document)
    assert "不予受理通知书" in text
    assert f"二审批不受字〔2025〕第{case.pk:06d}号" in text
    assert (
        "经审查，申请事项不属于本机关职权范围。根据《中华人民共和国行政许可法》"
        "第三十二条第一款第（二）项的规定，本机关决定不予受理。"
    ) in text
    assert (
        "如不服本决定，可在收到本通知书之日起六十日内向长春市二道区人民政府申请行政复议，"
        "或者在六个月内向长春铁路运输法院提起行政诉讼。"
    ) in text
    assert_one_seal(document, tmp_path, diameter_mm=42)


@needs_poppler
def test_the_grant_cites_the_item_law_and_names_the_licence(crew, food):
    case = decided(crew, food, grant=True, reason="经营场所符合要求")
    services.case_issue_licence(case=case, actor=crew.approver, licence_ref="220105-2025-000042")

    data = letter_data_for(case, "decision")
    text = text_of(render_decision(data, PAYLOAD))

    assert data.kind == LetterKind.GRANT
    assert "准予行政许可决定书" in text
    assert f"二审批许字〔2025〕第{case.pk:06d}号" in text
    assert (
        "根据《中华人民共和国食品安全法》第35条和《中华人民共和国行政许可法》第三十八条第一款"
        "的规定，本机关决定准予行政许可。"
    ) in text
    assert "证照编号为220105-2025-000042" in text
    assert "申请行政复议" not in text


@needs_poppler
def test_the_denial_gives_reasons_and_the_right_to_appeal(crew, food, tmp_path):
    case = decided(crew, food, grant=False, reason="选址不符合规划")

    document = render_decision(letter_data_for(case, "decision"), PAYLOAD)

    text = text_of(document)
    assert "不予行政许可决定书" in text
    assert "经审查，选址不符合规划。" in text
    assert "第三十八条第二款的规定，本机关决定不予行政许可。" in text
    assert "如不服本决定，可在收到本决定书之日起六十日内向长春市二道区人民政府申请行政复议" in text
    assert_one_seal(document, tmp_path, diameter_mm=42)


def test_an_organisation_is_addressed_as_your_unit(crew):
    for_both = factories.licence_item("220105-SCJ-002", subject_type=SubjectType.BOTH)
    organisation = people.organisation()
    case = services.case_submit(
        actor=crew.clerk,
        subject=organisation,
        item_code=for_both.item.code,
        channel="window",
        form={"shop_name": "东盛食堂"},
        provided=factories.ALL_MATERIALS,
        now=factories.at(DAY),
    )
    services.case_accept(case=case, clerk=crew.clerk, now=factories.at(DAY, 11))

    data = letter_data_for(case, "receipt")

    assert data.to_organisation and data.addressee == organisation.name


def test_a_letter_the_case_does_not_have_yet_is_not_found(crew, food):
    case = factories.submitted(crew, food, day=DAY)

    for kind, code in (
        ("receipt", "no_receipt"),
        ("correction", "no_correction_notice"),
        ("refusal", "no_refusal"),
        ("decision", "no_decision"),
    ):
        with pytest.raises(NotFound) as refused:
            letter_data_for(case, kind)
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as unknown:
        letter_data_for(case, "licence")
    assert unknown.value.code == "unknown_document"


def letter(kind: LetterKind, **fields) -> LetterData:
    defaults = {
        "doc_number": "二审批补字〔2026〕第000007号",
        "addressee": "王建国",
        "case_no": "220105-20260302-000007",
        "item_name": "食品经营许可",
        "received_on": dt.date(2026, 3, 2),
        "issued_on": dt.date(2026, 3, 3),
        "issuer": BUREAU,
    }
    return LetterData(kind=kind, **{**defaults, **fields})


@needs_poppler
def test_a_long_notice_runs_onto_a_second_page_with_the_seal_after_the_text():
    deficiencies = [f"补交材料：第{n}号附件" for n in range(1, 31)]

    document = render_correction_notice(
        letter(LetterKind.CORRECTION, deficiencies=deficiencies), PAYLOAD
    )

    assert page_count(document) > 1
    text = text_of(document)
    assert "30.补交材料：第30号附件" in text
    assert text.index("30.补交材料") < text.index("2026年3月3日") and "—2—" in text


def test_each_renderer_makes_only_its_own_letter():
    receipt = letter(LetterKind.RECEIPT, accepted_on=dt.date(2026, 3, 3))

    for render in (render_correction_notice, render_refusal, render_decision):
        with pytest.raises(ValueError, match="receipt"):
            render(receipt, PAYLOAD)


def test_a_refusal_without_where_to_appeal_is_not_made():
    with pytest.raises(ValueError, match="review_body, court"):
        letter(LetterKind.REFUSAL, reason="不属于本机关职权范围", legal_basis=["第三十二条"])


# --- the e-licence -------------------------------------------------------------------------


def food_licence(**overrides) -> LicenceData:
    fields = {
        "title": "食品经营许可证",
        "number": "220105-2026-000123",
        "identifier": IDENTIFIER,
        "holder_name": "长春市二道区老王面馆",
        "holder_code_display": "92220105MA17XXXX0K",
        "holder_code_label": "统一社会信用代码",
        "item_name": "食品经营许可证核发",
        "rows": [
            ("经营场所", "吉林省长春市二道区东盛大街1234号一楼"),
            ("经营项目", "热食类食品制售；冷食类食品制售"),
        ],
        "valid_from": dt.date(2026, 3, 5),
        "valid_until": dt.date(2031, 3, 4),
        "issuer": BUREAU,
        "issued_on": dt.date(2026, 3, 5),
    }
    return LicenceData(**{**fields, **overrides})


@needs_poppler
def test_the_licence_shows_holder_item_term_issuer_and_identifier(tmp_path):
    document = render_licence(food_licence(), PAYLOAD)

    text = text_of(document)
    for expected in (
        "食品经营许可证",
        "证照编号：220105-2026-000123",
        "长春市二道区老王面馆",
        "统一社会信用代码",
        "92220105MA17XXXX0K",
        "食品经营许可证核发",
        "吉林省长春市二道区东盛大街1234号一楼",
        "热食类食品制售；冷食类食品制售",
        "2026年3月5日至2031年3月4日",
        BUREAU,
        "扫码核验",
        f"电子证照标识：{IDENTIFIER}",
    ):
        assert expected in text
    assert page_count(document) == 1
    box = assert_one_seal(document, tmp_path, diameter_mm=40)
    assert box[1] > first_page(document, tmp_path, 100).height / 2  # in the lower half
    assert_qr_encodes(document, tmp_path, licence.QR_ORIGIN, licence.QR_SIZE, PAYLOAD)


@needs_poppler
@needs_zbar
def test_a_reader_scans_the_licences_code_as_its_payload(tmp_path):
    long_payload = PAYLOAD + "." + "A" * 300  # as long as a signed licence payload
    assert scanned(render_licence(food_licence(), long_payload), tmp_path) == [long_payload]


@needs_poppler
def test_a_licence_without_end_is_long_term_and_long_contents_stay_on_one_page():
    rows = [(f"附加事项{n}", "热食类食品制售；冷食类食品制售；自制饮品制售") for n in range(1, 25)]

    document = render_licence(food_licence(valid_until=None, rows=rows), PAYLOAD)

    assert page_count(document) == 1
    text = text_of(document)
    assert "长期（自2026年3月5日起）" in text and "附加事项24" in text


def test_documents_are_the_same_bytes_for_the_same_data():
    data = food_licence()
    assert render_licence(data, PAYLOAD) == render_licence(data, PAYLOAD)
    assert render_licence(data, PAYLOAD) != render_licence(data, PAYLOAD + "x")


def test_every_document_opens_for_an_incremental_signature():
    documents = [
        render_licence(food_licence(), PAYLOAD),
        render_receipt(letter(LetterKind.RECEIPT, accepted_on=dt.date(2026, 3, 3)), PAYLOAD),
    ]
    for document in documents:
        writer = IncrementalPdfFileWriter(io.BytesIO(document))
        output = io.BytesIO()
        writer.write(output)
        signed_later = output.getvalue()
        assert signed_later.startswith(document)
        assert PdfFileReader(io.BytesIO(signed_later)).total_revisions == 2


# --- the numbers ---------------------------------------------------------------------------


def test_licence_number_is_area_year_and_sequence():
    assert licence_number("220105", 2026, 123) == "220105-2026-000123"
    assert licence_number("220105", 2026, 1234567) == "220105-2026-1234567"


@pytest.mark.parametrize(
    ("area", "year", "sequence", "code"),
    [
        ("22010", 2026, 1, "invalid_area_code"),
        ("22010X", 2026, 1, "invalid_area_code"),
        ("220105", 26, 1, "invalid_year"),
        ("220105", 2026, 0, "invalid_sequence"),
    ],
)
def test_licence_number_refuses_bad_parts(area, year, sequence, code):
    with pytest.raises(InvalidInput) as refused:
        licence_number(area, year, sequence)
    assert refused.value.code == code


def test_identifier_check_character_matches_the_hand_computed_one():
    # ISO 7064 MOD 37,36 over "1215630052SPJYXK11220105013546785A2201052026000123001",
    # worked through the hybrid recursion apart from stdnum: P starts at 36, each character
    # gives P = 2·((P + value) mod 36 or 36) mod 37, and the check c makes (P + c) mod 36 = 1.
    assert licence_identifier("SPJYXK", ISSUER_USCC, "2201052026000123") == IDENTIFIER
    assert identifier_is_valid(IDENTIFIER)


def test_a_reissue_counts_up_the_version_and_gets_its_own_check():
    reissue = licence_identifier("SPJYXK", ISSUER_USCC, "2201052026000123", version=2)
    assert reissue.startswith(IDENTIFIER[: -len("001.4")] + "002.")
    assert identifier_is_valid(reissue)


def test_identifier_is_valid_rejects_any_changed_character():
    alphabet = string.digits + string.ascii_uppercase
    for index, char in enumerate(IDENTIFIER):
        if char == ".":
            continue
        for other in alphabet:
            if other != char:
                changed = IDENTIFIER[:index] + other + IDENTIFIER[index + 1 :]
                assert not identifier_is_valid(changed), changed


def test_identifier_is_valid_checks_the_issuer_code_on_its_own():
    # Swapping two digits of the issuer code slips past MOD 37,36 here; GB 32100's check doesn't.
    swapped = IDENTIFIER.replace("546785A", "546875A")
    assert mod_37_36.calc_check_digit(swapped[:-2].replace(".", "")) == swapped[-1]
    assert not identifier_is_valid(swapped)


def test_identifier_is_valid_rejects_wrong_shapes():
    for wrong in (
        "",
        IDENTIFIER.replace(".", ""),
        IDENTIFIER.lower(),
        IDENTIFIER.replace("1.2.156.3005.2", "1.2.156.3005.1"),
        IDENTIFIER[: -len(".4")],
        IDENTIFIER.replace(".001.", ".01."),
    ):
        assert not identifier_is_valid(wrong), wrong


@pytest.mark.parametrize(
    ("type_code", "issuer", "serial", "version", "code"),
    [
        ("SP-JY", ISSUER_USCC, "1", 1, "invalid_type_code"),
        ("SPJYXK", "11220105013546785B", "1", 1, "invalid_uscc"),
        ("SPJYXK", ISSUER_USCC, "220105-2026-000123", 1, "invalid_serial"),
        ("SPJYXK", ISSUER_USCC, "1", 0, "invalid_licence_version"),
        ("SPJYXK", ISSUER_USCC, "1", 1000, "invalid_licence_version"),
    ],
)
def test_licence_identifier_refuses_bad_parts(type_code, issuer, serial, version, code):
    with pytest.raises(InvalidInput) as refused:
        licence_identifier(type_code, issuer, serial, version)
    assert refused.value.code == code

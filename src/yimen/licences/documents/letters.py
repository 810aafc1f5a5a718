"""The bureau's letters about a case, laid out like the paper forms (GB/T 9704 measures):
the bureau and the letter's name centred at the top, the document number, the addressee,
the body in 三号 type, the rights notice where the law asks for one, and the bureau's name
and date at the bottom right under the seal. The QR code in the top right corner opens the
letter's verification page.
"""

import functools
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from yimen import pdf
from yimen.licences.documents import layout
from yimen.licences.documents.data import LetterData, LetterKind

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 28 * mm
MARGIN_RIGHT = 26 * mm
MARGIN_TOP = 34 * mm
MARGIN_BOTTOM = 28 * mm
BODY_SIZE = 16  # 三号
LINE_PITCH = 28
QR_SIZE = 24 * mm
# Lower-left corner of the QR code on the first page, in points from the page's lower left.
QR_ORIGIN = (PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE, PAGE_HEIGHT - 10 * mm - QR_SIZE)

TITLES = {
    LetterKind.RECEIPT: gettext_lazy("受理通知书"),
    LetterKind.CORRECTION: gettext_lazy("补正材料通知书"),
    LetterKind.REFUSAL: gettext_lazy("不予受理通知书"),
    LetterKind.GRANT: gettext_lazy("准予行政许可决定书"),
    LetterKind.DENY: gettext_lazy("不予行政许可决定书"),
}
LICENSING_LAW = gettext_lazy("《中华人民共和国行政许可法》")


def render_receipt(data: LetterData, qr_payload: str) -> bytes:
    """受理通知书, as unsigned PDF bytes."""
    return _render(data, qr_payload, LetterKind.RECEIPT)


def render_correction_notice(data: LetterData, qr_payload: str) -> bytes:
    """补正材料通知书（一次性告知）, as unsigned PDF bytes."""
    return _render(data, qr_payload, LetterKind.CORRECTION)


def render_refusal(data: LetterData, qr_payload: str) -> bytes:
    """不予受理通知书, as unsigned PDF bytes."""
    return _render(data, qr_payload, LetterKind.REFUSAL)


def render_decision(data: LetterData, qr_payload: str) -> bytes:
    """准予 or 不予行政许可决定书 (by the data's kind), as unsigned PDF bytes."""
    return _render(data, qr_payload, LetterKind.GRANT, LetterKind.DENY)


def render_letter(data: LetterData, qr_payload: str) -> bytes:
    """Whichever letter the data is for."""
    return _render(data, qr_payload, data.kind)


def _render(data: LetterData, qr_payload: str, *kinds: LetterKind) -> bytes:
    if data.kind not in kinds:
        raise ValueError(f"This renderer makes {', '.join(kinds)} letters, not {data.kind}.")
    title = str(TITLES[data.kind])

    def first_page(canvas: Canvas, document) -> None:
        layout.draw_verification_qr(canvas, qr_payload, *QR_ORIGIN, QR_SIZE)
        _draw_page_number(canvas)

    def later_pages(canvas: Canvas, document) -> None:
        _draw_page_number(canvas)

    return layout.build(
        pagesize=A4,
        frame=layout.frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        ),
        story=_story(data, title),
        first_page=first_page,
        later_pages=later_pages,
        title=title,
        author=data.issuer,
        subject=f"{data.doc_number} {data.case_no}",
    )


def _story(data: LetterData, title: str) -> list[Flowable]:
    *body, last = [_text(p, "body") for p in BODIES[data.kind](data)]
    signature = layout.Signature(
        issuer=data.issuer, issued_on=data.issued_on, font_size=BODY_SIZE, line_pitch=LINE_PITCH
    )
    return [
        _text(data.issuer, "issuer"),
        _text(title, "title"),
        _text(data.doc_number, "number"),
        _text(_("%(name)s：") % {"name": data.addressee}, "addressee"),
        *body,
        KeepTogether([last, Spacer(0, LINE_PITCH), signature]),
    ]


# --- the words of each letter -------------------------------------------------------------


def _you(data: LetterData) -> str:
    return _("你单位") if data.to_organisation else _("你")


def _application(data: LetterData) -> str:
    return _("%(you)s于%(day)s提出的“%(item)s”申请（办件编号：%(case)s）") % {
        "you": _you(data),
        "day": layout.chinese_date(data.received_on),
        "item": data.item_name,
        "case": data.case_no,
    }


def _finding(text: str) -> str:
    """A clerk's or approver's finding, fit to stand inside a sentence."""
    return text.strip().rstrip("。；;.，,")


def _citations(data: LetterData, *extra: str) -> str:
    """`A`, `A和B`, `A、B和C`."""
    *first, last = [*data.legal_basis, *extra]
    return _("%(list)s和%(last)s") % {"list": "、".join(first), "last": last} if first else last


def _rights_notice(data: LetterData, document: str) -> str:
    return _(
        "如不服本决定，可在收到本%(document)s之日起六十日内向%(review)s申请行政复议，"
        "或者在六个月内向%(court)s提起行政诉讼。"
    ) % {"document": document, "review": data.review_body, "court": data.court}


def _receipt_body(data: LetterData) -> list[str]:
    if data.deemed_accepted:
        accepted = _(
            "本机关未在法定期限内告知需要补正的内容。根据%(law)s第三十二条第一款第（四）项的规定，"
            "自收到申请材料之日起即为受理，受理日期为%(day)s。"
        )
    else:
        accepted = _(
            "经审查，申请材料齐全、符合法定形式。根据%(law)s第三十二条第一款第（五）项的规定，"
            "本机关决定予以受理，受理日期为%(day)s。"
        )
    paragraphs = [
        _application(data)
        + _("。")
        + accepted % {"law": LICENSING_LAW, "day": layout.chinese_date(data.accepted_on)}
    ]
    if data.pending:
        paragraphs.append(_pending_materials(data))
    if data.deadline:
        paragraphs.append(
            _(
                "本机关将于%(day)s前作出决定。依法需要听证、检验、检测、鉴定、专家评审和现场踏勘的，"
                "所需时间不计算在办理期限内，届时另行书面告知。"
            )
            % {"day": layout.chinese_date(data.deadline)}
        )
    paragraphs.append(_("可凭办件编号或扫描本通知书上的二维码查询办理进度。"))
    return paragraphs


def _pending_materials(data: LetterData) -> str:
    items = "；".join(
        _("%(material)s（%(day)s前）") % {"material": m, "day": layout.chinese_date(due)}
        for m, due in data.pending
    )
    return _("以下材料容缺受理，请按期补交，补齐前本机关不作出决定：%(items)s。") % {"items": items}


def _correction_body(data: LetterData) -> list[str]:
    paragraphs = [
        _application(data)
        + _(
            "，经审查，申请材料不齐全或者不符合法定形式。根据%(law)s第三十二条第一款第（四）项的规定，"
            "现一次性告知%(you)s需要补正的全部内容："
        )
        % {"law": LICENSING_LAW, "you": _you(data)}
    ]
    paragraphs += [f"{index}. {item}" for index, item in enumerate(data.deficiencies, 1)]
    if data.renotice_reason:
        paragraphs.append(_("再次告知的理由：%(r)s") % {"r": data.renotice_reason})
    paragraphs.append(
        _(
            "请%(you)s按上述内容一并补正后重新提交。补正材料齐全之日为受理日期；"
            "补正期间不计算在办理期限内。"
        )
        % {"you": _you(data)}
    )
    return paragraphs


def _refusal_body(data: LetterData) -> list[str]:
    return [
        _application(data)
        + _("，经审查，%(reason)s。根据%(basis)s的规定，本机关决定不予受理。")
        % {"reason": _finding(data.reason), "basis": _citations(data)},
        _rights_notice(data, _("通知书")),
    ]


def _accepted(data: LetterData) -> str:
    return _("，本机关于%(day)s依法受理。") % {"day": layout.chinese_date(data.accepted_on)}


def _grant_body(data: LetterData) -> list[str]:
    paragraphs = [
        _application(data)
        + _accepted(data)
        + _(
            "经审查，%(reason)s，申请符合法定条件、标准。根据%(basis)s的规定，"
            "本机关决定准予行政许可。"
        )
        % {
            "reason": _finding(data.reason),
            "basis": _citations(data, _("%(law)s第三十八条第一款") % {"law": LICENSING_LAW}),
        }
    ]
    if data.licence_number:
        paragraphs.append(_("准予许可的证照编号为%(n)s。") % {"n": data.licence_number})
    paragraphs.append(
        _(
            "本机关将自作出决定之日起十日内向%(you)s颁发、送达行政许可证件。"
            "电子证照与纸质证照具有同等效力，可扫描二维码核验。"
        )
        % {"you": _you(data)}
    )
    return paragraphs


def _deny_body(data: LetterData) -> list[str]:
    return [
        _application(data)
        + _accepted(data)
        + _("经审查，%(reason)s。根据%(basis)s的规定，本机关决定不予行政许可。")
        % {
            "reason": _finding(data.reason),
            "basis": _citations(data, _("%(law)s第三十八条第二款") % {"law": LICENSING_LAW}),
        },
        _rights_notice(data, _("决定书")),
    ]


BODIES = {
    LetterKind.RECEIPT: _receipt_body,
    LetterKind.CORRECTION: _correction_body,
    LetterKind.REFUSAL: _refusal_body,
    LetterKind.GRANT: _grant_body,
    LetterKind.DENY: _deny_body,
}


# --- type -------------------------------------------------------------------------------


def _text(text: str, style_name: str) -> Paragraph:
    return Paragraph(escape(str(text)), _style(style_name))


def _style(name: str) -> ParagraphStyle:
    return _styles(pdf.font_name())[name]


@functools.cache
def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "letter_body",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=LINE_PITCH,
        firstLineIndent=2 * BODY_SIZE,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
    )
    heading = ParagraphStyle(
        "letter_heading", parent=body, firstLineIndent=0, alignment=TA_CENTER, fontSize=22
    )
    return {
        "body": body,
        "issuer": ParagraphStyle("letter_issuer", parent=heading, leading=32),
        "title": ParagraphStyle(
            "letter_title", parent=heading, fontSize=26, leading=36, spaceAfter=10
        ),
        "number": ParagraphStyle(
            "letter_number", parent=body, firstLineIndent=0, alignment=TA_RIGHT, spaceAfter=10
        ),
        "addressee": ParagraphStyle("letter_addressee", parent=body, firstLineIndent=0),
    }


def _draw_page_number(canvas: Canvas) -> None:
    """— 1 — below the text, as on official documents."""
    canvas.saveState()
    canvas.setFont(pdf.font_name(), 14)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, MARGIN_BOTTOM - 14 * mm, f"— {canvas.getPageNumber()} —"
    )
    canvas.restoreState()

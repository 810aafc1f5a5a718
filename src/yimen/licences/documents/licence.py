"""The e-licence (电子证照): one A4 landscape page, laid out like the printed licences.

A double frame; the licence's name large at the top; the QR code to verify it in the top
right corner; the licence number; the holder, the item and what is licensed as labelled
rows; the term; the issuing bureau and the date at the bottom right under the seal; the
GB/T 36904 identifier in small type along the bottom edge. Long contents shrink to fit
the page rather than run onto a second one.
"""

import functools
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepInFrame, Paragraph, Table, TableStyle

from yimen import pdf
from yimen.licences.documents import layout
from yimen.licences.documents.data import LicenceData

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
FRAME_COLOR = colors.HexColor("#9a1b1b")
OUTER_INSET = 8 * mm
INNER_INSET = 10.5 * mm
CONTENT_LEFT = 30 * mm
TITLE_BASELINE = PAGE_HEIGHT - 38 * mm
TITLE_SIZE = 34
NUMBER_BASELINE = PAGE_HEIGHT - 52 * mm
ROWS_TOP = PAGE_HEIGHT - 60 * mm
ROWS_BOTTOM = 42 * mm
ROWS_WIDTH = 185 * mm
ROW_SIZE = 14
LABEL_GAP = 10 * mm
MAX_LABEL_WIDTH = 60 * mm  # a longer label wraps
QR_SIZE = 30 * mm
# Lower-left corner of the QR code, in points from the page's lower left.
QR_ORIGIN = (
    PAGE_WIDTH - INNER_INSET - 8 * mm - QR_SIZE,
    PAGE_HEIGHT - INNER_INSET - 8 * mm - QR_SIZE,
)
SIGNATURE_CENTRE_X = PAGE_WIDTH - INNER_INSET - 48 * mm
SIGNATURE_DATE_BASELINE = 30 * mm
SEAL_RADIUS = 20 * mm


def render_licence(data: LicenceData, qr_payload: str) -> bytes:
    """The e-licence as unsigned PDF bytes."""

    def draw_page(canvas: Canvas, document) -> None:
        _draw_frame(canvas)
        _draw_heading(canvas, data)
        layout.draw_verification_qr(canvas, qr_payload, *QR_ORIGIN, QR_SIZE)
        layout.draw_signature(
            canvas,
            SIGNATURE_CENTRE_X,
            SIGNATURE_DATE_BASELINE,
            issuer=data.issuer,
            issued_on=data.issued_on,
            font_size=14,
            line_pitch=24,
            seal_radius=SEAL_RADIUS,
        )
        _draw_identifier(canvas, data.identifier)

    rows = KeepInFrame(ROWS_WIDTH, ROWS_TOP - ROWS_BOTTOM, [_rows_table(data)], mode="shrink")
    return layout.build(
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        frame=layout.frame(CONTENT_LEFT, ROWS_BOTTOM, ROWS_WIDTH, ROWS_TOP - ROWS_BOTTOM),
        story=[rows],
        first_page=draw_page,
        later_pages=draw_page,
        title=data.title,
        author=data.issuer,
        subject=f"{data.number} {data.identifier}",
    )


def _labelled_rows(data: LicenceData) -> list[tuple[str, str]]:
    return [
        (_("持证主体"), data.holder_name),
        (data.holder_code_label or _("证件号码"), data.holder_code_display),
        (_("许可事项"), data.item_name),
        *data.rows,
        (_("有效期限"), _term(data)),
    ]


def _term(data: LicenceData) -> str:
    start = layout.chinese_date(data.valid_from)
    if data.valid_until is None:
        return _("长期（自%(start)s起）") % {"start": start}
    return _("%(start)s至%(end)s") % {"start": start, "end": layout.chinese_date(data.valid_until)}


def _rows_table(data: LicenceData) -> Table:
    label, value = _styles(pdf.font_name())
    rows = _labelled_rows(data)
    cells = [
        [Paragraph(escape(text), label), Paragraph(escape(str(content)), value)]
        for text, content in rows
    ]
    label_width = max(stringWidth(text, label.fontName, label.fontSize) for text, _v in rows)
    label_width = min(label_width + LABEL_GAP, MAX_LABEL_WIDTH)
    table = Table(cells, colWidths=[label_width, ROWS_WIDTH - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


@functools.cache
def _styles(font: str) -> tuple[ParagraphStyle, ParagraphStyle]:
    value = ParagraphStyle(
        "licence_value", fontName=font, fontSize=ROW_SIZE, leading=ROW_SIZE * 1.6, wordWrap="CJK"
    )
    label = ParagraphStyle("licence_label", parent=value, textColor=pdf.MUTED_COLOR)
    return label, value


def _draw_frame(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(FRAME_COLOR)
    for inset, width in ((OUTER_INSET, 2.4), (INNER_INSET, 0.8)):
        canvas.setLineWidth(width)
        canvas.rect(inset, inset, PAGE_WIDTH - 2 * inset, PAGE_HEIGHT - 2 * inset)
    canvas.restoreState()


def _draw_heading(canvas: Canvas, data: LicenceData) -> None:
    font = pdf.font_name()
    canvas.saveState()
    canvas.setFont(font, ROW_SIZE)
    canvas.drawString(CONTENT_LEFT, NUMBER_BASELINE, _("证照编号：%(n)s") % {"n": data.number})
    title = canvas.beginText()
    title.setFont(font, TITLE_SIZE)
    title.setCharSpace(TITLE_SIZE / 3)  # the licence name set wide, as printed licences do
    width = canvas.stringWidth(data.title, font, TITLE_SIZE) + TITLE_SIZE / 3 * (
        len(data.title) - 1
    )
    title.setTextOrigin((PAGE_WIDTH - width) / 2, TITLE_BASELINE)
    title.textOut(data.title)
    canvas.drawText(title)
    canvas.restoreState()


def _draw_identifier(canvas: Canvas, identifier: str) -> None:
    canvas.saveState()
    canvas.setFont(pdf.font_name(), 8)
    canvas.setFillColor(pdf.MUTED_COLOR)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, INNER_INSET + 4 * mm, _("电子证照标识：%(id)s") % {"id": identifier}
    )
    canvas.restoreState()

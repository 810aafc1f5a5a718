"""PDF basics shared by every document the bureau issues (notices, receipts, decisions, licences).

Chinese text is set in a TrueType CJK font found on the machine and embedded as a
subset, so any viewer (and poppler) shows it without fonts of its own. reportlab
cannot embed CFF-outline fonts (Noto CJK, Source Han), so the candidates are
TrueType collections from Debian (fonts-wqy-zenhei first: it covers every CJK
Unified Ideograph plus Extension A). Without one, documents fall back to the
built-in CID font STSong-Light: still real, extractable text, drawn by the viewer.

Output is invariant: the same story gives the same bytes.
"""

import functools
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

logger = logging.getLogger(__name__)

# Used when settings.YIMEN_PDF_FONT_PATHS is unset or empty. First readable TrueType font wins.
DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)
FALLBACK_CID_FONT = "STSong-Light"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# A row taller than the space left splits across pages only if each part is at least this
# tall (points); shorter rows move to the next page whole instead of leaving an empty stub.
MIN_ROW_SPLIT = 40
# A heading with less room than this below it moves to the next page.
HEADING_KEEP_SPACE = 45 * mm

RULE_COLOR = colors.HexColor("#9a1b1b")
GRID_COLOR = colors.HexColor("#555555")
SHADE_COLOR = colors.HexColor("#eeeeee")
MUTED_COLOR = colors.HexColor("#444444")


def font_name() -> str:
    """The registered font for Chinese text: an embedded TrueType font, else the CID font."""
    paths = settings.YIMEN_PDF_FONT_PATHS or DEFAULT_FONT_PATHS
    return _register_font(tuple(str(p) for p in paths))


@functools.cache
def _register_font(paths: tuple[str, ...]) -> str:
    for path in paths:
        if not Path(path).is_file():
            continue
        try:
            font = TTFont(f"YimenCJK-{Path(path).stem}", path, subfontIndex=0)
        except TTFError as refused:
            logger.warning("PDF font %s cannot be embedded, skipped: %s", path, refused)
            continue
        pdfmetrics.registerFont(font)
        return font.fontName
    logger.warning(
        "No embeddable CJK font found in %s; PDFs use the CID font %s, which viewers "
        "must supply (install the Debian package fonts-wqy-zenhei).",
        ", ".join(paths),
        FALLBACK_CID_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def style(name: str) -> ParagraphStyle:
    """A paragraph style for Chinese: title, subtitle, heading, body, note, cell, cell_head."""
    return _styles(font_name())[name]


@functools.cache
def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=3
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12.5, spaceAfter=0)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=13, leading=18, alignment=TA_CENTER, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontSize=12.5,
            leading=18,
            spaceBefore=9,
            spaceAfter=4,
        ),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=9, leading=13, spaceBefore=3, textColor=MUTED_COLOR
        ),
        "cell": cell,
        "cell_head": ParagraphStyle("cell_head", parent=cell, alignment=TA_CENTER),
    }


def paragraph(text: str, style_name: str = "body") -> Paragraph:
    """Plain text (not markup) as a paragraph; line breaks in the text are kept."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style(style_name))


def section(heading: str, *body: Flowable) -> list[Flowable]:
    """A headed section; the heading starts a new page rather than end one on its own."""
    return [CondPageBreak(HEADING_KEEP_SPACE), paragraph(heading, "heading"), *body]


def rule() -> Flowable:
    """A thin full-width line, e.g. above a closing statement."""
    return HRFlowable(width="100%", thickness=0.5, color=GRID_COLOR, spaceBefore=10, spaceAfter=4)


def table(
    rows: Sequence[Sequence[str | Flowable]], widths: Sequence[float], *, header: bool = True
) -> Table:
    """A ruled table over the content width; `widths` are relative column weights.

    Text cells wrap as Chinese; the header row repeats on every page and a tall row
    may split across pages.
    """
    cells = [
        [_cell(value, "cell_head" if header and index == 0 else "cell") for value in row]
        for index, row in enumerate(rows)
    ]
    extra = [("BACKGROUND", (0, 0), (-1, 0), SHADE_COLOR)] if header else []
    return _ruled(cells, widths, repeat_rows=1 if header else 0, extra=extra)


def key_value_table(pairs: Iterable[tuple[str, str | Flowable]]) -> Table:
    """A two-column table of shaded labels and their values."""
    cells = [[_cell(label, "cell_head"), _cell(value, "cell")] for label, value in pairs]
    return _ruled(cells, (1, 4), extra=[("BACKGROUND", (0, 0), (0, -1), SHADE_COLOR)])


def _cell(value: str | Flowable, style_name: str) -> Flowable:
    return value if isinstance(value, Flowable) else paragraph(value, style_name)


def _ruled(cells, widths, *, repeat_rows: int = 0, extra=()) -> Table:
    total = sum(widths)
    ruled = Table(
        cells,
        colWidths=[CONTENT_WIDTH * w / total for w in widths],
        repeatRows=repeat_rows,
        splitInRow=MIN_ROW_SPLIT,
        hAlign="LEFT",
    )
    ruled.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                *extra,
            ]
        )
    )
    return ruled


def build_document(*, title: str, story: Iterable[Flowable], subject: str = "") -> bytes:
    """An A4 document: bureau header line, the title, the story, "第 N 页 共 M 页" below."""
    buffer = io.BytesIO()
    bureau = str(settings.YIMEN_BUREAU_NAME)
    font = font_name()

    def draw_header(canvas: Canvas, _document) -> None:
        _draw_header(canvas, font, bureau, title)

    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate(frames=[_content_frame()], onPage=draw_header)],
        title=title,
        author=bureau,
        subject=subject,
        creator="Yimen",
        lang="zh-CN",
        invariant=1,
    )
    document.build(
        [paragraph(title, "title"), *story],
        canvasmaker=functools.partial(_NumberedCanvas, font=font),
    )
    return buffer.getvalue()


def _content_frame() -> Frame:
    # No inner padding, so text and tables line up with the header rule.
    return Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def _draw_header(canvas: Canvas, font: str, bureau: str, title: str) -> None:
    top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
    canvas.saveState()
    canvas.setFont(font, 9)
    canvas.setFillColor(MUTED_COLOR)
    canvas.drawString(MARGIN_X, top, bureau)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, title)
    canvas.setStrokeColor(RULE_COLOR)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
    canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds every page back until the end, so each can say how many pages there are."""

    def __init__(self, *args, font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._font = font
        self._held_pages: list[dict] = []

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for number, page in enumerate(self._held_pages, start=1):
            self.__dict__.update(page)
            self._draw_page_number(number, total)
            super().showPage()
        super().save()

    def _draw_page_number(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont(self._font, 9)
        self.setFillColor(MUTED_COLOR)
        self.drawCentredString(
            PAGE_WIDTH / 2,
            MARGIN_BOTTOM / 2,
            _("第 %(number)s 页 共 %(total)s 页") % {"number": number, "total": total},
        )
        self.restoreState()

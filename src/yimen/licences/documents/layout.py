"""Page-making shared by the letters and the e-licence: the document shell, dates, the
signature with the seal over it, and the QR code with its caption.

Text is set in `yimen.pdf`'s embedded CJK font. Output is invariant (same data, same
bytes) and a plain PDF without encryption or forms, so it can be signed incrementally.
"""

import datetime as dt
import io
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, paragraph

from yimen import pdf
from yimen.licences.documents.qr import draw_qr
from yimen.licences.documents.seal_drawing import SEAL_RADIUS, draw_seal

# reportlab's CJK line breaking lets these start a line; Chinese typesetting never does (避头).
NO_LINE_START = "，：；！？》〉”’"
paragraph.ALL_CANNOT_START += "".join(
    c for c in NO_LINE_START if c not in paragraph.ALL_CANNOT_START
)

PageDrawer = Callable[[Canvas, BaseDocTemplate], None]
CAPTION_SIZE = 8
SEAL_MARGIN = 2 * mm  # room kept free around the seal in a letter's signature block


def chinese_date(day: dt.date) -> str:
    """`2026年3月2日`, the way dates are written on official documents."""
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def build(
    *,
    pagesize: tuple[float, float],
    frame: Frame,
    story: Iterable[Flowable],
    first_page: PageDrawer,
    later_pages: PageDrawer,
    title: str,
    author: str,
    subject: str,
) -> bytes:
    """The PDF bytes of `story` flowing through `frame` on every page."""
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        pageTemplates=[
            PageTemplate("first", frames=[frame], onPage=first_page, autoNextPageTemplate="later"),
            PageTemplate("later", frames=[frame], onPage=later_pages),
        ],
        title=title,
        author=author,
        subject=subject,
        creator="Yimen",
        lang="zh-CN",
        invariant=1,
    )
    document.build(list(story))
    return buffer.getvalue()


def frame(x: float, y: float, width: float, height: float) -> Frame:
    """A frame without inner padding, so text lines up with what the page draws around it."""
    return Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def draw_verification_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code whose lower-left corner is (x, y), captioned 扫码核验 below."""
    draw_qr(canvas, payload, x, y, size)
    canvas.saveState()
    canvas.setFont(pdf.font_name(), CAPTION_SIZE)
    canvas.setFillColor(pdf.MUTED_COLOR)
    canvas.drawCentredString(x + size / 2, y - CAPTION_SIZE - 1, _("扫码核验"))
    canvas.restoreState()


def draw_signature(
    canvas: Canvas,
    centre_x: float,
    date_baseline: float,
    *,
    issuer: str,
    issued_on: dt.date,
    font_size: float,
    line_pitch: float,
    seal_radius: float = SEAL_RADIUS,
) -> None:
    """The issuer's name above the date, both centred on `centre_x`, with the seal pressed
    on them so that they sit a little below its centre. The seal goes down first: black
    text shows through red ink, as on a stamped paper."""
    font = pdf.font_name()
    name_baseline = date_baseline + line_pitch
    draw_seal(
        canvas,
        centre_x,
        name_baseline + _seal_lift(font_size),
        bureau=issuer,
        font=font,
        radius=seal_radius,
    )
    canvas.saveState()
    canvas.setFont(font, font_size)
    canvas.setFillColor(colors.black)
    canvas.drawCentredString(centre_x, name_baseline, issuer)
    canvas.drawCentredString(centre_x, date_baseline, chinese_date(issued_on))
    canvas.restoreState()


def _seal_lift(font_size: float) -> float:
    """How far the seal's centre sits above the baseline of the issuer's name."""
    return 0.4 * font_size + 4 * mm


class Signature(Flowable):
    """The signature block of a letter: name and date at the right, four characters in from
    the margin as official documents set them, the seal over both."""

    def __init__(self, *, issuer: str, issued_on: dt.date, font_size: float, line_pitch: float):
        super().__init__()
        self.issuer = issuer
        self.issued_on = issued_on
        self.font_size = font_size
        self.line_pitch = line_pitch
        seal_centre = SEAL_RADIUS + SEAL_MARGIN
        self.date_baseline = seal_centre - _seal_lift(font_size) - line_pitch
        self.height = seal_centre + SEAL_RADIUS + SEAL_MARGIN

    def wrap(self, available_width, available_height):
        self.width = available_width
        return self.width, self.height

    def draw(self) -> None:
        font = pdf.font_name()
        date_width = self.canv.stringWidth(chinese_date(self.issued_on), font, self.font_size)
        centre_x = self.width - 4 * self.font_size - date_width / 2
        draw_signature(
            self.canv,
            centre_x,
            self.date_baseline,
            issuer=self.issuer,
            issued_on=self.issued_on,
            font_size=self.font_size,
            line_pitch=self.line_pitch,
        )

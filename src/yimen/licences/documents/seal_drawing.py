"""The approval seal (行政审批专用章) as printed documents show it, drawn from the bureau's name.

The classic round seal of a government body: a red ring, a five-pointed star in
the centre, the body's name along the upper arc read clockwise, each character
upright towards the rim, and the seal's name in a straight line below the star.
Everything is vector drawing and text, so it prints sharp and stays searchable.
"""

import math

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

SEAL_RED = colors.HexColor("#D0021B")
SEAL_RADIUS = 21 * mm  # a 42 mm seal, the size of a government body's official seal
RING_WIDTH = 0.05  # the ring's stroke, in parts of the radius
STAR_RADIUS = 0.3
ARC_SPAN_MAX = 220.0  # degrees of the upper arc the name may cover at most
ARC_DEGREES_PER_CHAR = 24.0  # short names spread no wider than this per character
ARC_FONT_SIZE = 0.26  # of the radius
ARC_RIM_GAP = 0.07  # from the inner edge of the ring to the top of the characters
ARC_CONDENSE = 0.82  # seal characters are cut narrower than they are tall
ARC_FILL = 0.95  # at most this part of each character's share of the arc is ink
CJK_ASCENT = 0.88  # how far a CJK glyph reaches above the baseline, in parts of its size
NAME_FONT_SIZE = 0.15
NAME_BASELINE = -0.6  # below the centre, in radii
INK_SPREAD = 0.04  # seal characters are cut heavy: outlined as well as filled, in parts of size


def draw_seal(
    canvas: Canvas,
    cx: float,
    cy: float,
    *,
    bureau: str,
    font: str,
    radius: float = SEAL_RADIUS,
    seal_name: str | None = None,
) -> None:
    """The round seal of `bureau` centred at (cx, cy)."""
    canvas.saveState()
    canvas.translate(cx, cy)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    ring = radius * RING_WIDTH
    canvas.setLineWidth(ring)
    canvas.circle(0, 0, radius - ring / 2, stroke=1, fill=0)
    _draw_star(canvas, radius * STAR_RADIUS)
    _draw_arc_text(canvas, bureau, font, radius)
    name_size = radius * NAME_FONT_SIZE
    _draw_heavy(canvas, seal_name or _("行政审批专用章"), font, name_size, radius * NAME_BASELINE)
    canvas.restoreState()


def _draw_star(canvas: Canvas, outer: float) -> None:
    """A filled five-pointed star, one point up."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = [_polar(outer if index % 2 == 0 else inner, 90 + index * 36) for index in range(10)]
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_arc_text(canvas: Canvas, text: str, font: str, radius: float) -> None:
    """`text` clockwise along the upper arc, centred on the top, each character rotated
    so that its foot points to the centre."""
    count = len(text)
    span = min(ARC_SPAN_MAX, ARC_DEGREES_PER_CHAR * (count - 1))
    step = span / (count - 1) if count > 1 else 0
    rim = radius * (1 - RING_WIDTH - ARC_RIM_GAP)
    size = radius * ARC_FONT_SIZE
    if count > 1:  # a long name gets smaller characters rather than touching ones
        room = (rim - size * CJK_ASCENT) * math.radians(step) * ARC_FILL / ARC_CONDENSE
        size = min(size, room)
    baseline = rim - size * CJK_ASCENT
    for index, char in enumerate(text):
        angle = 90 + span / 2 - index * step
        canvas.saveState()
        canvas.rotate(angle - 90)
        canvas.scale(ARC_CONDENSE, 1)
        _draw_heavy(canvas, char, font, size, baseline)
        canvas.restoreState()


def _draw_heavy(canvas: Canvas, text: str, font: str, size: float, baseline: float) -> None:
    """`text` centred on x = 0, filled and outlined so it looks cut heavy like seal script."""
    canvas.setLineWidth(size * INK_SPREAD)
    text_object = canvas.beginText()
    text_object.setFont(font, size)
    text_object.setTextRenderMode(2)
    text_object.setTextOrigin(-canvas.stringWidth(text, font, size) / 2, baseline)
    text_object.textOut(text)
    canvas.drawText(text_object)


def _polar(radius: float, degrees: float) -> tuple[float, float]:
    return radius * math.cos(math.radians(degrees)), radius * math.sin(math.radians(degrees))

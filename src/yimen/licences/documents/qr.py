"""QR codes for documents, drawn as vector rectangles so they stay sharp at any zoom."""

import segno
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 2  # modules of white around the symbol; the page margin gives the rest
ERROR_LEVEL = "m"  # survives a smudged print or a folded page


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of the QR code for `payload`, without border."""
    code = segno.make(payload, error=ERROR_LEVEL, micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code of `payload` in the square of side `size` whose lower-left corner is (x, y),
    quiet zone included."""
    matrix = qr_matrix(payload)
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + QUIET_ZONE) * unit
        for start, length in _dark_runs(row):
            path.rect(x + (start + QUIET_ZONE) * unit, top - unit, length * unit, unit)
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _dark_runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    """(start, length) of each horizontal run of dark modules: one rectangle per run."""
    runs, start = [], None
    for index, dark in enumerate((*row, False)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs

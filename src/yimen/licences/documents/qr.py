"""QR codes for documents, drawn as vector rectangles so they stay sharp at any zoom."""

import functools
from dataclasses import dataclass

import segno
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 2  # modules of white around the symbol; the page margin gives the rest
ERROR_LEVEL = "m"  # survives a smudged print or a folded page
# Every reader decodes any of the eight masks (the symbol says which); searching for the
# one with the fewest awkward patterns took four fifths of encoding a licence's code.
MASK = 2
# Symbols kept encoded: the letters' QR code holds the same address on every letter, so it
# is encoded once per process; each licence's own code is new and pushes out the oldest.
KEPT_SYMBOLS = 8


@dataclass(frozen=True)
class Symbol:
    """A QR symbol ready to draw: its width in modules, and its dark modules as PDF path
    operators in module units (x to the right, y down from the symbol's top left corner)."""

    modules: int
    dark_path: str


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of the QR code for `payload`, without border."""
    code = segno.make(payload, error=ERROR_LEVEL, micro=False, mask=MASK)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code of `payload` in the square of side `size` whose lower-left corner is (x, y),
    quiet zone included."""
    symbol = _symbol(payload)
    unit = size / (symbol.modules + 2 * QUIET_ZONE)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    # Module units with y down, so the path is the same for every page and size; written
    # as one literal because a thousand rect() calls cost more than encoding the symbol.
    quiet = QUIET_ZONE * unit
    canvas.transform(unit, 0, 0, -unit, x + quiet, y + size - quiet)
    canvas.addLiteral(symbol.dark_path)
    canvas.restoreState()


@functools.lru_cache(maxsize=KEPT_SYMBOLS)
def _symbol(payload: str) -> Symbol:
    matrix = qr_matrix(payload)
    rectangles = [
        f"{start} {row} {length} 1 re"
        for row, modules in enumerate(matrix)
        for start, length in _dark_runs(modules)
    ]
    return Symbol(len(matrix), "\n".join(rectangles) + "\nf")


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

"""Shrink the text of Graphviz SVGs to the width Graphviz measured it at, so no label overflows its cell.

Graphviz (through pango) measures text with hinted glyph advances, which run up to about 4 % narrower than
browsers, rsvg and Inkscape draw the same font: a long label then sticks out of its table cell, and one at the
right edge of the drawing is cut off. Drawing every text at 95 % of the size it was measured at keeps each
inside the box laid out for it. Run by ``render.sh`` after WireViz; idempotent (a fitted file is left alone).

Usage: python wiring/fit_text.py FILE.svg...
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FIT = 0.95
MARK = "<!-- text fitted by wiring/fit_text.py -->"
_SIZE = re.compile(r'font-size="([\d.]+)"')


def fit(svg: str, factor: float = FIT) -> str:
    """The SVG with every ``font-size`` scaled by ``factor``, marked so a second run changes nothing."""
    if MARK in svg:
        return svg
    scaled = _SIZE.sub(lambda m: f'font-size="{float(m.group(1)) * factor:.2f}"', svg)
    head, sep, tail = scaled.partition("<svg")
    return f"{head}{MARK}\n{sep}{tail}" if sep else scaled


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        path.write_text(fit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

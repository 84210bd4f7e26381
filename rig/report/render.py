"""Turning a matplotlib figure into something a page can hold without a network: inline SVG or PNG bytes.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot: no global figure list to
leak into (a 100-camera batch does not pile up figures), no GUI backend chosen, safe on a headless Pi.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib.figure import Figure

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE_ATTR = re.compile(r'\s(width|height)="[^"]*"')

RC = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable, crisp
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
"""Applied (``matplotlib.rc_context(RC)``) while a report figure is built and while it is saved."""


@contextmanager
def _quiet_about_glyphs() -> Iterator[None]:
    """A serial or note with a character the plot font lacks still plots (as a box); the warning would only
    clutter the technician's terminal in the middle of a batch."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        yield


def figure_svg(fig: Figure, salt: str) -> str:
    """The figure as an ``<svg>`` element that scales to the page width.

    ``salt`` makes the SVG's internal ids (clip paths) unique per figure, so two figures on one page never
    share an id, and the output is the same for the same input.
    """
    buffer = io.StringIO()
    with matplotlib.rc_context({**RC, "svg.hashsalt": salt}), _quiet_about_glyphs():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text

    def responsive(match: re.Match[str]) -> str:
        tag = _SIZE_ATTR.sub("", match.group(0))
        return tag[:-1].rstrip() + ' style="width:100%;height:auto" role="img">'

    return _SVG_OPEN.sub(responsive, svg, count=1)


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC), _quiet_about_glyphs():
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()

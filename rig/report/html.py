"""The page around the plots: one stylesheet, escaping, tables. Self-contained: no script, no font, no link
out, so a sheet opens the same from a USB stick on a workshop PC with no network."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from rig import __version__
from rig.core.colors import DISPOSITION_COLORS, disposition_color
from rig.core.durations import duration_text

__all__ = ["DISPOSITION_COLORS", "disposition_color", "duration_text", "esc", "figure", "page", "table", "verdict"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 1.5em auto; max-width: 1150px; padding: 0 1em; color: #212121; }
h1 { margin: 0; font-size: 2.1em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.sub { color: #616161; margin: 0.2em 0 1em; }
.disposition { display: inline-block; color: white; font-size: 3.2em; font-weight: 800;
               letter-spacing: 0.06em;
               padding: 0.1em 0.6em; border-radius: 0.2em; text-transform: uppercase; }
.why { font-size: 1.25em; margin: 0.5em 0; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass { color: #2e7d32; font-weight: 700; } .fail { color: #c62828; font-weight: 700; }
.muted { color: #757575; } .m { white-space: nowrap; } .nowrap { white-space: nowrap; } .problems li { color: #b71c1c; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
.card { border: 1px solid #e0e0e0; border-radius: 0.4em; padding: 0.5em 1em; min-width: 7em; }
.card .n { font-size: 2em; font-weight: 800; } .card .l { color: #616161; }
figure { margin: 1em 0; } figure.narrow { max-width: 820px; } figcaption { color: #616161; font-size: 0.9em; }
footer { margin-top: 3em; color: #9e9e9e; font-size: 0.85em; }
@media print { .disposition { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value))


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        f"<footer>rig {esc(__version__)}</footer>\n</body>\n</html>\n"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Sequence[int] = (),
    cls: str = "",
    nowrap: Sequence[int] = (),
) -> str:
    """A table of already-escaped cells; ``numeric`` columns are right-aligned, and they and the ``nowrap``
    columns (serials, timestamps: values a reader copies) never break inside a value."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{cell}</td>'
            if i in numeric
            else f'<td class="nowrap">{cell}</td>'
            if i in nowrap
            else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(svg: str, caption: str, ident: str, narrow: bool = False) -> str:
    """A plot with its caption; ``narrow`` keeps a small plot from being blown up to the page width."""
    cls = ' class="narrow"' if narrow else ""
    return f'<figure id="{esc(ident)}"{cls}>{svg}<figcaption>{esc(caption)}</figcaption></figure>'


def verdict(passed: bool | None) -> str:
    if passed is None:
        return '<span class="muted">-</span>'
    return '<span class="pass">pass</span>' if passed else '<span class="fail">FAIL</span>'

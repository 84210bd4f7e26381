"""Durations as a technician reads them, the same on the sheet, the page, the plots and the terminal."""

from __future__ import annotations


def duration_text(seconds: float | None) -> str:
    """``42.5 s`` under two minutes, ``12:07`` (min:s) above, ``1:02:07`` past an hour; blank for None."""
    if seconds is None:
        return ""
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"

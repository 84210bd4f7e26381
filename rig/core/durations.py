"""Durations as a technician reads them: the one format of the terminal lines, the batch table, the sheets,
the report page and the plots' axes, so the same bench time never appears three ways."""

from __future__ import annotations


def duration_text(seconds: float | None) -> str:
    """``4.2 s`` under ten seconds, ``42 s`` under a minute, ``1 min 50 s`` under an hour, ``1 h 02 min``
    beyond; a zero part is left off (``2 min``, ``1 h``). Blank for None.

    Units are spelled out because ``1:50`` reads as a clock time or as hours:minutes to someone new."""
    if seconds is None:
        return ""
    if seconds < 0:
        return "-" + duration_text(-seconds)
    if seconds == 0:
        return "0 s"
    if round(seconds, 1) < 10:
        return f"{seconds:.1f} s"
    whole = int(seconds + 0.5)  # half up: 89.5 s is 1 min 30 s, as a person rounds
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    minutes = int(seconds / 60 + 0.5)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"

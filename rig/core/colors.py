"""The one colour per disposition, for the terminal (rich takes ``#rrggbb`` styles), the HTML pages and the
plots: a technician who learns "teal is fixed" on the bench reads the report page the same way."""

from __future__ import annotations

from rig.core.records import Disposition

DISPOSITION_COLORS: dict[str, str] = {
    Disposition.PASS.value: "#2e7d32",
    Disposition.FIXED.value: "#00838f",
    Disposition.FAIL.value: "#c62828",
    Disposition.ESCALATE.value: "#ad1457",
    Disposition.ABORTED.value: "#ef6c00",
}
UNKNOWN_COLOR = "#616161"


def disposition_color(disposition: str | Disposition | None) -> str:
    """The disposition's colour; grey for one this version does not know (an older or newer results file)."""
    if isinstance(disposition, Disposition):
        disposition = disposition.value
    return DISPOSITION_COLORS.get(disposition or "", UNKNOWN_COLOR)

"""The fixes a camera went through as one text, the same in the terminal's batch table and on the report page:
in the order tried, the one that cured it marked ``✓`` (so no separate "fixed by" column is needed)."""

from __future__ import annotations

from collections.abc import Sequence

CURED_MARK = "✓"


def fixes_text(tried: Sequence[str], fixed_by: str | None) -> str:
    """``restart_camera, reset_wifi ✓``; joined by ", " so a narrow column wraps between names, never inside."""
    names = list(tried)
    if fixed_by and fixed_by not in names:
        names.append(fixed_by)
    return ", ".join(f"{name} {CURED_MARK}" if name == fixed_by else name for name in names)

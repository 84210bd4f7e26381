"""The bench's face on the terminal: current camera and step, the time left of a wait, and the batch table.

Drawn with ``rich`` (live status on a terminal, plain lines when the output is a pipe or a log file).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.status import Status
from rich.table import Table

from rig.core.records import CameraRecord, Disposition

DISPOSITION_STYLE = {
    Disposition.PASS: "green",
    Disposition.FIXED: "cyan",
    Disposition.FAIL: "red",
    Disposition.ESCALATE: "magenta",
    Disposition.ABORTED: "yellow",
}


class RichProgress:
    """A :class:`rig.core.events.ProgressListener` that shows the run on a rich console."""

    def __init__(self, console: Console | None = None, total: int | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.total = total
        self._status: Status | None = None
        self._camera = ""
        self._step = ""

    def _headline(self, extra: str = "") -> str:
        text = f"{self._camera}  [bold]{self._step}[/bold]"
        return f"{text}  {extra}" if extra else text

    def camera_started(self, index: int, serial: str, model: str) -> None:
        of = f"/{self.total}" if self.total else ""
        self._camera = f"[{index + 1}{of}] {serial} ({model})"
        self._step = "starting"
        if self.console.is_terminal and self._status is None:
            self._status = self.console.status(self._headline())
            self._status.start()

    def step_started(self, name: str, detail: str = "") -> None:
        self._step = f"{name}: {detail}" if detail else name
        if self._status is not None:
            self._status.update(self._headline())

    def waiting(self, label: str, remaining_s: float, total_s: float) -> None:
        if self._status is not None:
            self._status.update(self._headline(f"{label}: {remaining_s:,.0f} s left of {total_s:,.0f} s"))

    def camera_finished(self, record: CameraRecord) -> None:
        disposition = record.disposition or Disposition.ABORTED
        style = DISPOSITION_STYLE[disposition]
        fixed = f" by {record.fixed_by}" if record.fixed_by else ""
        self.console.print(
            f"{self._camera}: [{style}]{disposition.value}{fixed}[/{style}] "
            f"after {record.duration_s or 0:,.0f} s (LED: {record.initial_pattern or '-'})",
            highlight=False,
            soft_wrap=True,
        )

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


def summary_table(records: Sequence[CameraRecord]) -> Table:
    table = Table(title=f"Bench run: {len(records)} camera{'s' if len(records) != 1 else ''}")
    for column, justify in (
        ("serial", "left"),
        ("model", "left"),
        ("LED", "left"),
        ("R int (ohm)", "right"),
        ("fixes tried", "left"),
        ("disposition", "left"),
        ("bench time", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for record in records:
        disposition = record.disposition or Disposition.ABORTED
        style = DISPOSITION_STYLE[disposition]
        shown = disposition.value + (f" ({record.fixed_by})" if record.fixed_by else "")
        r_int = f"{record.battery.internal_resistance_ohm:.2f}" if record.battery else ""
        table.add_row(
            record.serial,
            record.model,
            record.initial_pattern,
            r_int,
            ", ".join(record.fixes_tried),
            f"[{style}]{shown}[/{style}]",
            _duration(record.duration_s or 0.0),
        )
    counts = Counter((r.disposition or Disposition.ABORTED).value for r in records)
    table.caption = "  ".join(f"{name}: {counts[name]}" for name in (d.value for d in Disposition) if counts[name])
    return table


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}" if minutes else f"{secs} s"

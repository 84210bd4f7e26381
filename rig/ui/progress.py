"""The bench's face on the terminal: current camera and step, the time left of a wait, and the batch table.

Drawn with ``rich`` (live status on a terminal, plain lines when the output is a pipe or a log file).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.live import Live
from rich.status import Status
from rich.table import Table
from rich.text import Text

from rig.core.colors import disposition_color
from rig.core.durations import duration_text
from rig.core.fix_list import CURED_MARK, fixes_text
from rig.core.records import CameraRecord, Disposition
from rig.procedure.cycle import CameraCycles


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
            left, of = duration_text(remaining_s), duration_text(total_s)
            self._status.update(self._headline(f"{label}: {left} left of {of}"))

    def step_finished(self, name: str, record: CameraRecord) -> None:
        pass   # the terminal shows the outcome once, with the verdict

    def camera_finished(self, record: CameraRecord) -> None:
        disposition = record.disposition or Disposition.ABORTED
        style = disposition_color(disposition)
        fixed = f" by {record.fixed_by}" if record.fixed_by else ""
        self.console.print(
            f"{self._camera}: [{style}]{disposition.value}{fixed}[/] "
            f"after {duration_text(record.duration_s or 0.0)} (LED: {record.initial_pattern or '-'})",
            highlight=False,
            soft_wrap=True,
        )

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


class SlotsProgress:
    """Several slots on a rich console: one live line per slot, a printed line as each camera finishes."""

    def __init__(self, console: Console, slots: int, total: int | None = None) -> None:
        self.console = console
        self.total = total
        self.lines = {slot: "empty" for slot in range(1, slots + 1)}
        self._camera = {slot: "" for slot in self.lines}
        self._lock = threading.Lock()
        self._live: Live | None = None
        if console.is_terminal:
            self._live = Live(self._render(), console=console, auto_refresh=False, transient=True)
            self._live.start()

    def listener(self, slot: int) -> _SlotLine:
        return _SlotLine(self, slot)

    def _render(self) -> Text:
        return Text("\n".join(f"slot {slot}: {line}" for slot, line in self.lines.items()))

    def set_line(self, slot: int, line: str) -> None:
        with self._lock:
            self.lines[slot] = line
            if self._live is not None:
                self._live.update(self._render(), refresh=True)

    def finished(self, slot: int, record: CameraRecord) -> None:
        disposition = record.disposition or Disposition.ABORTED
        fixed = f" by {record.fixed_by}" if record.fixed_by else ""
        with self._lock:
            self.console.print(
                f"slot {slot} {self._camera[slot]}: [{disposition_color(disposition)}]{disposition.value}{fixed}[/] "
                f"after {duration_text(record.duration_s or 0.0)} (LED: {record.initial_pattern or '-'})",
                highlight=False, soft_wrap=True)
        self.set_line(slot, f"{self._camera[slot]} {disposition.value}")

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class _SlotLine:
    """One slot's :class:`rig.core.events.ProgressListener`, onto its line of :class:`SlotsProgress`."""

    def __init__(self, progress: SlotsProgress, slot: int) -> None:
        self.progress = progress
        self.slot = slot
        self._step = ""

    def camera_started(self, index: int, serial: str, model: str) -> None:
        of = f"/{self.progress.total}" if self.progress.total else ""
        self.progress._camera[self.slot] = f"[{index + 1}{of}] {serial} ({model})"
        self.step_started("starting")

    def step_started(self, name: str, detail: str = "") -> None:
        self._step = f"{name}: {detail}" if detail else name
        self.progress.set_line(self.slot, f"{self.progress._camera[self.slot]}  {self._step}")

    def waiting(self, label: str, remaining_s: float, total_s: float) -> None:
        left, of = duration_text(remaining_s), duration_text(total_s)
        self.progress.set_line(self.slot, f"{self.progress._camera[self.slot]}  {self._step}  "
                                          f"{label}: {left} left of {of}")

    def step_finished(self, name: str, record: CameraRecord) -> None:
        pass   # the line shows the outcome once, with the verdict

    def camera_finished(self, record: CameraRecord) -> None:
        self.progress.finished(self.slot, record)


def summary_table(records: Sequence[CameraRecord]) -> Table:
    """The batch at a glance. Readable at 80 columns: no vertical rules, fix names wrap between names and
    never inside one, and the fix that cured a camera is marked in the list rather than repeated."""
    table = Table(
        title=f"Bench run: {len(records)} camera{'s' if len(records) != 1 else ''}",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 0),  # the box's one-space divider is the gap: 80 columns hold the widest row
    )
    fixes = [fixes_text(record.fixes_tried, record.fixed_by) for record in records]
    longest_fix = max((len(name) for cell in fixes for name in cell.split(", ")), default=0)
    several = any(record.slot != 1 for record in records)
    if several:
        table.add_column("slot", justify="right", no_wrap=True)
    table.add_column("serial", no_wrap=True)
    table.add_column("model", no_wrap=True)
    table.add_column("LED", no_wrap=True)
    table.add_column("R Ω", justify="right", no_wrap=True)
    table.add_column(f"fixes tried ({CURED_MARK} cured)", min_width=max(longest_fix, 5), ratio=1)
    table.add_column("disposition", no_wrap=True)
    table.add_column("bench time", justify="right")  # wraps between units only below 80 columns
    for record, tried in zip(records, fixes, strict=True):
        disposition = record.disposition or Disposition.ABORTED
        r_int = f"{record.battery.internal_resistance_ohm:.2f}" if record.battery else ""
        table.add_row(
            *([str(record.slot)] if several else []),
            record.serial,
            record.model,
            record.initial_pattern,
            r_int,
            tried,
            Text(disposition.value, style=disposition_color(disposition)),
            duration_text(record.duration_s or 0.0),
        )
    counts = Counter((r.disposition or Disposition.ABORTED).value for r in records)
    table.caption = "  ".join(f"{name}: {counts[name]}" for name in (d.value for d in Disposition) if counts[name])
    return table



class CycleProgress(RichProgress):
    """``rig cycle``'s display: the camera, cycle k of n and the step on the live line; on a pipe or in a log,
    one line per failed cycle, one every tenth of the run, and one per camera at its end."""

    def __init__(self, console: Console | None = None, total: int | None = None) -> None:
        super().__init__(console, total)

    def cycle_finished(self, result: CameraCycles, cycle: int, total: int, ok: bool, reason: str) -> None:
        if not ok:
            self.console.print(f"{self._camera}: cycle {cycle} of {total} [red]failed[/]: {reason}",
                               highlight=False, soft_wrap=True)
        elif not self.console.is_terminal and (cycle % max(1, total // 10) == 0 or cycle == total):
            self.console.print(f"{self._camera}: cycle {cycle} of {total}: {result.passed} passed, "
                               f"{result.failed} failed", highlight=False, soft_wrap=True)

    def camera_done(self, result: CameraCycles) -> None:
        style = "red" if result.failed or result.aborted else "green"
        ended = f" ({result.aborted})" if result.aborted else ""
        self.console.print(f"{self._camera}: [{style}]{result.passed} of {result.cycles} cycles passed[/]{ended}",
                           highlight=False, soft_wrap=True)


def cycle_summary(results: Sequence[CameraCycles]) -> tuple[Table, list[str]]:
    """Per camera: cycles passed and failed, reconnect time min / median / p95 / max; and the lines that follow
    it, the failed cycles' reasons (the first few of each camera, then a count by reason)."""
    table = Table(title=f"Cycle run: {len(results)} camera{'s' if len(results) != 1 else ''}",
                  box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1))
    for name in ("serial", "model", "slot", "cycles", "passed", "failed"):
        table.add_column(name, no_wrap=True, justify="left" if name in ("serial", "model") else "right")
    table.add_column("reconnect s min / median / p95 / max", justify="right", no_wrap=True)
    lines: list[str] = []
    for result in results:
        stats = result.reconnect_stats()
        reconnect = " / ".join(f"{v:.1f}" for v in stats) if stats else "-"
        failed = Text(str(result.failed), style="red" if result.failed else "green")
        table.add_row(result.serial, result.model, str(result.slot), str(result.cycles), str(result.passed),
                      failed, reconnect)
        lines += [f"{result.serial} {reason}" for reason in result.reasons]
        if result.failed > len(result.reasons):
            lines += [f"{result.serial}: {count} x {reason.split(': ', 1)[-1]}"
                      for reason, count in result.reason_counts.most_common(3)]
        if result.aborted:
            lines.append(f"{result.serial}: run ended: {result.aborted}")
    return table, (["failed cycles:", *(f"  {line}" for line in lines)] if lines else ["every cycle passed"])

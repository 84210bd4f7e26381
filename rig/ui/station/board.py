"""What the station page shows, as one thread-safe model: a tile per slot, the operator's prompt queue, the
cameras finished so far, and the serials scanned on the page waiting for a free slot.

The bench (in its own thread) writes to it through the listener callbacks and the page operator; the web
server (in another) reads snapshots of it. Every change bumps ``version``, so a page that streams updates
sends only when something changed. Times are on the rig clock; the page is sent seconds *left*, never
absolute clock values.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from rig.core.clock import Clock
from rig.core.durations import duration_text

LED_STRIP_S = 30.0        # the live LED strip on each tile shows this many seconds
FINISHED_KEPT = 10_000    # cameras kept for /api/cameras (a long day's desk)


class SlotState(StrEnum):
    EMPTY = "empty"
    TESTING = "testing"
    WAITING_OPERATOR = "waiting_operator"
    DONE = "done"


class PromptAnswer(StrEnum):
    DONE = "done"
    CANT = "cant"
    TIMEOUT = "timeout"


@dataclass
class Countdown:
    label: str
    ends_s: float
    total_s: float


@dataclass
class SlotTile:
    slot: int
    serial: str = ""
    model: str = ""
    state: SlotState = SlotState.EMPTY
    step: str = ""
    step_detail: str = ""
    pattern: str = ""
    disposition: str = ""
    reason: str = ""
    fixed_by: str = ""
    battery: dict[str, float] = field(default_factory=dict)
    countdown: Countdown | None = None


@dataclass
class Prompt:
    """An app-only step handed to the operator, on the page until answered or timed out."""

    id: int
    slot: int
    serial: str
    task: str
    title: str
    instructions: str
    image: str                  # a drawing served from the package's static folder
    deadline_s: float
    answer: PromptAnswer | None = None
    note: str = ""


@dataclass(frozen=True)
class FinishedCamera:
    serial: str
    slot: int
    model: str
    disposition: str
    fixed_by: str
    duration_s: float | None
    notes: str


LedSource = Callable[[float], tuple[int, list[tuple[float, int]]]]
"""Given a window in seconds: (level at the window's start, [(seconds before now, level), ...] of its edges)."""


class StationBoard:
    def __init__(self, clock: Clock, slots: int) -> None:
        if slots < 1:
            raise ValueError("a station has at least one slot")
        self.clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.version = 0
        self.tiles = [SlotTile(slot=n) for n in range(1, slots + 1)]
        self.prompts: list[Prompt] = []
        self.finished: deque[FinishedCamera] = deque(maxlen=FINISHED_KEPT)
        self.scanned: deque[str] = deque()
        self.led_sources: dict[int, LedSource] = {}
        self.stop_requested = False
        self.on_stop: Callable[[], None] | None = None   # the command's way to stop the bench (its stop flag)
        self.batch_over = False
        self.notice = ""   # one line for the operator (a scan the bench could not use)
        self._prompt_ids = itertools.count(1)

    # --- writers (the bench) --------------------------------------------------------------------------------
    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def tile(self, slot: int) -> SlotTile:
        return self.tiles[slot - 1]

    def update(self, slot: int, **changes) -> None:
        with self._lock:
            tile = self.tile(slot)
            for key, value in changes.items():
                if not hasattr(tile, key):
                    raise AttributeError(f"a slot tile has no {key!r}")
                setattr(tile, key, value)
            self._bump()

    def load(self, slot: int, serial: str, model: str) -> None:
        with self._lock:
            self.tiles[slot - 1] = SlotTile(slot=slot, serial=serial, model=model, state=SlotState.TESTING,
                                            step="starting")
            self._bump()

    def finish(self, slot: int, camera: FinishedCamera, reason: str) -> None:
        with self._lock:
            self.update(slot, state=SlotState.DONE, disposition=camera.disposition, reason=reason,
                        fixed_by=camera.fixed_by, countdown=None, step="finished", step_detail="")
            self.finished.append(camera)
            self._bump()

    def slot_holding(self, serial: str) -> int:
        """The slot whose tile shows ``serial`` (the newest load); slot 1 when none does, as with one slot."""
        with self._lock:
            return next((t.slot for t in self.tiles if t.serial == serial), 1)

    def empty(self, slot: int) -> None:
        with self._lock:
            self.tiles[slot - 1] = SlotTile(slot=slot)
            self._bump()

    def end_batch(self) -> None:
        with self._lock:
            self.batch_over = True
            self._bump()

    # --- prompts ---------------------------------------------------------------------------------------------
    def post_prompt(self, slot: int, serial: str, task: str, title: str, instructions: str, image: str,
                    timeout_s: float) -> Prompt:
        with self._lock:
            prompt = Prompt(next(self._prompt_ids), slot, serial, task, title, instructions, image,
                            self.clock.now() + timeout_s)
            self.prompts.append(prompt)
            self.update(slot, state=SlotState.WAITING_OPERATOR)
            return prompt

    def answer_prompt(self, prompt_id: int, answer: PromptAnswer, note: str = "") -> bool:
        """The operator's answer from the page; False when no such prompt is open (already answered)."""
        with self._lock:
            prompt = next((p for p in self.prompts if p.id == prompt_id and p.answer is None), None)
            if prompt is None:
                return False
            prompt.answer, prompt.note = answer, note
            self._bump()
            return True

    def close_prompt(self, prompt: Prompt) -> None:
        with self._lock:
            if prompt in self.prompts:
                self.prompts.remove(prompt)
            if not any(p.slot == prompt.slot for p in self.prompts):
                tile = self.tile(prompt.slot)
                if tile.state is SlotState.WAITING_OPERATOR:
                    tile.state = SlotState.TESTING
            self._bump()

    # --- the scan field --------------------------------------------------------------------------------------
    def scan(self, serial: str) -> None:
        with self._lock:
            self.scanned.append(serial)
            self._bump()

    def take_scanned(self) -> str | None:
        with self._lock:
            if not self.scanned:
                return None
            serial = self.scanned.popleft()
            self._bump()
            return serial

    def request_stop(self) -> None:
        with self._lock:
            self.stop_requested = True
            self._bump()
        if self.on_stop is not None:
            self.on_stop()

    def tell(self, notice: str) -> None:
        with self._lock:
            self.notice = notice
            self._bump()

    # --- readers (the web server) ----------------------------------------------------------------------------
    def wait_change(self, seen_version: int, timeout_s: float) -> int:
        """Block (in real time: this is the web server's thread) until the version passes ``seen_version``."""
        with self._lock:
            self._changed.wait_for(lambda: self.version != seen_version, timeout=timeout_s)
            return self.version

    def slots_json(self) -> list[dict]:
        with self._lock:
            now = self.clock.now()
            return [self._tile_json(tile, now) for tile in self.tiles]

    def _tile_json(self, tile: SlotTile, now: float) -> dict:
        countdown = None
        if tile.countdown is not None:
            remaining_s = max(0.0, tile.countdown.ends_s - now)
            countdown = {
                "label": tile.countdown.label,
                "remaining_s": round(remaining_s, 1),
                "total_s": round(tile.countdown.total_s, 1),
                "remaining_text": duration_text(remaining_s),   # the one formatter: the page has no copy
            }
        led = self.led_sources.get(tile.slot)
        strip = None
        if led is not None and tile.state is not SlotState.EMPTY:
            initial, edges = led(LED_STRIP_S)
            strip = {"window_s": LED_STRIP_S, "initial": initial,
                     "edges": [[round(ago, 3), level] for ago, level in edges]}
        return {
            "slot": tile.slot,
            "serial": tile.serial or None,
            "model": tile.model or None,
            "state": tile.state.value,
            "step": tile.step or None,
            "step_detail": tile.step_detail or None,
            "pattern": tile.pattern or None,
            "disposition": tile.disposition or None,
            "reason": tile.reason or None,
            "fixed_by": tile.fixed_by or None,
            "battery": tile.battery or None,
            "countdown": countdown,
            "led": strip,
        }

    def cameras_json(self) -> list[dict]:
        with self._lock:
            return [
                {
                    "serial": c.serial,
                    "slot": c.slot,
                    "model": c.model,
                    "disposition": c.disposition,
                    "fixed_by": c.fixed_by or None,
                    "duration_s": None if c.duration_s is None else round(c.duration_s, 1),
                    # from the CSV's own figure (0.1 s), so the page and `rig report` say the same
                    "duration_text": duration_text(None if c.duration_s is None else round(c.duration_s, 1)),
                    "notes": c.notes or None,
                }
                for c in self.finished
            ]

    def prompts_json(self) -> list[dict]:
        with self._lock:
            now = self.clock.now()
            return [
                {
                    "id": p.id,
                    "slot": p.slot,
                    "serial": p.serial,
                    "task": p.task,
                    "title": p.title,
                    "instructions": p.instructions,
                    "image": p.image,
                    "remaining_s": round(max(0.0, p.deadline_s - now), 0),
                    "remaining_text": duration_text(round(max(0.0, p.deadline_s - now), 0)),
                }
                for p in self.prompts
                if p.answer is None
            ]

    def summary_json(self) -> dict:
        with self._lock:
            counts: dict[str, int] = {}
            for camera in self.finished:
                counts[camera.disposition] = counts.get(camera.disposition, 0) + 1
            return {
                "finished": len(self.finished),
                "dispositions": counts,
                "waiting_scans": list(self.scanned),
                "batch_over": self.batch_over,
                "stopping": self.stop_requested,
                "notice": self.notice or None,
            }

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "version": self.version,
                "slots": self.slots_json(),
                "prompts": self.prompts_json(),
                "summary": self.summary_json(),
            }

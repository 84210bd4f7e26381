"""The photodiode on the camera's status LED: every edge, timestamped where the pin library stamps it.

Built on gpiozero's ``DigitalInputDevice`` so any pin factory works (lgpio on a Pi, a mock in tests). The
timestamp is the tick the pin backend hands its callback (lgpio: the kernel's edge timestamp), converted to the
rig's clock through an anchor taken at construction, so Python's callback latency never shifts an edge. No
debouncing: glitches and chatter are kept as raw edges for the classifier, which knows what noise looks like.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gpiozero import DigitalInputDevice

from rig.core.clock import Clock


@dataclass(frozen=True)
class LedEdge:
    """One transition of the LED as the photodiode saw it: ``lit`` after the edge, at ``t_s`` on the rig clock."""

    t_s: float
    lit: bool


class _EdgeInput(DigitalInputDevice):
    """A ``DigitalInputDevice`` that hands every pin change (with its backend tick) to a sink."""

    def __init__(self, *args, sink, **kwargs) -> None:
        self._sink = sink
        super().__init__(*args, **kwargs)

    def _pin_changed(self, ticks, state) -> None:  # gpiozero's own per-edge hook
        self._sink(ticks, bool(self._state_to_value(state)))
        super()._pin_changed(ticks, state)


class Photodiode:
    """Comparator output of the LED sensor on a GPIO input; collects edges into a thread-safe buffer.

    ``active_high`` says which level means "LED lit" (the reference front end pulls low when lit).
    Edges are handed out by index marks: ``mark()`` now, ``edges_since(mark)`` later.
    """

    def __init__(
        self,
        pin: int,
        clock: Clock,
        active_high: bool = True,
        pull_up: bool | None = None,
        pin_factory=None,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._edges: list[LedEdge] = []
        # pull_up=None (external pull) needs active_state; with a pull, gpiozero infers it and forbids it.
        kwargs = {"active_state": active_high} if pull_up is None else {}
        self._device = _EdgeInput(
            pin, pull_up=pull_up, pin_factory=pin_factory, sink=self._on_edge, **kwargs
        )
        if pull_up is not None and pull_up == active_high:
            # A pull towards the active level: the sensor drives the other way when lit. gpiozero assumes
            # "pull-up means active low"; honour the configured polarity instead.
            self._device._active_state = active_high
            self._device._inactive_state = not active_high
        self._factory = self._device.pin_factory
        self._anchor_ticks = self._factory.ticks()
        self._anchor_s = clock.now()

    def _on_edge(self, ticks, lit: bool) -> None:
        t_s = self._anchor_s + self._factory.ticks_diff(ticks, self._anchor_ticks)
        with self._lock:
            self._edges.append(LedEdge(t_s, lit))

    @property
    def lit(self) -> bool:
        """Is the LED lit right now (the comparator's present level)?"""
        return bool(self._device.value)

    def mark(self) -> int:
        """A position in the edge buffer: edges after it are what happens from now on."""
        with self._lock:
            return len(self._edges)

    def edges_since(self, mark: int) -> list[LedEdge]:
        with self._lock:
            return self._edges[mark:]

    def close(self) -> None:
        self._device.close()

"""The photodiode on the camera's status LED: every edge, timestamped where the pin library stamps it.

Built on gpiozero's ``DigitalInputDevice`` so any pin factory works (lgpio on a Pi, a mock in tests). The
timestamp is the tick the pin backend hands its callback (lgpio: the kernel's edge timestamp), converted to the
rig's clock through an anchor taken at construction, so Python's callback latency never shifts an edge. No
software debouncing: glitches and chatter are kept as raw edges for the classifier, which knows what noise
looks like. On lgpio the kernel's glitch filter drops slivers shorter than ``glitch_filter_us`` before they
cost a Python callback (it is far below the shortest lit time of a PWM-driven LED, so no real light is lost).

The buffer is bounded: times in an ``array('d')``, levels in a ``bytearray`` (9 bytes an edge), at most
``capacity`` edges held. Edges that arrive when it is full are *counted* (:attr:`Photodiode.overflowed`), never
silently lost: the controller ends the camera ``aborted`` when the count moves (``PhotodiodeOverflow``).
"""

from __future__ import annotations

import threading
from array import array
from itertools import repeat

from gpiozero import DigitalInputDevice

from rig.core.clock import Clock
from rig.led.edge import Edge

_new_tuple = tuple.__new__

DEFAULT_CAPACITY = 2_000_000
"""Edges held at once: 18 MB; over three minutes of an unfiltered 5 kHz PWM-driven LED lit without a break."""

GLITCH_FILTER_US = 20
"""lgpio kernel glitch filter: a level must hold this long to be reported. A 5 kHz PWM-driven LED lit 20 % of
each period is lit 40 us, so 20 us removes only sub-period slivers (comparator chatter)."""


class _EdgeInput(DigitalInputDevice):
    """A ``DigitalInputDevice`` that hands every pin change (with its backend tick) to a sink."""

    def __init__(self, *args, sink, **kwargs) -> None:
        self._sink = sink
        super().__init__(*args, **kwargs)

    def _pin_changed(self, ticks, state) -> None:  # gpiozero's own per-edge hook
        # Only the sink: gpiozero's events (when_activated, active_time) have no listener here and would cost
        # half of the per-edge time (benchmarks/edge_path_bench.py).
        self._sink(ticks, state == self._active_state)


def _is_lgpio(factory) -> bool:
    try:
        from gpiozero.pins.lgpio import LGPIOFactory
    except ImportError:   # no lgpio module: certainly not the lgpio backend
        return False
    return isinstance(factory, LGPIOFactory)


def apply_glitch_filter(device: DigitalInputDevice, glitch_filter_us: int) -> bool:
    """Set lgpio's kernel debounce (its glitch filter) on ``device``'s pin; only on the lgpio backend, where it
    is done by the kernel. Other backends would emulate it in Python, which costs what it should save."""
    if glitch_filter_us <= 0 or not _is_lgpio(device.pin_factory):
        return False
    device.pin.bounce = glitch_filter_us / 1e6   # LGPIOPin: lgpio.gpio_set_debounce_micros, in the kernel
    return True


class Photodiode:
    """Comparator output of the LED sensor on a GPIO input; collects edges into a bounded, thread-safe buffer.

    ``active_high`` says which level means "LED lit" (the reference front end pulls low when lit).
    Edges are handed out by absolute positions: ``mark()`` now, ``edges_since(mark)`` later;
    ``discard_before(mark)`` frees what a streaming reader has consumed.
    """

    def __init__(
        self,
        pin: int,
        clock: Clock,
        active_high: bool = True,
        pull_up: bool | None = None,
        pin_factory=None,
        capacity: int = DEFAULT_CAPACITY,
        glitch_filter_us: int = GLITCH_FILTER_US,
    ) -> None:
        if capacity < 1:
            raise ValueError(f"photodiode buffer capacity must be >= 1, got {capacity}")
        self._clock = clock
        self._lock = threading.Lock()
        self._times = array("d")
        self._levels = bytearray()
        self._first = 0            # absolute position of self._times[0]
        self._capacity = capacity
        self.overflowed = 0
        """Edges that arrived while the buffer was full (lost to the trace; the controller aborts on it)."""
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
        self.kernel_glitch_filter = apply_glitch_filter(self._device, glitch_filter_us)
        self._factory = self._device.pin_factory
        self._anchor_ticks = self._factory.ticks()
        self._anchor_s = clock.now()

    def _on_edge(self, ticks, lit: bool) -> None:
        t_s = self._anchor_s + self._factory.ticks_diff(ticks, self._anchor_ticks)
        with self._lock:
            if len(self._times) >= self._capacity:
                self.overflowed += 1
                return
            self._times.append(t_s)
            self._levels.append(lit)

    @property
    def lit(self) -> bool:
        """Is the LED lit right now (the comparator's present level)?"""
        return bool(self._device.value)

    @property
    def capacity(self) -> int:
        return self._capacity

    def mark(self) -> int:
        """A position in the edge stream: edges after it are what happens from now on."""
        with self._lock:
            return self._first + len(self._times)

    def edges_since(self, mark: int) -> list[Edge]:
        """The edges from position ``mark`` on (those already discarded are gone: ask before discarding)."""
        with self._lock:
            index = max(0, mark - self._first)
            times, levels = self._times[index:], self._levels[index:]
        return list(map(_new_tuple, repeat(Edge), zip(times, levels, strict=True)))   # Edge(t, level), fast

    def discard_before(self, mark: int) -> None:
        """Free the edges before position ``mark`` (a streaming reader has written them out)."""
        with self._lock:
            drop = min(max(0, mark - self._first), len(self._times))
            if drop:
                del self._times[:drop]
                del self._levels[:drop]
                self._first += drop

    def close(self) -> None:
        self._device.close()

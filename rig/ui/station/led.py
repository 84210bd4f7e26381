"""A slot's live LED strip: the last seconds of its photodiode's edges, for the station page.

The bench thread's photodiode keeps appending edges (under its own lock) while the web thread asks for the
strip; this source only *reads* the photodiode's edge stream from its own position onward, under a lock of
its own, so neither thread waits on the other for longer than a copy.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Protocol

from rig.core.clock import Clock


class EdgeStream(Protocol):
    """What the source needs of ``rig.hardware.photodiode.Photodiode``."""

    @property
    def lit(self) -> bool: ...
    def mark(self) -> int: ...
    def edges_since(self, mark: int) -> list: ...


class PhotodiodeLedSource:
    """A ``rig.ui.station.board.LedSource`` over one slot's photodiode."""

    def __init__(self, photodiode: EdgeStream, clock: Clock, keep_s: float) -> None:
        self._photodiode = photodiode
        self._clock = clock
        self._keep_s = keep_s
        self._lock = threading.Lock()
        self._position = photodiode.mark()
        self._before = int(photodiode.lit)      # the level before the oldest edge kept
        self._edges: deque[tuple[float, int]] = deque()

    def __call__(self, window_s: float) -> tuple[int, list[tuple[float, int]]]:
        with self._lock:
            now = self._clock.now()
            fresh = self._photodiode.edges_since(self._position)
            self._position += len(fresh)
            self._edges.extend((edge.t_s, int(edge.level)) for edge in fresh)
            horizon = now - max(window_s, self._keep_s)
            while self._edges and self._edges[0][0] < horizon:
                self._before = self._edges.popleft()[1]
            start = now - window_s
            initial = self._before
            edges = []
            for t_s, level in self._edges:
                if t_s < start:
                    initial = level
                else:
                    edges.append((now - t_s, level))
            return initial, edges

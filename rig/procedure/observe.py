"""Watching the LED: photodiode edges streamed into the pattern classifier on the rig's clock.

An observation starts a fresh classifier at "now" with the LED's present level, feeds it every edge the
photodiode timestamps, and tells it the time between edges, until it commits or the timeout passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rig.core.clock import Clock
from rig.hardware.photodiode import Photodiode
from rig.led.classifier import Decision, PatternClassifier
from rig.led.patterns import Pattern
from rig.procedure.rig_fault import PhotodiodeOverflow


@dataclass(frozen=True)
class Observation:
    decision: Decision
    started_s: float
    ended_s: float
    timed_out: bool   # the classifier had not committed when the time was up: ``decision`` is its best answer

    @property
    def pattern(self) -> Pattern:
        return self.decision.pattern


EDGE_LATENCY_S = 0.05
"""How late an edge may reach the buffer after it happened (lgpio's callback thread). The classifier is told
time has passed only up to ``now - EDGE_LATENCY_S``, so a late edge never arrives "in the past"."""


def check_overflow(photodiode: Photodiode, before: int) -> None:
    """Edges lost to a full buffer end the camera ``aborted``: a trace with holes is no evidence."""
    lost = photodiode.overflowed - before
    if lost > 0:
        raise PhotodiodeOverflow(
            f"photodiode overflow: {lost} LED edges lost (buffer of {photodiode.capacity} edges full); the input "
            "toggles faster than the rig can keep: fit the RC low-pass before the comparator (hardware/BUILD.md, "
            "photodiode front end) or check for a PWM-driven LED or a chattering comparator"
        )


class LedWatcher:
    """Observes the LED for one decision at a time; also keeps the whole test's edges for the trace."""

    def __init__(
        self, photodiode: Photodiode, clock: Clock, poll_s: float = 0.1, edge_latency_s: float = EDGE_LATENCY_S
    ) -> None:
        self.photodiode = photodiode
        self.clock = clock
        self.poll_s = poll_s
        self.edge_latency_s = edge_latency_s

    def observe(self, timeout_s: float, start_action: Callable[[], None] | None = None) -> Observation:
        """Classify from now until the classifier commits, or ``timeout_s`` passes (then its best answer).

        ``start_action`` (e.g. firing the motion stimulus) runs once the classifier is listening, so the
        camera's answer to it cannot be missed.
        """
        start = self.clock.now()
        mark = self.photodiode.mark()
        classifier = PatternClassifier(start_s=start, initial_level=int(self.photodiode.lit))
        if start_action is not None:
            start_action()
        fed = mark                # position of the next edge to feed (reads stay linear in the edge count)
        overflowed = self.photodiode.overflowed
        heard_s = start  # the classifier's time: the latest edge fed or instant advanced to
        deadline = start + timeout_s
        while True:
            edges = self.photodiode.edges_since(fed)
            check_overflow(self.photodiode, overflowed)
            for edge in edges:
                decision = classifier.feed(edge)
                heard_s = max(heard_s, edge.t_s)
                if decision is not None:
                    return Observation(decision, start, edge.t_s, timed_out=False)
            fed += len(edges)
            now = self.clock.now()
            settled = now - self.edge_latency_s
            decision = None
            if settled > heard_s:
                heard_s = settled
                decision = classifier.advance(settled)
            if decision is not None:
                return Observation(decision, start, now, timed_out=False)
            if now >= deadline:
                # The last edges are in: the buffer is read once more before the classifier hears "the end".
                for edge in self.photodiode.edges_since(fed):
                    decision = classifier.feed(edge)
                    if decision is not None:
                        return Observation(decision, start, edge.t_s, timed_out=False)
                check_overflow(self.photodiode, overflowed)
                return Observation(classifier.finish(now), start, now, timed_out=True)
            self.clock.sleep(min(self.poll_s, deadline - now))

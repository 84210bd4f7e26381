"""Hand-built LED traces for the classifier tests: a list of lit pulses in, a Trace (and its decision) out."""

from __future__ import annotations

from rig.led.classifier import Decision, classify_trace
from rig.led.timing import PatternTiming
from rig.led.trace import Edge, Trace


def trace_of(pulses: list[tuple[float, float | None]], end_s: float, initial_level: int = 0) -> Trace:
    """``pulses``: ``(rise_s, width_s)``; width None = lit until the end. With ``initial_level=1`` the first
    pulse's rise is ignored (lit from the start)."""
    edges: list[Edge] = []
    for index, (rise, width) in enumerate(pulses):
        if not (initial_level and index == 0):
            edges.append(Edge(rise, 1))
        if width is not None:
            edges.append(Edge(rise + width, 0))
    return Trace(initial_level, tuple(edges), end_s)


def decide(pulses: list[tuple[float, float | None]], end_s: float, initial_level: int = 0,
           **timing: object) -> Decision:
    return classify_trace(trace_of(pulses, end_s, initial_level), PatternTiming(**timing))  # type: ignore[arg-type]


def flash_train(first_rise_s: float, gaps_s: list[float], width_s: float = 0.15) -> list[tuple[float, float | None]]:
    """Quick flashes: one at ``first_rise_s``, then each gap (rise to rise) later."""
    rises = [first_rise_s]
    for gap in gaps_s:
        rises.append(rises[-1] + gap)
    return [(r, width_s) for r in rises]


def recording(flash_rise_s: float = 1.0, delay_s: float = 0.5, clip_s: float = 10.0,
              flash_width_s: float = 0.15) -> tuple[list[tuple[float, float | None]], float]:
    """The motion flash and its recording light; returns the pulses and the light-off time."""
    light_rise = flash_rise_s + flash_width_s + delay_s
    return [(flash_rise_s, flash_width_s), (light_rise, clip_s)], light_rise + clip_s

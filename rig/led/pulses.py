"""Pulse extraction: raw photodiode edges in, the LED's real lit pulses out, streaming.

A comparator on a real LED does not give clean pulses. This module removes, in time order and with bounded
delay, what docs/DESIGN.md calls sensor noise:

* dark gaps shorter than ``pwm_gap_max_s`` (2 ms) are bridged before anything else: a PWM-driven LED
  (0.5-5 kHz, lit at least 20 % of each period: gaps of at most 1.6 ms) is one lit pulse, and so is an edge's
  sub-millisecond chatter. Ambient flicker (100/120 Hz, lit 1-5 ms at a duty of at most 50 %: gaps of at
  least 4.2 ms; the tests keep a margin down to 2.3 ms) is not bridged: its lit runs stay 1-5 ms long and
  fall to the next rule;
* lit runs shorter than ``noise_max_s`` (comparator glitches, 100/120 Hz ambient flicker, the lit half of
  contact chatter) are dropped: a rise only counts once the input has stayed lit that long;
* dark gaps shorter than ``noise_max_s`` (the dark half of chatter) are bridged;
* dark gaps shorter than ``dropout_max_s`` next to a long pulse are dropouts inside the recording light: bridged
  inside it, and a short pulse just before it is merged into it (a dropout early in the light must not turn
  its first moments into a "flash"). The model never puts a flash that close to the light.

What is left may still hold merged noise (a glitch landing on ambient flicker makes a lit run of up to about
34 ms): the grammar takes no lit run under ``noise_run_max_s`` (40 ms) for a flash.

Edge times are kept as the sensor stamped them (the start of the surviving run), only *knowing* them is late:
a rise is known ``noise_max_s`` after it happened, a pulse's end ``dropout_max_s`` after it happened (a raw fall
is only passed on ``pwm_gap_max_s`` after it, when no rise has bridged it). The tracker says when its pulse
list is *stable* (nothing seen so far can still change it); the classifier only commits then.
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.led.timing import PatternTiming


@dataclass(frozen=True)
class Pulse:
    """One lit period of the LED. ``fall_s`` is None while still lit; ``starts_before`` when it was already lit
    as observation began (the true rise is at or before ``rise_s``)."""

    rise_s: float
    fall_s: float | None = None
    starts_before: bool = False

    def lit_s(self, now_s: float) -> float:
        return (self.fall_s if self.fall_s is not None else now_s) - self.rise_s


class PulseTracker:
    """Streaming noise filter. Feed raw levels with :meth:`raw_edge`; fire timers with :meth:`fire_next`."""

    def __init__(self, start_s: float, initial_level: int, timing: PatternTiming) -> None:
        self._timing = timing
        self._raw = initial_level
        self._pending_rise: float | None = None   # raw went lit here; not yet noise_max_s long
        self._final: list[Pulse] = []              # pulses nothing can change any more
        self._chain: list[Pulse] = []              # short pulses a long one may still swallow (dropout gaps)
        self._open_rise: float | None = start_s if initial_level else None
        self._open_starts_before = bool(initial_level)
        self._open_long = False
        self._closing_fall: float | None = None    # the open pulse went dark here; may still be bridged
        self._long_s = timing.flash_width_max_s
        self._level_in = initial_level             # the input before the PWM bridge
        self._held_fall: float | None = None       # a raw fall not yet known to be more than a PWM gap
        self._bridge_s = timing.pwm_gap_max_s
        self._inner_due: float | None = None       # the filter's own next timer, kept current
        self._due: float | None = None             # next_due(): the inner timer or the held fall's release
        self.version = 0                           # moves when the pulse list may have changed (not for a glitch)
        self._inner_due = self._compute_due()
        self._due = self._inner_due

    # --- input ---
    def raw_edge(self, t_s: float, level: int) -> None:
        """The comparator output became ``level`` at ``t_s`` (due timers up to ``t_s`` must be fired first)."""
        if level == self._level_in:
            return
        self._level_in = level
        if not level:
            self._held_fall = t_s
            inner = self._inner_due            # _merged_due(), inlined: this runs for every raw fall
            self._due = inner if inner is not None and inner <= t_s else t_s + self._bridge_s
        elif self._held_fall is not None and t_s - self._held_fall < self._bridge_s:
            self._held_fall = None             # dark shorter than a PWM gap: still lit
            self._due = self._inner_due
        else:
            if self._held_fall is not None:    # the caller skipped the release timer: the fall was real
                held, self._held_fall = self._held_fall, None
                self._bridged_edge(held, 0)
            self._bridged_edge(t_s, 1)

    def glitch_only(self) -> bool:
        """Dark but for an unconfirmed lit run: its end, once real, only drops it (no timer, no pulse change)."""
        return self._pending_rise is not None and self._closing_fall is None and self._open_rise is None

    def _merged_due(self) -> float | None:
        inner, held = self._inner_due, self._held_fall
        if held is None:
            return inner
        if inner is not None and inner <= held:
            return inner
        return held + self._bridge_s

    def _bridged_edge(self, t_s: float, level: int) -> None:
        """An edge of the input with PWM gaps bridged."""
        if level == self._raw:
            return
        self._raw = level
        if level:
            self._pending_rise = t_s
            if self._closing_fall is None and self._open_rise is None:   # the common case, in the dark
                due = t_s + self._timing.noise_max_s
                self._inner_due = due
                self._due = due if self._held_fall is None else self._merged_due()
                return
        elif self._pending_rise is not None:
            self._pending_rise = None          # lit for less than noise_max_s: a glitch
        else:
            self._closing_fall = t_s           # a real fall, unless the dark is too short to count
            self.version += 1
        self._inner_due = self._compute_due()
        self._due = self._merged_due()

    # --- timers ---
    def next_due(self) -> float | None:
        """When the tracker must next be told the time (a rise confirmed, a pulse end made final, ...)."""
        return self._due

    def _compute_due(self) -> float | None:
        due: float | None = None
        if self._pending_rise is not None:
            due = self._pending_rise + self._timing.noise_max_s
        if self._closing_fall is not None:
            if not self._blocked():
                end = self._closing_fall + self._timing.dropout_max_s
                due = end if due is None or end < due else due
        elif self._open_rise is not None and not self._open_long:
            long = self._open_rise + self._long_s
            due = long if due is None or long < due else due
        return due

    def fire_next(self, now_s: float) -> None:
        """Fire the earliest due timer (the caller checked it is due by ``now_s``)."""
        held = self._held_fall
        if held is not None and self._due == held + self._bridge_s and (
                self._inner_due is None or self._inner_due > held):
            self._held_fall = None             # dark longer than a PWM gap: the fall was real
            self._bridged_edge(held, 0)
            return
        t = self._timing
        candidates: list[tuple[float, str]] = []
        if self._pending_rise is not None:
            candidates.append((self._pending_rise + t.noise_max_s, "confirm"))
        if self._closing_fall is not None and not self._blocked():
            candidates.append((self._closing_fall + t.dropout_max_s, "finalize"))
        if self._open_rise is not None and self._closing_fall is None and not self._open_long:
            candidates.append((self._open_rise + self._long_s, "long"))
        if not candidates:
            return
        _, what = min(candidates)
        self.version += 1
        try:
            self._fire(what, now_s)
        finally:
            self._inner_due = self._compute_due()
            self._due = self._merged_due()

    def _fire(self, what: str, now_s: float) -> None:
        if what == "confirm":
            rise = self._pending_rise
            assert rise is not None
            self._pending_rise = None
            self._confirmed_rise(rise, now_s)
        elif what == "finalize":
            self._finalize()
        else:
            self._become_long()

    def _blocked(self) -> bool:
        """A pulse end cannot be made final while an unconfirmed rise could still bridge its gap."""
        return (self._pending_rise is not None and self._closing_fall is not None
                and self._pending_rise < self._closing_fall + self._timing.dropout_max_s)

    def _confirmed_rise(self, rise_s: float, now_s: float) -> None:
        t = self._timing
        if self._closing_fall is None:
            self._open_rise, self._open_starts_before, self._open_long = rise_s, False, False
            return
        gap_s = rise_s - self._closing_fall
        if gap_s < t.noise_max_s or (self._open_long and gap_s < t.dropout_max_s):
            self._closing_fall = None          # bridged: the same pulse goes on
            if not self._open_long and self._open_rise is not None and now_s - self._open_rise >= self._long_s:
                self._become_long()
            return
        assert self._open_rise is not None
        closed = Pulse(self._open_rise, self._closing_fall, self._open_starts_before)
        self._closing_fall = None
        if gap_s < t.dropout_max_s:
            self._chain.append(closed)         # short pulse, short gap: maybe the start of a light
        else:
            self._final.extend([*self._chain, closed])
            self._chain.clear()
        self._open_rise, self._open_starts_before, self._open_long = rise_s, False, False

    def _finalize(self) -> None:
        assert self._open_rise is not None and self._closing_fall is not None
        self._final.extend([*self._chain, Pulse(self._open_rise, self._closing_fall, self._open_starts_before)])
        self._chain.clear()
        self._open_rise = self._closing_fall = None
        self._open_long = self._open_starts_before = False

    def _become_long(self) -> None:
        self._open_long = True
        if self._chain:                        # the short pulses before it were its start, split by dropouts
            self._open_rise = self._chain[0].rise_s
            self._open_starts_before = self._chain[0].starts_before
            self._chain.clear()

    # --- output ---
    @property
    def stable(self) -> bool:
        """True when no pulse seen so far can still change: dark for ``dropout_max_s`` after the last pulse
        (or never lit), or inside a long pulse; and no unconfirmed rise."""
        if self._pending_rise is not None or self._closing_fall is not None or self._chain:
            return False
        if self._held_fall is not None and not self._open_long:
            return False
        return self._open_rise is None or self._open_long

    def pulses(self) -> list[Pulse]:
        """The stable view: final pulses, plus the long pulse still lit. Only meaningful when :attr:`stable`."""
        if self._open_rise is not None and self._open_long:
            return [*self._final, Pulse(self._open_rise, None, self._open_starts_before)]
        return list(self._final)

    def pulses_at_end(self) -> list[Pulse]:
        """Best view when observation stops now: pending dark gaps count as real, an unconfirmed rise does not,
        and a pulse still lit stays open (it may be a flash cut short or a light)."""
        out = [*self._final, *self._chain]
        if self._open_rise is not None:
            # a fall still held (dark for less than a PWM gap when observation ends) does not count
            out.append(Pulse(self._open_rise, self._closing_fall, self._open_starts_before))
        return out

    @property
    def lit(self) -> bool:
        """Is the LED lit as far as the filter knows (a confirmed pulse that has not ended)?"""
        return self._open_rise is not None and self._closing_fall is None and self._held_fall is None


def extract_pulses(start_s: float, initial_level: int, edges, end_s: float, timing: PatternTiming) -> list[Pulse]:
    """The de-noised pulses of a whole trace (``edges``: ``(t_s, level)`` pairs in time order)."""
    tracker = PulseTracker(start_s, initial_level, timing)

    def run_until(t_s: float) -> None:
        while (due := tracker.next_due()) is not None and due <= t_s:
            tracker.fire_next(due)

    for t_s, level in edges:
        run_until(t_s)
        tracker.raw_edge(t_s, level)
    run_until(end_s)
    return tracker.pulses_at_end()

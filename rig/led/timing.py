"""The classifier's own copy of the LED timing model, plus the sensor margins it needs to be right on real edges.

The pattern numbers are docs/DESIGN.md's (the simulator keeps its own copy in ``firmware_sim``, which ``rig`` must not
import). The margins are ours: how far a real photodiode edge may sit from the truth, how long a dropout inside
the recording light may be, how many flashes in a row the sensor may miss. Every window the classifier uses is
derived here, in one place, so tests and docs can quote the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PatternTiming:
    """docs/DESIGN.md's LED timing model and the classifier's tolerances. All times in seconds."""

    # --- the model (docs/DESIGN.md) ---
    flash_min_s: float = 0.08             # a quick flash is an LED-on pulse of 80-300 ms
    flash_max_s: float = 0.30
    noise_max_s: float = 0.02             # lit pulses shorter than this are sensor noise, never flashes
    network_lost_period_s: float = 3.0    # a quick flash every 3.0 s (+-10 %)
    network_lost_tolerance: float = 0.10
    recording_delay_min_s: float = 0.2    # recording light 0.2-1.0 s after the flash (end of flash to light)
    recording_delay_max_s: float = 1.0
    clip_min_s: float = 5.0               # recording light lit for the clip, 5-60 s
    clip_max_s: float = 60.0
    burst_delay_min_s: float = 0.3        # low battery: first burst flash 0.3-1.5 s after the light goes out
    burst_delay_max_s: float = 1.5
    burst_flashes_min: int = 5            # 5 or 6 quick flashes
    burst_period_min_s: float = 0.3       # at a 0.3-0.6 s period
    burst_period_max_s: float = 0.6

    # --- the sensor and the classifier's choices ---
    edge_jitter_s: float = 0.03           # a real edge is stamped up to this far from the truth (either way)
    dropout_max_s: float = 0.10           # dark gaps shorter than this next to the recording light are dropouts
    noise_run_max_s: float = 0.04         # lit runs shorter than this are never taken for a flash: glitches (< 20 ms)
                                          # can overlap ambient flicker (1-5 ms pulses, 2 ms bridged each side) and
                                          # each other; an 80 ms flash is seen this short only when jitter moves
                                          # both its edges inward by 20 ms or more (then it counts as missed)
    pwm_gap_max_s: float = 0.002          # dark gaps shorter than this are inside a lit pulse, always: a PWM-driven
                                          # LED's off-time (<= 1.6 ms at 0.5-5 kHz, lit >= 20 %) or an edge's
                                          # chatter; ambient flicker's dark is >= 4.2 ms (100/120 Hz, duty <= 50 %)
    missed_flashes: int = 1               # quick flashes in a row the sensor may miss (0 = trust every flash)
    burst_flashes_to_commit: int = 2      # burst flashes seen before committing to low_battery
    none_wait_s: float | None = None      # dark at least this long before ``none`` (e.g. a slow PIR after a
                                          # stimulus); None: as soon as a network_lost flash would have shown

    def __post_init__(self) -> None:
        positive = ("flash_min_s", "flash_max_s", "noise_max_s", "network_lost_period_s", "clip_min_s",
                    "burst_period_min_s", "dropout_max_s")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"PatternTiming.{name} must be > 0, got {getattr(self, name)}")
        if self.none_wait_s is not None and self.none_wait_s < 0:
            raise ValueError(f"PatternTiming.none_wait_s must be >= 0, got {self.none_wait_s}")
        if not self.noise_max_s <= self.noise_run_max_s < self.flash_min_s:
            raise ValueError("PatternTiming.noise_run_max_s must be noise_max_s..flash_min_s")
        if not 0 <= self.pwm_gap_max_s < self.noise_max_s:
            raise ValueError(f"PatternTiming.pwm_gap_max_s must be 0..noise_max_s, got {self.pwm_gap_max_s}")
        if self.edge_jitter_s < 0:
            raise ValueError(f"PatternTiming.edge_jitter_s must be >= 0, got {self.edge_jitter_s}")
        if not self.flash_min_s < self.flash_max_s < self.clip_min_s < self.clip_max_s:
            raise ValueError("PatternTiming: need flash_min_s < flash_max_s < clip_min_s < clip_max_s")
        if not self.burst_period_min_s <= self.burst_period_max_s:
            raise ValueError("PatternTiming: burst_period_min_s > burst_period_max_s")
        if not 0 <= self.missed_flashes < self.burst_flashes_min - 1:
            raise ValueError(f"PatternTiming.missed_flashes must be 0..{self.burst_flashes_min - 2}")
        if not 1 <= self.burst_flashes_to_commit <= self.burst_flashes_min - self.missed_flashes:
            raise ValueError("PatternTiming.burst_flashes_to_commit must be 1..(burst_flashes_min - missed_flashes)")
        if self.dropout_max_s >= self.burst_delay_min_s - self.interval_margin_s:
            raise ValueError("PatternTiming.dropout_max_s must be shorter than the gap before the burst")
        if self.dropout_max_s >= self.recording_delay_min_s - self.interval_margin_s:
            raise ValueError("PatternTiming.dropout_max_s must be shorter than the gap before the recording light")

    # --- derived windows (what the classifier actually compares against) ---
    @property
    def interval_margin_s(self) -> float:
        """Error of a time between two edges: each may be off by ``edge_jitter_s``."""
        return 2 * self.edge_jitter_s

    @property
    def flash_width_min_s(self) -> float:
        """Shortest lit pulse counted as a quick flash: jitter can shrink 80 ms, but noise stays noise, merged
        noise runs included; anything shorter is ignored (not a flash, not an odd pulse)."""
        return max(self.noise_max_s, self.flash_min_s - self.interval_margin_s, self.noise_run_max_s)

    @property
    def flash_width_max_s(self) -> float:
        """Longest lit pulse counted as a quick flash; anything lit longer is a light (or nothing)."""
        return self.flash_max_s + self.interval_margin_s

    @property
    def light_min_s(self) -> float:
        return self.clip_min_s - self.interval_margin_s

    @property
    def light_max_s(self) -> float:
        """Lit longer than this is ``solid``: longer than any clip, even allowing for jitter."""
        return self.clip_max_s + self.interval_margin_s

    @property
    def network_period_min_s(self) -> float:
        return self.network_lost_period_s * (1 - self.network_lost_tolerance)

    @property
    def network_period_max_s(self) -> float:
        return self.network_lost_period_s * (1 + self.network_lost_tolerance)

    @property
    def network_gap_windows_s(self) -> tuple[tuple[float, float], ...]:
        """Rise-to-rise gaps of two seen network_lost flashes: one period, or more when flashes were missed."""
        return _windows(self.network_period_min_s, self.network_period_max_s, self.missed_flashes,
                        self.interval_margin_s)

    @property
    def burst_gap_windows_s(self) -> tuple[tuple[float, float], ...]:
        """Rise-to-rise gaps of two seen burst flashes."""
        return _windows(self.burst_period_min_s, self.burst_period_max_s, self.missed_flashes,
                        self.interval_margin_s)

    @property
    def none_dark_s(self) -> float:
        """Dark this long from the start of observation means ``none``: a network_lost flash would have shown
        (its phase is unknown, so up to one period, plus one more per flash the sensor may miss), or
        ``none_wait_s`` when that is longer."""
        fixed_s = (self.missed_flashes + 1) * self.network_period_max_s + self.edge_jitter_s
        return fixed_s if self.none_wait_s is None else max(fixed_s, self.none_wait_s)

    @property
    def lone_flash_wait_s(self) -> float:
        """After a flash's rise, dark this long rules out network_lost: the flash was ``motion``."""
        return (self.missed_flashes + 1) * self.network_period_max_s + self.interval_margin_s

    @property
    def recording_gap_max_s(self) -> float:
        """Longest dark between the motion flash's end and the recording light's start."""
        return self.recording_delay_max_s + self.interval_margin_s

    @property
    def burst_delay_window_s(self) -> tuple[float, float]:
        """Light-off to the first seen burst flash's rise (later when the first flashes were missed)."""
        return (self.burst_delay_min_s - self.interval_margin_s,
                self.burst_delay_max_s + self.missed_flashes * self.burst_period_max_s + self.interval_margin_s)

    @property
    def burst_next_wait_s(self) -> float:
        """After a burst flash's rise, dark this long means the burst is over."""
        return self.burst_gap_windows_s[-1][1]


def _windows(lo_s: float, hi_s: float, missed: int, margin_s: float) -> tuple[tuple[float, float], ...]:
    return tuple(((m * lo_s) - margin_s, (m * hi_s) + margin_s) for m in range(1, missed + 2))


def in_windows(value_s: float, windows: tuple[tuple[float, float], ...]) -> int | None:
    """The number of periods (1, 2, ...) whose window holds ``value_s``, the first that fits; None if none."""
    for index, (lo, hi) in enumerate(windows):
        if lo <= value_s <= hi:
            return index + 1
    return None


DEFAULT_PATTERN_TIMING = PatternTiming()

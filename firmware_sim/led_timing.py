"""The LED timing model of docs/DESIGN.md, as numbers the simulated camera draws from.

The seed article gives the patterns; docs/DESIGN.md fixes the numbers it leaves open. Kept in one place so the
camera firmware, the trace tools and the tests agree. The classifier keeps its own copy (``rig.led.timing``:
``rig`` never imports the simulator); ``tests/led/test_timing_models_agree.py`` holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LedTiming:
    flash_min_s: float = 0.08            # a quick flash is an LED-on pulse of 80-300 ms
    flash_max_s: float = 0.30
    network_lost_period_s: float = 3.0   # a quick flash every 3.0 s (+-10 %) while offline
    network_lost_tolerance: float = 0.10
    recording_delay_min_s: float = 0.2   # recording light 0.2-1.0 s after the motion flash
    recording_delay_max_s: float = 1.0
    clip_min_s: float = 5.0              # and lit for the clip, 5-60 s
    clip_max_s: float = 60.0
    burst_delay_min_s: float = 0.3       # low battery: 0.3-1.5 s after the recording light goes out...
    burst_delay_max_s: float = 1.5
    burst_flashes: tuple[int, int] = (5, 6)   # ...5 or 6 quick flashes...
    burst_period_min_s: float = 0.3      # ...at a 0.3-0.6 s period
    burst_period_max_s: float = 0.6
    solid_after_s: float = 60.0          # lit longer than any clip
    noise_max_s: float = 0.02            # pulses shorter than this are sensor noise, never flashes


DEFAULT_TIMING = LedTiming()

"""Which pattern a list of de-noised pulses is, or can still become: the LED timing model as a small grammar.

Every pattern, read in time order from the start of observation::

    none          dark ........................................ (dark for none_dark_s)
    network_lost  flash -(period)- flash                        (rise to rise, a multiple if flashes were missed)
    motion        flash ........................................ (no second flash within lone_flash_wait_s)
    motion        flash -(<= 1 s)- LIGHT(5-60 s) ............... (no burst flash within the burst window)
    low_battery   flash -(<= 1 s)- LIGHT(5-60 s) -(0.3-1.5 s)- flash -(0.3-0.6 s)- flash ...
    solid         LIGHT longer than any clip

``LIGHT`` may come without its flash when the sensor may miss flashes (``missed_flashes`` >= 1) or when the
LED was already lit as observation began. Every window is widened by the jitter margin (see
:class:`~rig.led.timing.PatternTiming`). :func:`interpret` walks the pulses through this grammar and says
either "decided: X" (the evidence is complete and nothing later can change it), or where it stands, what it
would answer if observation stopped now, and the deadline at which silence alone would decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

from rig.led.patterns import Pattern
from rig.led.pulses import Pulse
from rig.led.timing import PatternTiming, in_windows


class Phase(StrEnum):
    """How far into the grammar the pulses have got (the controller can watch this live)."""

    DARK = "dark"                        # nothing lit yet
    FLASH = "flash"                      # one quick flash seen
    RECORDING = "recording"              # the recording light is (or was just) lit
    AFTER_RECORDING = "after_recording"  # the light went out; waiting for a burst
    BURST = "burst"                      # burst flashes after the light
    DONE = "done"                        # the pulses fix the answer


class _Kind(Enum):
    FLASH = "flash"          # a closed quick flash (or what is left of one cut by the start)
    SHORT_ON = "short_on"    # still lit, not yet too long for a flash (only seen at the end of observation)
    LIGHT = "light"          # a closed light of clip length
    LIGHT_ON = "light_on"    # still lit, longer than a flash
    SOLID = "solid"          # lit longer than any clip
    ODD = "odd"              # closed, too long for a flash and too short for a clip
    NOISE = "noise"          # closed, shorter than any flash the sensor can show: noise runs merged together


@dataclass(frozen=True)
class Reading:
    """Where the pulses stand in the grammar at ``now_s``."""

    phase: Phase
    pattern: Pattern | None              # decided: the evidence fixes it
    guess: Pattern                       # the best answer if observation stopped now
    evidence: dict[str, object] = field(default_factory=dict)
    deadline_s: float | None = None      # with no new pulse, a decision falls due at this time


def _kind(pulse: Pulse, now_s: float, t: PatternTiming) -> _Kind:
    if pulse.fall_s is None:
        if now_s >= pulse.rise_s + t.light_max_s:
            return _Kind.SOLID
        return _Kind.LIGHT_ON if now_s >= pulse.rise_s + t.flash_width_max_s else _Kind.SHORT_ON
    width = pulse.fall_s - pulse.rise_s
    if width < t.flash_width_max_s:
        return _Kind.FLASH if pulse.starts_before or width >= t.flash_width_min_s else _Kind.NOISE
    if pulse.fall_s >= pulse.rise_s + t.light_max_s:
        return _Kind.SOLID
    if pulse.starts_before or width >= t.light_min_s:
        return _Kind.LIGHT
    return _Kind.ODD


def _r(x: float) -> float:
    return round(x, 4)


def _gap_fits(lo_s: float, hi_s: float, windows: tuple[tuple[float, float], ...]) -> int | None:
    """The period multiple whose window meets the gap range [lo_s, hi_s] (a range when a rise is uncertain)."""
    if lo_s == hi_s:
        return in_windows(lo_s, windows)
    for index, (w_lo, w_hi) in enumerate(windows):
        if lo_s <= w_hi and w_lo <= hi_s:
            return index + 1
    return None


def interpret(pulses: list[Pulse], start_s: float, now_s: float, timing: PatternTiming,
              final: bool = False) -> Reading:
    """Walk ``pulses`` (stable, time order) through the grammar as of ``now_s``.

    ``final`` means observation is over: a pulse still lit and short may be a flash cut short, and the answer
    is a best guess where the evidence is incomplete.
    """
    t = timing
    widths: list[float] = []
    ev: dict[str, object] = {"flash_count": 0, "flash_widths_s": widths}

    def flash(p: Pulse) -> None:
        widths.append(_r(p.lit_s(now_s)))
        ev["flash_count"] = len(widths)

    def done(pattern: Pattern, **more: object) -> Reading:
        ev.update(more)
        return Reading(Phase.DONE, pattern, pattern, ev)

    def unknown(reason: str) -> Reading:
        return done(Pattern.UNKNOWN, reason=reason)

    phase = Phase.DARK
    r1 = f1 = 0.0                       # the first flash
    r1_lo = 0.0                         # earliest its true rise can be (before the start when cut by it)
    light: Pulse | None = None
    light_fall = 0.0
    burst_rises: list[float] = []
    burst_missed = 0

    for p in pulses:
        kind = _kind(p, now_s, t)
        if kind is _Kind.NOISE:
            ev["noise_runs"] = int(ev.get("noise_runs", 0)) + 1  # type: ignore[call-overload]
            continue
        if kind is _Kind.SOLID:
            return done(Pattern.SOLID, lit_s=_r(p.lit_s(now_s)), lit_since_s=_r(p.rise_s),
                        lit_since_start=p.starts_before)
        if kind is _Kind.ODD:
            return unknown(f"a lit pulse of {p.lit_s(now_s):.3f} s at {p.rise_s:.3f} s: too long for a quick "
                           f"flash, too short for a recording light")
        flashlike = kind in (_Kind.FLASH, _Kind.SHORT_ON)
        lightlike = kind in (_Kind.LIGHT, _Kind.LIGHT_ON)

        if phase is Phase.DARK:
            if flashlike:
                flash(p)
                phase, r1, f1 = Phase.FLASH, p.rise_s, p.fall_s if p.fall_s is not None else now_s
                r1_lo = f1 - t.flash_width_max_s if p.starts_before else r1
            else:   # lit with no flash first: solid, a recording whose flash was missed, or neither
                phase, light = Phase.RECORDING, p
                ev["flash_before_light"] = False

        elif phase is Phase.FLASH:
            gap_lo, gap_hi = p.rise_s - r1, p.rise_s - r1_lo
            periods = _gap_fits(gap_lo, gap_hi, t.network_gap_windows_s) if flashlike else None
            if periods is not None:
                flash(p)
                return done(Pattern.NETWORK_LOST, period_s=_r(gap_lo / periods), missed_flashes=periods - 1)
            dark_s = p.rise_s - f1
            if (lightlike or kind is _Kind.SHORT_ON) and dark_s <= t.recording_gap_max_s:
                phase, light = Phase.RECORDING, p
                ev.update(flash_before_light=True, recording_delay_s=_r(dark_s))
            elif flashlike:
                return unknown(f"a second flash {gap_lo:.3f} s after the first: not a network_lost period")
            else:
                return unknown(f"lit {dark_s:.3f} s after the flash: too late for the recording light")

        elif phase is Phase.RECORDING:
            assert light is not None and light.fall_s is not None
            delay_s = p.rise_s - light.fall_s
            lo, hi = t.burst_delay_window_s
            if not flashlike:
                return unknown(f"lit again {delay_s:.3f} s after the recording light, not with a quick flash")
            if not lo <= delay_s <= hi:
                return unknown(f"a flash {delay_s:.3f} s after the recording light went out: outside the "
                               f"low-battery window {lo:.2f}-{hi:.2f} s")
            flash(p)
            phase = Phase.BURST
            burst_rises.append(p.rise_s)
            ev["burst_delay_s"] = _r(delay_s)

        elif phase is Phase.BURST:
            gap = p.rise_s - burst_rises[-1]
            periods = in_windows(gap, t.burst_gap_windows_s) if flashlike else None
            if periods is None:
                what = "flash" if flashlike else "light"
                return unknown(f"a {what} {gap:.3f} s after the last burst flash: not a burst period")
            flash(p)
            burst_rises.append(p.rise_s)
            burst_missed += periods - 1

        if light is not None and "recording_s" not in ev and light.fall_s is not None:
            if not (ev["flash_before_light"] or light.starts_before or t.missed_flashes):
                return unknown(f"a light at {light.rise_s:.3f} s without the motion flash before it")
            ev["recording_s"] = _r(light.lit_s(now_s))
            ev["recording_starts_before"] = light.starts_before
            light_fall = light.fall_s
        if phase is Phase.BURST:
            ev["burst_flashes"] = len(burst_rises)
            if len(burst_rises) > 1:
                ev["burst_period_s"] = _r((burst_rises[-1] - burst_rises[0]) / (len(burst_rises) - 1 + burst_missed))
            if len(burst_rises) >= t.burst_flashes_to_commit and kind is _Kind.FLASH:
                return done(Pattern.LOW_BATTERY, missed_flashes=burst_missed)

    return _waiting(phase, ev, now_s, final, t, start_s=start_s, r1=r1, light=light, light_fall=light_fall,
                    burst_rises=burst_rises)


def _waiting(phase: Phase, ev: dict[str, object], now_s: float, final: bool, t: PatternTiming, *,
             start_s: float, r1: float, light: Pulse | None, light_fall: float,
             burst_rises: list[float]) -> Reading:
    """No pulse fixed the answer: what silence from here on decides, and when."""
    if phase is Phase.DARK:
        deadline, on_silence, guess = start_s + t.none_dark_s, Pattern.NONE, Pattern.NONE
        ev["dark_s"] = _r(now_s - start_s)
    elif phase is Phase.FLASH:
        deadline, on_silence, guess = r1 + t.lone_flash_wait_s, Pattern.MOTION, Pattern.MOTION
        ev.update(flash_before_light=True, recording_s=None)
    elif phase is Phase.RECORDING and light is not None and light.fall_s is None:
        # Lit now: solid once longer than any clip. Meanwhile a recording if it began while we watched.
        deadline, on_silence = light.rise_s + t.light_max_s, Pattern.SOLID
        recording = not light.starts_before and (ev["flash_before_light"] or t.missed_flashes)
        guess = Pattern.MOTION if recording else Pattern.UNKNOWN
        ev.update(recording_s=None, lit_s=_r(now_s - light.rise_s), recording_starts_before=light.starts_before)
    elif phase is Phase.RECORDING:
        deadline, on_silence, guess = light_fall + t.burst_delay_window_s[1], Pattern.MOTION, Pattern.MOTION
        ev["burst_flashes"] = 0
        phase = Phase.AFTER_RECORDING
    else:  # burst, not yet enough flashes to commit
        deadline, on_silence, guess = burst_rises[-1] + t.burst_next_wait_s, Pattern.UNKNOWN, Pattern.LOW_BATTERY
    if now_s >= deadline:
        if on_silence is Pattern.UNKNOWN:
            ev["reason"] = f"the burst stopped after {len(burst_rises)} flash(es)"
        return Reading(Phase.DONE, on_silence, on_silence, ev)
    if final and on_silence is Pattern.SOLID and guess is Pattern.UNKNOWN:
        ev["reason"] = "lit for the whole observation, shorter than a clip: a recording or a stuck LED"
    if final:
        ev["seen"] = _seen(phase, now_s, start_s, r1, light, light_fall, len(burst_rises))
    return Reading(phase, None, guess, ev, deadline)


def _seen(phase: Phase, now_s: float, start_s: float, r1: float, light: Pulse | None, light_fall: float,
          burst_flashes: int) -> str:
    """What the LED did, in words, when observation stopped before the pattern was decided (the guess alone
    would claim more than was seen: a light still on may be a clip, a stuck LED or ambient light)."""
    if phase is Phase.DARK:
        return f"dark for {now_s - start_s:.1f} s, not decided"
    if phase is Phase.FLASH:
        return f"one quick flash, no second in {now_s - r1:.1f} s (motion or network_lost), not decided"
    if light is not None and light.fall_s is None:
        since = "since the start" if light.starts_before else f"from {light.rise_s - start_s:.1f} s"
        return f"lit steadily for {now_s - light.rise_s:.1f} s ({since}), not decided"
    if phase is Phase.AFTER_RECORDING:
        return f"a recording light, dark for {now_s - light_fall:.1f} s since, no burst yet, not decided"
    return f"{burst_flashes} burst flash(es) after the recording light, not decided"

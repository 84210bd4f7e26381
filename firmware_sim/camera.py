"""Camera firmware as an explicit state machine, with the status LED the photodiode watches.

States: ``off`` -> ``booting`` (LED dark) -> ``connecting`` (first attempt, LED dark) -> ``online`` (LED dark)
or ``offline`` (a quick flash every ~3 s, retrying in the background); ``setup`` after the reset button is
held long enough (flashes like ``offline``, makes no attempts, waits for the app's Change WiFi).
Flashing starts only once an attempt has failed, so a healthy camera that is still connecting shows no flash.

Motion (the PIR stimulus for ``outdoor``, a visual change for ``mini``) is answered only when online and idle:
one quick flash, the recording light for the clip, then, if the supply sagged below the low-battery alarm
while recording, a burst of 5-6 quick flashes. Motion during that sequence is ignored (the camera is busy),
and a camera that goes offline mid-clip finishes the clip before it starts flashing ``network_lost``.

Every number comes from the LED timing model (``led_timing.DEFAULT_TIMING``): each camera draws its own
traits once (flash width, period drift, clip length) inside the model's tolerances with a margin, and each
event adds a little jitter, still inside them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from firmware_sim.battery import ASSUMED_CAMERA_ELECTRICAL, CameraElectrical
from firmware_sim.clock import EventHandle, VirtualClock
from firmware_sim.faults import RESET_HOLD_MIN_S, readd_accepted
from firmware_sim.led_timing import DEFAULT_TIMING, LedTiming
from firmware_sim.link import Link
from firmware_sim.scenario import CameraSpec
from rig.core.models import SimTimings

TRAIT_MARGIN = 0.2          # per-camera traits stay this fraction of each tolerance band away from its edges
FIRST_OFFLINE_FLASH_S = (0.2, 1.0)


class CameraState(StrEnum):
    OFF = "off"
    BOOTING = "booting"
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    SETUP = "setup"


def _inside(rng: random.Random, lo: float, hi: float, margin: float = TRAIT_MARGIN) -> float:
    span = hi - lo
    return rng.uniform(lo + margin * span, hi - margin * span)


def _jitter(rng: random.Random, value: float, spread: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, value + rng.uniform(-spread, spread)))


@dataclass(frozen=True)
class CameraTraits:
    """One unit's own timing, drawn once: no two cameras blink exactly alike."""

    flash_s: float
    network_lost_period_s: float
    recording_delay_s: float       # from the end of the motion flash to the recording light
    clip_s: float
    burst_delay_s: float           # from the recording light going out to the first burst flash
    burst_flashes: int
    burst_period_s: float          # flash start to flash start
    motion_latency_s: float
    boot_s: float
    connect_s: float
    retry_s: float
    heartbeat_s: float
    heartbeat_burst_s: float

    @classmethod
    def draw(
        cls, rng: random.Random, timing: LedTiming = DEFAULT_TIMING, sim: SimTimings | None = None
    ) -> CameraTraits:
        """``sim``: the model's own ranges (its profile in rig.core.models); default: the common ones."""
        sim = sim or SimTimings()
        # Quick flashes sit in the lower half of their band, so the low-battery burst keeps clear gaps.
        flash_span = timing.flash_max_s - timing.flash_min_s
        flash_s = rng.uniform(timing.flash_min_s + 0.15 * flash_span, timing.flash_min_s + 0.55 * flash_span)
        drift = timing.network_lost_tolerance * (1 - 2 * TRAIT_MARGIN)
        # The recording light must come 0.2-1.0 s after the flash whether that is read from its start or end.
        rec_lo = timing.recording_delay_min_s + 0.1
        rec_hi = max(rec_lo, timing.recording_delay_max_s - timing.flash_max_s - 0.1)
        return cls(
            flash_s=flash_s,
            network_lost_period_s=timing.network_lost_period_s * (1 + rng.uniform(-drift, drift)),
            recording_delay_s=rng.uniform(rec_lo, rec_hi),
            clip_s=rng.uniform(max(sim.clip_s[0], timing.clip_min_s), min(sim.clip_s[1], timing.clip_max_s)),
            burst_delay_s=_inside(rng, timing.burst_delay_min_s, timing.burst_delay_max_s),
            burst_flashes=rng.choice(range(timing.burst_flashes[0], timing.burst_flashes[1] + 1)),
            burst_period_s=_inside(rng, timing.burst_period_min_s, timing.burst_period_max_s),
            motion_latency_s=rng.uniform(*sim.motion_latency_s),
            boot_s=rng.uniform(*sim.boot_s),
            connect_s=rng.uniform(*sim.connect_s),
            retry_s=rng.uniform(*sim.retry_s),
            heartbeat_s=rng.uniform(*sim.heartbeat_s),
            heartbeat_burst_s=rng.uniform(*sim.heartbeat_burst_s),
        )


class Camera:
    """The firmware of the camera on the fixture.

    The world wires it up: ``led(lit)`` drives the photodiode, ``path_ok()`` says whether the way to the
    cloud is there (router upstream, plus the Sync Module for ``outdoor``), ``supply_v()`` is the voltage at
    the camera's battery terminals at the present draw (what the low-battery alarm watches).
    """

    def __init__(
        self,
        spec: CameraSpec,
        clock: VirtualClock,
        rng: random.Random,
        led: Callable[[bool], None],
        path_ok: Callable[[], bool],
        supply_v: Callable[[], float],
        timing: LedTiming = DEFAULT_TIMING,
        electrical: CameraElectrical = ASSUMED_CAMERA_ELECTRICAL,
    ) -> None:
        self.spec = spec
        self._clock = clock
        self._rng = rng
        self._led_sink = led
        self._path_ok = path_ok
        self._supply_v = supply_v
        self.timing = timing
        self.electrical = electrical
        self.traits = CameraTraits.draw(rng, timing, spec.profile.sim)
        # Fault flags: each is cleared only by its cure.
        self.wifi_stuck = spec.has("camera_glitch")
        self.credentials_ok = not spec.has("wifi_credentials_lost")
        self.registered = not spec.has("registration_lost")
        self.radio_dead = spec.has("radio_dead")
        self.motion_dead = spec.has("pir_dead")
        # flaky_reconnect: its own generator (drawn only for such a camera, so other cameras' runs are unchanged),
        # so whether a power-up fails depends on the seed and the power-up's number, not on the LED's jitter.
        self._flaky_rng = random.Random(rng.random()) if spec.has("flaky_reconnect") else None
        self.reconnect_failed = False    # this power-up will not connect (until the next power cycle)
        self.deleted_at_s: float | None = None
        self.state = CameraState.OFF
        self.lit = False
        self.recording = False
        self.low_battery_seen = False    # the last clip tripped the alarm
        self._busy = False               # a motion sequence is running
        self._epoch = 0                  # bumped when power goes: pending events of the old epoch do nothing
        self._min_supply_v = math.inf
        self.browned_out = False         # reset by a sagging supply; starts again when the supply recovers
        self.brownouts = 0
        self._online_since_s = 0.0
        self._cadence: EventHandle | None = None
        self._reset_hold: EventHandle | None = None
        self.link = Link(clock, self._can_connect, self._on_link, self.traits.connect_s, self.traits.retry_s)

    # ---- inputs from the bench -------------------------------------------------------------------------
    @property
    def powered(self) -> bool:
        return self.state is not CameraState.OFF

    def set_power(self, on: bool) -> None:
        self.browned_out = False
        if on == self.powered:
            return
        if on and self._supply_v() < self.electrical.brownout_v:
            self.browned_out = True  # a flat pack cannot start it: it starts when the supply comes back
            return
        if on:
            if self._flaky_rng is not None:
                self.reconnect_failed = self._flaky_rng.random() < self.spec.flaky_rate
            self.state = CameraState.BOOTING
            self._later(self.traits.boot_s, self._booted)
        else:
            self._quiet()
            self.state = CameraState.OFF

    def motion(self) -> bool:
        """The motion stimulus started; returns whether the firmware answers it."""
        if self.motion_dead or self.state is not CameraState.ONLINE or self._busy:
            return False
        self._busy = True
        self._later(self.traits.motion_latency_s * self._rng.uniform(0.9, 1.1), self._motion_flash)
        return True

    def reset_button(self, pressed: bool) -> None:
        """Held for RESET_HOLD_MIN_S on a powered camera: setup mode. Released sooner: nothing at all."""
        if pressed:
            # Pressed on a powered camera (booting too: boot is shorter than the hold), not in setup already.
            if self.state not in (CameraState.OFF, CameraState.SETUP) and self._reset_hold is None:
                self._reset_hold = self._later(RESET_HOLD_MIN_S, self._enter_setup)
        elif self._reset_hold is not None:
            self._reset_hold.cancel()
            self._reset_hold = None

    def supply_changed(self) -> None:
        """The world changed the supply (load pulse, pack changeover): the alarm samples it if recording, and
        a supply below the brown-out voltage resets the camera, which starts again once the supply is back."""
        supply_v = self._supply_v()
        if self.recording:
            self._min_supply_v = min(self._min_supply_v, supply_v)
        if self.powered and supply_v < self.electrical.brownout_v:
            self.set_power(False)
            self.browned_out = True
            self.brownouts += 1
        elif self.browned_out and self._supply_v() >= self.electrical.brownout_v:
            self.set_power(True)

    def upstream_changed(self) -> None:
        self.link.upstream_changed()

    def clear_glitch(self) -> None:
        """The world decided a restart cured the stuck WiFi (``faults.restart_cures``)."""
        self.wifi_stuck = False

    # ---- the app, through the operator (each returns None when done, else what the app showed) -----------
    def change_wifi(self) -> str | None:
        if self.state is not CameraState.SETUP:
            return "Discover Device found no camera in setup mode"
        self.credentials_ok = True
        self._stop_cadence()
        self.state = CameraState.CONNECTING
        self.link.start()
        return None

    def delete(self) -> str | None:
        self.registered = False
        self.deleted_at_s = self._clock.now()
        self.link.upstream_changed()
        return None

    def readd(self) -> str | None:
        if self.state in (CameraState.OFF, CameraState.BOOTING):
            return "Add Device: no camera answered (is it powered and started?)"
        now = self._clock.now()
        if self.deleted_at_s is None:
            return "Add Device: this camera is already on the account (delete it first)"
        if not readd_accepted(self.deleted_at_s, now):
            return f"Add Device: 'camera could not be added' ({now - self.deleted_at_s:.0f} s after deleting)"
        self.registered = True
        self.deleted_at_s = None
        self.link.kick()
        return None

    # ---- what the bench can measure ----------------------------------------------------------------------
    def current_a(self) -> float:
        """Current drawn from the supply now (ASSUMED figures, see battery.CameraElectrical)."""
        e = self.electrical
        if self.state is CameraState.OFF:
            return 0.0
        if self.state is CameraState.BOOTING:
            return e.booting_a
        if self.recording:
            return e.recording_a
        if self.link.attempting:
            return e.wifi_a
        if self.state is CameraState.ONLINE:
            since = self._clock.now() - self._online_since_s
            return e.wifi_a if since % self.traits.heartbeat_s < self.traits.heartbeat_burst_s else e.idle_a
        return e.searching_a

    # ---- internals ---------------------------------------------------------------------------------------
    def _can_connect(self) -> bool:
        return (self._path_ok() and self.credentials_ok and self.registered
                and not self.wifi_stuck and not self.radio_dead and not self.reconnect_failed)

    def _later(self, delay_s: float, action: Callable[..., None], *args: object) -> EventHandle:
        epoch = self._epoch

        def fire() -> None:
            if self._epoch == epoch:
                action(*args)

        return self._clock.call_later(delay_s, fire)

    def _led(self, lit: bool) -> None:
        if lit != self.lit:
            self.lit = lit
            self._led_sink(lit)

    def _quiet(self) -> None:
        """Drop everything in flight: LED dark, no recording, no pending events, link down."""
        self._epoch += 1
        self._stop_cadence()
        self._reset_hold = None
        self._busy = self.recording = False
        self.link.stop()
        self._led(False)

    def _booted(self) -> None:
        self.state = CameraState.CONNECTING
        self.link.start()

    def _on_link(self, online: bool) -> None:
        if self.state not in (CameraState.CONNECTING, CameraState.ONLINE, CameraState.OFFLINE):
            return
        if online:
            if self.state is not CameraState.ONLINE:
                self._online_since_s = self._clock.now()
            self.state = CameraState.ONLINE
            self._stop_cadence()
        elif self.state is not CameraState.OFFLINE:
            self.state = CameraState.OFFLINE
            if not self._busy:
                self._start_cadence()

    def _enter_setup(self) -> None:
        self._quiet()
        self.state = CameraState.SETUP
        self._start_cadence()

    # The network_lost cadence.
    def _start_cadence(self) -> None:
        self._stop_cadence()
        self._cadence = self._later(self._rng.uniform(*FIRST_OFFLINE_FLASH_S), self._cadence_tick)

    def _stop_cadence(self) -> None:
        if self._cadence is not None:
            self._cadence.cancel()
            self._cadence = None

    def _cadence_tick(self) -> None:
        if self.state not in (CameraState.OFFLINE, CameraState.SETUP) or self._busy:
            self._cadence = None
            return
        self._flash()
        t = self.timing
        nominal = self.traits.network_lost_period_s
        bound = t.network_lost_period_s * t.network_lost_tolerance * (1 - TRAIT_MARGIN)
        period = _jitter(self._rng, nominal, 0.01 * nominal,
                         t.network_lost_period_s - bound, t.network_lost_period_s + bound)
        self._cadence = self._later(period, self._cadence_tick)

    def _flash(self) -> None:
        t = self.timing
        width = _jitter(self._rng, self.traits.flash_s, 0.01, t.flash_min_s + 0.02, t.flash_max_s - 0.02)
        self._led(True)
        self._later(width, self._led, False)

    # The motion sequence.
    def _motion_flash(self) -> None:
        t = self.timing
        self._flash()
        # Read from the flash's start, the gap stays under the model's maximum even for the widest flash.
        delay = _jitter(self._rng, self.traits.recording_delay_s, 0.03,
                        t.recording_delay_min_s + 0.05, t.recording_delay_max_s - t.flash_max_s - 0.02)
        self._later(self.traits.flash_s + 0.02 + delay, self._recording_on)

    def _recording_on(self) -> None:
        self.recording = True
        self._led(True)
        self._min_supply_v = self._supply_v()
        self._later(self.traits.clip_s * self._rng.uniform(0.97, 1.03), self._recording_off)

    def _recording_off(self) -> None:
        self.supply_changed()
        self.recording = False
        self._led(False)
        self.low_battery_seen = self._min_supply_v < self.electrical.low_battery_v
        if not self.low_battery_seen:
            self._end_sequence()
            return
        t = self.timing
        at_s = _jitter(self._rng, self.traits.burst_delay_s, 0.05,
                       t.burst_delay_min_s + 0.05, t.burst_delay_max_s - 0.05)
        for _ in range(self.traits.burst_flashes):
            self._later(at_s, self._flash)
            at_s += _jitter(self._rng, self.traits.burst_period_s, 0.01,
                            t.burst_period_min_s + 0.02, t.burst_period_max_s - 0.02)
        self._later(at_s, self._end_sequence)

    def _end_sequence(self) -> None:
        self._busy = False
        if self.state in (CameraState.OFFLINE, CameraState.SETUP):
            self._start_cadence()

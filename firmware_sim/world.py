"""The simulated bench: router, Sync Module, the camera on the fixture and its batteries, in virtual time.

The world listens to the wiring (what the rig's relays and actuators do) and answers only through hardware:
the photodiode's pin, the INA219's ``measure``, the network probe and the operator. Nothing here is for the
rig to read directly.

Power: the camera runs when the ``camera`` outlet is on (for a battery model that relay is in its battery lead;
the changeover relay picks its own pack or the reference pack, and its transfer is too quick for the camera
to notice). The INA219 sits between the selected pack and the camera relay plus the load resistor, so it
sees the pack even while the camera is switched off; a USB-powered model (Mini) gives it nothing to measure.

Faults belong to the camera on the fixture: mounting another camera clears the last one's faults.
"""

from __future__ import annotations

import random
from typing import Any

from firmware_sim.battery import (
    FAILING_PACK,
    FIXTURE_SERIES_OHM,
    HEALTHY_PACK,
    REFERENCE_PACK,
    BatterySpec,
    solve_circuit,
)
from firmware_sim.camera import Camera
from firmware_sim.clock import VirtualClock
from firmware_sim.faults import RESTART_MIN_OFF_S, PowerHistory, restart_cures
from firmware_sim.ina219 import FakeI2CBus, Ina219Emulator
from firmware_sim.injected_faults import RigFaultInjector
from firmware_sim.led_optics import PhotodiodePin
from firmware_sim.led_timing import DEFAULT_TIMING, LedTiming
from firmware_sim.network import SimNetworkProbe
from firmware_sim.operator import SimulatedOperator
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.router import Router
from firmware_sim.scenario import CameraSpec, Scenario
from firmware_sim.sync_module import SyncModule
from firmware_sim.wiring import BenchWiring
from rig.core.config import RigConfig
from rig.procedure.operator import OperatorTask

USB_SUPPLY_V = 5.0


class BenchWorld:
    """Everything on the desk except the rig. ``seed`` makes a run repeat exactly."""

    def __init__(
        self,
        config: RigConfig,
        scenario: Scenario,
        clock: VirtualClock,
        factory: VirtualMockFactory,
        wiring: BenchWiring,
        ina219: Ina219Emulator,
        seed: int = 0,
        timing: LedTiming = DEFAULT_TIMING,
        i2c_bus: FakeI2CBus | None = None,
        shared_with: BenchWorld | None = None,
        fixture_ohm: float = FIXTURE_SERIES_OHM,
    ) -> None:
        self.config = config
        self.scenario = scenario
        self.clock = clock
        self.wiring = wiring
        self.ina219 = ina219
        self.seed = seed
        self.timing = timing
        self.photodiode_pin = PhotodiodePin(factory.input_pin(config.photodiode.pin),
                                            config.photodiode.active_high, clock)
        # The bench's worlds, one per slot: slot 1's owns the router, the Sync Module, the probe and the
        # technician; the others share them.
        self.peers: list[BenchWorld] = [self]
        if shared_with is None:
            self.router = Router(clock, random.Random(f"router:{seed}"), self._network_changed,
                                 powered=wiring.state("router"))
            # Its green LED under the bench's light sensor (a comparator output like a slot's photodiode).
            green = factory.input_pin(config.sync_module_led.pin)
            green_lit_level = config.sync_module_led.active_high
            self.sync_module = SyncModule(clock, random.Random(f"sync_module:{seed}"),
                                          lambda: self.router.internet_ok, self._network_changed,
                                          powered=wiring.state("sync_module"),
                                          green_led=(lambda lit: green.hold(lit == green_lit_level))
                                          if scenario.sync_module_light else None)   # not fitted: dark
        else:
            shared_with.peers.append(self)
            self.peers = shared_with.peers
            self.router, self.sync_module = shared_with.router, shared_with.sync_module
        self.reference_pack: BatterySpec = REFERENCE_PACK
        self.fixture_ohm = fixture_ohm  # fuse, holder springs and leads between a pack and VIN+ (the slot's own)
        self.load_path_open = False  # a dead load MOSFET or a loose load resistor: the pulse draws nothing
        self.spec: CameraSpec | None = None
        self.camera: Camera | None = None
        self.own_pack: BatterySpec | None = None
        self._camera_power = PowerHistory(False)
        self._load_on = wiring.state("load_switch")
        self._reference_selected = wiring.state("battery_changeover")
        self._r_load_ohm = config.battery.pulse_load_ohm
        wiring.subscribe(self._on_device)
        ina219.measure = self._measure
        if shared_with is None:
            self.network_probe = SimNetworkProbe(self.router, clock, config.network)
            self.operator = SimulatedOperator(clock, self._app, scenario.operator_delay_s,
                                              scenario.operator_declines)
        else:
            self.network_probe, self.operator = shared_with.network_probe, shared_with.operator
        self._network_changed()
        # The rig's own faults (scenario [[rig_fault]]): on the emulators, never on the rig. Each slot starts
        # those due at the cameras it is loaded with (the first camera always goes to slot 1).
        faults = scenario.rig_faults if shared_with is None else tuple(f for f in scenario.rig_faults
                                                                        if f.at_camera != 1)
        self.rig_faults = RigFaultInjector(faults, self, self.network_probe, i2c_bus=i2c_bus,
                                           ina219_address=ina219.address,
                                           relay_board=wiring.relay_board if shared_with is None
                                           else shared_with.rig_faults.relay_board,
                                           source=scenario.source)
        self.rig_faults.power_up()

    def take_turns(self, clock: Any) -> None:
        """Make the bench's shared parts that wait (the operator, the network probe) wait on the slots'
        turn-taking clock, so their seconds pass in the asking slot's turn and never move the other slots' time
        on under them (docs/DESIGN.md "Slots")."""
        self.operator.use_clock(clock)
        self.network_probe.use_clock(clock)

    # ---- the technician's hands ----------------------------------------------------------------------------
    def mount(self, index: int) -> CameraSpec:
        """Put scenario camera ``index`` on the fixture (the previous one comes off); it boots if powered."""
        cameras = self.scenario.cameras
        if not 0 <= index < len(cameras):
            raise IndexError(f"{self.scenario.source}: no camera {index} (the scenario has {len(cameras)})")
        self.unmount()
        spec = cameras[index]
        self.spec = spec
        if spec.uses_battery:
            self.own_pack = spec.battery or (FAILING_PACK if spec.has("battery_failing") else HEALTHY_PACK)
        self.photodiode_pin.set_optics(spec.led, random.Random(f"led:{self.seed}:{index}:{spec.serial}"))
        self.camera = Camera(spec, self.clock, random.Random(f"camera:{self.seed}:{index}:{spec.serial}"),
                             led=self._drive_led, path_ok=self._camera_path_ok, supply_v=self._camera_supply_v,
                             timing=self.timing)
        # Time spent in a box before mounting is no restart: only off-periods seen on the fixture count.
        self._camera_power = PowerHistory(False)
        if self.several:
            # Bench faults: they start when their camera is loaded and last until cured, whoever is loaded next.
            if spec.has("router_down"):
                self.router.set_upstream_fault(True)
            if spec.has("sync_module_glitch"):
                self.sync_module.set_glitched(True)
        else:
            self.router.set_upstream_fault(spec.has("router_down"))
            self.sync_module.set_glitched(spec.has("sync_module_glitch"))
        self._update_camera_power()
        self.rig_faults.camera_mounted(index)
        return spec

    def fit_calibration_cell(self, internal_resistance_ohm: float, volts: float = 3.3) -> None:
        """The technician's calibration cell in the camera's holder, no camera: a bench supply behind a dummy
        cell (``internal_resistance_ohm`` 0) or a pack of known resistance (``rig calibrate``)."""
        self.unmount()
        self.own_pack = BatterySpec(volts, internal_resistance_ohm)

    def unmount(self) -> None:
        """Take the camera off the fixture; its faults go with it."""
        self.ina219.catch_up()
        if self.camera is not None:
            self.camera.set_power(False)
        self.camera = self.spec = self.own_pack = None
        self._camera_power = PowerHistory(False)
        if self.several:
            return   # the bench's faults stay with the bench
        if self.router.upstream_fault:
            self.router.set_upstream_fault(False)
            self.sync_module.link.kick()
        self.sync_module.set_glitched(False)

    # ---- what the rig did (through the wiring) -------------------------------------------------------------
    def _on_device(self, name: str, state: bool) -> None:
        # Conversions the INA219 completed before this change saw the bench as it was.
        self.ina219.catch_up()
        if name == "router":
            self.router.set_power(state)
        elif name == "sync_module":
            self.sync_module.set_power(state)
            if state and self.several:
                self._check_sync_module_cure()
            elif state:
                self._check_restart_cure()
        elif name == "camera":
            self._update_camera_power()
        elif name == "load_switch":
            self._load_on = state
        elif name == "battery_changeover":
            self._reference_selected = state
        camera = self.camera
        if camera is None:
            return
        if name == "reset_button":
            camera.reset_button(state)
        elif name in ("load_switch", "battery_changeover"):
            camera.supply_changed()
        elif state and name == camera.spec.profile.motion_actuator:
            camera.motion()

    def _update_camera_power(self) -> None:
        camera = self.camera
        powered = camera is not None and self.wiring.state("camera")
        if self._camera_power.switch(powered, self.clock.now()) and camera is not None:
            if powered:
                self._check_restart_cure()
            camera.set_power(powered)

    @property
    def several(self) -> bool:
        """Several slots on the bench: its faults are the bench's, and each restart cures only its own part."""
        return len(self.peers) > 1

    def _check_restart_cure(self) -> None:
        """The article's restart, judged when the last of camera and Sync Module comes back on. With several
        slots each part is cured by its own power cycle: a camera's glitch by the camera's, a stuck Sync
        Module by the Sync Module's (with one, the table's rule: both together)."""
        if self.several:
            self._check_own_cures()
            return
        camera = self.camera
        if camera is None or not self._camera_power.powered:
            return
        via_sync = camera.spec.profile.via_sync_module
        if via_sync and not self.sync_module.power.powered:
            return
        if restart_cures(camera.spec.profile, self._camera_power.last_off, self.sync_module.power.last_off):
            camera.clear_glitch()
            if via_sync:
                self.sync_module.set_glitched(False)

    def _check_sync_module_cure(self) -> None:
        sync_off = self.sync_module.power.last_off
        if sync_off is not None and sync_off.duration_s >= RESTART_MIN_OFF_S:
            self.sync_module.set_glitched(False)

    def _check_own_cures(self) -> None:
        camera_off = self._camera_power.last_off
        if (self.camera is not None and self._camera_power.powered and camera_off is not None
                and camera_off.duration_s >= RESTART_MIN_OFF_S):
            self.camera.clear_glitch()

    def _network_changed(self) -> None:
        self.sync_module.upstream_changed()
        for world in self.peers:
            if world.camera is not None:
                world.camera.upstream_changed()

    # ---- what the camera depends on ------------------------------------------------------------------------
    def _camera_path_ok(self) -> bool:
        if self.spec is not None and self.spec.profile.via_sync_module:
            return self.sync_module.online and self.router.internet_ok
        return self.router.internet_ok

    def _selected_pack(self) -> BatterySpec | None:
        return self.reference_pack if self._reference_selected else self.own_pack

    def _camera_supply_v(self) -> float:
        """The pack's terminal voltage at the present draw: what the camera's low-battery alarm reads."""
        pack = self._selected_pack()
        if pack is None or self.camera is None:
            return USB_SUPPLY_V
        return self._operating_point(pack, self.camera.current_a()).terminal_v

    def _operating_point(self, pack: BatterySpec, camera_a: float):
        """The pack feeding the camera and (while the pulse is on) the load, through fixture and shunt."""
        load = self._r_load_ohm if self._load_on and not self.load_path_open else None
        return solve_circuit(pack, camera_a, load, self.fixture_ohm + self.ina219.shunt_ohm)

    # ---- the hardware interfaces ---------------------------------------------------------------------------
    def _measure(self) -> tuple[float, float]:
        """The INA219's view at a conversion: (bus voltage on the load side of the shunt, current)."""
        if self.spec is not None and not self.spec.uses_battery:
            return 0.0, 0.0
        pack = self._selected_pack()
        if pack is None:
            return 0.0, 0.0
        camera_a = self.camera.current_a() if self.camera is not None else 0.0
        point = self._operating_point(pack, camera_a)
        return point.terminal_v - point.current_a * (self.fixture_ohm + self.ina219.shunt_ohm), point.current_a

    @property
    def flooded(self) -> bool:
        return self.photodiode_pin.flooded

    def flood_photodiode(self, flooded: bool) -> None:
        """Ambient light on the sensor (the shroud off): it reads lit whatever the LED does (``solid``)."""
        self.photodiode_pin.flood(flooded)

    def _drive_led(self, lit: bool) -> None:
        self.photodiode_pin.set_led(lit)

    def app_step(self, task: OperatorTask, serial: str) -> str | None:
        """The Blink app, for an operator whose answers come from elsewhere (the station page's buttons)."""
        return self._app(task, serial)

    def _app(self, task: OperatorTask, serial: str) -> str | None:
        """An app step on ``serial``: None when it worked, else what the app showed."""
        camera = next((w.camera for w in self.peers if w.camera is not None and w.camera.spec.serial == serial),
                      self.camera)
        if camera is None:
            return "the fixture is empty"
        if serial != camera.spec.serial:
            return f"the app finds no camera {serial} here (the fixture holds {camera.spec.serial})"
        if task is OperatorTask.CHANGE_WIFI:
            return camera.change_wifi()
        if task is OperatorTask.DELETE_CAMERA:
            return camera.delete()
        return camera.readd()

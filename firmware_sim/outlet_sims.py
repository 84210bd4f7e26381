"""The emulated side of each outlet backend: what hardware the simulated bench puts behind an outlet.

One adapter per backend name: it builds (or reuses) the emulator for the outlet's settings, wires the
emulator's relay to the bench wiring's named power state, tells the rig's backend where to find the emulator
(``SimPower.overrides``, handed to ``OutletBank.from_config``), and returns the outlet's power state before the
rig touches anything. A backend with no adapter here may bring its own (``Backend.simulate``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from firmware_sim.clock import VirtualClock
from firmware_sim.kasa_plug import KasaPlugEmulator
from firmware_sim.mcp23017 import Mcp23017Emulator
from firmware_sim.relay_board import RelayBoardEmulator
from rig.hardware.power import get_backend

if TYPE_CHECKING:
    from firmware_sim.wiring import BenchWiring

SimAdapter = Callable[[str, Any, "BenchWiring"], bool]
"""adapter(outlet name, backend settings, wiring) -> powered before the rig starts."""

ANY_PORT = "*"   # a relay board handed in by a test serves every configured port


@dataclass
class SimPower:
    """The bench's emulated power hardware, by key, and the overrides that point the rig's backends at it."""

    clock: VirtualClock
    create: bool = True     # build missing emulators (the bench builder) or refuse (a test that hands its own)
    emulators: dict[Hashable, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    _owned: list[Any] = field(default_factory=list)

    def emulator(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key not in self.emulators:
            emulator = make()
            self.emulators[key] = emulator
            self._owned.append(emulator)
            poll = getattr(emulator, "poll", None)
            if poll is not None:
                self.clock.before_advance(poll)
        return self.emulators[key]

    def poll(self) -> None:
        for emulator in self.emulators.values():
            poll = getattr(emulator, "poll", None)
            if poll is not None:
                poll()

    def close(self) -> None:
        for emulator in self._owned:
            close = getattr(emulator, "close", None)   # an I2C chip has nothing to close
            if close is not None:
                with contextlib.suppress(OSError):
                    close()
        self._owned = []


def simulate_gpio(name: str, settings: Any, wiring: BenchWiring) -> bool:
    return wiring.attach_pin(name, settings.pin, active_level=not settings.active_low,
                             normally_on=settings.normally_on)


def simulate_lcus(name: str, settings: Any, wiring: BenchWiring) -> bool:
    power = wiring.power
    board: RelayBoardEmulator | None = power.emulators.get(("lcus", settings.port)) or power.emulators.get(
        ("lcus", ANY_PORT))
    if board is None:
        if not power.create:
            raise ValueError(f"outlets.{name}: the lcus backend needs the relay board emulator to wire it to")
        # Enough channels for every outlet the config puts on this port (an LCUS-4 at least).
        board = power.emulator(("lcus", settings.port), lambda: RelayBoardEmulator(channels=max(4, settings.channel)))
    elif board.channels < settings.channel:
        raise ValueError(f"outlets.{name}.channel: the emulated board has {board.channels} channels")
    if wiring.relay_board is None:
        wiring.relay_board = board   # the board the scenario's relay faults act on
    ports = power.overrides.setdefault("_lcus_ports", {})
    ports[settings.port] = board.port_path
    if "lcus" not in power.overrides:
        from rig.hardware.power.lcus import LcusRelayBoard

        # Only the path is swapped: the rig still opens the pty with stock pyserial.
        power.overrides["lcus"] = lambda path, baud: LcusRelayBoard.open(ports.get(path, path), baud)
    channel, normally_on = settings.channel, settings.normally_on
    board.subscribe(lambda ch, energised: wiring.set_power(name, energised != normally_on) if ch == channel
                    else None)
    return board.states[channel] != normally_on


def simulate_kasa(name: str, settings: Any, wiring: BenchWiring) -> bool:
    power = wiring.power
    plug: KasaPlugEmulator = power.emulator(("kasa", settings.host.lower(), settings.port),
                                            lambda: KasaPlugEmulator(alias=f"{name} plug", clock=power.clock))
    addresses = power.overrides.setdefault("_kasa_addresses", {})
    addresses[(settings.host, settings.port)] = plug
    if "kasa" not in power.overrides:
        power.overrides["kasa"] = lambda host, port: ("127.0.0.1", addresses[(host, port)].port)
    plug.subscribe(lambda on: wiring.set_power(name, on))
    return plug.relay_on


def expander_emulator(power: SimPower, address: int) -> Mcp23017Emulator:
    """The bench's MCP23017 at ``address`` (the bench builder attaches every one to the I2C bus)."""
    return power.emulator(("mcp23017", address), lambda: Mcp23017Emulator(address))


def simulate_mcp23017(name: str, settings: Any, wiring: BenchWiring) -> bool:
    chip = expander_emulator(wiring.power, settings.address)
    return wiring.attach_line(name, chip, settings.line, active_level=not settings.active_low,
                              normally_on=settings.normally_on)


SIM_ADAPTERS: dict[str, SimAdapter] = {"gpio": simulate_gpio, "lcus": simulate_lcus, "kasa": simulate_kasa,
                                       "mcp23017": simulate_mcp23017}


def sim_adapter(backend: str) -> SimAdapter:
    adapter = SIM_ADAPTERS.get(backend) or getattr(get_backend(backend), "simulate", None)
    if adapter is None:
        raise ValueError(f"outlet backend {backend!r} has no simulated hardware (firmware_sim/outlet_sims.py)")
    return adapter

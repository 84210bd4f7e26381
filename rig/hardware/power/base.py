"""What every outlet backend promises, and the one :class:`Outlet` built on it.

labgrid keeps a power backend to two functions (``power_set``/``power_get``, ``labgrid/driver/power/*.py``); here
a backend is one module under ``rig/hardware/power/`` that declares a :class:`Backend`: its per-outlet config
keys (a pydantic model) and a ``build`` that returns a :class:`PowerDriver`. Everything else (the clock-timed
cycle, the read-back check, the bank, the fail-safe rule, the self-check line) is written once, here and in the
config, for every backend; the simulator's stand-in for each backend's hardware is in firmware_sim/outlet_sims.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from rig.core.clock import Clock

log = logging.getLogger(__name__)


class OutletError(RuntimeError):
    """An outlet could not be switched (relay board absent, plug unreachable, state not confirmed); one line."""


@runtime_checkable
class PowerDriver(Protocol):
    """One outlet's switch, as a backend drives it. Messages of the errors it raises name the outlet."""

    where: str          # what a technician looks for: "GPIO5", "channel 1 on /dev/serial/by-id/...", "plug host"
    assumed_on: bool    # the power state before the rig first switches it (how the wiring leaves it)

    def power_set(self, on: bool) -> None: ...

    def power_get(self) -> bool | None:
        """The state the hardware reports, or None where it cannot tell (a GPIO relay, a mute board)."""
        ...

    def close(self) -> None: ...


class BackendSettings(BaseModel):
    """A backend's own keys in an ``[outlets.NAME]`` table (strict: an unknown key is an error)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Keys a legacy table (no ``backend`` key) may carry for the other relay backend, filled from a section.
    SECTION_DEFAULTS: ClassVar[dict[str, tuple[str, str]]] = {}

    def fail_safe(self) -> bool:
        """True when a dead or crashed rig leaves this outlet powered (the wiring guarantees it)."""
        return False

    def fail_safe_problem(self) -> str:
        """Why it is not fail-safe, for the one-line refusal."""
        return "a dead rig may leave this outlet off"

    def gpio_pins(self) -> dict[str, int]:
        """GPIO pins this outlet claims, by key (checked against every other pin of the fixture)."""
        return {}

    def claims(self) -> dict[str, tuple[Hashable, str]]:
        """Other exclusive resources, by key: (identity, how to name it), e.g. a relay channel on a port."""
        return {}

    def check_timings(self, longest_off_s: float) -> str:
        """A problem with the longest power cycle the procedure runs (``key: why``), or ""."""
        return ""

    def warnings(self) -> list[str]:
        """Legal but risky choices, for ``rig check`` to mention."""
        return []

    def where(self) -> str:
        raise NotImplementedError


@dataclass
class BuildContext:
    """What a backend's ``build`` may use: the clock, the GPIO pin factory, and per-backend overrides.

    ``overrides[backend_name]`` is whatever that backend accepts in place of the real resource (the simulator
    passes its emulators' addresses there); ``shared`` holds resources several outlets use (one relay board
    per serial port), closed by the bank after its outlets."""

    clock: Clock
    pin_factory: Any = None
    overrides: dict[str, Any] = field(default_factory=dict)
    shared: dict[Hashable, Any] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def share(self, key: Hashable, make: Callable[[], Any], close: Callable[[Any], None]) -> Any:
        if key not in self.shared:
            resource = make()
            self.shared[key] = resource
            self.closers.append(lambda: close(resource))
        return self.shared[key]


@dataclass(frozen=True)
class Backend:
    """A backend: its name in the config, its keys, its driver. ``simulate`` is the simulator's stand-in for
    its hardware when firmware_sim has none of its own (a test's backend brings one; see outlet_sims.py)."""

    name: str
    settings: type[BackendSettings]
    build: Callable[[str, Any, BuildContext], PowerDriver]
    simulate: Callable[..., bool] | None = None


class Outlet:
    """A named outlet: on, off, a clock-timed cycle, and the hardware's read-back checked after each switch."""

    def __init__(self, name: str, driver: PowerDriver, clock: Clock) -> None:
        self.name = name
        self.driver = driver
        self.clock = clock
        self._is_on = driver.assumed_on
        self.confirmed = False   # did the hardware read the last switch back?
        self.switched_at_s: float | None = None

    @property
    def is_on(self) -> bool:
        """Power state as last commanded (and confirmed, where the hardware reports it)."""
        return self._is_on

    @property
    def where(self) -> str:
        return self.driver.where

    def _set(self, on: bool) -> None:
        self.driver.power_set(on)
        self._is_on = on
        self.switched_at_s = self.clock.now()
        seen = self.driver.power_get()
        self.confirmed = seen is not None
        if seen is not None and seen != on:
            raise OutletError(
                f"outlet {self.name}: switched {'on' if on else 'off'} but {self.where} reports "
                f"{'on' if seen else 'off'}"
            )

    def on(self) -> None:
        self._set(True)

    def off(self) -> None:
        self._set(False)

    def cycle(self, off_s: float) -> None:
        """Off for ``off_s`` seconds of clock time, then on again: even if the wait is interrupted.

        The off time counts from the switch itself, so a read-back after it does not lengthen the outage."""
        if off_s < 0:
            raise ValueError(f"outlet {self.name}: off time must not be negative (got {off_s})")
        self.off()
        try:
            assert self.switched_at_s is not None
            self.clock.sleep(max(0.0, self.switched_at_s + off_s - self.clock.now()))
        finally:
            self.on()

    def describe(self) -> str:
        """What the hardware says about itself (a plug's alias and model), or "" when it says nothing."""
        describe = getattr(self.driver, "describe", None)
        return describe() if describe is not None else ""

    def unconfirmed_reason(self) -> str:
        """Why a backend that can read back did not (a mute board), or "" (nothing to say)."""
        reason = getattr(self.driver, "unconfirmed_reason", None)
        return reason() if reason is not None and not self.confirmed else ""

    def close(self) -> None:
        """Release the hardware handle (the outlets' power is the bank's business, see OutletBank.close)."""
        self.driver.close()

    def __getattr__(self, name: str) -> Any:
        # Backend specifics (a relay's ``energised``, a channel's ``board``) read through to the driver.
        if name.startswith("__") or name in ("driver", "clock", "name"):
            raise AttributeError(name)
        return getattr(self.driver, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {'on' if self.is_on else 'off'}>"


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def close_quietly(item: Any) -> None:
    close = getattr(item, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as exc:
        log.warning("outlet %s: close failed: %s", getattr(item, "name", "?"), exc)

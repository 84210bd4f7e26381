"""Switched outlets: the router, the Sync Module and the camera supply, each behind a relay.

Two backends behind one :class:`Outlet` interface, the way labgrid keeps a power driver to ``on``/``off``:
GPIO-driven relays (gpiozero ``OutputDevice``; the common relay HATs are active low) and an LCUS USB relay
board spoken to through pyserial. The wiring decides what "on" means: with ``normally_on`` the load sits on
the relay's normally-closed side, so a released relay is a powered outlet and a dead Pi leaves the bench
powered. Every wait goes through the injected clock.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

import serial
from gpiozero import OutputDevice

from rig.core.clock import Clock
from rig.core.config import OUTLET_NAMES, RigConfig

log = logging.getLogger(__name__)

LCUS_HEADER = 0xA0
LCUS_BAUD = 9600
LCUS_MAX_CHANNEL = 8
WRITE_TIMEOUT_S = 1.0   # a board that stops draining its input must not hang the rig


BOARD_HINT = "check the relay board's USB cable and [relays] serial_port"


class OutletError(RuntimeError):
    """An outlet could not be switched (relay board absent, unplugged or not answering); one-line message."""


@runtime_checkable
class Outlet(Protocol):
    name: str

    @property
    def is_on(self) -> bool:
        """Power state as last commanded (no relay board reports its contacts)."""
        ...

    def on(self) -> None: ...

    def off(self) -> None: ...

    def cycle(self, off_s: float) -> None: ...


class _RelayOutlet:
    """What both backends share: the normally-on mapping, ``is_on`` and a clock-timed ``cycle``."""

    def __init__(self, name: str, normally_on: bool, clock: Clock) -> None:
        self.name = name
        self.normally_on = normally_on
        self.clock = clock
        self._is_on: bool | None = None

    @property
    def is_on(self) -> bool:
        return bool(self._is_on)

    def _energise(self, energised: bool) -> None:
        raise NotImplementedError

    def _set_power(self, powered: bool) -> None:
        # normally_on wiring: released relay = power on, so power on means de-energise.
        self._energise(powered != self.normally_on)
        self._is_on = powered

    def on(self) -> None:
        self._set_power(True)

    def off(self) -> None:
        self._set_power(False)

    def cycle(self, off_s: float) -> None:
        """Off for ``off_s`` seconds of clock time, then on again: even if the wait is interrupted."""
        if off_s < 0:
            raise ValueError(f"outlet {self.name}: off time must not be negative (got {off_s})")
        self.off()
        try:
            self.clock.sleep(off_s)
        finally:
            self.on()

    def close(self) -> None:
        """Release the hardware handle (the outlets' power is the bank's business, see OutletBank.close)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {'on' if self.is_on else 'off'}>"


class GpioRelayOutlet(_RelayOutlet):
    """A relay whose coil driver sits on a GPIO pin.

    Built powered: the pin is driven to the "on" level at once, so constructing the bank never cuts power.
    """

    def __init__(
        self,
        name: str,
        pin: int,
        active_low: bool,
        normally_on: bool,
        clock: Clock,
        pin_factory: Any = None,
    ) -> None:
        super().__init__(name, normally_on, clock)
        self.pin = pin
        self.active_low = active_low
        energised_when_on = not normally_on
        try:
            self._device = OutputDevice(
                pin, active_high=not active_low, initial_value=energised_when_on, pin_factory=pin_factory
            )
        except Exception as exc:  # gpiozero's errors (pin in use, no factory) as one line naming the outlet
            raise OutletError(f"outlet {name}: cannot drive GPIO{pin}: {type(exc).__name__}: {exc}") from exc
        self._is_on = True

    @property
    def energised(self) -> bool:
        return bool(self._device.value)

    def _energise(self, energised: bool) -> None:
        try:
            if energised:
                self._device.on()
            else:
                self._device.off()
        except Exception as exc:
            raise OutletError(f"outlet {self.name}: cannot drive GPIO{self.pin}: {exc}") from exc

    def close(self) -> None:
        self._device.close()


class LcusRelayBoard:
    """An LCUS-1/2/4/8 USB relay board (CH340, 9600 baud): write-only 4-byte frames ``A0 ch state sum``.

    Most of these boards never answer, so a board that stopped listening is only noticed when the write
    itself fails (unplugged: the tty is gone) or times out (nobody drains it). Both become
    :class:`OutletError` naming the port. A board opened by path is reopened on the next ``set`` after a
    failure, so a re-plugged board (same path) recovers without restarting the rig.
    """

    def __init__(self, port: serial.Serial, reopen: Callable[[], serial.Serial] | None = None) -> None:
        self.port: serial.Serial | None = port
        self.port_path = str(port.port)
        self._reopen = reopen

    @staticmethod
    def frame(channel: int, state: int | bool) -> bytes:
        """The frame that switches ``channel`` (1-8) to ``state`` (1 = energised, 0 = released)."""
        if not 1 <= channel <= LCUS_MAX_CHANNEL:
            raise ValueError(f"relay channel must be 1-{LCUS_MAX_CHANNEL} (got {channel})")
        bit = 1 if state else 0
        return bytes((LCUS_HEADER, channel, bit, (LCUS_HEADER + channel + bit) & 0xFF))

    @classmethod
    def open(cls, port_path: str, baud: int = LCUS_BAUD) -> LcusRelayBoard:
        """Open the board's serial port; a missing or busy port is an :class:`OutletError`."""

        def opener() -> serial.Serial:
            try:
                return serial.Serial(port_path, baud, timeout=0.5, write_timeout=WRITE_TIMEOUT_S)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise OutletError(
                    f"relay board on {port_path} cannot be opened: {_one_line(exc)}: {BOARD_HINT}"
                ) from exc

        return cls(opener(), reopen=opener)

    def set(self, channel: int, energised: bool) -> None:
        """Energise or release one relay."""
        data = self.frame(channel, energised)
        port = self._port()
        try:
            written = port.write(data)
        except (serial.SerialException, OSError) as exc:
            self._drop_port()
            raise OutletError(
                f"relay board on {self.port_path} not answering: {_one_line(exc)}: {BOARD_HINT}"
            ) from exc
        if written is not None and written != len(data):
            self._drop_port()
            raise OutletError(
                f"relay board on {self.port_path} not answering: wrote {written} of {len(data)} bytes: {BOARD_HINT}"
            )

    def _port(self) -> serial.Serial:
        if self.port is not None and self.port.is_open:
            return self.port
        if self._reopen is None:
            raise OutletError(f"relay board on {self.port_path} not answering: port is closed: {BOARD_HINT}")
        self.port = self._reopen()
        return self.port

    def _drop_port(self) -> None:
        """Forget a port that failed, so the next ``set`` starts from a fresh open (when we can reopen)."""
        if self._reopen is None or self.port is None:
            return
        with contextlib.suppress(serial.SerialException, OSError):
            self.port.close()
        self.port = None

    def close(self) -> None:
        if self.port is not None:
            try:
                self.port.close()
            except (serial.SerialException, OSError) as exc:
                log.warning("relay board on %s: close failed: %s", self.port_path, exc)
        self.port = None
        self._reopen = None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class SerialRelayOutlet(_RelayOutlet):
    """One channel of an :class:`LcusRelayBoard`.

    Not switched at construction (the board may be absent: that is the bank's first ``all_on`` to report);
    ``is_on`` starts as a released relay leaves the load, which is powered on ``normally_on`` wiring.
    """

    def __init__(
        self, name: str, board: LcusRelayBoard, channel: int, normally_on: bool, clock: Clock
    ) -> None:
        super().__init__(name, normally_on, clock)
        LcusRelayBoard.frame(channel, 0)  # validates the channel now, not at the first switch
        self.board = board
        self.channel = channel
        self._is_on = normally_on

    def _energise(self, energised: bool) -> None:
        try:
            self.board.set(self.channel, energised)
        except OutletError as exc:
            raise OutletError(f"outlet {self.name}: {exc}") from exc


class OutletBank:
    """The fixture's named outlets (``router``, ``sync_module``, ``camera``): ``bank["router"]`` or
    ``bank.router``; iterating yields the names, like a mapping."""

    def __init__(self, outlets: dict[str, Outlet], boards: list[LcusRelayBoard] | None = None) -> None:
        self._outlets = dict(outlets)
        self._boards = list(boards or [])

    @classmethod
    def from_config(
        cls,
        cfg: RigConfig,
        clock: Clock,
        pin_factory: Any = None,
        serial_port_opener: Callable[[str, int], LcusRelayBoard] = LcusRelayBoard.open,
    ) -> OutletBank:
        outlets: dict[str, Outlet] = {}
        if cfg.relays.backend == "serial":
            board = serial_port_opener(cfg.relays.serial_port, cfg.relays.baud)
            for name in OUTLET_NAMES:
                oc = cfg.outlets[name]
                assert oc.channel is not None  # the config validator guarantees it for this backend
                outlets[name] = SerialRelayOutlet(name, board, oc.channel, oc.normally_on, clock)
            return cls(outlets, [board])
        try:
            for name in OUTLET_NAMES:
                oc = cfg.outlets[name]
                assert oc.pin is not None
                outlets[name] = GpioRelayOutlet(
                    name, oc.pin, oc.active_low, oc.normally_on, clock, pin_factory=pin_factory
                )
        except BaseException:
            for built in outlets.values():
                _close_quietly(built)
            raise
        return cls(outlets)

    def __getitem__(self, name: str) -> Outlet:
        try:
            return self._outlets[name]
        except KeyError:
            raise KeyError(f"no outlet named {name!r} (outlets: {', '.join(self._outlets)})") from None

    def __getattr__(self, name: str) -> Outlet:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._outlets[name]
        except KeyError:
            raise AttributeError(f"no outlet named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._outlets)

    def __len__(self) -> int:
        return len(self._outlets)

    def __contains__(self, name: object) -> bool:
        return name in self._outlets

    def items(self) -> list[tuple[str, Outlet]]:
        return list(self._outlets.items())

    def all_on(self) -> list[str]:
        """Switch every outlet on, best effort: one that fails does not stop the others.

        Returns the names that could not be switched on (logged with the reason)."""
        failed: list[str] = []
        for name, outlet in self._outlets.items():
            try:
                outlet.on()
            except Exception as exc:
                log.error("outlet %s could not be switched on: %s", name, exc)
                failed.append(name)
        return failed

    def close(self) -> None:
        """Leave the bench powered, then let go of pins and ports. Never raises: it runs in teardown.

        A released GPIO line releases its relay, so only ``normally_on`` wiring stays powered once the rig
        has let go: that is why the reference fixture wires every outlet that way."""
        self.all_on()
        for outlet in self._outlets.values():
            _close_quietly(outlet)
        for board in self._boards:
            board.close()


def _close_quietly(outlet: Any) -> None:
    close = getattr(outlet, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as exc:
        log.warning("outlet %s: close failed: %s", getattr(outlet, "name", "?"), exc)

"""The fixture's named outlets, each on the backend its config names (a fixture may mix them)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from rig.core.clock import Clock
from rig.core.config import OUTLET_NAMES, RigConfig
from rig.hardware.power.base import BuildContext, Outlet, close_quietly
from rig.hardware.power.registry import get_backend

log = logging.getLogger(__name__)


class OutletBank:
    """The fixture's named outlets (``router``, ``sync_module``, ``camera``): ``bank["router"]`` or
    ``bank.router``; iterating yields the names, like a mapping."""

    def __init__(self, outlets: dict[str, Outlet], closers: list[Callable[[], None]] | None = None,
                 owned: tuple[str, ...] | None = None) -> None:
        self._outlets = dict(outlets)
        self._closers = list(closers or [])
        # What all_on and close touch: a slot's bank switches the bench's shared outlets through the bench
        # (a slot's safe state must not end another slot's router cycle).
        self._owned = tuple(self._outlets) if owned is None else owned

    @classmethod
    def from_config(
        cls,
        cfg: RigConfig,
        clock: Clock,
        pin_factory: Any = None,
        overrides: dict[str, Any] | None = None,
        serial_port_opener: Callable[..., Any] | None = None,
        names: tuple[str, ...] = OUTLET_NAMES,
    ) -> OutletBank:
        """Build every outlet on its backend. ``overrides`` (by backend name) replace real resources: the
        simulator's emulators; ``serial_port_opener`` is the LCUS board's, kept as its own keyword."""
        ctx = BuildContext(clock, pin_factory, dict(overrides or {}))
        if serial_port_opener is not None:
            ctx.overrides["lcus"] = serial_port_opener
        outlets: dict[str, Outlet] = {}
        try:
            for name in names:
                oc = cfg.outlets[name]
                driver = get_backend(oc.backend).build(name, oc.settings, ctx)
                outlets[name] = Outlet(name, driver, clock)
        except BaseException:
            for built in outlets.values():
                close_quietly(built)
            for closer in ctx.closers:
                closer()
            raise
        return cls(outlets, ctx.closers)

    def joined(self, other: OutletBank) -> OutletBank:
        """A slot's bank: the bench's shared outlets and the slot's own (closing it closes only its own)."""
        return OutletBank({**self._outlets, **other._outlets}, other._closers, owned=tuple(other._outlets))

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
        for name in self._owned:
            outlet = self._outlets[name]
            try:
                outlet.on()
            except Exception as exc:
                log.error("outlet %s could not be switched on: %s", name, exc)
                failed.append(name)
        return failed

    def close(self) -> None:
        """Leave the bench powered, then let go of pins, ports and connections. Never raises: it runs in teardown.

        A released GPIO line releases its relay, so only ``normally_on`` wiring stays powered once the rig
        has let go: that is why the reference fixture wires every outlet that way."""
        self.all_on()
        for name in self._owned:
            close_quietly(self._outlets[name])
        for closer in self._closers:
            try:
                closer()
            except Exception as exc:
                log.warning("outlet resource: close failed: %s", exc)
        self._closers = []

"""TP-Link Kasa smart plugs on the local network, through python-kasa (legacy protocol: TCP 9999, XOR autokey).

One plug per outlet, sold as a 120 V (HS103/KP115 US) and a 230 V version (HS100/HS110 EU, KP105 UK): the
switched outlet for a bench outside North America. The library is asyncio; each plug keeps a private event
loop and runs one call at a time on it, so the rig stays single-threaded and every wait of its own still goes
through the injected clock (only the loopback or LAN round trip is real time, bounded by ``timeout_s``).

A plug keeps its last state when the rig dies, so a crash mid-cycle leaves its outlet off: it is not fail-safe
and the config must say ``not_fail_safe_ok = true`` for it. The outage is bounded, though: before switching a
plug off the rig arms the plug's own countdown rule (``count_down.add_rule``, act 1 = on, after
``restore_after_s``), and cancels it once the plug is on again, so a plug the rig abandoned mid-cycle switches
itself back on (softScheck's protocol notes list the rule commands; the HS100/HS110 allow one rule).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from typing import Any

from pydantic import Field

from rig.hardware.power.base import Backend, BackendSettings, BuildContext, OutletError, one_line

log = logging.getLogger(__name__)

KASA_PORT = 9999


class KasaSettings(BackendSettings):
    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:-]+$")
    port: int = Field(KASA_PORT, ge=1, le=65535)
    timeout_s: float = Field(5.0, gt=0, le=60)
    restore_after_s: int = Field(600, ge=60, le=86_400, description="the plug's own countdown back to on")

    def fail_safe_problem(self) -> str:
        return (f"a smart plug keeps its last state when the rig dies, so a crash mid-cycle leaves this outlet off "
                f"for up to restore_after_s = {self.restore_after_s} s (its countdown)")

    def check_timings(self, longest_off_s: float) -> str:
        if self.restore_after_s <= longest_off_s:
            return (f"restore_after_s: {self.restore_after_s} s would switch the plug back on during a "
                    f"{longest_off_s:g} s power cycle: make it longer")
        return ""

    def claims(self) -> dict[str, tuple[object, str]]:
        return {"host": (("kasa", self.host.lower(), self.port), f"plug {self.host}:{self.port}")}

    def where(self) -> str:
        return f"Kasa plug {self.host}:{self.port}"


class KasaPlug:
    """One plug. Connects on first use and again after any failure (a plug that rebooted or rejoined Wi-Fi)."""

    assumed_on = True   # unknown until asked; the bank's first ``all_on`` switches it on and confirms it

    def __init__(self, name: str, host: str, port: int, timeout_s: float, address: tuple[str, int],
                 restore_after_s: int | None = None) -> None:
        self.name = name
        self.restore_after_s = restore_after_s
        self.countdown_missing = False
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.where = f"Kasa plug {host}:{port}"
        self._address = address
        self._loop = asyncio.new_event_loop()
        self._device: Any = None

    def _call(self, make: Callable[[Any], Any]) -> Any:
        try:
            from kasa import Device, DeviceConfig, KasaException
        except ModuleNotFoundError:
            raise OutletError(
                f"outlet {self.name}: the kasa backend needs python-kasa: pip install -e '.[plugs]'"
            ) from None

        async def run() -> Any:
            if self._device is None:
                host, port = self._address
                config = DeviceConfig(host=host, port_override=port, timeout=math.ceil(self.timeout_s))
                self._device = await Device.connect(config=config)
            return await make(self._device)

        try:
            return self._loop.run_until_complete(asyncio.wait_for(run(), self.timeout_s))
        except (KasaException, OSError, TimeoutError, ValueError, KeyError) as exc:
            self._forget()
            raise OutletError(
                f"outlet {self.name}: {self.where} not answering: {one_line(exc)}: check the plug's power and "
                f"Wi-Fi and [outlets.{self.name}] host"
            ) from exc
        except BaseException:
            # Interrupted mid-exchange (Ctrl-C): the connection's state is unknown, so the teardown's
            # "everything on" starts from a fresh one.
            self._forget()
            raise

    def _forget(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            with contextlib.suppress(Exception):  # a dead connection: nothing left to close cleanly
                self._loop.run_until_complete(asyncio.wait_for(device.disconnect(), self.timeout_s))

    def power_set(self, on: bool) -> None:
        async def switch(dev: Any) -> None:
            if on:
                await dev.turn_on()
                await self._countdown(dev, {"delete_all_rules": None})
            else:
                # Armed first: a rig that dies between the two still has its plug come back on.
                await self._countdown(dev, {"delete_all_rules": None})
                await self._countdown(dev, {"add_rule": {"enable": 1, "delay": self.restore_after_s, "act": 1,
                                                         "name": "rig fail-safe"}})
                await dev.turn_off()

        self._call(switch)

    async def _countdown(self, dev: Any, command: dict[str, Any]) -> None:
        if self.restore_after_s is None or self.countdown_missing:
            return
        answer = (await dev.protocol.query({"count_down": command})).get("count_down", {})
        results = [answer] if "err_code" in answer else list(answer.values())
        if any(isinstance(r, dict) and r.get("err_code", 0) == -1 for r in results):
            self.countdown_missing = True
            log.warning("%s has no countdown rule: if the rig dies mid-cycle it stays off until the rig runs again",
                        self.where)
            return
        for result in results:
            if isinstance(result, dict) and result.get("err_code", 0) != 0:
                raise ValueError(f"countdown rule refused: {result}")

    def power_get(self) -> bool | None:
        async def read(dev: Any) -> bool:
            await dev.update()
            return bool(dev.is_on)

        return self._call(read)

    def describe(self) -> str:
        """Alias, model (with its region: US 120 V, EU/UK 230 V) and relay state, as the plug reports them."""

        async def info(dev: Any) -> str:
            await dev.update()
            region = f"({dev.region})" if getattr(dev, "region", None) else ""
            return f"'{dev.alias}' {dev.model}{region}, {'on' if dev.is_on else 'off'}"

        return self._call(info)

    def close(self) -> None:
        self._forget()
        self._loop.close()


def build(name: str, settings: KasaSettings, ctx: BuildContext) -> KasaPlug:
    resolve: Callable[[str, int], tuple[str, int]] = ctx.overrides.get("kasa", lambda host, port: (host, port))
    return KasaPlug(name, settings.host, settings.port, settings.timeout_s, resolve(settings.host, settings.port),
                    settings.restore_after_s)


BACKEND = Backend("kasa", KasaSettings, build)

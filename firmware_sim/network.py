"""The bench's own network probe on the simulator: answered from the router's state, timed like TCP.

The real probe (``rig.hardware.network_probe.TcpNetworkProbe``) connects to the router, then to an internet
host, and a hop that is down costs its full timeout. This one does the same in virtual time, so a rig that
probes an outage pays the seconds it would pay on a real desk.
"""

from __future__ import annotations

from typing import Any

from firmware_sim.clock import VirtualClock
from firmware_sim.router import Router
from rig.core.config import NetworkConfig
from rig.hardware.network_probe import NetworkStatus


class SimNetworkProbe:
    """Satisfies ``rig.hardware.network_probe.NetworkProbe``."""

    def __init__(self, router: Router, clock: VirtualClock, config: NetworkConfig) -> None:
        self._router = router
        self._clock = clock
        self._config = config
        self.timing_out = False   # a rig fault: the Pi's own link is down, every hop times out

    def use_clock(self, clock: Any) -> None:
        """Wait out a timeout on the slots' shared turn-taking clock: a probe that slept on the world's clock
        would move every other slot's time on by its timeout inside one slot's turn (docs/DESIGN.md "Slots")."""
        self._clock = clock

    def _hop(self, ok: bool, host: str, port: int) -> str:
        if ok:
            return ""
        self._clock.sleep(self._config.timeout_s)
        return f"{host}:{port} timed out after {self._config.timeout_s:g} s"

    def check(self) -> NetworkStatus:
        net = self._config
        router_ok = self._router.lan_ok and not self.timing_out
        router_why = self._hop(router_ok, net.router_host, net.router_port)
        internet_ok = self._router.internet_ok and not self.timing_out
        internet_why = self._hop(internet_ok, net.internet_host, net.internet_port)
        detail = "; ".join(why for why in (router_why, internet_why) if why)
        return NetworkStatus(router_ok, internet_ok, detail)

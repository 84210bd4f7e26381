"""Is the bench network up? The article's first check ("use the internet on your other devices") automated.

The rig asks a :class:`NetworkProbe`; on a real bench that is :class:`TcpNetworkProbe` (a TCP connect to the
router and to an internet host, each with a timeout); on the simulator the world answers the same question.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class NetworkStatus:
    """What the bench's own probe saw: the router (LAN) and the internet beyond it."""

    router_ok: bool
    internet_ok: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.router_ok and self.internet_ok


@runtime_checkable
class NetworkProbe(Protocol):
    def check(self) -> NetworkStatus:
        """Probe the bench network now."""
        ...


class TcpNetworkProbe:
    """TCP connects with a timeout: a refused or timed-out connect means that hop is down."""

    def __init__(
        self,
        router: tuple[str, int],
        internet: tuple[str, int],
        timeout_s: float = 2.0,
    ) -> None:
        self.router = router
        self.internet = internet
        self.timeout_s = timeout_s

    def _reachable(self, address: tuple[str, int]) -> tuple[bool, str]:
        try:
            with socket.create_connection(address, timeout=self.timeout_s):
                return True, ""
        except TimeoutError:
            return False, f"{address[0]}:{address[1]} timed out after {self.timeout_s:g} s"
        except OSError as exc:
            return False, f"{address[0]}:{address[1]} {exc.strerror or exc}"

    def check(self) -> NetworkStatus:
        router_ok, router_why = self._reachable(self.router)
        internet_ok, internet_why = self._reachable(self.internet)
        detail = "; ".join(why for why in (router_why, internet_why) if why)
        return NetworkStatus(router_ok, internet_ok, detail)

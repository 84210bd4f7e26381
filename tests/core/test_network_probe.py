"""The real TCP probe against listeners on this machine's loopback (no outside traffic)."""

from __future__ import annotations

import socket

from rig.hardware.network_probe import TcpNetworkProbe


def _listener() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_both_hops_up() -> None:
    with _listener() as router, _listener() as internet:
        probe = TcpNetworkProbe(router.getsockname(), internet.getsockname(), timeout_s=1)
        status = probe.check()
    assert status.ok and status.router_ok and status.internet_ok
    assert status.detail == ""


def test_internet_down_router_up_names_the_hop() -> None:
    port = _closed_port()
    with _listener() as router:
        status = TcpNetworkProbe(router.getsockname(), ("127.0.0.1", port), timeout_s=1).check()
    assert status.router_ok and not status.internet_ok and not status.ok
    assert f"127.0.0.1:{port}" in status.detail


def test_both_down() -> None:
    a, b = _closed_port(), _closed_port()
    status = TcpNetworkProbe(("127.0.0.1", a), ("127.0.0.1", b), timeout_s=0.5).check()
    assert not status.router_ok and not status.internet_ok
    assert f":{a}" in status.detail and f":{b}" in status.detail

"""Outlet backends behind one protocol (see base.py); a backend is one module here plus one line below."""

from __future__ import annotations

from rig.hardware.power import gpio, kasa, lcus, mcp23017
from rig.hardware.power.base import Backend, BackendSettings, BuildContext, Outlet, OutletError, PowerDriver
from rig.hardware.power.registry import backend_names, get_backend, register

for _backend in (gpio.BACKEND, lcus.BACKEND, kasa.BACKEND, mcp23017.BACKEND):
    register(_backend)

__all__ = [
    "Backend", "BackendSettings", "BuildContext", "Outlet", "OutletError", "PowerDriver",
    "backend_names", "get_backend", "register",
]

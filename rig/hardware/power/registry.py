"""The outlet backends by name: ``backend = "NAME"`` in an ``[outlets.X]`` table picks one."""

from __future__ import annotations

from rig.hardware.power.base import Backend

_BACKENDS: dict[str, Backend] = {}


def register(backend: Backend) -> Backend:
    """Make a backend available to the config and the bank (a later one of the same name replaces it)."""
    _BACKENDS[backend.name] = backend
    return backend


def get_backend(name: str) -> Backend:
    try:
        return _BACKENDS[name]
    except KeyError:
        raise KeyError(f"unknown outlet backend {name!r} (known: {', '.join(sorted(_BACKENDS))})") from None


def backend_names() -> list[str]:
    return sorted(_BACKENDS)

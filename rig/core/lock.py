"""One rig, one owner: a second ``rig test`` on the same fixture is refused.

An OS file lock (``filelock``, i.e. ``flock``) rather than a PID file: the kernel releases it when the holder
dies, however it dies, so a crashed rig never leaves the fixture locked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class FixtureBusy(RuntimeError):
    """Another process holds the fixture."""


@contextmanager
def fixture_lock(path: str | Path) -> Iterator[None]:
    path = Path(path)
    try:
        lock = FileLock(path, timeout=0, fallback_to_soft=False)
        lock.acquire()
    except Timeout:
        raise FixtureBusy(
            f"another rig is already using this fixture (lock {path} is held): wait for it or stop it"
        ) from None
    except OSError as exc:
        raise FixtureBusy(f"cannot take the fixture lock {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
